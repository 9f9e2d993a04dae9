import { defineRule } from '../../../core/rule.js';
import { gkeFacts } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'gke-network-policy-not-enforced',
    title: 'GKE cluster does not enforce NetworkPolicy',
    pillar: 'defence-in-depth',
    provider: 'gcp',
    severity: 'medium',
    description:
      'Neither GKE network policy enforcement (Calico, networkPolicy.enabled) nor Dataplane V2 (ADVANCED_DATAPATH) is on: NetworkPolicy objects are accepted by the API but nothing enforces them, so every pod can reach every other pod and the metadata server.',
    remediation: 'Create clusters with Dataplane V2 (--enable-dataplane-v2), or enable network policy enforcement on the existing cluster.',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy',
      'https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2',
    ],
    compliance: { cis: ['CIS-GKE 5.6.7'], mitre: ['T1046'] },
    messages: {
      notEnforced: 'cluster {cluster}: NetworkPolicy is not enforced (no network policy enforcement, no Dataplane V2): policies in the cluster have no effect',
    },
    reads: ['cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/GKECluster'(o, ctx) {
        const spec = specOf(o);
        const f = gkeFacts(spec);
        if (f.autopilot || f.networkPolicyEnabled === true || f.datapathProvider === 'ADVANCED_DATAPATH') return;
        const ids = gkeIds(o);
        ctx.report({
          object: o,
          messageId: 'notEnforced',
          data: { cluster: ids.name },
          path: 'networkPolicy' in spec ? ['spec', 'networkPolicy'] : 'networkConfig' in spec ? ['spec', 'networkConfig'] : ['spec'],
          evidence: fixEvidence(
            {
              command: `gcloud container clusters update ${ids.name} ${ids.flags} --update-addons=NetworkPolicy=ENABLED && gcloud container clusters update ${ids.name} ${ids.flags} --enable-network-policy`,
              terraform: `resource "google_container_cluster" "${tfName(ids.name)}" {\n  # ...\n  datapath_provider = "ADVANCED_DATAPATH" # Dataplane V2 (new clusters)\n}`,
            },
            { networkPolicyEnabled: f.networkPolicyEnabled, datapathProvider: f.datapathProvider, networkPolicyAddonDisabled: f.networkPolicyAddonDisabled },
          ),
        });
      },
    },
  },
});
