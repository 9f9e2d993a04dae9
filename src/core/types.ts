// Core types shared by every part of kubeward. This module imports nothing with side effects.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher number = more severe. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
});

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

export const PILLARS = ['workload', 'least-privilege', 'metadata-api', 'audit-logging', 'defence-in-depth'] as const;
export type Pillar = (typeof PILLARS)[number];

export const PILLAR_TITLES: Readonly<Record<Pillar, string>> = Object.freeze({
  workload: 'Workload hardening',
  'least-privilege': 'Least privilege',
  'metadata-api': 'Metadata API exposure',
  'audit-logging': 'Audit logging',
  'defence-in-depth': 'Defence in depth',
});

/** A place in an input: file, 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Path inside an object, e.g. ['spec', 'containers', 0, 'securityContext']. */
export type ObjPath = ReadonlyArray<string | number>;

/** A Kubernetes object as read from any input. Values are plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
    uid?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * One object loaded into kubeward with where it came from.
 * `locate(path)` resolves a path inside the object to a source position (best effort: falls back
 * to the nearest ancestor that has one, then to the object's own position).
 */
export interface LoadedObject {
  readonly obj: Readonly<KubeObject>;
  readonly ref: ResourceRef;
  /** apiGroup of the object ('' for core). */
  readonly group: string;
  /** The file (or "<stdin>", or "cluster:<context>") the object came from. */
  readonly file: string;
  /** Where the object starts, when the input has positions. */
  readonly source?: SourceLocation;
  readonly locate: (path: ObjPath) => SourceLocation | undefined;
}

export interface InputError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface NotAssessed {
  what: string;
  reason: string;
  /** Rules whose verdict could not be reached because of this gap. */
  rules?: string[];
}

export interface ComplianceMappings {
  /** CIS Kubernetes / EKS / GKE / AKS benchmark ids, e.g. "CIS-K8S 5.2.2". */
  cis?: string[];
  /** Pod Security Standards level the control belongs to. */
  pss?: 'baseline' | 'restricted';
  /** MITRE ATT&CK technique ids (containers matrix), e.g. "T1611". */
  mitre?: string[];
  /** NSA/CISA Kubernetes hardening guide sections, free text. */
  nsa?: string[];
}

export interface RuleMeta<MessageId extends string = string> {
  id: string;
  title: string;
  pillar: Pillar;
  severity: Severity;
  /** One or two sentences: what the rule looks for and why it matters. */
  description: string;
  remediation: string;
  references: string[];
  compliance: ComplianceMappings;
  /** Message templates; `{name}` placeholders are filled from report data. */
  messages: Record<MessageId, string>;
  /** Kinds the rule reads ("Pod", "networking.k8s.io/NetworkPolicy"...), for "not assessed" reporting. */
  reads?: string[];
  /**
   * The cloud the rule is about ('aws' | 'azure' | 'gcp', see src/cloud/model.ts PROVIDERS). When the
   * cluster is known to run elsewhere the rule is "not applicable"; when its `reads` include cloud
   * kinds (cloud.kubeward.io/...) and no description of that cloud was loaded, it is "not assessed".
   */
  provider?: 'aws' | 'azure' | 'gcp';
  /**
   * 'self-managed': the rule judges a control plane the user runs (kube-apiserver flags). On a
   * cluster known to run on a managed service (EKS, AKS, GKE) it is "not applicable".
   */
  controlPlane?: 'self-managed';
}

export interface FindingSuppression {
  by: 'ignore-file' | 'annotation' | 'baseline' | 'config';
  reason: string;
  expires?: string;
}

export interface Finding {
  ruleId: string;
  title: string;
  pillar: Pillar;
  severity: Severity;
  resource: ResourceRef;
  messageId: string;
  message: string;
  location?: SourceLocation;
  /** Path inside the resource that the finding points at. */
  path?: string;
  remediation: string;
  evidence?: Record<string, unknown>;
  suppressed?: FindingSuppression;
}

export interface ScanSummary {
  total: number;
  active: number;
  suppressed: number;
  bySeverity: Record<Severity, number>;
  byPillar: Record<Pillar, number>;
  objects: number;
  files: number;
  rulesRun: number;
  /** Rules about another cloud than the one the cluster runs on (meta.provider): not run. */
  notApplicable?: number;
  failOn: Severity | 'none';
  failed: boolean;
}

export interface ScanResult {
  schemaVersion: string;
  tool: { name: string; version: string };
  summary: ScanSummary;
  findings: Finding[];
  errors: InputError[];
  notAssessed: NotAssessed[];
  /** Ignore-file entries whose expiry date has passed (they no longer suppress anything). */
  expiredSuppressions?: Array<{ rule: string; reason: string; expires: string; source: string }>;
}

export const JSON_SCHEMA_VERSION = '1.0.0';

/** A mistake by the user (bad input, bad flag, unreadable file). Printed as one line, never a stack. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
