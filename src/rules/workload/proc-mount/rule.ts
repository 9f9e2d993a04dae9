import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL } from '../_pss.js';

// PSS baseline "/proc Mount Type": containers' securityContext.procMount must be unset or Default.
export default defineRule({
  meta: {
    id: 'proc-mount',
    title: 'Container gets an unmasked /proc',
    pillar: 'workload',
    severity: 'high',
    description:
      "`procMount: Unmasked` turns off the runtime's masking of sensitive /proc paths (kcore, keys, timer_list, sysrq-trigger...) and the read-only /proc/sys, exposing kernel interfaces to the container.",
    remediation:
      'Remove `securityContext.procMount` (or set it to `Default`). Nested container builds that need it should run in a user namespace (`hostUsers: false`) in a dedicated namespace.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', mitre: ['T1611'] },
    messages: {
      unmasked: '{container} sets procMount: {value} (the pod shares the host user namespace)',
      unmaskedUserns: '{container} sets procMount: {value} (the pod runs in a user namespace, hostUsers: false)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      if (isWindows(pod)) return;
      const value: unknown = c.spec.securityContext?.procMount;
      if (typeof value !== 'string' || value === '' || value === 'Default') return;
      const userns = pod.spec.hostUsers === false;
      ctx.report({
        object: pod.owner,
        messageId: userns ? 'unmaskedUserns' : 'unmasked',
        data: { container: containerLabel(c), value },
        path: [...c.path, 'securityContext', 'procMount'],
        // Inside a user namespace, root in the container is not root on the node.
        severity: userns ? 'medium' : undefined,
      });
    },
  },
});
