// Syntactic rule coverage used by the escalation checks, ported from kubernetes/kubernetes
// staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go (Covers,
// BreakdownRule, ruleCovers). Purely syntactic on purpose: explicit verbs do not cover `*`, a rule
// with resourceNames does not cover one without, `/apis/*` does not cover `/apis`, `*/scale`
// covers `foo/scale`.
import type { PolicyRule } from './types.js';
import { ALL, trimRightStars } from './match.js';

const rule = (p: Partial<PolicyRule>): PolicyRule => ({
  verbs: p.verbs ?? [],
  apiGroups: p.apiGroups ?? [],
  resources: p.resources ?? [],
  resourceNames: p.resourceNames ?? [],
  nonResourceURLs: p.nonResourceURLs ?? [],
});

/** `*` on everything plus `*` on every non-resource URL: what setting an aggregationRule requires. */
export const FULL_AUTHORITY: readonly PolicyRule[] = Object.freeze([
  rule({ verbs: [ALL], apiGroups: [ALL], resources: [ALL] }),
  rule({ verbs: [ALL], nonResourceURLs: [ALL] }),
]);

/** One rule per (group, resource, verb[, name]) and per (URL, verb). A rule with no apiGroups yields no resource sub-rules. */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of r.apiGroups) {
    for (const resource of r.resources) {
      for (const verb of r.verbs) {
        if (r.resourceNames.length > 0) {
          for (const name of r.resourceNames) out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] }));
        } else {
          out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb] }));
        }
      }
    }
  }
  for (const url of r.nonResourceURLs) for (const verb of r.verbs) out.push(rule({ nonResourceURLs: [url], verbs: [verb] }));
  return out;
}

function has(set: readonly string[], s: string): boolean {
  return set.includes(s);
}

function hasAll(set: readonly string[], contains: readonly string[]): boolean {
  for (const c of contains) if (!set.includes(c)) return false;
  return true;
}

function resourceCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  if (has(set, ALL) || hasAll(set, covers)) return true;
  for (const p of covers) {
    if (has(set, p)) continue;
    const slash = p.indexOf('/');
    if (slash < 0) return false;
    if (!has(set, `*/${p.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  if (owner === sub) return true;
  return owner.endsWith('*') && sub.startsWith(trimRightStars(owner));
}

function nonResourceURLsCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  for (const p of covers) {
    let covered = false;
    for (const o of set) {
      if (nonResourceURLCovers(o, p)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

/** Does `owner` cover `sub` (a rule with at most one verb, resource and name)? */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names =
    sub.resourceNames.length === 0
      ? owner.resourceNames.length === 0
      : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Do the owner's rules cover every servant rule? Returns the uncovered broken-down rules. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const s of servantRules) {
    for (const sub of breakdownRule(s)) {
      if (!ownerRules.some((o) => ruleCovers(o, sub))) missing.push(sub);
    }
  }
  return { covered: missing.length === 0, missing };
}

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const q = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts: string[] = [];
  if (r.apiGroups.length > 0) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources.length > 0) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs.length > 0) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames.length > 0) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs.length > 0) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
