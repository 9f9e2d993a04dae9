// hostNetwork / hostPID / hostIPC: the pod shares the node's network stack (node-local services,
// the metadata API, sniffing), process table (other containers' environment and memory) or IPC.
import { defineDetection } from '../types.js';
import { did, podSpecOfRequest, succeeded, target, who } from '../_lib.js';

const FLAGS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export default defineDetection({
  meta: {
    id: 'host-namespace-pod',
    title: 'Pod sharing host namespaces (hostNetwork, hostPID, hostIPC)',
    severity: 'medium',
    mitre: ['T1610', 'T1611'],
    description:
      'A pod or pod controller was created or changed with hostNetwork, hostPID or hostIPC. The pod then sees the node\'s network (node-local services, the cloud metadata API), every process on the node, or its IPC, which breaks the isolation between workloads.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'] },
  check(ev, ctx) {
    const p = podSpecOfRequest(ev);
    if (!p || p.ephemeralOnly || !succeeded(ev) || ctx.allowed(ev)) return;
    const on = FLAGS.filter((f) => p.spec[f] === true);
    if (on.length === 0) return;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${p.kind} ${target(ev)} with ${on.join(', ')}`,
      evidence: { kind: p.kind, ...Object.fromEntries(on.map((f) => [f, true])) },
      severity: on.includes('hostPID') ? 'high' : undefined,
    });
  },
});
