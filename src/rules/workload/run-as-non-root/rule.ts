import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';

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
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.2.7'], mitre: ['T1611'] },
    messages: {
      notSet: '{container} does not set runAsNonRoot: true (neither does the pod)',
      false: '{container} sets runAsNonRoot: false',
      podFalse: 'the pod sets runAsNonRoot: false',
    },
    reads: ['Pod', 'apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob'],
  },
  handlers: {
    // Mirrors pod-security-admission's runAsNonRoot check (v1.35): a pod-level false is itself a
    // violation; pods in a user namespace (hostUsers: false) are exempt.
    podTemplate(pod, ctx) {
      if (isWindows(pod) || pod.spec.hostUsers === false) return;
      const podValue = pod.spec.securityContext?.runAsNonRoot;
      if (podValue === false) {
        ctx.report({ object: pod.owner, messageId: 'podFalse', path: [...pod.specPath, 'securityContext', 'runAsNonRoot'] });
      }
      for (const c of pod.containers) {
        const cv = c.spec.securityContext?.runAsNonRoot;
        if (cv === false) {
          ctx.report({ object: pod.owner, messageId: 'false', data: { container: containerLabel(c) }, path: [...c.path, 'securityContext', 'runAsNonRoot'] });
        } else if (cv !== true && podValue !== true) {
          ctx.report({ object: pod.owner, messageId: 'notSet', data: { container: containerLabel(c) }, path: c.path });
        }
      }
    },
  },
});
