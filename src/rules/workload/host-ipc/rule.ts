import { defineRule } from '../../../core/rule.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL } from '../_pss.js';

// PSS baseline "Host Namespaces": spec.hostIPC must be unset or false.
export default defineRule({
  meta: {
    id: 'host-ipc',
    title: 'Pod uses the host IPC namespace',
    pillar: 'workload',
    severity: 'high',
    description:
      "A pod with `hostIPC: true` shares the node's System V IPC and POSIX message queues and shared memory: it can read and tamper with the shared memory of every host process and other hostIPC pods.",
    remediation: 'Remove `spec.hostIPC: true`. Containers of one pod already share an IPC namespace; use a shared `emptyDir` with `medium: Memory` for shared memory.',
    references: [PSS_BASELINE_URL, 'https://attack.mitre.org/techniques/T1611/'],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.4'], mitre: ['T1611'] },
    messages: {
      hostIPC: 'pod shares the node IPC namespace (hostIPC: true)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (pod.spec.hostIPC === true) {
        ctx.report({ object: pod.owner, messageId: 'hostIPC', path: [...pod.specPath, 'hostIPC'] });
      }
    },
  },
});
