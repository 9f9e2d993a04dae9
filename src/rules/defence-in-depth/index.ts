// Defence-in-depth rules (cloud control-plane exposure, legacy authentication, node identities).
// Keep one import and one entry per rule folder (the meta-test checks).
import type { Rule } from '../../core/rule.js';
import eksPublicEndpointOpen from './eks-public-endpoint-open/rule.js';
import aksApiServerPublic from './aks-api-server-public/rule.js';
import aksLocalAccounts from './aks-local-accounts/rule.js';
import aksNetworkPolicyMissing from './aks-network-policy-missing/rule.js';
import aksRbacDisabled from './aks-rbac-disabled/rule.js';
import gkeApiServerPublic from './gke-api-server-public/rule.js';
import gkeLegacyAuthentication from './gke-legacy-authentication/rule.js';
import gkeNetworkPolicyNotEnforced from './gke-network-policy-not-enforced/rule.js';
import gkeNodeServiceAccount from './gke-node-service-account/rule.js';

export const defenceInDepthRules = {
  'eks-public-endpoint-open': eksPublicEndpointOpen,
  'aks-api-server-public': aksApiServerPublic,
  'aks-local-accounts': aksLocalAccounts,
  'aks-network-policy-missing': aksNetworkPolicyMissing,
  'aks-rbac-disabled': aksRbacDisabled,
  'gke-api-server-public': gkeApiServerPublic,
  'gke-legacy-authentication': gkeLegacyAuthentication,
  'gke-network-policy-not-enforced': gkeNetworkPolicyNotEnforced,
  'gke-node-service-account': gkeNodeServiceAccount,
} satisfies Record<string, Rule>;
