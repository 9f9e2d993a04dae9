import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt } from '../_pss.js';

// PSS baseline "Host Probes / Lifecycle Hooks" (v1.34): probes and lifecycle handlers must not set
// httpGet.host or tcpSocket.host (checked against pod-security-admission v0.37
// check_hostProbesAndhostLifecycle.go: every container kind, empty string allowed).
const HANDLERS: ReadonlyArray<readonly string[]> = [
  ['livenessProbe'],
  ['readinessProbe'],
  ['startupProbe'],
  ['lifecycle', 'postStart'],
  ['lifecycle', 'preStop'],
];

export default defineRule({
  meta: {
    id: 'host-probes',
    title: 'Probe or lifecycle hook targets another host',
    pillar: 'workload',
    severity: 'medium',
    description:
      'A probe or lifecycle hook with `httpGet.host` or `tcpSocket.host` makes the kubelet, from the node, connect wherever the pod author says: to the cloud metadata service, to node-local services, or to other hosts the pod itself cannot reach (server-side request forgery through the kubelet).',
    remediation: 'Remove `host` from probes and lifecycle handlers; the kubelet then targets the pod IP.',
    references: [PSS_BASELINE_URL, 'https://github.com/kubernetes/kubernetes/issues/99425'],
    compliance: { pss: 'baseline', mitre: ['T1090', 'T1552.005'] },
    messages: {
      host: '{container} {handler} sends the kubelet to host "{host}"',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      for (const hp of HANDLERS) {
        let h: unknown = c.spec;
        for (const seg of hp) h = objectAt(h)?.[seg];
        const handler = objectAt(h);
        if (!handler) continue;
        for (const action of ['httpGet', 'tcpSocket']) {
          const host = objectAt(handler[action])?.host;
          if (typeof host !== 'string' || host === '') continue;
          ctx.report({
            object: pod.owner,
            messageId: 'host',
            data: { container: containerLabel(c), handler: `${hp.join('.')}.${action}`, host },
            path: [...c.path, ...hp, action, 'host'],
            evidence: { handler: hp.join('.'), action, host },
          });
        }
      }
    },
  },
});
