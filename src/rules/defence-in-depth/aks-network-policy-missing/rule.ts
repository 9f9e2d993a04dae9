import { defineRule } from '../../../core/rule.js';
import { aksNetworkPolicyEngine } from '../../../cloud/aks.js';
import { aksIds, fixEvidence, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'aks-network-policy-missing',
    title: 'AKS cluster without a network policy engine',
    pillar: 'defence-in-depth',
    provider: 'azure',
    severity: 'medium',
    description:
      'networkProfile.networkPolicy is not set (or none) and the dataplane is not Cilium: NetworkPolicy objects are accepted but not enforced, so every pod can reach every other pod and IMDS.',
    remediation: 'Enable a network policy engine (Azure, Calico or Cilium) with az aks update --network-policy.',
    references: ['https://learn.microsoft.com/azure/aks/use-network-policies'],
    compliance: { cis: ['CIS-AKS 5.4.4'], mitre: ['T1046'] },
    messages: {
      none: 'cluster {cluster}: no network policy engine (networkProfile.networkPolicy unset or none): NetworkPolicy objects have no effect',
    },
    reads: ['cloud.kubeward.io/AKSCluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/AKSCluster'(o, ctx) {
        const e = aksNetworkPolicyEngine(specOf(o));
        if (e.engine !== undefined || e.unknown) return;
        const ids = aksIds(o);
        ctx.report({
          object: o,
          messageId: 'none',
          data: { cluster: ids.name },
          path: inSpec(e.path),
          evidence: fixEvidence({
            command: `az aks update ${ids.flags} --network-policy azure`,
            terraform: `resource "azurerm_kubernetes_cluster" "${tfName(ids.name)}" {\n  # ...\n  network_profile {\n    network_plugin = "azure"\n    network_policy = "azure" # or "calico", "cilium"\n  }\n}`,
          }),
        });
      },
    },
  },
});
