// Rule matching, ported from kubernetes/kubernetes:
//   pkg/apis/rbac/v1/evaluation_helpers.go  (VerbMatches, APIGroupMatches, ResourceMatches,
//                                            ResourceNameMatches, NonResourceURLMatches)
//   plugin/pkg/auth/authorizer/rbac/rbac.go (RuleAllows)
// Everything is case-sensitive. `res/*` is not a pattern: only `*`, exact `res` / `res/sub`, and
// `*/sub` (for requests that have a subresource) match resources.
import type { AuthzRequest, PolicyRule, ResourceRequest } from './types.js';
import { isNonResourceRequest } from './types.js';

export const ALL = '*';

// Indexed loops in these helpers: they run hundreds of thousands of times per scan, mostly before
// V8 optimizes them, and a for-of over an array makes an iterator and a result object per step there.

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  const verbs = rule.verbs;
  for (let i = 0; i < verbs.length; i++) if (verbs[i] === ALL || verbs[i] === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  const groups = rule.apiGroups;
  for (let i = 0; i < groups.length; i++) if (groups[i] === ALL || groups[i] === group) return true;
  return false;
}

/** `combined` is "resource" or "resource/subresource"; `subresource` is '' when there is none. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  const resources = rule.resources;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    if (r === ALL || r === combined) return true;
    if (subresource.length === 0) continue;
    if (r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames = every name. Otherwise the name must be listed ('' is a name like any other). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (names.length === 0) return true;
  for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
  return false;
}

/** `*`, exact path, or a pattern ending in `*` whose text before the trailing stars is a prefix. */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(trimRightStars(u))) return true;
  }
  return false;
}

/** Go's strings.TrimRight(s, "*"). */
export function trimRightStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

/** The combined resource of a request: "resource" or "resource/subresource". */
export function combinedResource(req: Pick<ResourceRequest, 'resource' | 'subresource'>): string {
  const sub = req.subresource ?? '';
  return sub.length > 0 ? `${req.resource}/${sub}` : req.resource;
}

export function ruleAllows(req: AuthzRequest, rule: PolicyRule): boolean {
  if (isNonResourceRequest(req)) return verbMatches(rule, req.verb) && nonResourceURLMatches(rule, req.path);
  const sub = req.subresource ?? '';
  return (
    verbMatches(rule, req.verb) &&
    apiGroupMatches(rule, req.apiGroup ?? '') &&
    resourceMatches(rule, combinedResource(req), sub) &&
    resourceNameMatches(rule, req.name ?? '')
  );
}
