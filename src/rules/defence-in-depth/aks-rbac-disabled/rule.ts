import { defineRule } from '../../../core/rule.js';
import { boolOf, isArmExpression, lookup } from '../../../cloud/aks.js';
import { aksIds, fixEvidence, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'aks-rbac-disabled',
    title: 'AKS cluster without Kubernetes RBAC',
    pillar: 'defence-in-depth',
    provider: 'azure',
    severity: 'high',
    description:
      'The AKS cluster was created with enableRBAC false (or, in an ARM template, without setting it): without RBAC every authenticated user and every service account token is effectively cluster-admin.',
    remediation: 'Kubernetes RBAC cannot be turned on for an existing cluster: create a new cluster with RBAC (the default) and migrate workloads.',
    references: ['https://learn.microsoft.com/azure/aks/concepts-identity#kubernetes-rbac', 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/'],
    compliance: { cis: ['CIS-AKS 4.1.1'], mitre: ['T1078'] },
    messages: {
      disabled: 'cluster {cluster}: Kubernetes RBAC is disabled (enableRBAC: false): every authenticated identity can do anything',
      unset: 'cluster {cluster}: enableRBAC is not set in this template; set it to true explicitly (older API versions created clusters without RBAC)',
    },
    reads: ['cloud.kubeward.io/AKSCluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/AKSCluster'(o, ctx) {
        const spec = specOf(o);
        const f = lookup(spec, ['enableRBAC']);
        if (isArmExpression(f.value)) return;
        const v = boolOf(f.value);
        if (v === true) return;
        const ids = aksIds(o);
        const evidence = fixEvidence({
          command: `az aks create ${ids.flags} --enable-aad --enable-azure-rbac --disable-local-accounts  # a new cluster: RBAC cannot be enabled in place`,
          terraform: `resource "azurerm_kubernetes_cluster" "${tfName(ids.name)}" {\n  # ...\n  role_based_access_control_enabled = true\n}`,
        });
        ctx.report({
          object: o,
          messageId: v === false ? 'disabled' : 'unset',
          severity: v === false ? 'high' : 'medium',
          data: { cluster: ids.name },
          path: inSpec(f.found ? f.path : []),
          evidence,
        });
      },
    },
  },
});
