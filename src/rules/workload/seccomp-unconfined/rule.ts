import { defineRule } from '../../../core/rule.js';
import type { ContainerView } from '../../../model/cluster-state.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, containerNamed, objectAt, podLevelReach } from '../_pss.js';

// PSS baseline "Seccomp": seccompProfile.type must not be Unconfined (pod or containers), nor the
// legacy annotations seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<name>.
// The API server copies those annotations into the fields when the pod is created, so they still count.
export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

export default defineRule({
  meta: {
    id: 'seccomp-unconfined',
    title: 'Container runs without a seccomp profile (Unconfined)',
    pillar: 'workload',
    severity: 'medium',
    description:
      'An explicit `Unconfined` seccomp profile (field or legacy annotation) lets the container call every system call, including the rarely used ones behind most kernel exploits (unshare, keyctl, bpf, userfaultfd...).',
    remediation:
      'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a reviewed profile) and remove `Unconfined` profiles and `unconfined` seccomp annotations.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tutorials/security/seccomp/',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.7.2'], mitre: ['T1611', 'T1068'] },
    messages: {
      pod: 'pod-level seccompProfile type Unconfined ({note})',
      container: '{container} sets seccompProfile type Unconfined',
      podAnnotation: 'annotation {key}: unconfined disables seccomp for the pod ({note})',
      containerAnnotation: '{container} runs without seccomp (annotation {key}: unconfined)',
      annotationNoContainer:
        'annotation {key}: unconfined names container "{name}", which this pod does not have (Pod Security admission still rejects it)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (isWindows(pod)) return;
      const ann = pod.annotations;
      // A container's own profile or annotation (copied into its field at creation) overrides the pod's.
      const ownProfile = (c: ContainerView): boolean =>
        objectAt(c.spec.securityContext?.seccompProfile) !== undefined || ann[SECCOMP_CONTAINER_PREFIX + c.name] !== undefined;
      const podProfile = objectAt(pod.spec.securityContext?.seccompProfile);
      if (podProfile?.type === 'Unconfined') {
        const reach = podLevelReach(pod, ownProfile);
        ctx.report({
          object: pod.owner,
          messageId: 'pod',
          data: { note: reach.note },
          path: [...pod.specPath, 'securityContext', 'seccompProfile', 'type'],
          severity: reach.severity,
        });
      }
      const podAnn = ann[SECCOMP_POD_ANNOTATION];
      if (typeof podAnn === 'string' && podAnn.toLowerCase() === 'unconfined') {
        const reach = podLevelReach(pod, ownProfile);
        ctx.report({
          object: pod.owner,
          messageId: 'podAnnotation',
          data: { key: SECCOMP_POD_ANNOTATION, note: reach.note },
          path: [...pod.metadataPath, 'annotations', SECCOMP_POD_ANNOTATION],
          severity: reach.severity,
        });
      }
      for (const [key, value] of Object.entries(ann)) {
        if (!key.startsWith(SECCOMP_CONTAINER_PREFIX) || typeof value !== 'string' || value.toLowerCase() !== 'unconfined') continue;
        const name = key.slice(SECCOMP_CONTAINER_PREFIX.length);
        const c = containerNamed(pod, name);
        const path = [...pod.metadataPath, 'annotations', key];
        if (c) ctx.report({ object: pod.owner, messageId: 'containerAnnotation', data: { container: containerLabel(c), key }, path });
        else ctx.report({ object: pod.owner, messageId: 'annotationNoContainer', data: { key, name }, path, severity: 'low' });
      }
    },
    container(c, pod, ctx) {
      if (isWindows(pod)) return;
      if (objectAt(c.spec.securityContext?.seccompProfile)?.type !== 'Unconfined') return;
      ctx.report({
        object: pod.owner,
        messageId: 'container',
        data: { container: containerLabel(c) },
        path: [...c.path, 'securityContext', 'seccompProfile', 'type'],
      });
    },
  },
});
