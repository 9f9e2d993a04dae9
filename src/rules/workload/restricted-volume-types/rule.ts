import { defineRule } from '../../../core/rule.js';
import { RESTRICTED_VOLUME_SOURCES } from '../_pss-level.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// PSS restricted "Volume Types": every inline volume must be one of the allowed sources.
// hostPath is left to the baseline rule host-path-volume so that it is reported once.
export default defineRule({
  meta: {
    id: 'restricted-volume-types',
    title: 'Volume type not allowed by the restricted profile',
    pillar: 'workload',
    severity: 'medium',
    description:
      'The restricted Pod Security profile only allows configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes; in-tree network and cloud volumes (nfs, iscsi, gitRepo, awsElasticBlockStore...) bypass PersistentVolume access control and often run privileged mount code on the node.',
    remediation:
      'Replace the inline volume with a PersistentVolumeClaim bound to a PersistentVolume (or a CSI volume), so that storage is provisioned and authorised by the cluster administrator; replace gitRepo with an init container that clones into an emptyDir.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/concepts/storage/volumes/#gitrepo',
      'https://github.com/kubernetes/kubernetes/issues/130786',
    ],
    compliance: { pss: 'restricted', mitre: ['T1611', 'T1005'] },
    messages: {
      restricted: 'volume "{volume}" uses the {type} volume type, which the restricted profile does not allow',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      const volumes: unknown = pod.spec.volumes;
      if (!Array.isArray(volumes)) return;
      volumes.forEach((vol: unknown, i) => {
        if (vol === null || typeof vol !== 'object') return;
        const v = vol as Record<string, unknown>;
        const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] != null);
        // No source at all: the API server defaults the volume to emptyDir.
        if (sources.length === 0 || sources.some((s) => RESTRICTED_VOLUME_SOURCES.has(s))) return;
        if (sources.includes('hostPath')) return; // reported by host-path-volume (baseline)
        const type = sources[0];
        ctx.report({
          object: pod.owner,
          messageId: 'restricted',
          data: { volume: String(v.name ?? `#${i}`), type },
          path: [...pod.specPath, 'volumes', i, type],
          // gitRepo runs `git` as root on the node (CVE-2024-10220, CVE-2025-1767).
          severity: type === 'gitRepo' ? 'high' : undefined,
        });
      });
    },
  },
});
