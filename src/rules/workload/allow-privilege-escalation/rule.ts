import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// PSS restricted "Privilege Escalation": every container must set allowPrivilegeEscalation: false.
export default defineRule({
  meta: {
    id: 'allow-privilege-escalation',
    title: 'Container allows privilege escalation',
    pillar: 'workload',
    severity: 'medium',
    description:
      'Unless `allowPrivilegeEscalation: false` is set, the kubelet does not set the no_new_privs flag, so a process in the container can gain privileges through set-user-ID binaries or file capabilities.',
    remediation:
      'Set `securityContext.allowPrivilegeEscalation: false` on every container (including init and ephemeral containers); it cannot be set at pod level.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://attack.mitre.org/techniques/T1548/001/',
    ],
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.2.6'], mitre: ['T1548.001', 'T1611'] },
    messages: {
      notSet: '{container} does not set allowPrivilegeEscalation: false',
      true: '{container} sets allowPrivilegeEscalation: true',
      implied:
        '{container} sets allowPrivilegeEscalation: false but {reason}, which always allows privilege escalation (the API server rejects this combination)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      // Linux-only control: PSS exempts pods with spec.os.name: windows (policy v1.25+).
      if (isWindows(pod)) return;
      const sc = c.spec.securityContext;
      const ape = sc?.allowPrivilegeEscalation;
      const data = { container: containerLabel(c) };
      if (ape === false) {
        const added: unknown[] = Array.isArray(sc?.capabilities?.add) ? sc.capabilities.add : [];
        const reason =
          sc?.privileged === true
            ? 'it is privileged'
            : added.includes('CAP_SYS_ADMIN')
              ? 'it adds CAP_SYS_ADMIN'
              : undefined;
        if (reason) {
          ctx.report({
            object: pod.owner,
            messageId: 'implied',
            data: { ...data, reason },
            path: [...c.path, 'securityContext', 'allowPrivilegeEscalation'],
          });
        }
        return;
      }
      if (ape === true) {
        ctx.report({ object: pod.owner, messageId: 'true', data, path: [...c.path, 'securityContext', 'allowPrivilegeEscalation'] });
      } else {
        ctx.report({ object: pod.owner, messageId: 'notSet', data, path: c.path });
      }
    },
  },
});
