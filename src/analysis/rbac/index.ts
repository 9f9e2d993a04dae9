// Public entry of the RBAC analysis library (pure: no I/O).
//
//   const rbac = rbacFor(state);                      // cached per ClusterState
//   rbac.authorize({ user, groups, verb, apiGroup, resource, subresource, name, namespace })
//   rbac.authorize({ user, groups, verb, path })      // non-resource URL
//   rbac.whoCan({ verb, apiGroup, resource, subresource, name, namespace })
//   rbac.rulesFor({ kind: 'ServiceAccount', namespace, name })
//   rbac.danglingRefs(), rbac.missingSubjects(), rbac.problems()
//   rbac.canWriteRole(...), rbac.canWriteBinding(...)
//   evaluateFromObjects(kubeObjects)                  // same, from plain objects (differential tests)
//   riskFor(rbac).directHoldings(key) / .effective(user)   // techniques of the catalogue held (risk.ts)
//   escalationFor(rbac).paths() / .pathFrom(key)      // shortest paths to cluster-admin (escalation.ts)
import type { KubeObject, LoadedObject } from '../../core/types.js';
import { ClusterState } from '../../model/cluster-state.js';
import { groupOf, makeRef } from '../../model/kinds.js';
import { RbacEvaluator } from './evaluator.js';
import type { RbacModelOptions } from './model.js';

export { RbacEvaluator, describeGrant, type WhoCanOptions, type RulesForOptions } from './evaluator.js';
export { RbacModel, RBAC_GROUP, describeRef, ruleKey, subjectIndexKey, roleId, type AggregationMode, type BindingInfo, type RbacModelOptions, type RoleInfo } from './model.js';
export * from './types.js';
export * from './identity.js';
export { ruleAllows, verbMatches, apiGroupMatches, resourceMatches, resourceNameMatches, nonResourceURLMatches } from './match.js';
export { covers, ruleCovers, breakdownRule, compactString, FULL_AUTHORITY } from './covers.js';
export { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_VERSION, type BootstrapClusterRole } from './bootstrap-roles.js';
export { parseResourceArg, BUILTIN_RESOURCE_GROUPS, type ResourceArg } from './resources.js';
export * from './platform.js';
export * from './techniques.js';
export * from './risk.js';
export * from './escalation.js';

const cache = new WeakMap<ClusterState, RbacEvaluator>();

/** The evaluator of a state, built once and shared (by rules, commands); adds missing bootstrap ClusterRoles. */
export function rbacFor(state: ClusterState): RbacEvaluator {
  let e = cache.get(state);
  if (!e) {
    // Bootstrap ClusterRoles are in every real cluster: bindings to cluster-admin, edit... resolve
    // even when the input is a manifests folder. Plain objects (evaluateFromObjects) stay literal.
    e = new RbacEvaluator(state, { builtinRoles: state.origin !== 'objects' });
    cache.set(state, e);
  }
  return e;
}

/** An evaluator over a state, with options (e.g. `aggregation: 'controller'`). */
export function buildRbac(state: ClusterState, options: RbacModelOptions = {}): RbacEvaluator {
  return new RbacEvaluator(state, options);
}

/**
 * An evaluator over plain Kubernetes objects (as sent to a real API server): objects without
 * kind, apiVersion or name are ignored. Other kinds may be included (ServiceAccounts and Namespaces
 * are used to report missing subjects).
 */
export function evaluateFromObjects(objects: readonly KubeObject[], options: RbacModelOptions = {}): RbacEvaluator {
  const loaded: LoadedObject[] = [];
  for (const obj of objects) {
    if (!obj || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') continue;
    const name = obj.metadata?.name;
    if (typeof name !== 'string' || name === '') continue;
    loaded.push(Object.freeze({ obj, ref: makeRef(obj, name), group: groupOf(obj.apiVersion), file: '<objects>', locate: () => undefined }));
  }
  return new RbacEvaluator(new ClusterState({ objects: loaded, origin: 'objects' }), options);
}
