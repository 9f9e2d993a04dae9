// Offline help for turning a command-line resource argument into request attributes, the way
// kubectl does with discovery: "deployments", "deployments.apps", "deployments.apps/scale",
// "pods/exec". Without discovery, a bare name of a built-in resource gets the group kubectl would
// pick; anything else is taken as core ('') unless a group is given after the first dot.

/** Built-in plural resources -> API group (the group kubectl resolves a bare name to). */
export const BUILTIN_RESOURCE_GROUPS: Readonly<Record<string, string>> = Object.freeze({
  // core
  bindings: '', componentstatuses: '', configmaps: '', endpoints: '', events: '', limitranges: '', namespaces: '',
  nodes: '', persistentvolumeclaims: '', persistentvolumes: '', pods: '', podtemplates: '', replicationcontrollers: '',
  resourcequotas: '', secrets: '', serviceaccounts: '', services: '',
  // apps, batch, autoscaling, policy
  controllerrevisions: 'apps', daemonsets: 'apps', deployments: 'apps', replicasets: 'apps', statefulsets: 'apps',
  cronjobs: 'batch', jobs: 'batch',
  horizontalpodautoscalers: 'autoscaling',
  poddisruptionbudgets: 'policy',
  // rbac, authn, authz, certificates, admission
  clusterrolebindings: 'rbac.authorization.k8s.io', clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io', roles: 'rbac.authorization.k8s.io',
  tokenreviews: 'authentication.k8s.io', selfsubjectreviews: 'authentication.k8s.io',
  localsubjectaccessreviews: 'authorization.k8s.io', selfsubjectaccessreviews: 'authorization.k8s.io',
  selfsubjectrulesreviews: 'authorization.k8s.io', subjectaccessreviews: 'authorization.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io', clustertrustbundles: 'certificates.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io', validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io', validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  mutatingadmissionpolicies: 'admissionregistration.k8s.io', mutatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  // networking, storage, scheduling, node, coordination, discovery, flowcontrol, apiextensions, apiregistration
  ingressclasses: 'networking.k8s.io', ingresses: 'networking.k8s.io', networkpolicies: 'networking.k8s.io',
  csidrivers: 'storage.k8s.io', csinodes: 'storage.k8s.io', csistoragecapacities: 'storage.k8s.io',
  storageclasses: 'storage.k8s.io', volumeattachments: 'storage.k8s.io',
  priorityclasses: 'scheduling.k8s.io',
  runtimeclasses: 'node.k8s.io',
  leases: 'coordination.k8s.io',
  endpointslices: 'discovery.k8s.io',
  flowschemas: 'flowcontrol.apiserver.k8s.io', prioritylevelconfigurations: 'flowcontrol.apiserver.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
  apiservices: 'apiregistration.k8s.io',
});

export interface ResourceArg {
  readonly resource: string;
  readonly apiGroup: string;
  readonly subresource?: string;
  /** True when the group came from the built-in table rather than the argument. */
  readonly groupGuessed: boolean;
}

/** "deployments.apps/scale" -> {resource: deployments, apiGroup: apps, subresource: scale}. */
export function parseResourceArg(arg: string): ResourceArg {
  const slash = arg.indexOf('/');
  const head = slash < 0 ? arg : arg.slice(0, slash);
  const sub = slash < 0 ? undefined : arg.slice(slash + 1);
  const dot = head.indexOf('.');
  const resource = dot < 0 ? head : head.slice(0, dot);
  let apiGroup = dot < 0 ? '' : head.slice(dot + 1);
  let groupGuessed = false;
  if (dot < 0 && resource !== '*' && Object.prototype.hasOwnProperty.call(BUILTIN_RESOURCE_GROUPS, resource)) {
    apiGroup = BUILTIN_RESOURCE_GROUPS[resource];
    groupGuessed = apiGroup !== '';
  }
  return { resource, apiGroup, ...(sub !== undefined && sub !== '' ? { subresource: sub } : {}), groupGuessed };
}
