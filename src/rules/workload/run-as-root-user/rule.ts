import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { usesUserNamespace } from '../_pss-level.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// PSS restricted "Running as Non-root user": runAsUser must not be 0, at pod or container level.
export default defineRule({
  meta: {
    id: 'run-as-root-user',
    title: 'Container runs as UID 0',
    pillar: 'workload',
    severity: 'medium',
    description:
      'A `runAsUser: 0` makes the container process root whatever the image says; root in a container owns every mounted file and is one kernel or runtime bug away from root on the node.',
    remediation:
      'Remove `runAsUser: 0` and set a non-zero UID (e.g. `runAsUser: 10001`) with `runAsNonRoot: true`; if the process needs a privileged port or file ownership, grant the specific capability or use an init step instead.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
    ],
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.2.7'], mitre: ['T1611'] },
    messages: {
      container: '{container} runs as root (runAsUser: 0)',
      pod: 'pod securityContext sets runAsUser: 0, inherited by {containers}',
      podOverridden:
        'pod securityContext sets runAsUser: 0; every container overrides it, but Pod Security admission rejects the pod-level value',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      // PSS relaxes this check for user-namespaced pods: UID 0 inside maps to an unprivileged host UID.
      if (usesUserNamespace(pod.spec)) return;
      for (const c of pod.containers) {
        if (c.spec.securityContext?.runAsUser === 0) {
          ctx.report({
            object: pod.owner,
            messageId: 'container',
            data: { container: containerLabel(c) },
            path: [...c.path, 'securityContext', 'runAsUser'],
          });
        }
      }
      if (pod.spec.securityContext?.runAsUser !== 0) return;
      const inheritors = pod.containers.filter((c) => c.spec.securityContext?.runAsUser == null);
      const path = [...pod.specPath, 'securityContext', 'runAsUser'];
      if (inheritors.length > 0) {
        ctx.report({ object: pod.owner, messageId: 'pod', data: { containers: inheritors.map(containerLabel).join(', ') }, path });
      } else {
        ctx.report({ object: pod.owner, messageId: 'podOverridden', path });
      }
    },
  },
});
