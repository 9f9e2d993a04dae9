// Bindings to cluster-admin and other all-powerful roles, or of the system:masters group: the
// classic persistence and privilege-escalation move once an attacker can write RBAC.
import { globToRegExp } from '../../allow-list.js';
import { defineDetection } from '../types.js';
import { arr, bodyOf, did, isObj, MUTATING_VERBS, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'privileged-role-binding',
    title: 'Binding to cluster-admin or another all-powerful role',
    severity: 'high',
    mitre: ['T1098', 'T1078'],
    description:
      'A RoleBinding or ClusterRoleBinding was created or changed to grant cluster-admin, admin, a control-plane component\'s role or the system:masters group. Whoever is bound gets full control of the cluster (or of the namespace).',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['clusterrolebindings', 'rolebindings'] },
  options: { roles: ['cluster-admin', 'admin', 'system:masters', 'system:kube-controller-manager', 'system:kube-scheduler', 'system:node', 'system:controller:*'] as readonly string[] },
  init: (o) => o.roles.map((r) => globToRegExp(r)),
  check(ev, ctx, roles) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !MUTATING_VERBS.has(ev.verb)) return;
    const body = bodyOf(ev);
    if (!body) return;
    const roleRef = isObj(body.roleRef) ? body.roleRef : undefined;
    const roleName = typeof roleRef?.name === 'string' ? roleRef.name : undefined;
    const subjects = arr(body.subjects)
      .filter(isObj)
      .map((s) => ({ kind: String(s.kind ?? ''), name: String(s.name ?? ''), ...(typeof s.namespace === 'string' ? { namespace: s.namespace } : {}) }));
    const masters = subjects.some((s) => s.kind === 'Group' && s.name === 'system:masters');
    const privilegedRole = roleName !== undefined && roles.some((r) => r.test(roleName));
    if (!privilegedRole && !masters) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const kind = ref.resource === 'clusterrolebindings' ? 'ClusterRoleBinding' : 'RoleBinding';
    const who2 = subjects.length ? subjects.map((s) => `${s.kind} ${s.namespace ? s.namespace + '/' : ''}${s.name}`).join(', ') : 'its subjects';
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${kind} ${target(ev)} granting ${privilegedRole ? `${roleRef?.kind ?? 'role'} ${roleName}` : 'group system:masters'} to ${who2}`,
      evidence: { kind, roleRef: roleRef ? { kind: roleRef.kind, name: roleName } : undefined, subjects, ...(masters ? { systemMasters: true } : {}) },
      severity: kind === 'ClusterRoleBinding' && (roleName === 'cluster-admin' || masters) ? 'critical' : undefined,
    });
  },
});
