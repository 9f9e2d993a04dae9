// Deleting Kubernetes Events erases the cluster's own record of what happened (pulls, kills,
// scheduling): covering tracks. Events normally expire on their own.
import { defineDetection } from '../types.js';
import { did, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'events-deleted',
    title: 'Kubernetes events deleted',
    severity: 'medium',
    mitre: ['T1070'],
    description:
      'Events (core/v1 or events.k8s.io) were deleted by an identity that is not the platform. Events expire by themselves; deleting them removes the trace of image pulls, restarts and scheduling around an intrusion.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['events'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource || (ev.verb !== 'delete' && ev.verb !== 'deletecollection')) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, {
      message: ev.verb === 'deletecollection' || !ev.objectRef?.name ? `${who(ev)} deleted all events${ev.objectRef?.namespace ? ` in namespace ${ev.objectRef.namespace}` : ' in the cluster'}` : `${who(ev)} ${did(ev)} event ${target(ev)}`,
      evidence: {},
      severity: ev.verb === 'deletecollection' ? 'high' : undefined,
    });
  },
});
