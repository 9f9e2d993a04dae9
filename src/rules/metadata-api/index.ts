// Metadata API exposure rules (node-level IMDS settings; per-pod reachability comes later).
// Keep one import and one entry per rule folder (the meta-test checks).
import type { Rule } from '../../core/rule.js';
import eksNodeImdsHopLimit from './eks-node-imds-hop-limit/rule.js';
import eksNodeImdsv1Allowed from './eks-node-imdsv1-allowed/rule.js';
import aksImdsRestriction from './aks-imds-restriction/rule.js';
import gkeMetadataServerDisabled from './gke-metadata-server-disabled/rule.js';
import metadataApiReachable from './metadata-api-reachable/rule.js';

export const metadataApiRules = {
  'eks-node-imds-hop-limit': eksNodeImdsHopLimit,
  'eks-node-imdsv1-allowed': eksNodeImdsv1Allowed,
  'aks-imds-restriction': aksImdsRestriction,
  'gke-metadata-server-disabled': gkeMetadataServerDisabled,
  'metadata-api-reachable': metadataApiReachable,
} satisfies Record<string, Rule>;
