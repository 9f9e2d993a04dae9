import { defineRule } from '../../../core/rule.js';
import { fixEvidence, gkeIds, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'gke-legacy-authentication',
    title: 'GKE legacy ABAC, basic authentication or client certificates enabled',
    pillar: 'defence-in-depth',
    provider: 'gcp',
    severity: 'high',
    description:
      'Legacy ABAC grants permissions outside RBAC; a static basic-auth password and an issued client certificate are cluster-admin credentials that cannot be revoked through IAM. Each bypasses the controls the rest of the cluster relies on.',
    remediation:
      'Disable legacy authorization (--no-enable-legacy-authorization), remove basic authentication, and create clusters with --no-issue-client-certificate (a client certificate can only be removed by recreating the cluster or rotating credentials).',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#disabling_authentication_with_a_static_password',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#legacy-auth',
    ],
    compliance: { cis: ['CIS-GKE 5.8.1', 'CIS-GKE 5.8.2', 'CIS-GKE 5.8.3'], mitre: ['T1078'] },
    messages: {
      legacyAbac: 'cluster {cluster}: legacy ABAC is enabled: its policies grant access that RBAC does not show and cannot limit',
      basicAuth: 'cluster {cluster}: basic authentication is enabled (a static username and password with cluster-admin rights)',
      clientCertificate: 'cluster {cluster}: a client certificate is issued: a cluster-admin credential that IAM cannot revoke',
    },
    reads: ['cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/GKECluster'(o, ctx) {
        const spec = specOf(o);
        const ids = gkeIds(o);
        const tf = tfName(ids.name);
        if (spec.legacyAbac?.enabled === true) {
          ctx.report({
            object: o,
            messageId: 'legacyAbac',
            data: { cluster: ids.name },
            path: ['spec', 'legacyAbac', 'enabled'],
            evidence: fixEvidence({
              command: `gcloud container clusters update ${ids.name} ${ids.flags} --no-enable-legacy-authorization`,
              terraform: `resource "google_container_cluster" "${tf}" {\n  # ...\n  enable_legacy_abac = false\n}`,
            }),
          });
        }
        const ma = spec.masterAuth ?? {};
        if ((typeof ma.username === 'string' && ma.username !== '') || (typeof ma.password === 'string' && ma.password !== '')) {
          ctx.report({
            object: o,
            messageId: 'basicAuth',
            data: { cluster: ids.name },
            path: ['spec', 'masterAuth', typeof ma.username === 'string' && ma.username !== '' ? 'username' : 'password'],
            evidence: fixEvidence({
              command: `gcloud container clusters update ${ids.name} ${ids.flags} --no-enable-basic-auth`,
              terraform: `resource "google_container_cluster" "${tf}" {\n  # ...\n  master_auth {\n    # no username / password\n    client_certificate_config {\n      issue_client_certificate = false\n    }\n  }\n}`,
            }),
          });
        }
        const issued = ma.clientCertificateConfig?.issueClientCertificate === true || (typeof ma.clientCertificate === 'string' && ma.clientCertificate !== '');
        if (issued) {
          ctx.report({
            object: o,
            messageId: 'clientCertificate',
            data: { cluster: ids.name },
            path: ma.clientCertificateConfig?.issueClientCertificate === true ? ['spec', 'masterAuth', 'clientCertificateConfig', 'issueClientCertificate'] : ['spec', 'masterAuth', 'clientCertificate'],
            evidence: fixEvidence({
              command: `gcloud container clusters create ${ids.name} ${ids.flags} --no-issue-client-certificate  # new cluster; existing ones: gcloud container clusters update ${ids.name} ${ids.flags} --start-credential-rotation`,
              terraform: `resource "google_container_cluster" "${tf}" {\n  # ...\n  master_auth {\n    client_certificate_config {\n      issue_client_certificate = false\n    }\n  }\n}`,
            }),
          });
        }
      },
    },
  },
});
