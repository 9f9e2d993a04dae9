// Builders of RBAC objects for the RBAC evaluator tests (plain objects, as sent to an API server).
import type { KubeObject } from '../../src/core/types.js';

const API = 'rbac.authorization.k8s.io/v1';
const GROUP = 'rbac.authorization.k8s.io';

export interface RuleSpec {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** A resource rule: verbs x apiGroups x resources. */
export const rule = (verbs: string[], apiGroups: string[], resources: string[], extra: RuleSpec = {}): RuleSpec => ({ verbs, apiGroups, resources, ...extra });
/** A non-resource rule. */
export const urlRule = (verbs: string[], nonResourceURLs: string[]): RuleSpec => ({ verbs, nonResourceURLs });

export function clusterRole(name: string, rules: RuleSpec[] | null, extra: { labels?: Record<string, string>; aggregationRule?: unknown } = {}): KubeObject {
  const o: KubeObject = { apiVersion: API, kind: 'ClusterRole', metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) } };
  if (rules !== null) o.rules = rules;
  if (extra.aggregationRule !== undefined) o.aggregationRule = extra.aggregationRule;
  return o;
}

export function role(namespace: string, name: string, rules: RuleSpec[]): KubeObject {
  return { apiVersion: API, kind: 'Role', metadata: { name, namespace }, rules };
}

export interface Subj {
  kind: string;
  name: string;
  apiGroup?: string;
  namespace?: string;
}
export const user = (name: string): Subj => ({ kind: 'User', apiGroup: GROUP, name });
export const group = (name: string): Subj => ({ kind: 'Group', apiGroup: GROUP, name });
export const sa = (name: string, namespace?: string): Subj => ({ kind: 'ServiceAccount', name, ...(namespace !== undefined ? { namespace } : {}) });

export function clusterRoleBinding(name: string, roleName: string, subjects: Subj[], roleKind = 'ClusterRole'): KubeObject {
  return { apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: GROUP, kind: roleKind, name: roleName }, subjects };
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole' | string; name: string }, subjects: Subj[]): KubeObject {
  return { apiVersion: API, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: GROUP, ...roleRef }, subjects };
}

export const serviceAccount = (namespace: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Username of a service account. */
export const saUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;
