// Audit policy evaluation with kube-apiserver's semantics (k8s.io/apiserver/pkg/audit/policy/checker.go):
// first matching rule wins; policy omitStages are merged into every rule; group "*" matches any group
// (apiserver >= 1.37). Checked against k8s.io/apiserver v0.37.2 pkg/audit/policy/checker.go. Pure.

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  apiVersion?: string;
  kind?: string;
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface RequestAttributes {
  user: string;
  groups: string[];
  verb: string;
  /** Resource request fields; absent for non-resource requests. */
  resource?: { apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string };
  /** Non-resource path, e.g. /healthz. */
  path?: string;
}

export interface Decision {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
  /** Index of the matching rule, or -1 when none matched (level None). */
  ruleIndex: number;
}

export function ruleMatches(r: PolicyRule, a: RequestAttributes): boolean {
  if (r.users?.length && !r.users.includes(a.user)) return false;
  if (r.userGroups?.length && !a.groups.some((g) => r.userGroups!.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return matchesResource(r, a);
  if (r.nonResourceURLs?.length) return matchesNonResource(r, a);
  return true;
}

function matchesNonResource(r: PolicyRule, a: RequestAttributes): boolean {
  if (a.resource) return false;
  const path = a.path ?? '';
  return (r.nonResourceURLs ?? []).some((spec) => pathMatches(path, spec));
}

export function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function matchesResource(r: PolicyRule, a: RequestAttributes): boolean {
  const res = a.resource;
  if (!res) return false;
  if (r.namespaces?.length && !r.namespaces.includes(res.namespace ?? '')) return false;
  if (!r.resources?.length) return true;
  const combined = res.subresource ? `${res.resource}/${res.subresource}` : res.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== res.apiGroup && gr.group !== '*') continue;
    if (!gr.resources?.length) return true;
    for (const spec of gr.resources) {
      if (gr.resourceNames?.length && !gr.resourceNames.includes(res.name ?? '')) continue;
      if (spec === combined || spec === '*') return true;
      if (res.subresource && spec.startsWith('*/') && spec.slice(2) === res.subresource) return true;
      if (spec.endsWith('/*') && res.resource === spec.slice(0, -2)) return true;
    }
  }
  return false;
}

export function decide(policy: AuditPolicy, a: RequestAttributes): Decision {
  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i];
    if (!ruleMatches(r, a)) continue;
    const omit = new Set<Stage>([...(policy.omitStages ?? []), ...(r.omitStages ?? [])]);
    return {
      level: r.level,
      omitStages: STAGES.filter((s) => omit.has(s)),
      omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields ?? false,
      ruleIndex: i,
    };
  }
  return { level: 'None', omitStages: [], omitManagedFields: false, ruleIndex: -1 };
}

export function levelRank(l: Level): number {
  return LEVELS.indexOf(l);
}
