// Impersonating an administrator, a node or a control-plane identity: the request runs with that
// identity's permissions and the audit trail shows the impersonated name.
import { defineDetection } from '../types.js';
import { succeeded, who } from '../_lib.js';

const PRIVILEGED_USER = /^(system:admin|kubernetes-admin|system:apiserver|system:kube-controller-manager|system:kube-scheduler|system:node:.*|system:serviceaccount:kube-system:.*|eks:.*|aksService|masterclient|clusterAdmin.*)$/;
const PRIVILEGED_GROUPS = new Set(['system:masters', 'system:nodes', 'kubeadm:cluster-admins']);

export default defineDetection({
  meta: {
    id: 'privileged-impersonation',
    title: 'Impersonation of a privileged identity',
    severity: 'high',
    mitre: ['T1078', 'T1098'],
    description:
      'A request impersonated an administrator, a node, a kube-system service account, a control-plane identity or a member of system:masters. The impersonating identity gets those permissions; the impersonate verb is as strong as the strongest identity it can name. Reported once per impersonator and impersonated pair.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { all: true },
  init: () => new Set<string>(),
  check(ev, ctx, seen) {
    const imp = ev.impersonatedUser;
    if (!imp || !imp.username) return;
    const groups = imp.groups.filter((g) => PRIVILEGED_GROUPS.has(g));
    if (!PRIVILEGED_USER.test(imp.username) && groups.length === 0) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const key = ev.user.username + '\0' + imp.username;
    if (seen.has(key)) return;
    if (seen.size > 10_000) seen.clear();
    seen.add(key);
    ctx.report(ev, {
      message: `${who(ev)} impersonated privileged identity ${imp.username}${groups.length ? ` (groups ${groups.join(', ')})` : ''}`,
      evidence: { impersonatedUser: imp.username, ...(groups.length ? { impersonatedGroups: groups } : {}) },
    });
  },
});
