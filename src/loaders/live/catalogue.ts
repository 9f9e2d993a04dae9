// What kubeward reads from a live cluster. deploy/kubeward-reader.yaml grants exactly this (a test
// keeps the two in step). Secrets are read as metadata and type only, through the Table format.

export interface CatalogueEntry {
  group: string;
  resource: string;
  kind: string;
  /** "metadata": only metadata and `type` are requested (Secrets). */
  mode: 'full' | 'metadata';
  why: string;
}

const e = (group: string, resource: string, kind: string, why: string, mode: 'full' | 'metadata' = 'full'): CatalogueEntry => ({ group, resource, kind, why, mode });

export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze([
  e('', 'namespaces', 'Namespace', 'Pod Security Admission labels, namespace scoping'),
  e('', 'pods', 'Pod', 'workload hardening, metadata API reachability'),
  e('', 'replicationcontrollers', 'ReplicationController', 'pod templates'),
  e('', 'services', 'Service', 'exposure (NodePort, LoadBalancer)'),
  e('', 'serviceaccounts', 'ServiceAccount', 'token automount, cloud identity links'),
  e('', 'configmaps', 'ConfigMap', 'aws-auth identity mappings, credentials in ConfigMaps'),
  e('', 'secrets', 'Secret', 'legacy service-account token secrets (metadata and type only, never data)', 'metadata'),
  e('', 'nodes', 'Node', 'node pools, instance types, labels for scheduling'),
  e('apps', 'deployments', 'Deployment', 'pod templates'),
  e('apps', 'statefulsets', 'StatefulSet', 'pod templates'),
  e('apps', 'daemonsets', 'DaemonSet', 'pod templates, CNI and policy enforcement detection'),
  e('apps', 'replicasets', 'ReplicaSet', 'pod templates, ownership'),
  e('batch', 'jobs', 'Job', 'pod templates'),
  e('batch', 'cronjobs', 'CronJob', 'pod templates'),
  e('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', 'network isolation, metadata API reachability'),
  e('networking.k8s.io', 'ingresses', 'Ingress', 'exposure'),
  e('rbac.authorization.k8s.io', 'roles', 'Role', 'least privilege'),
  e('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', 'least privilege'),
  e('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', 'least privilege'),
  e('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', 'least privilege'),
  e('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', 'admission control, escalation paths'),
  e('admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', 'admission control'),
  e('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', 'which CRDs exist (metadata only)', 'metadata'),
  e('policy.networking.k8s.io', 'adminnetworkpolicies', 'AdminNetworkPolicy', 'cluster network policy tiers'),
  e('policy.networking.k8s.io', 'baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy', 'cluster network policy tiers'),
  e('crd.projectcalico.org', 'networkpolicies', 'NetworkPolicy', 'Calico network policy'),
  e('crd.projectcalico.org', 'globalnetworkpolicies', 'GlobalNetworkPolicy', 'Calico network policy'),
  e('crd.projectcalico.org', 'tiers', 'Tier', 'Calico policy tiers'),
  e('cilium.io', 'ciliumnetworkpolicies', 'CiliumNetworkPolicy', 'Cilium network policy'),
  e('cilium.io', 'ciliumclusterwidenetworkpolicies', 'CiliumClusterwideNetworkPolicy', 'Cilium network policy'),
  e('karpenter.k8s.aws', 'ec2nodeclasses', 'EC2NodeClass', 'IMDS settings of Karpenter nodes'),
  e('karpenter.sh', 'nodepools', 'NodePool', 'Karpenter node pools'),
]);

export function groupKindOf(en: CatalogueEntry): string {
  return en.group === '' ? en.kind : `${en.group}/${en.kind}`;
}
