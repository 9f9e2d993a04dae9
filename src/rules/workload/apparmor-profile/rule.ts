import { defineRule } from '../../../core/rule.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, containerNamed, objectAt, podLevelReach } from '../_pss.js';

// PSS baseline "AppArmor": securityContext.appArmorProfile.type (pod and containers) may only be
// RuntimeDefault or Localhost, and the legacy per-container annotation only runtime/default or localhost/*.
const ALLOWED_TYPES = new Set(['RuntimeDefault', 'Localhost']);
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function annotationAllowed(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

export default defineRule({
  meta: {
    id: 'apparmor-profile',
    title: 'Container runs without AppArmor confinement',
    pillar: 'workload',
    severity: 'medium',
    description:
      "An `Unconfined` AppArmor profile (or the legacy `unconfined` annotation) removes the runtime's default profile, which blocks mounts, writes to /proc and /sys and other well-known escape steps.",
    remediation:
      'Remove the `Unconfined` profile: leave `appArmorProfile` unset or use `type: RuntimeDefault` (or `Localhost` with a reviewed profile); drop the legacy `container.apparmor.security.beta.kubernetes.io/*: unconfined` annotations.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tutorials/security/apparmor/',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', mitre: ['T1611', 'T1562.001'] },
    messages: {
      pod: 'pod-level appArmorProfile type {type} ({note})',
      container: '{container} sets appArmorProfile type {type}',
      annotation: '{container} runs with AppArmor profile "{value}" (annotation {key})',
      annotationNoContainer:
        'annotation {key} sets AppArmor profile "{value}" for container "{name}", which this pod does not have (Pod Security admission still rejects it)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (isWindows(pod)) return;
      const type: unknown = objectAt(pod.spec.securityContext?.appArmorProfile)?.type;
      if (typeof type === 'string' && type !== '' && !ALLOWED_TYPES.has(type)) {
        // A container's own field, or its annotation (copied into the field at creation), overrides the pod's.
        const reach = podLevelReach(
          pod,
          (c) => c.spec.securityContext?.appArmorProfile != null || pod.annotations[APPARMOR_ANNOTATION_PREFIX + c.name] !== undefined,
        );
        ctx.report({
          object: pod.owner,
          messageId: 'pod',
          data: { type, note: reach.note },
          path: [...pod.specPath, 'securityContext', 'appArmorProfile', 'type'],
          severity: reach.severity,
        });
      }
      for (const [key, value] of Object.entries(pod.annotations)) {
        if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX) || typeof value !== 'string' || annotationAllowed(value)) continue;
        const name = key.slice(APPARMOR_ANNOTATION_PREFIX.length);
        const c = containerNamed(pod, name);
        const path = [...pod.metadataPath, 'annotations', key];
        if (c) {
          ctx.report({ object: pod.owner, messageId: 'annotation', data: { container: containerLabel(c), value, key }, path });
        } else {
          ctx.report({ object: pod.owner, messageId: 'annotationNoContainer', data: { key, value, name }, path, severity: 'low' });
        }
      }
    },
    container(c, pod, ctx) {
      if (isWindows(pod)) return;
      const type: unknown = objectAt(c.spec.securityContext?.appArmorProfile)?.type;
      if (typeof type !== 'string' || type === '' || ALLOWED_TYPES.has(type)) return;
      ctx.report({
        object: pod.owner,
        messageId: 'container',
        data: { container: containerLabel(c), type },
        path: [...c.path, 'securityContext', 'appArmorProfile', 'type'],
      });
    },
  },
});
