import { defineRule } from '../../../core/rule.js';
import { boolOf, isArmExpression, lookup } from '../../../cloud/aks.js';
import { aksIds, fixEvidence, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'aks-local-accounts',
    title: 'AKS local accounts enabled',
    pillar: 'defence-in-depth',
    provider: 'azure',
    severity: 'medium',
    description:
      'The AKS cluster keeps its local accounts (disableLocalAccounts is not true): `az aks get-credentials --admin` hands out a static cluster-admin certificate to anyone with Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action, bypassing Entra ID, Conditional Access and audit by user.',
    remediation: 'Integrate the cluster with Microsoft Entra ID and disable local accounts (az aks update --disable-local-accounts).',
    references: [
      'https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad',
      'https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id',
    ],
    compliance: { cis: ['CIS-AKS 5.2.1'], mitre: ['T1078.004'] },
    messages: {
      localAccounts: 'cluster {cluster}: local accounts are enabled: a static cluster-admin credential is available through listClusterAdminCredential, outside Entra ID',
      noEntraId: 'cluster {cluster}: no Microsoft Entra ID integration (aadProfile): local accounts are the only way in, and they cannot be disabled until Entra ID is enabled',
    },
    reads: ['cloud.kubeward.io/AKSCluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/AKSCluster'(o, ctx) {
        const spec = specOf(o);
        const f = lookup(spec, ['disableLocalAccounts']);
        if (isArmExpression(f.value) || boolOf(f.value) === true) return;
        const ids = aksIds(o);
        const aad = lookup(spec, ['aadProfile']).value;
        // An empty or all-null aadProfile (seen in some outputs) is no integration.
        const hasAad = aad !== null && typeof aad === 'object' && Object.values(aad as Record<string, unknown>).some((v) => v !== null && v !== false && !(Array.isArray(v) && v.length === 0));
        const evidence = fixEvidence({
          command: hasAad
            ? `az aks update ${ids.flags} --disable-local-accounts`
            : `az aks update ${ids.flags} --enable-aad --aad-admin-group-object-ids ADMIN_GROUP_ID --disable-local-accounts`,
          terraform: `resource "azurerm_kubernetes_cluster" "${tfName(ids.name)}" {\n  # ...\n  local_account_disabled = true\n  azure_active_directory_role_based_access_control {\n    azure_rbac_enabled     = true\n    admin_group_object_ids = [var.admin_group_id]\n  }\n}`,
        });
        ctx.report({
          object: o,
          messageId: hasAad ? 'localAccounts' : 'noEntraId',
          data: { cluster: ids.name },
          path: inSpec(f.found ? f.path : []),
          evidence,
        });
      },
    },
  },
});
