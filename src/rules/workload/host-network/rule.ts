import { defineRule } from '../../../core/rule.js';

export default defineRule({
  meta: {
    id: 'host-network',
    title: 'Pod uses the host network namespace',
    pillar: 'workload',
    severity: 'high',
    description:
      "A pod with `hostNetwork: true` shares the node's network stack: it sees node traffic, binds node ports, bypasses NetworkPolicy in most CNIs and reaches the cloud metadata API with the node's identity.",
    remediation: 'Remove `spec.hostNetwork: true`; expose the pod through a Service instead.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.5'], mitre: ['T1611', 'T1552.005'] },
    messages: {
      hostNetwork: 'pod shares the node network namespace (hostNetwork: true)',
    },
    reads: ['Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob'],
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (pod.spec.hostNetwork === true) {
        ctx.report({ object: pod.owner, messageId: 'hostNetwork', path: [...pod.specPath, 'hostNetwork'] });
      }
    },
  },
});
