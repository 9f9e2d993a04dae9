// EKS identity links, pure over ClusterState (Kubernetes objects + cloud objects of src/cloud/model.ts):
//   pod -> ServiceAccount -> IAM role (IRSA annotation eks.amazonaws.com/role-arn, or an EKS Pod
//   Identity association) -> permissions; node group -> node instance role (reachable from every pod
//   that reaches IMDS); IAM principals -> Kubernetes identities (aws-auth ConfigMap mapRoles/mapUsers,
//   EKS access entries and their access policies, the cluster creator's bootstrap admin).
//
// Semantics: https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html,
// pod-identities.html, access-entries.html, access-policy-permissions.html, auth-configmap.html.
import { parse as parseYaml } from 'yaml';
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import { CLUSTER_LABEL, cloudGroupKind } from '../../cloud/model.js';
import { annotatedServiceAccounts, podsByServiceAccount } from './pod-service-accounts.js';

export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

export const AWS_KINDS = Object.freeze({
  cluster: cloudGroupKind('EKSCluster'),
  nodegroup: cloudGroupKind('EKSNodegroup'),
  accessEntry: cloudGroupKind('EKSAccessEntry'),
  podIdentity: cloudGroupKind('EKSPodIdentityAssociation'),
  addon: cloudGroupKind('EKSAddon'),
  launchTemplate: cloudGroupKind('EC2LaunchTemplateVersion'),
  instance: cloudGroupKind('EC2Instance'),
  imdsDefaults: cloudGroupKind('EC2InstanceMetadataDefaults'),
  role: cloudGroupKind('IAMRole'),
  trail: cloudGroupKind('CloudTrailTrail'),
  logGroup: cloudGroupKind('CloudWatchLogGroup'),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Spec = Record<string, any>;

export function specOf(o: LoadedObject): Spec {
  return ((o.obj as { spec?: Spec }).spec ?? {}) as Spec;
}

export function clusterOf(o: LoadedObject): string {
  return o.obj.metadata?.labels?.[CLUSTER_LABEL] ?? '';
}

/** "arn:aws:iam::111122223333:role/path/name" -> "name" (also accepts a bare role name). */
export function roleNameFromArn(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn;
}

/** The region of an ARN ("arn:aws:eks:eu-west-1:1111:cluster/x" -> "eu-west-1"). */
export function regionOfArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const r = arn.split(':')[3];
  return r ? r : undefined;
}

/** The account of an ARN ("arn:aws:iam::111122223333:role/x" -> "111122223333"). */
export function accountOfArn(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const a = arn.split(':')[4];
  return a ? a : undefined;
}

/**
 * The IAMRole object for a role ARN: by Arn, else by role name when the description does not say
 * otherwise (a role of the same name in another account is another role).
 */
export function findRole(state: ClusterState, arn: string): LoadedObject | undefined {
  const roles = state.ofKind(AWS_KINDS.role);
  const exact = roles.find((r) => specOf(r).Arn === arn);
  if (exact) return exact;
  const acct = accountOfArn(arn);
  return roles.find((r) => {
    if (r.ref.name !== roleNameFromArn(arn)) return false;
    const other = accountOfArn(specOf(r).Arn);
    return !other || !acct || other === acct;
  });
}

export interface RoleBinding {
  via: 'irsa' | 'pod-identity' | 'node';
  roleArn: string;
  role?: LoadedObject;
  /** Where the link is declared: the ServiceAccount, the association or the node group. */
  source: LoadedObject;
  /** Path of the role ARN inside `source`. */
  sourcePath: ObjPath;
  namespace?: string;
  serviceAccount?: string;
  /** Pod specs that obtain the role's credentials through this link. */
  pods: readonly PodTemplateView[];
  /** "ServiceAccount shop/storefront (IRSA)", "node group shop-ng-1 (node instance role)". */
  label: string;
}

/** ServiceAccounts annotated eks.amazonaws.com/role-arn. */
export function irsaBindings(state: ClusterState): RoleBinding[] {
  const pods = podsByServiceAccount(state);
  return annotatedServiceAccounts(state, IRSA_ANNOTATION).map(({ sa, namespace, name, value }) => ({
    via: 'irsa' as const,
    roleArn: value,
    role: findRole(state, value),
    source: sa,
    sourcePath: ['metadata', 'annotations', IRSA_ANNOTATION],
    namespace,
    serviceAccount: name,
    pods: pods.get(`${namespace}/${name}`) ?? [],
    label: `ServiceAccount ${namespace}/${name} (IRSA)`,
  }));
}

/** EKS Pod Identity associations (namespace + service account -> role). */
export function podIdentityBindings(state: ClusterState): RoleBinding[] {
  const pods = podsByServiceAccount(state);
  const out: RoleBinding[] = [];
  for (const a of state.ofKind(AWS_KINDS.podIdentity)) {
    const s = specOf(a);
    if (typeof s.roleArn !== 'string' || typeof s.namespace !== 'string' || typeof s.serviceAccount !== 'string') continue;
    out.push({
      via: 'pod-identity',
      roleArn: s.roleArn,
      role: findRole(state, s.roleArn),
      source: a,
      sourcePath: ['spec', 'roleArn'],
      namespace: s.namespace,
      serviceAccount: s.serviceAccount,
      pods: pods.get(`${s.namespace}/${s.serviceAccount}`) ?? [],
      label: `ServiceAccount ${s.namespace}/${s.serviceAccount} (Pod Identity association ${a.ref.name})`,
    });
  }
  return out;
}

/** Node groups and their node instance roles. Pods reach it through IMDS (all hostNetwork pods; others unless IMDS is blocked). */
export function nodeRoleBindings(state: ClusterState): RoleBinding[] {
  const out: RoleBinding[] = [];
  for (const ng of state.ofKind(AWS_KINDS.nodegroup)) {
    const s = specOf(ng);
    if (typeof s.nodeRole !== 'string') continue;
    out.push({
      via: 'node',
      roleArn: s.nodeRole,
      role: findRole(state, s.nodeRole),
      source: ng,
      sourcePath: ['spec', 'nodeRole'],
      pods: [],
      label: `node group ${ng.ref.name} (node instance role)`,
    });
  }
  return out;
}

/** Every role a pod can obtain credentials of through its service account. */
export function workloadRoleBindings(state: ClusterState): RoleBinding[] {
  return [...irsaBindings(state), ...podIdentityBindings(state)];
}

// ---------------------------------------------------------------------------------------------
// IAM principals -> Kubernetes identities.

export interface AwsAuthMapping {
  configMap: LoadedObject;
  field: 'mapRoles' | 'mapUsers';
  index: number;
  arn: string;
  username?: string;
  groups: string[];
  /** Path to point findings at (the data key; the YAML inside it has no positions of its own). */
  path: ObjPath;
}

/** Entries of kube-system/aws-auth mapRoles and mapUsers (YAML lists inside the ConfigMap's data). */
export function awsAuthMappings(state: ClusterState): { mappings: AwsAuthMapping[]; errors: Array<{ configMap: LoadedObject; field: string; message: string }> } {
  const mappings: AwsAuthMapping[] = [];
  const errors: Array<{ configMap: LoadedObject; field: string; message: string }> = [];
  const cm = state.get('ConfigMap', 'kube-system', 'aws-auth');
  if (!cm) return { mappings, errors };
  const data = ((cm.obj as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>;
  for (const field of ['mapRoles', 'mapUsers'] as const) {
    const text = data[field];
    if (typeof text !== 'string' || text.trim() === '') continue;
    let list: unknown;
    try {
      list = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      errors.push({ configMap: cm, field, message: (e as Error).message });
      continue;
    }
    if (!Array.isArray(list)) continue;
    list.forEach((m: unknown, index) => {
      if (!m || typeof m !== 'object') return;
      const e = m as Record<string, unknown>;
      const arn = e[field === 'mapRoles' ? 'rolearn' : 'userarn'];
      if (typeof arn !== 'string') return;
      const groups = Array.isArray(e.groups) ? e.groups.filter((g): g is string => typeof g === 'string') : [];
      mappings.push({ configMap: cm, field, index, arn, ...(typeof e.username === 'string' ? { username: e.username } : {}), groups, path: ['data', field] });
    });
  }
  return { mappings, errors };
}

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';
export const ADMIN_POLICY = 'AmazonEKSAdminPolicy';

export interface AccessEntryGrant {
  entry: LoadedObject;
  principal: string;
  /** How admin is granted. */
  how: 'system:masters' | typeof CLUSTER_ADMIN_POLICY | typeof ADMIN_POLICY;
  scope: string;
  path: ObjPath;
}

/** Access entries that make their principal (cluster) admin: system:masters group or the EKS admin access policies. */
export function accessEntryAdminGrants(state: ClusterState): AccessEntryGrant[] {
  const out: AccessEntryGrant[] = [];
  for (const e of state.ofKind(AWS_KINDS.accessEntry)) {
    const s = specOf(e);
    const principal = typeof s.principalArn === 'string' ? s.principalArn : e.ref.name;
    if (Array.isArray(s.kubernetesGroups)) {
      s.kubernetesGroups.forEach((g: unknown, i: number) => {
        if (g === 'system:masters') out.push({ entry: e, principal, how: 'system:masters', scope: 'cluster', path: ['spec', 'kubernetesGroups', i] });
      });
    }
    if (Array.isArray(s.accessPolicies)) {
      s.accessPolicies.forEach((p: Spec, i: number) => {
        const arn = typeof p?.policyArn === 'string' ? p.policyArn : '';
        const name = arn.slice(arn.lastIndexOf('/') + 1);
        if (name !== CLUSTER_ADMIN_POLICY && name !== ADMIN_POLICY) return;
        const sc = p.accessScope ?? {};
        const scope = sc.type === 'namespace' ? `namespaces ${(Array.isArray(sc.namespaces) ? sc.namespaces : []).join(', ')}` : 'cluster';
        out.push({ entry: e, principal, how: name, scope, path: ['spec', 'accessPolicies', i, 'policyArn'] });
      });
    }
  }
  return out;
}
