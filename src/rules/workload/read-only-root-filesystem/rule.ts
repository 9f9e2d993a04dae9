import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// readOnlyRootFilesystem is a container-only field (no pod-level default).
export default defineRule({
  meta: {
    id: 'read-only-root-filesystem',
    title: 'Writable root filesystem',
    pillar: 'workload',
    severity: 'low',
    description:
      "A writable root filesystem lets an intruder drop tools, modify the application's own binaries and configuration, and persist until the container restarts.",
    remediation:
      'Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an `emptyDir` at the paths the process must write (e.g. /tmp, caches).',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
    ],
    compliance: { cis: ['CIS-K8S 5.7.3'], mitre: ['T1105', 'T1554'], nsa: ['Immutable container file systems'] },
    messages: {
      notSet: '{container} does not set readOnlyRootFilesystem: true',
      false: '{container} sets readOnlyRootFilesystem: false',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      // The API rejects readOnlyRootFilesystem on Windows pods (spec.os.name: windows).
      if (isWindows(pod)) return;
      const v = c.spec.securityContext?.readOnlyRootFilesystem;
      if (v === true) return;
      const data = { container: containerLabel(c) };
      if (v === false) {
        ctx.report({ object: pod.owner, messageId: 'false', data, path: [...c.path, 'securityContext', 'readOnlyRootFilesystem'] });
      } else {
        ctx.report({ object: pod.owner, messageId: 'notSet', data, path: c.path });
      }
    },
  },
});
