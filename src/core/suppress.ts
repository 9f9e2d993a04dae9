// Suppression of findings: config exclusions, ignore-file entries (with expiry), per-object
// annotations, and a baseline of known findings. Suppressed findings stay in the result, marked.
import type { Finding, LoadedObject, ResourceRef, Severity } from './types.js';

/** Every field given must match; each is an exact value or a glob where `*` matches any run of characters. */
export interface ResourceSelector {
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface IgnoreEntry {
  /** Rule id, or "*" for every rule. */
  rule: string;
  resource?: ResourceSelector;
  reason: string;
  /** YYYY-MM-DD; after this day the entry no longer suppresses and is reported as expired. */
  expires?: string;
  /** Where the entry was written (file:line), for messages. */
  source: string;
}

export interface SuppressionConfig {
  excludeNamespaces?: readonly string[];
  excludeResources?: readonly ResourceSelector[];
  ignores?: readonly IgnoreEntry[];
  /** Fingerprints of findings accepted in a baseline. */
  baseline?: ReadonlySet<string>;
  /** Today's date as YYYY-MM-DD (injected so the core stays pure and tests are stable). */
  today: string;
}

/** Annotation prefix: `ignore.kubeward.io/<rule-id>: "<reason>"` on the object suppresses one rule. */
export const IGNORE_ANNOTATION_PREFIX = 'ignore.kubeward.io/';

export function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map(escapeRe).join('.*') + '$');
  return re.test(value);
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function selectorMatches(sel: ResourceSelector, ref: ResourceRef): boolean {
  if (sel.kind && !globMatch(sel.kind, ref.kind)) return false;
  if (sel.namespace && !globMatch(sel.namespace, ref.namespace ?? '')) return false;
  if (sel.name && !globMatch(sel.name, ref.name)) return false;
  return true;
}

/** A stable identity for a finding across runs (no line numbers: edits above it must not matter). */
export function fingerprint(f: Pick<Finding, 'ruleId' | 'resource' | 'path' | 'messageId' | 'message'>): string {
  const r = f.resource;
  return [f.ruleId, r.kind, r.namespace ?? '', r.name, f.path ?? '', f.message].join('|');
}

export interface SuppressOutcome {
  expired: IgnoreEntry[];
}

/**
 * Marks findings as suppressed in place. `objectOf` finds the object a finding is on (for annotations).
 */
export function applySuppressions(
  findings: Finding[],
  cfg: SuppressionConfig,
  annotationsOf: (ref: ResourceRef) => Readonly<Record<string, string>> | undefined,
): SuppressOutcome {
  const expired: IgnoreEntry[] = [];
  const active: IgnoreEntry[] = [];
  for (const e of cfg.ignores ?? []) {
    if (e.expires && e.expires < cfg.today) expired.push(e);
    else active.push(e);
  }
  const exNs = new Set(cfg.excludeNamespaces ?? []);
  for (const f of findings) {
    const ref = f.resource;
    if (ref.namespace && exNs.has(ref.namespace)) {
      f.suppressed = { by: 'config', reason: `namespace ${ref.namespace} is excluded in the configuration` };
      continue;
    }
    const exRes = (cfg.excludeResources ?? []).find((s) => selectorMatches(s, ref));
    if (exRes) {
      f.suppressed = { by: 'config', reason: 'resource is excluded in the configuration' };
      continue;
    }
    const ann = annotationsOf(ref);
    const annReason = ann?.[IGNORE_ANNOTATION_PREFIX + f.ruleId];
    if (annReason !== undefined) {
      f.suppressed = { by: 'annotation', reason: annReason.trim() || `annotation ${IGNORE_ANNOTATION_PREFIX}${f.ruleId}` };
      continue;
    }
    const entry = active.find((e) => (e.rule === '*' || e.rule === f.ruleId) && (!e.resource || selectorMatches(e.resource, ref)));
    if (entry) {
      f.suppressed = { by: 'ignore-file', reason: entry.reason, ...(entry.expires ? { expires: entry.expires } : {}) };
      continue;
    }
    if (cfg.baseline?.has(fingerprint(f))) {
      f.suppressed = { by: 'baseline', reason: 'present in the baseline' };
    }
  }
  return { expired };
}

export function annotationsIndex(objects: readonly LoadedObject[]): (ref: ResourceRef) => Readonly<Record<string, string>> | undefined {
  const m = new Map<string, Readonly<Record<string, string>>>();
  for (const o of objects) {
    const a = o.obj.metadata?.annotations;
    if (a && typeof a === 'object') m.set(refKey(o.ref), a);
  }
  return (ref) => m.get(refKey(ref));
}

function refKey(r: ResourceRef): string {
  return `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
}

export function atOrAbove(s: Severity, threshold: Severity | 'none', rank: Readonly<Record<Severity, number>>): boolean {
  if (threshold === 'none') return false;
  return rank[s] >= rank[threshold];
}
