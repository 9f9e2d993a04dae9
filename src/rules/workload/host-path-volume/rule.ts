import { defineRule } from '../../../core/rule.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt } from '../_pss.js';

// PSS baseline "HostPath Volumes": spec.volumes[*].hostPath must be unset.
export default defineRule({
  meta: {
    id: 'host-path-volume',
    title: 'Pod mounts a directory or file of the node',
    pillar: 'workload',
    severity: 'medium',
    description:
      "A `hostPath` volume exposes part of the node's file system to the pod: it outlives the pod, ties it to one node, and is the most common first step of a container escape.",
    remediation:
      'Replace the `hostPath` volume with `emptyDir`, a ConfigMap/Secret, a projected volume or a PersistentVolumeClaim; if the node path is truly needed, mount it read-only and as narrowly as possible.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.12'], mitre: ['T1611'] },
    messages: {
      hostPath: 'volume "{volume}" mounts node path {path}{type}',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      const volumes: unknown = pod.spec.volumes;
      if (!Array.isArray(volumes)) return;
      volumes.forEach((v: unknown, i) => {
        const vol = objectAt(v);
        const hp = objectAt(vol?.hostPath);
        if (!vol || !hp) return;
        const path = typeof hp.path === 'string' ? hp.path : '(no path)';
        const base = [...pod.specPath, 'volumes', i, 'hostPath'];
        ctx.report({
          object: pod.owner,
          messageId: 'hostPath',
          data: {
            volume: typeof vol.name === 'string' ? vol.name : `#${i}`,
            path,
            type: typeof hp.type === 'string' && hp.type !== '' ? ` (type ${hp.type})` : '',
          },
          path: typeof hp.path === 'string' ? [...base, 'path'] : base,
        });
      });
    },
  },
});
