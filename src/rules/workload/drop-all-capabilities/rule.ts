import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { BASELINE_CAPABILITIES } from '../_pss-level.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// PSS restricted "Capabilities": drop must contain ALL; add may only contain NET_BIND_SERVICE.
// Capabilities outside the baseline default set are reported by added-capabilities (baseline),
// so this rule only reports the default-set capabilities that restricted forbids on top.
export default defineRule({
  meta: {
    id: 'drop-all-capabilities',
    title: 'Container does not drop all capabilities',
    pillar: 'workload',
    severity: 'medium',
    description:
      "Containers start with the runtime's default capability set (NET_RAW, CHOWN, DAC_OVERRIDE, SETUID, SETGID, MKNOD...). The restricted profile requires `drop: [ALL]` and allows adding back only NET_BIND_SERVICE.",
    remediation:
      'Set `securityContext.capabilities.drop: ["ALL"]` on every container and add back only `NET_BIND_SERVICE` if the process binds a port below 1024 (better: listen on a high port).',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://man7.org/linux/man-pages/man7/capabilities.7.html',
    ],
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.2.8', 'CIS-K8S 5.2.10'], mitre: ['T1611', 'T1557'] },
    messages: {
      noDropAll: '{container} does not drop ALL capabilities, so it keeps the runtime defaults (including NET_RAW)',
      dropAllCase:
        '{container} drops "{value}", but Pod Security admission only recognises the exact value ALL',
      add: '{container} adds capability {capability}; the restricted profile allows adding only NET_BIND_SERVICE',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      // Linux-only control: PSS exempts pods with spec.os.name: windows (policy v1.25+).
      if (isWindows(pod)) return;
      const caps = c.spec.securityContext?.capabilities;
      const capsPath = [...c.path, 'securityContext', 'capabilities'];
      const drop: unknown[] = Array.isArray(caps?.drop) ? caps.drop : [];
      const data = { container: containerLabel(c) };
      if (!drop.includes('ALL')) {
        const j = drop.findIndex((x) => typeof x === 'string' && x.toUpperCase() === 'ALL');
        if (j >= 0) {
          ctx.report({ object: pod.owner, messageId: 'dropAllCase', data: { ...data, value: String(drop[j]) }, path: [...capsPath, 'drop', j] });
        } else {
          ctx.report({ object: pod.owner, messageId: 'noDropAll', data, path: Array.isArray(caps?.drop) ? [...capsPath, 'drop'] : c.path });
        }
      }
      const add: unknown[] = Array.isArray(caps?.add) ? caps.add : [];
      add.forEach((cap, j) => {
        if (typeof cap !== 'string' || cap === 'NET_BIND_SERVICE' || !BASELINE_CAPABILITIES.has(cap)) return;
        ctx.report({ object: pod.owner, messageId: 'add', data: { ...data, capability: cap }, path: [...capsPath, 'add', j] });
      });
    },
  },
});
