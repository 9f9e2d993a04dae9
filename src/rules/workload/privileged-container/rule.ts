import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';

export default defineRule({
  meta: {
    id: 'privileged-container',
    title: 'Privileged container',
    pillar: 'workload',
    severity: 'critical',
    description:
      'A privileged container runs with every Linux capability and access to all host devices; escaping to the node is trivial.',
    remediation: 'Remove `securityContext.privileged: true`; grant only the specific capabilities the container needs.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.2'], mitre: ['T1611', 'T1610'] },
    messages: {
      privileged: '{container} runs privileged',
    },
    reads: ['Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob'],
  },
  handlers: {
    container(c, _pod, ctx) {
      if (c.spec.securityContext?.privileged === true) {
        ctx.report({
          object: _pod.owner,
          messageId: 'privileged',
          data: { container: containerLabel(c) },
          path: [...c.path, 'securityContext', 'privileged'],
        });
      }
    },
  },
});
