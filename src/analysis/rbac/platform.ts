// Managed-platform identities and objects (EKS, GKE, AKS, upstream bootstrap). They hold powerful
// rights by design; the least-privilege rules report them apart (severity info, evidence.platform)
// instead of mixing them with the cluster owner's own grants, and never drop them silently.
import type { LoadedObject } from '../../core/types.js';
import { splitServiceAccountUsername } from './identity.js';

/** Labels that mark an object as installed and managed by the platform. */
export const PLATFORM_LABELS: ReadonlyArray<{ key: string; value?: string; platform: string }> = Object.freeze([
  { key: 'kubernetes.io/bootstrapping', value: 'rbac-defaults', platform: 'kubernetes' },
  { key: 'eks.amazonaws.com/component', platform: 'eks' },
  { key: 'addonmanager.kubernetes.io/mode', platform: 'gke' },
  { key: 'kubernetes.azure.com/managedby', platform: 'aks' },
]);

/** Name patterns of platform users, groups and RBAC objects. */
const NAME_PATTERNS: ReadonlyArray<{ re: RegExp; platform: string }> = [
  { re: /^eks:/, platform: 'eks' },
  { re: /^system:gke-/, platform: 'gke' },
  { re: /^gke-/, platform: 'gke' },
  { re: /^gce:/, platform: 'gke' },
  { re: /^aks-/, platform: 'aks' },
  { re: /^system:azure-/, platform: 'aks' },
  { re: /^aksService$/, platform: 'aks' },
  { re: /^system:controller:/, platform: 'kubernetes' },
  { re: /^system:kube-/, platform: 'kubernetes' },
  { re: /^system:node(s|-|:|$)/, platform: 'kubernetes' },
  { re: /^system:certificates\.k8s\.io:/, platform: 'kubernetes' },
  { re: /^system:bootstrappers(:|$)/, platform: 'kubernetes' },
  { re: /^system:volume-scheduler$/, platform: 'kubernetes' },
  { re: /^system:monitoring$/, platform: 'kubernetes' },
];

/**
 * ServiceAccounts of kube-system that the platform runs: the upstream controllers (run with
 * --use-service-account-credentials as kube-system/<name>-controller) and the usual add-ons of
 * EKS, GKE and AKS.
 */
const KUBE_SYSTEM_PLATFORM_SAS: ReadonlySet<string> = new Set([
  'aws-node', 'kube-proxy', 'coredns', 'kube-dns', 'kube-dns-autoscaler', 'metrics-server', 'ebs-csi-controller-sa', 'ebs-csi-node-sa',
  'efs-csi-controller-sa', 'efs-csi-node-sa', 'eks-pod-identity-agent', 'aws-load-balancer-controller', 'vpc-resource-controller',
  'cloud-node-manager', 'azure-cns', 'azure-ip-masq-agent', 'konnectivity-agent', 'csi-azuredisk-node-sa', 'csi-azurefile-node-sa',
  'csi-azuredisk-controller-sa', 'csi-azurefile-controller-sa', 'event-exporter-sa', 'fluentbit-gke', 'gke-metrics-agent', 'pdcsi-node-sa',
  'netd', 'cilium', 'anetd', 'calico-node', 'calico-kube-controllers', 'generic-garbage-collector', 'bootstrap-signer', 'token-cleaner',
  'cloud-provider', 'gcp-controller-manager', 'antrea-agent', 'antrea-controller',
]);

/** Which platform a user or group name belongs to, if it is a platform identity. */
export function platformOfName(name: string): string | undefined {
  for (const p of NAME_PATTERNS) if (p.re.test(name)) return p.platform;
  return undefined;
}

/** Which platform a username (users and service-account usernames) belongs to. */
export function platformOfUser(username: string): string | undefined {
  const sa = splitServiceAccountUsername(username);
  if (sa) return platformOfServiceAccount(sa.namespace, sa.name);
  return platformOfName(username);
}

export function platformOfServiceAccount(namespace: string, name: string): string | undefined {
  if (namespace !== 'kube-system') return undefined;
  if (name.endsWith('-controller') || KUBE_SYSTEM_PLATFORM_SAS.has(name)) return 'kubernetes';
  if (/^(eks-|aws-)/.test(name)) return 'eks';
  if (/^(gke-|gce-|pdcsi-)/.test(name)) return 'gke';
  if (/^(aks-|azure-|csi-azure)/.test(name)) return 'aks';
  return undefined;
}

/** Which platform installed an object (by its labels, else by its name), if any. */
export function platformOfObject(o: LoadedObject): string | undefined {
  const labels = o.obj.metadata?.labels;
  if (labels && typeof labels === 'object') {
    for (const l of PLATFORM_LABELS) {
      const v = (labels as Record<string, unknown>)[l.key];
      if (typeof v === 'string' && (l.value === undefined || v === l.value)) return l.platform;
    }
  }
  const name = o.ref.name;
  if (/^system:/.test(name)) return 'kubernetes';
  return platformOfName(name);
}
