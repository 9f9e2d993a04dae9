import { defineRule } from '../../../core/rule.js';
import type { Severity } from '../../../core/types.js';
import { aksKubeletIdentity, podLinkLocalAccess } from '../../../cloud/aks.js';
import { aksIds, fixEvidence, inSpec, specOf } from '../../../cloud/rule-support.js';
import { AKS_CLUSTER, assignmentsOf, broadAssignment, describeScope, workloadIdentityLinks, type RoleAssignment } from '../../../analysis/identity/azure.js';
import { listPods, podLabel } from '../../../analysis/identity/pod-service-accounts.js';

function severityOf(a: RoleAssignment): Severity {
  const wide = a.level === 'subscription' || a.level === 'management-group' || a.level === 'root';
  return wide || a.roleName !== 'Contributor' ? 'critical' : 'high';
}

export default defineRule({
  meta: {
    id: 'aks-workload-identity-overprivileged',
    title: 'Pods or nodes get an Azure identity with broad control',
    pillar: 'least-privilege',
    provider: 'azure',
    severity: 'critical',
    description:
      'A managed identity that pods use through Microsoft Entra Workload ID, or the kubelet identity every node carries, holds Owner, Contributor, User Access Administrator or Role Based Access Control Administrator on a resource group, subscription or management group: a compromised pod controls every resource there.',
    remediation:
      'Give each workload its own identity with data-plane roles on the specific resources it uses (a storage account, a key vault); keep the kubelet identity to AcrPull on its registries.',
    references: [
      'https://learn.microsoft.com/azure/aks/workload-identity-overview',
      'https://learn.microsoft.com/azure/aks/use-managed-identity#summary-of-managed-identities-used-by-aks',
      'https://learn.microsoft.com/azure/role-based-access-control/best-practices',
    ],
    compliance: { mitre: ['T1078.004', 'T1098'] },
    messages: {
      workload: '{pods} -> ServiceAccount {namespace}/{name} -> managed identity {identity} -> {role} on {scope}: {why}',
      kubelet: 'cluster {cluster}: the kubelet identity {identity} holds {role} on {scope} ({why}): {reach}',
    },
    reads: ['ServiceAccount', 'cloud.kubeward.io/AKSCluster', 'cloud.kubeward.io/AzureRoleAssignment', 'cloud.kubeward.io/AzureManagedIdentity', 'cloud.kubeward.io/AzureFederatedIdentityCredential'],
  },
  handlers: {
    cluster(ctx) {
      for (const l of workloadIdentityLinks(ctx.state)) {
        if (l.federated === false) continue; // the identity does not trust this service account: no token
        for (const a of l.assignments) {
          const why = broadAssignment(a);
          if (!why) continue;
          const identity = l.identity ? l.identity.name : `client id ${l.clientId}`;
          ctx.report({
            object: l.sa,
            messageId: 'workload',
            severity: severityOf(a),
            data: { pods: listPods(l.pods), namespace: l.namespace, name: l.name, identity, role: a.roleName, scope: describeScope(a), why },
            path: l.annotationPath,
            evidence: fixEvidence(
              {
                command: `az role assignment delete --assignee ${a.principalId} --role "${a.roleName}" --scope ${a.scope} && az role assignment create --assignee ${a.principalId} --role "Storage Blob Data Reader" --scope RESOURCE_ID`,
                terraform: `resource "azurerm_role_assignment" "${l.name.replace(/[^a-z0-9_]/gi, '_')}" {\n  scope                = azurerm_storage_account.data.id # the one resource it needs\n  role_definition_name = "Storage Blob Data Reader"\n  principal_id         = "${a.principalId}"\n}`,
              },
              {
                chain: [...l.pods.map(podLabel), `ServiceAccount ${l.namespace}/${l.name}`, `managed identity ${identity}`, `${a.roleName} on ${a.scope}`],
                podsLabelledForInjection: l.labelledPods.map(podLabel),
                federatedCredential: l.federated ?? 'unknown (federated credentials not given)',
                assignment: a.object.locate(a.path),
              },
            ),
          });
        }
      }
      for (const o of ctx.state.ofKind(AKS_CLUSTER)) {
        const k = aksKubeletIdentity(specOf(o));
        if (!k?.objectId) continue;
        const restricted = podLinkLocalAccess(specOf(o)).value?.toLowerCase() === 'none';
        const ids = aksIds(o);
        for (const a of assignmentsOf(ctx.state, { principalId: k.objectId })) {
          const why = broadAssignment(a);
          if (!why) continue;
          ctx.report({
            object: o,
            messageId: 'kubelet',
            severity: severityOf(a),
            data: {
              cluster: ids.name,
              identity: k.resourceId?.split('/').pop() ?? k.objectId,
              role: a.roleName,
              scope: describeScope(a),
              why,
              reach: restricted
                ? 'every hostNetwork pod can request its tokens from IMDS'
                : 'every pod can request its tokens from IMDS (no IMDS restriction), hostNetwork pods always',
            },
            path: inSpec(k.path),
            evidence: fixEvidence(
              {
                command: `az role assignment delete --assignee ${a.principalId} --role "${a.roleName}" --scope ${a.scope}  # the kubelet identity needs AcrPull on its registries only`,
                terraform: `resource "azurerm_role_assignment" "kubelet_acr_pull" {\n  scope                = azurerm_container_registry.this.id\n  role_definition_name = "AcrPull"\n  principal_id         = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id\n}`,
              },
              { chain: [`nodes of ${ids.name}`, `kubelet identity ${k.objectId}`, `${a.roleName} on ${a.scope}`], imdsRestricted: restricted },
            ),
          });
        }
      }
    },
  },
});
