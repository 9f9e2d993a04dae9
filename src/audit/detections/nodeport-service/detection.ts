// NodePort services open a port on every node, usually reachable from wherever the nodes are.
import { defineDetection } from '../types.js';
import { arr, bodyOf, did, isObj, MUTATING_VERBS, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'nodeport-service',
    title: 'NodePort service created',
    severity: 'medium',
    mitre: ['T1133'],
    description:
      'A Service of type NodePort was created or changed. It opens the port on every node\'s address, bypassing load balancer and ingress controls; attackers use it to expose a backdoor.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['services'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource || !MUTATING_VERBS.has(ev.verb)) return;
    const spec = bodyOf(ev)?.spec;
    if (!isObj(spec) || spec.type !== 'NodePort') return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const ports = arr(spec.ports)
      .filter(isObj)
      .map((p) => (typeof p.nodePort === 'number' ? p.nodePort : p.port))
      .filter((p) => typeof p === 'number');
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} NodePort service ${target(ev)}${ports.length ? ` (ports ${ports.join(', ')})` : ''}`,
      evidence: { type: 'NodePort', ports },
    });
  },
});
