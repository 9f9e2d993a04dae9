import { defineRule } from '../../../core/rule.js';
import { aksKubeletIdentity, podLinkLocalAccess } from '../../../cloud/aks.js';
import { aksAgentPools, aksIds, fixEvidence, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';
import { assignmentsOf, broadAssignment, describeScope } from '../../../analysis/identity/azure.js';

export default defineRule({
  meta: {
    id: 'aks-imds-restriction',
    title: 'AKS pods can reach the node IMDS (no IMDS restriction)',
    pillar: 'metadata-api',
    provider: 'azure',
    severity: 'low',
    description:
      'The cluster does not restrict pod access to the Azure Instance Metadata Service (podLinkLocalAccess is not None): every non-hostNetwork pod can request tokens for the kubelet identity and other identities attached to the nodes, unless a NetworkPolicy blocks 169.254.169.254.',
    remediation:
      'Enable the IMDS restriction (az aks update --enable-imds-restriction, preview) once workloads use Microsoft Entra Workload ID, or block 169.254.169.254/32 with egress NetworkPolicy; keep the kubelet identity least-privilege either way.',
    references: [
      'https://learn.microsoft.com/azure/aks/imds-restriction',
      'https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service',
    ],
    compliance: { mitre: ['T1552.005'] },
    messages: {
      open: 'cluster {cluster}: pods can reach IMDS (podLinkLocalAccess {value}){detail}',
      poolOpen: 'agent pool {pool} of cluster {cluster} lets pods reach IMDS (podLinkLocalAccess IMDS) although the cluster restricts it',
    },
    reads: ['cloud.kubeward.io/AKSCluster', 'cloud.kubeward.io/AKSAgentPool', 'cloud.kubeward.io/AzureRoleAssignment'],
  },
  handlers: {
    cluster(ctx) {
      for (const o of ctx.state.ofKind('cloud.kubeward.io/AKSCluster')) {
        const spec = specOf(o);
        const v = podLinkLocalAccess(spec);
        const ids = aksIds(o);
        const fix = fixEvidence({
          command: `az extension add --name aks-preview && az aks update ${ids.flags} --enable-imds-restriction`,
          terraform: `resource "azapi_update_resource" "${tfName(ids.name)}_imds" {\n  type        = "Microsoft.ContainerService/managedClusters@2024-09-02-preview"\n  resource_id = azurerm_kubernetes_cluster.${tfName(ids.name)}.id\n  body = {\n    properties = {\n      networkProfile = { podLinkLocalAccess = "None" }\n    }\n  }\n}`,
        });
        if (v.value?.toLowerCase() === 'none') {
          for (const at of aksAgentPools(ctx.state).filter((p) => p.cluster === o.ref.name)) {
            const pv = podLinkLocalAccess(at.pool.raw);
            if (pv.value?.toLowerCase() === 'imds') {
              ctx.report({ object: at.object, messageId: 'poolOpen', data: { pool: at.pool.name, cluster: ids.name }, path: [...at.path, ...pv.path], evidence: fix });
            }
          }
          continue;
        }
        const kubelet = aksKubeletIdentity(spec);
        const broad = kubelet?.objectId ? assignmentsOf(ctx.state, { principalId: kubelet.objectId }).filter((a) => broadAssignment(a)) : [];
        const detail =
          broad.length > 0
            ? `: they get tokens of the kubelet identity, which holds ${broad.map((a) => `${a.roleName} on ${describeScope(a)}`).join(', ')}`
            : ': they get tokens of the kubelet identity and of any identity assigned to the node scale sets';
        ctx.report({
          object: o,
          messageId: 'open',
          severity: broad.length > 0 ? 'high' : 'low',
          data: { cluster: ids.name, value: v.value ?? 'unset, default IMDS', detail },
          path: inSpec(v.value !== undefined ? v.path : 'networkProfile' in spec ? ['networkProfile'] : []),
          evidence: { ...fix, kubeletIdentity: kubelet?.objectId ?? null, broadAssignments: broad.map((a) => ({ role: a.roleName, scope: a.scope })) },
        });
      }
    },
  },
});
