// kubectl port-forward: a tunnel from the caller's machine into a pod, past NetworkPolicies and
// ingress controls.
import { defineDetection } from '../types.js';
import { succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'pod-portforward',
    title: 'Port-forward into a pod',
    severity: 'low',
    mitre: ['T1572'],
    description:
      'A user opened a port-forward tunnel to a pod. The tunnel reaches the pod directly from outside the cluster, past NetworkPolicies, ingress authentication and service meshes.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['pods'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource !== 'portforward' || (ev.verb !== 'create' && ev.verb !== 'get')) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const ports = /[?&]ports=([^&]+)/.exec(ev.requestURI ?? '')?.[1];
    ctx.report(ev, {
      message: `${who(ev)} port-forwarded to ${target(ev)}${ports ? ` (ports ${decodeURIComponent(ports)})` : ''}`,
      evidence: ports ? { ports: decodeURIComponent(ports) } : {},
    });
  },
});
