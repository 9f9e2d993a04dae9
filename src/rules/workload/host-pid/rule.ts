import { defineRule } from '../../../core/rule.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL } from '../_pss.js';

// PSS baseline "Host Namespaces": spec.hostPID must be unset or false.
export default defineRule({
  meta: {
    id: 'host-pid',
    title: 'Pod uses the host PID namespace',
    pillar: 'workload',
    severity: 'high',
    description:
      "A pod with `hostPID: true` sees every process on the node: it can read their command lines and environments (often holding credentials), signal them, and with ptrace or privileges enter them to take over the node.",
    remediation: 'Remove `spec.hostPID: true`. Use `shareProcessNamespace: true` if containers of the same pod only need to see each other.',
    references: [PSS_BASELINE_URL, 'https://attack.mitre.org/techniques/T1611/'],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.3'], mitre: ['T1611', 'T1057'] },
    messages: {
      hostPID: 'pod shares the node process ID namespace (hostPID: true)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (pod.spec.hostPID === true) {
        ctx.report({ object: pod.owner, messageId: 'hostPID', path: [...pod.specPath, 'hostPID'] });
      }
    },
  },
});
