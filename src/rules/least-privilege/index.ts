// Least-privilege rules (RBAC, and the cloud identity rules of this pillar). Keep one import and
// one entry per rule folder (the meta-test checks); add entries with a targeted edit, others edit this file too.
import type { Rule } from '../../core/rule.js';
import rbacAutomountedPowerfulToken from './rbac-automounted-powerful-token/rule.js';
import rbacAwsAuthEdit from './rbac-aws-auth-edit/rule.js';
import rbacBindEscalate from './rbac-bind-escalate/rule.js';
import rbacBroadGroupGrant from './rbac-broad-group-grant/rule.js';
import rbacClusterAdminBinding from './rbac-cluster-admin-binding/rule.js';
import rbacCorednsEdit from './rbac-coredns-edit/rule.js';
import rbacCreateWorkloads from './rbac-create-workloads/rule.js';
import rbacCsrApprove from './rbac-csr-approve/rule.js';
import rbacDanglingRoleRef from './rbac-dangling-role-ref/rule.js';
import rbacEscalationPath from './rbac-escalation-path/rule.js';
import rbacImpersonate from './rbac-impersonate/rule.js';
import rbacLegacyTokenSecret from './rbac-legacy-token-secret/rule.js';
import rbacMissingSubject from './rbac-missing-subject/rule.js';
import rbacModifyPods from './rbac-modify-pods/rule.js';
import rbacNodesProxy from './rbac-nodes-proxy/rule.js';
import rbacPodExec from './rbac-pod-exec/rule.js';
import rbacPodTheft from './rbac-pod-theft/rule.js';
import rbacPvCreate from './rbac-pv-create/rule.js';
import rbacReadSecrets from './rbac-read-secrets/rule.js';
import rbacServicesStatus from './rbac-services-status/rule.js';
import rbacStatusUpdate from './rbac-status-update/rule.js';
import rbacTokenCreate from './rbac-token-create/rule.js';
import rbacUnusedServiceAccount from './rbac-unused-service-account/rule.js';
import rbacWebhookConfig from './rbac-webhook-config/rule.js';
import rbacWildcard from './rbac-wildcard/rule.js';
import eksAccessEntryClusterAdmin from './eks-access-entry-cluster-admin/rule.js';
import eksAwsAuthSystemMasters from './eks-aws-auth-system-masters/rule.js';
import eksClusterCreatorAdmin from './eks-cluster-creator-admin/rule.js';
import eksIrsaTrustNotPinned from './eks-irsa-trust-not-pinned/rule.js';
import eksNodeRoleOverbroad from './eks-node-role-overbroad/rule.js';
import eksWorkloadRoleOverbroad from './eks-workload-role-overbroad/rule.js';
import aksWorkloadIdentityOverprivileged from './aks-workload-identity-overprivileged/rule.js';
import gcpServiceAccountTakeover from './gcp-service-account-takeover/rule.js';
import gkeWorkloadIdentityOverprivileged from './gke-workload-identity-overprivileged/rule.js';

export const leastPrivilegeRules = {
  'rbac-automounted-powerful-token': rbacAutomountedPowerfulToken,
  'rbac-aws-auth-edit': rbacAwsAuthEdit,
  'rbac-bind-escalate': rbacBindEscalate,
  'rbac-broad-group-grant': rbacBroadGroupGrant,
  'rbac-cluster-admin-binding': rbacClusterAdminBinding,
  'rbac-coredns-edit': rbacCorednsEdit,
  'rbac-create-workloads': rbacCreateWorkloads,
  'rbac-csr-approve': rbacCsrApprove,
  'rbac-dangling-role-ref': rbacDanglingRoleRef,
  'rbac-escalation-path': rbacEscalationPath,
  'rbac-impersonate': rbacImpersonate,
  'rbac-legacy-token-secret': rbacLegacyTokenSecret,
  'rbac-missing-subject': rbacMissingSubject,
  'rbac-modify-pods': rbacModifyPods,
  'rbac-nodes-proxy': rbacNodesProxy,
  'rbac-pod-exec': rbacPodExec,
  'rbac-pod-theft': rbacPodTheft,
  'rbac-pv-create': rbacPvCreate,
  'rbac-read-secrets': rbacReadSecrets,
  'rbac-services-status': rbacServicesStatus,
  'rbac-status-update': rbacStatusUpdate,
  'rbac-token-create': rbacTokenCreate,
  'rbac-unused-service-account': rbacUnusedServiceAccount,
  'rbac-webhook-config': rbacWebhookConfig,
  'rbac-wildcard': rbacWildcard,
  'eks-access-entry-cluster-admin': eksAccessEntryClusterAdmin,
  'eks-aws-auth-system-masters': eksAwsAuthSystemMasters,
  'eks-cluster-creator-admin': eksClusterCreatorAdmin,
  'eks-irsa-trust-not-pinned': eksIrsaTrustNotPinned,
  'eks-node-role-overbroad': eksNodeRoleOverbroad,
  'eks-workload-role-overbroad': eksWorkloadRoleOverbroad,
  'aks-workload-identity-overprivileged': aksWorkloadIdentityOverprivileged,
  'gcp-service-account-takeover': gcpServiceAccountTakeover,
  'gke-workload-identity-overprivileged': gkeWorkloadIdentityOverprivileged,
} satisfies Record<string, Rule>;
