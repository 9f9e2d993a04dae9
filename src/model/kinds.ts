// Facts about Kubernetes kinds: API groups, scope, and where workloads keep their pod template.
import type { KubeObject, ObjPath, ResourceRef } from '../core/types.js';

export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** "Kind" for the core group, "group/Kind" otherwise. Used as the model's index key. */
export function groupKind(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}

/** Kinds that are cluster scoped (no namespace). Unknown kinds are scoped by their CRD or their metadata. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest',
  'policy/PodSecurityPolicy',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'policy.networking.k8s.io/AdminNetworkPolicy',
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
  'policy.networking.k8s.io/ClusterNetworkPolicy',
  'crd.projectcalico.org/GlobalNetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
  'crd.projectcalico.org/Tier',
  'projectcalico.org/Tier',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'karpenter.k8s.aws/EC2NodeClass',
  'karpenter.sh/NodePool',
  'karpenter.sh/NodeClaim',
]);

export function isClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(groupKind(group, kind));
}

export function makeRef(obj: KubeObject, name: string): ResourceRef {
  const kind = obj.kind as string;
  const apiVersion = obj.apiVersion as string;
  const group = groupOf(apiVersion);
  const ns = obj.metadata?.namespace;
  const ref: ResourceRef = { apiVersion, kind, name };
  if (typeof ns === 'string' && ns !== '') ref.namespace = ns;
  else if (!isClusterScoped(group, kind) && KNOWN_NAMESPACED.has(groupKind(group, kind))) ref.namespace = 'default';
  return ref;
}

/** Namespaced kinds that default to the "default" namespace when a manifest omits it. */
const KNOWN_NAMESPACED = new Set([
  'Pod',
  'Service',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'PersistentVolumeClaim',
  'ReplicationController',
  'LimitRange',
  'ResourceQuota',
  'Event',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'networking.k8s.io/NetworkPolicy',
  'networking.k8s.io/Ingress',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding',
  'policy/PodDisruptionBudget',
  'autoscaling/HorizontalPodAutoscaler',
  'crd.projectcalico.org/NetworkPolicy',
  'projectcalico.org/NetworkPolicy',
  'cilium.io/CiliumNetworkPolicy',
  'apps.openshift.io/DeploymentConfig',
  'DeploymentConfig',
]);

/** Where each workload kind keeps its pod spec and pod metadata. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, { spec: ObjPath; metadata: ObjPath }>> = Object.freeze({
  Pod: { spec: ['spec'], metadata: ['metadata'] },
  ReplicationController: { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  PodTemplate: { spec: ['template', 'spec'], metadata: ['template', 'metadata'] },
  'apps/Deployment': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'apps/StatefulSet': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'apps/DaemonSet': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'apps/ReplicaSet': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'batch/Job': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'batch/CronJob': {
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
  },
  // OpenShift DeploymentConfig, also in its legacy core-group form (apiVersion: v1).
  DeploymentConfig: { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'apps.openshift.io/DeploymentConfig': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  // Legacy extensions/v1beta1 and apps/v1beta* workloads share the same shape.
  'extensions/Deployment': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'extensions/DaemonSet': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'extensions/ReplicaSet': { spec: ['spec', 'template', 'spec'], metadata: ['spec', 'template', 'metadata'] },
  'batch/v2alpha1/CronJob': {
    spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    metadata: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
  },
});

export function getIn(obj: unknown, path: ObjPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Where Kubernetes serves its built-in kinds (current and legacy groups). */
const BUILTIN_HOMES: Readonly<Record<string, readonly string[]>> = {
  Pod: [''],
  Service: [''],
  ServiceAccount: [''],
  ConfigMap: [''],
  Secret: [''],
  Namespace: [''],
  ReplicationController: [''],
  PersistentVolumeClaim: [''],
  Deployment: ['apps', 'extensions', 'apps.openshift.io'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  Job: ['batch'],
  CronJob: ['batch'],
  Role: ['rbac.authorization.k8s.io'],
  RoleBinding: ['rbac.authorization.k8s.io'],
  ClusterRole: ['rbac.authorization.k8s.io'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io'],
  Ingress: ['networking.k8s.io', 'extensions'],
};
/** Groups that belong to Kubernetes itself (a CRD elsewhere may reuse a built-in kind's name). */
function isKubernetesGroup(g: string): boolean {
  return g === '' || g.endsWith('.k8s.io') || ['apps', 'batch', 'extensions', 'policy', 'autoscaling'].includes(g);
}

/**
 * A built-in kind under a Kubernetes API group that does not serve it (`apiVersion: v1` on a
 * Deployment): the API server would reject it, and kubeward cannot read it as that kind. Returns the
 * expected apiVersion prefix, or undefined when the pair is fine.
 */
export function misplacedBuiltin(apiVersion: string, kind: string): string | undefined {
  const homes = BUILTIN_HOMES[kind];
  const g = groupOf(apiVersion);
  if (!homes || homes.includes(g) || !isKubernetesGroup(g)) return undefined;
  return homes[0] === '' ? 'v1' : `${homes[0]}/v1`;
}
