import { defineRule } from '../../../core/rule.js';
import { containerLabel, effectiveSecurityContext, isWindows } from '../_lib.js';

// PSS restricted "Running as Non-root": runAsNonRoot must be true, at pod level or on every container.
export default defineRule({
  meta: {
    id: 'run-as-non-root',
    title: 'Container may run as root',
    pillar: 'workload',
    severity: 'medium',
    description:
      'Without `runAsNonRoot: true` the kubelet lets a container start as UID 0 when its image says so; root in a container is one kernel bug away from root on the node.',
    remediation:
      'Set `securityContext.runAsNonRoot: true` on the pod (or every container) and a non-zero `runAsUser`; build images with a non-root USER.',
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.2.6'], mitre: ['T1611'] },
    messages: {
      notSet: '{container} does not set runAsNonRoot: true (neither does the pod)',
      false: '{container} sets runAsNonRoot: false',
    },
    reads: ['Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob'],
  },
  handlers: {
    container(c, pod, ctx) {
      if (isWindows(pod)) return;
      const eff = effectiveSecurityContext<boolean>(c, pod, 'runAsNonRoot');
      if (eff.value === true) return;
      if (eff.value === false) {
        ctx.report({ object: pod.owner, messageId: 'false', data: { container: containerLabel(c) }, path: eff.path });
      } else {
        ctx.report({ object: pod.owner, messageId: 'notSet', data: { container: containerLabel(c) }, path: c.path });
      }
    },
  },
});
