// Network policy evaluation: a pure library over ClusterState.
//   const ev = new NetworkPolicyEvaluator(state);            // detects enforcement
//   ev.evaluateEgress(pod, '169.254.169.254', { protocol: 'TCP', port: 80 })
//   podMetadataVerdicts(state, 'aws')                          // per pod template
export * from './types.js';
export { NetworkPolicyEvaluator, assumeEnforcement, combine, type EvaluatorOptions } from './evaluate.js';
export { detectEnforcement, semanticsFor, type Enforcement, type Enforcer, type EnforcerId, type Evidence, type PolicyFamily } from './enforcement.js';
export { metadataEndpoints, metadataInterceptors, metadataPeer, podMetadataVerdicts, verdictsOfPod, type Interceptor, type MetadataEndpoint, type PodMetadataVerdict } from './metadata.js';
export { REFERENCE_SEMANTICS, SPEC_SEMANTICS, type Semantics } from './engine.js';
export { NetworkModel, podFromTemplate, type NetNamespace, type NetNode } from './model.js';
export { parseCalicoSelector, CalicoSelectorError } from './calico-selector.js';
export { parseCidr, parseIp, inCidr, cidrCovers } from './ip.js';
