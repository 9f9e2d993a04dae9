// Types shared by the conformance harness (scripts/conformance.ts) and its tables.
import type { Finding, LoadedObject } from '../../src/core/types.js';

export const CORPORA = ['polaris', 'kube-linter', 'kyverno-pss', 'regolibrary', 'gatekeeper', 'checkov-k8s'] as const;
export type CorpusId = (typeof CORPORA)[number];

/** One of our rules, optionally narrowed to some of its findings (a "parameter" of the mapping). */
export interface RuleRef {
  rule: string;
  /** Keep only findings with one of these message ids. */
  messageIds?: readonly string[];
  /** Keep only findings for which this holds (describe it in `param`). */
  where?: (f: Finding) => boolean;
  /** Human description of the narrowing, shown in docs/conformance.md. */
  param?: string;
}

/** How a peer check maps onto kubeward: rules to run, or why it is not compared. */
export type MapEntry =
  | { rules: readonly RuleRef[]; note?: string }
  | { unmapped: string; future?: FuturePillar; cls?: 'out-of-scope' | 'no-rule' | 'parameters' };

/** Why cases are not compared, in broad classes (for the summary table). */
export type UnmappedClass =
  | `future:${FuturePillar}`
  | 'out-of-scope'
  | 'no-rule'
  | 'parameters'
  | 'not-implemented'
  | 'no-entry';

export const UNMAPPED_CLASS_TITLES: Readonly<Record<UnmappedClass, string>> = {
  'future:least-privilege': 'future pillar: least privilege (RBAC)',
  'future:network': 'future pillar: NetworkPolicy / reachability',
  'future:metadata-api': 'future pillar: metadata API / workload identity',
  'future:audit-logging': 'future pillar: audit logging',
  'future:cloud': 'future pillar: cloud provider configuration',
  'no-rule': 'security control without a kubeward rule',
  'parameters': "verdict depends on the peer's parameters, exemptions or context",
  'out-of-scope': 'out of scope (reliability / efficiency / hygiene)',
  'not-implemented': 'mapped rule not implemented yet',
  'no-entry': 'no mapping entry',
};

export type FuturePillar = 'least-privilege' | 'network' | 'metadata-api' | 'audit-logging' | 'cloud';

export const FUTURE_TITLES: Readonly<Record<FuturePillar, string>> = {
  'least-privilege': 'unmapped, future pillar: least privilege (RBAC)',
  network: 'unmapped, future pillar: NetworkPolicy / reachability',
  'metadata-api': 'unmapped, future pillar: metadata API / workload identity',
  'audit-logging': 'unmapped, future pillar: audit logging',
  cloud: 'unmapped, future pillar: cloud provider configuration',
};

/** What a case is judged on, computed from our findings. */
export interface RunOutput {
  /** Every object loaded from the case's files. */
  objects: readonly LoadedObject[];
  /** Findings of the mapped rules (after narrowing), on any object. */
  findings: readonly Finding[];
  /** Kinds ("Kind" or "group/Kind") the mapped rules read. */
  reads: ReadonlySet<string>;
}

/** A verdict as a short string: "pass", "fail", "2 reports", "passed=3 failed=4"... */
export type Verdict = string;

export interface Case {
  corpus: CorpusId;
  /** Globally unique id "<corpus>:<upstream id>"; the key of deliberate.ts. */
  id: string;
  /** The peer check (mapping key within the corpus). */
  check: string;
  /** The peer's grouping of the check (regolibrary category), for fallback mapping entries. */
  group?: string;
  expect: Verdict;
  /** Absolute paths of the input files. */
  files: readonly string[];
  /** Load each file on its own (the peer scans files independently) instead of all together. */
  perFile?: boolean;
  /** Derives our verdict with the peer's semantics. */
  judge: (out: RunOutput) => Verdict;
  /** Set when this particular case cannot be compared even though its check is mapped. */
  unmapped?: string;
}

export interface CorpusInfo {
  id: CorpusId;
  title: string;
  repo: string;
  commit: string;
  license: string;
  /** How verdicts are derived, for the docs. */
  semantics: string;
}
