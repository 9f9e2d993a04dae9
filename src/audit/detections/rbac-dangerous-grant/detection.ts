// Roles granting permissions that lead to code execution or privilege: exec/attach, nodes/proxy,
// token requests, secret reads, impersonate, escalate, bind, CSR approval, and writes to pods or
// the controllers that create them (run any image as any service account of the namespace).
import type { Severity } from '../../../core/types.js';
import { SEVERITY_RANK } from '../../../core/types.js';
import { defineDetection } from '../types.js';
import { bodyOf, coversGroup, coversResource, coversVerb, did, MUTATING_VERBS, rulesOf, succeeded, target, who, type PolicyRule } from '../_lib.js';

interface Grant {
  id: string;
  what: string;
  severity: Severity;
  match(r: PolicyRule): boolean;
}

const res = (group: string, resources: readonly string[], verbs: readonly string[]) => (r: PolicyRule) => coversGroup(r, group) && resources.some((x) => coversResource(r, x)) && coversVerb(r, verbs);

export const DANGEROUS_GRANTS: readonly Grant[] = [
  { id: 'pods/exec', what: 'exec into pods', severity: 'medium', match: res('', ['pods/exec', 'pods/attach'], ['create', 'get']) },
  { id: 'pods/ephemeralcontainers', what: 'debug containers in pods', severity: 'medium', match: res('', ['pods/ephemeralcontainers'], ['update', 'patch']) },
  { id: 'nodes/proxy', what: 'the kubelet API through nodes/proxy', severity: 'high', match: res('', ['nodes/proxy'], ['get', 'create', 'update', 'patch', 'delete']) },
  { id: 'serviceaccounts/token', what: 'tokens for service accounts', severity: 'medium', match: res('', ['serviceaccounts/token'], ['create']) },
  { id: 'secrets', what: 'reading secrets', severity: 'medium', match: res('', ['secrets'], ['get', 'list', 'watch']) },
  { id: 'impersonate', what: 'impersonation', severity: 'high', match: (r) => ['users', 'groups', 'serviceaccounts', 'uids', 'userextras/*'].some((x) => coversResource(r, x)) && coversVerb(r, ['impersonate']) },
  { id: 'escalate', what: 'escalate (grant more than one holds)', severity: 'high', match: res('rbac.authorization.k8s.io', ['roles', 'clusterroles'], ['escalate']) },
  { id: 'bind', what: 'bind (bind any role)', severity: 'high', match: res('rbac.authorization.k8s.io', ['roles', 'clusterroles'], ['bind']) },
  { id: 'csr-approval', what: 'approving certificate requests', severity: 'high', match: res('certificates.k8s.io', ['certificatesigningrequests/approval'], ['update', 'patch']) },
  {
    id: 'workload-write',
    what: 'writing pods or pod controllers',
    severity: 'medium',
    match: (r) =>
      coversVerb(r, ['create', 'update', 'patch']) &&
      ((coversGroup(r, '') && (coversResource(r, 'pods') || coversResource(r, 'replicationcontrollers'))) ||
        (coversGroup(r, 'apps') && ['deployments', 'daemonsets', 'statefulsets', 'replicasets'].some((x) => coversResource(r, x))) ||
        (coversGroup(r, 'batch') && (coversResource(r, 'jobs') || coversResource(r, 'cronjobs')))),
  },
];

export default defineDetection({
  meta: {
    id: 'rbac-dangerous-grant',
    title: 'Role granting exec, nodes/proxy, secrets, impersonation, escalation or pod writes',
    severity: 'medium',
    mitre: ['T1098'],
    description:
      'A Role or ClusterRole was created or changed to grant a permission that leads to code execution or more privilege: pods/exec and attach, nodes/proxy (kubelet API), service account tokens, secret reads, impersonate, escalate, bind, CSR approval, or writes to pods and pod controllers. Rules with "*" are reported by rbac-wildcard-role instead.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['clusterroles', 'roles'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !MUTATING_VERBS.has(ev.verb)) return;
    const rules = rulesOf(bodyOf(ev)).filter((r) => !r.verbs.includes('*') && !r.resources.includes('*'));
    const hits = DANGEROUS_GRANTS.filter((g) => rules.some((r) => g.match(r)));
    if (hits.length === 0 || !succeeded(ev) || ctx.allowed(ev)) return;
    const kind = ref.resource === 'clusterroles' ? 'ClusterRole' : 'Role';
    const severity = hits.reduce<Severity>((s, h) => (SEVERITY_RANK[h.severity] > SEVERITY_RANK[s] ? h.severity : s), 'info');
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${kind} ${target(ev)} granting ${hits.map((h) => h.what).join(', ')}`,
      evidence: { kind, grants: hits.map((h) => h.id) },
      severity,
    });
  },
});
