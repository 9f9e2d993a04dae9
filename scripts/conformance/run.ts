// Runs every corpus case through kubeward's real loader and engine and compares verdicts.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadPaths } from '../../src/loaders/files.js';
import { ClusterState } from '../../src/model/cluster-state.js';
import { runRules } from '../../src/core/engine.js';
import { getRule } from '../../src/rules/index.js';
import type { Rule } from '../../src/core/rule.js';
import type { Finding, LoadedObject } from '../../src/core/types.js';
import { READERS } from './corpora.js';
import { lookup } from './mapping.js';
import { DELIBERATE } from './deliberate.js';
import { CORPORA, FUTURE_TITLES, type Case, type CorpusId, type CorpusInfo, type MapEntry, type RuleRef, type RunOutput, type UnmappedClass, type Verdict } from './types.js';

export type Status = 'agree' | 'deliberate' | 'unexplained' | 'unmapped';

export interface CaseResult {
  case: Case;
  status: Status;
  /** Our verdict (absent when unmapped). */
  ours?: Verdict;
  /** Why unmapped, or why the disagreement is deliberate. */
  reason?: string;
  /** Rule ids the case was run with (or would be, when a rule is missing). */
  rules: string[];
  /** Mapping narrowing, for the docs. */
  ruleLabel: string;
  /** Broad reason class, when unmapped. */
  unmappedClass?: UnmappedClass;
}

export interface ConformanceResult {
  corporaRoot: string;
  corpora: CorpusInfo[];
  results: CaseResult[];
  /** Peer checks with no mapping entry at all (a harness gap: fails --check). */
  missingEntries: string[];
  /** deliberate.ts entries that no longer match a disagreement. */
  staleDeliberate: string[];
}

/** Engine options per corpus. Every peer judges each object on its own, including pods owned by a
 * controller that is also in the input, so the engine must not skip controlled pods anywhere. */
const INCLUDE_CONTROLLED: Record<CorpusId, boolean> = {
  polaris: true,
  'kube-linter': true,
  'kyverno-pss': true,
  regolibrary: true,
  gatekeeper: true,
  'checkov-k8s': true,
};

export function describeRefs(refs: readonly RuleRef[]): string {
  return refs.map((x) => (x.param ? `${x.rule} (${x.param})` : x.messageIds ? `${x.rule} (${x.messageIds.join(', ')})` : x.rule)).join(' + ');
}

function unmappedClass(e: Extract<MapEntry, { unmapped: string }>): UnmappedClass {
  return e.future ? `future:${e.future}` : (e.cls ?? 'no-rule');
}

function unmappedReason(e: Extract<MapEntry, { unmapped: string }>): string {
  if (e.future) return e.unmapped ? `${FUTURE_TITLES[e.future]} (${e.unmapped})` : FUTURE_TITLES[e.future];
  return `unmapped: ${e.unmapped}`;
}

function keep(ref: RuleRef, f: Finding): boolean {
  if (f.ruleId !== ref.rule) return false;
  if (ref.messageIds && !ref.messageIds.includes(f.messageId)) return false;
  if (ref.where && !ref.where(f)) return false;
  return true;
}

export interface RunOptions {
  /** Rule lookup (default: the registry). A not-registered rule makes its cases unmapped. */
  resolveRule?: (id: string) => Rule | undefined;
  /** Called for every case that was run (debugging aid). */
  onCase?: (c: Case, out: RunOutput, ours: Verdict) => void;
}

export async function runConformance(corporaRoot: string, opts: RunOptions = {}): Promise<ConformanceResult> {
  const resolve = opts.resolveRule ?? getRule;
  const corpora: CorpusInfo[] = [];
  const results: CaseResult[] = [];
  const missing = new Set<string>();
  const states = new Map<string, { state: ClusterState; objects: LoadedObject[] }>();

  const stateFor = async (files: readonly string[]): Promise<{ state: ClusterState; objects: LoadedObject[] }> => {
    const key = files.join('\n');
    let s = states.get(key);
    if (!s) {
      const loaded = await loadPaths(files);
      s = { state: new ClusterState({ objects: loaded.objects }), objects: loaded.objects };
      states.set(key, s);
    }
    return s;
  };

  for (const id of CORPORA) {
    const dir = path.join(corporaRoot, id);
    if (!existsSync(path.join(dir, 'expected.json'))) continue;
    const { info, cases } = READERS[id](corporaRoot);
    corpora.push(info);
    for (const c of cases) {
      const entry = lookup(c.corpus, c.check, c.group);
      if (!entry) {
        missing.add(`${c.corpus}:${c.check}`);
        results.push({
          case: c,
          status: 'unmapped',
          reason: 'unmapped: no mapping entry (add one to scripts/conformance/mapping.ts)',
          rules: [],
          ruleLabel: '',
          unmappedClass: 'no-entry',
        });
        continue;
      }
      if ('unmapped' in entry) {
        results.push({ case: c, status: 'unmapped', reason: unmappedReason(entry), rules: [], ruleLabel: '', unmappedClass: unmappedClass(entry) });
        continue;
      }
      const ruleIds = [...new Set(entry.rules.map((x) => x.rule))];
      const label = describeRefs(entry.rules);
      const absent = ruleIds.filter((x) => !resolve(x));
      if (absent.length > 0) {
        results.push({
          case: c,
          status: 'unmapped',
          reason: `unmapped: rule not implemented: ${absent.join(', ')}`,
          rules: ruleIds,
          ruleLabel: label,
          unmappedClass: 'not-implemented',
        });
        continue;
      }
      if (c.unmapped) {
        results.push({ case: c, status: 'unmapped', reason: `unmapped: ${c.unmapped}`, rules: ruleIds, ruleLabel: label, unmappedClass: 'parameters' });
        continue;
      }
      const rules = ruleIds.map((x) => resolve(x) as Rule);
      const reads = new Set(rules.flatMap((x) => x.meta.reads ?? []));
      const objects: LoadedObject[] = [];
      const findings: Finding[] = [];
      for (const group of c.perFile ? c.files.map((f) => [f]) : [c.files]) {
        const { state, objects: objs } = await stateFor(group);
        objects.push(...objs);
        const { findings: fs, ruleErrors } = runRules(state, rules, { includeControlled: INCLUDE_CONTROLLED[c.corpus] });
        if (ruleErrors.length > 0) throw new Error(`${c.id}: rule error ${ruleErrors.map((e) => `${e.ruleId}: ${e.message}`).join('; ')}`);
        for (const f of fs) if (entry.rules.some((ref) => keep(ref, f))) findings.push(f);
      }
      const out: RunOutput = { objects, findings, reads };
      const ours = c.judge(out);
      opts.onCase?.(c, out, ours);
      if (ours === c.expect) results.push({ case: c, status: 'agree', ours, rules: ruleIds, ruleLabel: label });
      else if (DELIBERATE[c.id]) results.push({ case: c, status: 'deliberate', ours, reason: DELIBERATE[c.id], rules: ruleIds, ruleLabel: label });
      else results.push({ case: c, status: 'unexplained', ours, rules: ruleIds, ruleLabel: label });
    }
  }
  // Stale: the case now agrees, or no longer exists (unmapped cases keep their entry for later).
  const status = new Map(results.map((x) => [x.case.id, x.status]));
  const staleDeliberate = Object.keys(DELIBERATE)
    .filter((k) => !status.has(k) || status.get(k) === 'agree')
    .sort();
  return { corporaRoot, corpora, results, missingEntries: [...missing].sort(), staleDeliberate };
}
