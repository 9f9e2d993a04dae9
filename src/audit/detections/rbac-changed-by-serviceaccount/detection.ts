// A service account writing RBAC: either an operator doing its job (add it to the allow-list) or
// a stolen pod token being used to escalate.
import { defineDetection } from '../types.js';
import { did, isServiceAccount, succeeded, target, who, WRITE_VERBS } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'rbac-changed-by-serviceaccount',
    title: 'RBAC changed by a service account',
    severity: 'medium',
    mitre: ['T1098', 'T1078.004'],
    description:
      'A service account created, changed or deleted a Role, ClusterRole or binding. Few workloads need this (operators installing their own roles); a pod token stolen from one that can is a direct path to cluster-admin. Allow-list the operators you run.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !WRITE_VERBS.has(ev.verb) || !isServiceAccount(ev.user.username)) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, {
      message: `service account ${who(ev)} ${did(ev)} ${ref.resource} ${target(ev)}`,
      evidence: { resource: ref.resource },
    });
  },
});
