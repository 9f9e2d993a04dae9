import { defineRule } from '../../../core/rule.js';
import { metadataConcealed, usesDefaultComputeSA } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, gkeNodePools, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'gke-metadata-server-disabled',
    title: 'GKE node pool exposes the node metadata to pods',
    pillar: 'metadata-api',
    provider: 'gcp',
    severity: 'high',
    description:
      'A node pool does not run the GKE metadata server (workloadMetadataConfig.mode is not GKE_METADATA), or serves the legacy v1beta1/0.1 metadata endpoints: every pod on it can read the node service account token, instance attributes and kube-env bootstrap credentials.',
    remediation:
      'Enable Workload Identity on the cluster and set the node pool workload metadata mode to GKE_METADATA; keep disable-legacy-endpoints=true.',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/protecting-cluster-metadata',
    ],
    compliance: { cis: ['CIS-GKE 5.4.1', 'CIS-GKE 5.4.2'], mitre: ['T1552.005'] },
    messages: {
      exposed: 'node pool {pool} of cluster {cluster}: workload metadata mode is {mode}: pods reach the node metadata and the token of {sa}',
      legacy: 'node pool {pool} of cluster {cluster}: legacy metadata endpoints are enabled (disable-legacy-endpoints={value}): pods can read instance attributes without the Metadata-Flavor header',
    },
    reads: ['cloud.kubeward.io/GKECluster', 'cloud.kubeward.io/GKENodePool'],
  },
  handlers: {
    cluster(ctx) {
      for (const at of gkeNodePools(ctx.state)) {
        const { pool } = at;
        const clusterSpec = at.clusterObject ? specOf(at.clusterObject) : {};
        if (clusterSpec.autopilot?.enabled === true) continue; // Autopilot always runs the GKE metadata server
        const ids = at.clusterObject ? gkeIds(at.clusterObject) : { name: at.cluster || '?', flags: '--location LOCATION', project: 'PROJECT_ID' };
        const tf = tfName(`${ids.name}_${pool.name}`);
        const sa = usesDefaultComputeSA(pool.serviceAccount) ? 'the Compute Engine default service account' : (pool.serviceAccount as string);
        if (!metadataConcealed(pool)) {
          const wi = typeof clusterSpec.workloadIdentityConfig?.workloadPool === 'string';
          const cmds = [
            ...(wi || !at.clusterObject ? [] : [`gcloud container clusters update ${ids.name} ${ids.flags} --workload-pool=${ids.project}.svc.id.goog`]),
            `gcloud container node-pools update ${pool.name} --cluster ${ids.name} ${ids.flags} --workload-metadata=GKE_METADATA`,
          ];
          ctx.report({
            object: at.object,
            messageId: 'exposed',
            data: { pool: pool.name, cluster: ids.name, mode: pool.workloadMetadataMode ?? pool.legacyNodeMetadata ?? 'unset (GCE_METADATA)', sa },
            path: [...at.path, 'config', ...(pool.raw.config?.workloadMetadataConfig ? ['workloadMetadataConfig'] : [])],
            evidence: fixEvidence(
              {
                command: cmds.join(' && '),
                terraform: `resource "google_container_cluster" "${tfName(ids.name)}" {\n  # ...\n  workload_identity_config {\n    workload_pool = "${ids.project}.svc.id.goog"\n  }\n}\nresource "google_container_node_pool" "${tf}" {\n  # ...\n  node_config {\n    workload_metadata_config {\n      mode = "GKE_METADATA"\n    }\n  }\n}`,
              },
              { workloadMetadataMode: pool.workloadMetadataMode, workloadIdentityPool: clusterSpec.workloadIdentityConfig?.workloadPool ?? null, serviceAccount: pool.serviceAccount ?? 'default' },
            ),
          });
        }
        if (pool.disableLegacyEndpoints !== null && pool.disableLegacyEndpoints.toLowerCase() === 'false') {
          ctx.report({
            object: at.object,
            messageId: 'legacy',
            data: { pool: pool.name, cluster: ids.name, value: pool.disableLegacyEndpoints },
            path: [...at.path, 'config', 'metadata', 'disable-legacy-endpoints'],
            evidence: fixEvidence({
              command: `gcloud container node-pools create ${pool.name}-v2 --cluster ${ids.name} ${ids.flags} --metadata disable-legacy-endpoints=true --workload-metadata=GKE_METADATA  # then move workloads and delete ${pool.name}`,
              terraform: `resource "google_container_node_pool" "${tf}" {\n  # ...\n  node_config {\n    metadata = {\n      disable-legacy-endpoints = "true"\n    }\n  }\n}`,
            }),
          });
        }
      }
    },
  },
});
