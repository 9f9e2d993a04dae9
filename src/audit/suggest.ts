// Least privilege from usage (`kubeward rbac suggest`): from the requests a subject made in an audit
// log, the minimal Roles/ClusterRoles and bindings it needs (in the manner of audit2rbac), and the
// grants it holds but never used over the log's window. Pure.
import type { AuditEvent } from './event.js';
import { effectiveUser } from './event.js';
import type { GrantedRule, RulesForResult } from '../analysis/rbac/types.js';
import { ruleAllows } from '../analysis/rbac/match.js';

export interface UsedRequest {
  /** '' for cluster-scoped and all-namespace requests. */
  namespace: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  verb: string;
  /** Object name, when the request named one (used to judge resourceNames grants; not suggested). */
  name?: string;
  /** Non-resource requests: the path (without query). */
  path?: string;
}

export interface SuggestSubject {
  kind: 'User' | 'ServiceAccount';
  name: string;
  namespace?: string;
  /** The username the audit log shows for this subject. */
  username: string;
}

export function subjectOf(arg: string): SuggestSubject {
  const m = /^(?:system:serviceaccount:([^:]+):([^:]+)|sa:([^/]+)\/(.+))$/.exec(arg);
  if (m) {
    const ns = m[1] ?? m[3];
    const name = m[2] ?? m[4];
    return { kind: 'ServiceAccount', name, namespace: ns, username: `system:serviceaccount:${ns}:${name}` };
  }
  return { kind: 'User', name: arg, username: arg };
}

/** The distinct requests the subject made (as the effective, possibly impersonated, user). */
export function requestsOf(events: Iterable<AuditEvent>, subject: SuggestSubject): { requests: UsedRequest[]; first?: string; last?: string; events: number } {
  const seen = new Map<string, UsedRequest>();
  let first: string | undefined;
  let last: string | undefined;
  let n = 0;
  for (const ev of events) {
    if (ev.provider === 'cloudtrail' || effectiveUser(ev).username !== subject.username) continue;
    if (ev.stage && ev.stage !== 'ResponseComplete' && ev.stage !== 'ResponseStarted' && ev.stage !== 'Panic') continue;
    n++;
    if (ev.time) {
      if (!first || ev.time < first) first = ev.time;
      if (!last || ev.time > last) last = ev.time;
    }
    let r: UsedRequest;
    if (ev.objectRef?.resource) {
      r = {
        namespace: ev.objectRef.namespace ?? '',
        apiGroup: ev.objectRef.apiGroup ?? '',
        resource: ev.objectRef.resource,
        subresource: ev.objectRef.subresource ?? '',
        verb: ev.verb,
        ...(ev.objectRef.name ? { name: ev.objectRef.name } : {}),
      };
    } else {
      r = { namespace: '', apiGroup: '', resource: '', subresource: '', verb: ev.verb, path: (ev.requestURI ?? '').split('?')[0] };
    }
    const key = JSON.stringify(r);
    if (!seen.has(key)) seen.set(key, r);
  }
  const requests = [...seen.values()].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { requests, first, last, events: n };
}

const READ = ['get', 'list', 'watch'];

interface RuleOut {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** Roles and bindings granting exactly the used requests (read verbs expanded to get/list/watch). */
export function suggestRbac(requests: readonly UsedRequest[], subject: SuggestSubject, opts: { expandReadVerbs?: boolean; namePrefix?: string } = {}): Array<Record<string, unknown>> {
  const expand = opts.expandReadVerbs !== false;
  const name = `${opts.namePrefix ?? 'kubeward'}:${subject.kind === 'ServiceAccount' ? `${subject.namespace}:${subject.name}` : subject.name}`;
  // scope ('' = cluster) -> apiGroup -> resource -> verbs
  const scopes = new Map<string, Map<string, Map<string, Set<string>>>>();
  const urls = new Map<string, Set<string>>();
  for (const r of requests) {
    const verbs = expand && READ.includes(r.verb) ? READ : [r.verb];
    if (r.path !== undefined) {
      const s = urls.get(r.path) ?? new Set<string>();
      for (const v of verbs) s.add(v);
      urls.set(r.path, s);
      continue;
    }
    const res = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    const groups = scopes.get(r.namespace) ?? new Map();
    const resources = groups.get(r.apiGroup) ?? new Map<string, Set<string>>();
    const vs = resources.get(res) ?? new Set<string>();
    for (const v of verbs) vs.add(v);
    resources.set(res, vs);
    groups.set(r.apiGroup, resources);
    scopes.set(r.namespace, groups);
  }
  const rulesOf = (groups: Map<string, Map<string, Set<string>>>): RuleOut[] => {
    const out: RuleOut[] = [];
    for (const g of [...groups.keys()].sort()) {
      // Resources with the same verbs share a rule.
      const byVerbs = new Map<string, string[]>();
      for (const [res, vs] of groups.get(g)!) {
        const key = [...vs].sort(verbOrder).join(',');
        byVerbs.set(key, [...(byVerbs.get(key) ?? []), res]);
      }
      for (const [verbs, resources] of [...byVerbs].sort()) out.push({ apiGroups: [g], resources: resources.sort(), verbs: verbs.split(',') });
    }
    return out;
  };
  const labels = { 'kubeward.io/generated': 'true', 'kubeward.io/subject': subject.username.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63) };
  const subj =
    subject.kind === 'ServiceAccount'
      ? { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace }
      : { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: subject.name };
  const docs: Array<Record<string, unknown>> = [];
  const cluster = scopes.get('');
  const clusterRules = [...(cluster ? rulesOf(cluster) : [])];
  if (urls.size > 0) {
    const byVerbs = new Map<string, string[]>();
    for (const [u, vs] of urls) {
      const key = [...vs].sort(verbOrder).join(',');
      byVerbs.set(key, [...(byVerbs.get(key) ?? []), u]);
    }
    for (const [verbs, list] of [...byVerbs].sort()) clusterRules.push({ nonResourceURLs: list.sort(), verbs: verbs.split(',') });
  }
  if (clusterRules.length > 0) {
    docs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: clusterRules });
    docs.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [subj],
    });
  }
  for (const ns of [...scopes.keys()].filter((x) => x !== '').sort()) {
    docs.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns, labels }, rules: rulesOf(scopes.get(ns)!) });
    docs.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subj],
    });
  }
  return docs;
}

function verbOrder(a: string, b: string): number {
  const order = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface UnusedGrant {
  scope: string;
  grant: GrantedRule;
}

/** Rules the subject holds that no logged request used (over the log's window). */
export function unusedGrants(held: RulesForResult, requests: readonly UsedRequest[]): UnusedGrant[] {
  const out: UnusedGrant[] = [];
  const used = (g: GrantedRule, ns: string | undefined) =>
    requests.some((r) => {
      if (ns !== undefined && r.namespace !== ns) return false;
      const req =
        r.path !== undefined
          ? { user: '', groups: [], verb: r.verb, path: r.path }
          : { user: '', groups: [], verb: r.verb, apiGroup: r.apiGroup, resource: r.resource, subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name };
      return ruleAllows(req, g.rule);
    });
  for (const g of held.clusterWide) if (!g.inert && !used(g, undefined)) out.push({ scope: 'cluster-wide', grant: g });
  for (const [ns, list] of Object.entries(held.namespaces)) for (const g of list) if (!g.inert && !used(g, ns)) out.push({ scope: `namespace ${ns}`, grant: g });
  return out;
}
