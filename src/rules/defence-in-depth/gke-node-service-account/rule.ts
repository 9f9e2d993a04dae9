import { defineRule } from '../../../core/rule.js';
import { CLOUD_PLATFORM_SCOPE, usesDefaultComputeSA } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, gkeNodePools, specOf, tfName } from '../../../cloud/rule-support.js';
import { classifyProjectRole, projectBindings } from '../../../analysis/identity/gcp.js';

const DEFAULT_SA = /^serviceAccount:\d+-compute@developer\.gserviceaccount\.com$/i;

export default defineRule({
  meta: {
    id: 'gke-node-service-account',
    title: 'GKE nodes run as an over-privileged service account',
    pillar: 'defence-in-depth',
    provider: 'gcp',
    severity: 'high',
    description:
      'A node pool runs as the Compute Engine default service account (which holds Editor on the project unless removed) or as a service account with Owner/Editor, often with the cloud-platform scope: any pod that reaches the node metadata (every hostNetwork pod; every pod without GKE_METADATA) gets those rights.',
    remediation:
      'Run node pools as a dedicated least-privilege service account holding only roles/container.defaultNodeServiceAccount (logging, monitoring, image pulls).',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent',
    ],
    compliance: { cis: ['CIS-GKE 5.2.1'], mitre: ['T1552.005', 'T1078.004'] },
    messages: {
      defaultSA: 'node pool {pool} of cluster {cluster} runs as the Compute Engine default service account{detail}: pods that reach the node metadata get its token',
      broadSA: 'node pool {pool} of cluster {cluster} runs as {sa}, which holds {role} on the project{detail}: pods that reach the node metadata get its token',
    },
    reads: ['cloud.kubeward.io/GKECluster', 'cloud.kubeward.io/GKENodePool', 'cloud.kubeward.io/GCPProjectIAMPolicy'],
  },
  handlers: {
    cluster(ctx) {
      const bindings = projectBindings(ctx.state);
      for (const at of gkeNodePools(ctx.state)) {
        const { pool } = at;
        const cluster = at.clusterObject ? gkeIds(at.clusterObject) : { name: at.cluster || '?', flags: '--location LOCATION', project: 'PROJECT_ID' };
        const broadScope = (pool.oauthScopes ?? []).includes(CLOUD_PLATFORM_SCOPE);
        const isDefault = usesDefaultComputeSA(pool.serviceAccount);
        const member = isDefault ? undefined : `serviceAccount:${pool.serviceAccount}`.toLowerCase();
        const admin = bindings.filter(
          (b) => classifyProjectRole(b.role).level === 'admin' && b.members.some((m) => (isDefault ? DEFAULT_SA.test(m) && (pool.serviceAccount === null || pool.serviceAccount === 'default' || m.toLowerCase() === `serviceaccount:${pool.serviceAccount}`.toLowerCase()) : m.toLowerCase() === member)),
        );
        if (!isDefault && admin.length === 0) continue;
        const path = [...at.path, 'config', ...(pool.serviceAccount !== null ? ['serviceAccount'] : [])];
        const details: string[] = [];
        if (admin.length > 0) details.push(`${admin.map((b) => b.role).join(', ')} on the project`);
        if (broadScope) details.push('the cloud-platform scope');
        const tf = tfName(`${cluster.name}_${pool.name}`);
        const evidence = fixEvidence(
          {
            command: [
              `gcloud iam service-accounts create gke-nodes --project ${cluster.project}`,
              `gcloud projects add-iam-policy-binding ${cluster.project} --member serviceAccount:gke-nodes@${cluster.project}.iam.gserviceaccount.com --role roles/container.defaultNodeServiceAccount`,
              `gcloud container node-pools create ${pool.name}-v2 --cluster ${cluster.name} ${cluster.flags} --service-account gke-nodes@${cluster.project}.iam.gserviceaccount.com --workload-metadata GKE_METADATA`,
            ].join(' && '),
            terraform: `resource "google_service_account" "gke_nodes" {\n  account_id = "gke-nodes"\n}\nresource "google_project_iam_member" "gke_nodes" {\n  project = "${cluster.project}"\n  role    = "roles/container.defaultNodeServiceAccount"\n  member  = "serviceAccount:\${google_service_account.gke_nodes.email}"\n}\nresource "google_container_node_pool" "${tf}" {\n  # ...\n  node_config {\n    service_account = google_service_account.gke_nodes.email\n    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]\n    workload_metadata_config {\n      mode = "GKE_METADATA"\n    }\n  }\n}`,
          },
          { serviceAccount: pool.serviceAccount ?? 'default', oauthScopes: pool.oauthScopes, projectRoles: admin.map((b) => b.role) },
        );
        if (isDefault) {
          // The default SA is over-privileged when it has Editor (its default) and the scopes let that through;
          // with the legacy narrow scopes and no Editor known, it is still shared by every VM of the project.
          // Autopilot runs the GKE metadata server everywhere and refuses hostNetwork pods: only a node compromise reaches the token.
          const autopilot = at.clusterObject ? specOf(at.clusterObject).autopilot?.enabled === true : false;
          const severity = !autopilot && (admin.length > 0 || broadScope) ? 'high' : 'medium';
          ctx.report({
            object: at.object,
            messageId: 'defaultSA',
            severity,
            data: { pool: pool.name, cluster: cluster.name, detail: details.length > 0 ? ` with ${details.join(' and ')}` : '' },
            path,
            evidence,
          });
        } else {
          ctx.report({
            object: at.object,
            messageId: 'broadSA',
            severity: broadScope || admin.length > 0 ? 'high' : 'medium',
            data: { pool: pool.name, cluster: cluster.name, sa: pool.serviceAccount ?? '', role: admin.map((b) => b.role).join(', '), detail: broadScope ? ' and the cloud-platform scope' : '' },
            path,
            evidence,
          });
        }
      }
    },
  },
});
