import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { isValidRestrictedSeccomp, seccompType } from '../_pss-level.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// PSS restricted "Seccomp": seccompProfile.type must be RuntimeDefault or Localhost, at pod level or
// on every container. An explicit Unconfined is the baseline rule seccomp-unconfined's finding.
export default defineRule({
  meta: {
    id: 'seccomp-profile-missing',
    title: 'No seccomp profile',
    pillar: 'workload',
    severity: 'medium',
    description:
      'Without a seccomp profile a container runs Unconfined (unless the kubelet enables `--seccomp-default`), with every system call available to a kernel exploit; the restricted profile requires RuntimeDefault or Localhost.',
    remediation:
      'Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod securityContext (it applies to every container), or a Localhost profile tailored to the workload.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tutorials/security/seccomp/',
    ],
    compliance: { pss: 'restricted', cis: ['CIS-K8S 5.7.2'], mitre: ['T1611', 'T1068'] },
    messages: {
      pod: 'neither the pod nor any of its containers sets a seccomp profile (RuntimeDefault or Localhost), so every container ({containers}) runs unconfined unless the kubelet defaults to RuntimeDefault',
      container:
        '{container} sets no seccomp profile and the pod sets none: it runs unconfined unless the kubelet defaults to RuntimeDefault',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      // Linux-only control: PSS exempts pods with spec.os.name: windows (policy v1.25+).
      if (isWindows(pod)) return;
      if (pod.containers.length === 0) return;
      // A pod-level profile (valid, or Unconfined which seccomp-unconfined reports) covers unset containers.
      // Legacy seccomp annotations count: the API server copies them into the empty fields.
      if (isSet(seccompType(pod.spec.securityContext, pod.annotations))) return;
      const unset = pod.containers.filter((c) => !isSet(seccompType(c.spec.securityContext, pod.annotations, c.name)));
      if (unset.length === 0) return;
      if (unset.length === pod.containers.length) {
        const sc = pod.spec.securityContext;
        ctx.report({
          object: pod.owner,
          messageId: 'pod',
          data: { containers: unset.map(containerLabel).join(', ') },
          path: sc && typeof sc === 'object' ? [...pod.specPath, 'securityContext'] : pod.specPath,
        });
        return;
      }
      for (const c of unset) ctx.report({ object: pod.owner, messageId: 'container', data: { container: containerLabel(c) }, path: c.path });
    },
  },
});

function isSet(type: unknown): boolean {
  return isValidRestrictedSeccomp(type) || type === 'Unconfined';
}
