// Small builders for network policy tests: objects -> ClusterState -> evaluator.
import { objectsFromData } from '../../src/loaders/manifest.js';
import { ClusterState } from '../../src/model/cluster-state.js';
import { NetworkPolicyEvaluator, assumeEnforcement, type EvaluatorOptions, type PodEndpoint } from '../../src/analysis/network/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

export function stateOf(objects: Obj[]): ClusterState {
  const parsed = objectsFromData(objects, 'test.yaml');
  if (parsed.errors.length > 0) throw new Error(JSON.stringify(parsed.errors));
  return new ClusterState({ objects: parsed.objects });
}

export function ns(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}, o: { hostNetwork?: boolean; ports?: Array<{ name?: string; containerPort: number; protocol?: string }>; ip?: string; node?: string; sa?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.sa ? { serviceAccountName: o.sa } : {}),
      containers: [{ name: 'c', image: 'busybox', ...(o.ports ? { ports: o.ports } : {}) }],
    },
    ...(o.ip ? { status: { podIP: o.ip, podIPs: [{ ip: o.ip }] } } : {}),
  };
}

export function np(namespace: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function anp(name: string, spec: Obj): Obj {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec };
}

export function banp(spec: Obj): Obj {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec };
}

export function cnp(name: string, spec: Obj): Obj {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec };
}

export function ciliumNp(namespace: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

export function calicoNp(namespace: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function calicoGnp(name: string, spec: Obj): Obj {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec };
}

export function tier(name: string, order?: number, defaultAction?: string): Obj {
  return { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { ...(order !== undefined ? { order } : {}), ...(defaultAction ? { defaultAction } : {}) } };
}

/** An evaluator with a conformant enforcer (endPort supported, ipBlock on pod IPs matching) unless told otherwise. */
export function evaluator(objects: Obj[], engine: 'kubernetes' | 'calico' | 'cilium' = 'kubernetes', opts: EvaluatorOptions = {}): NetworkPolicyEvaluator {
  return new NetworkPolicyEvaluator(stateOf(objects), { enforcement: assumeEnforcement(engine), ...opts });
}

export function podOf(ev: NetworkPolicyEvaluator, namespace: string, name: string): PodEndpoint {
  const p = ev.pods().find((x) => x.namespace === namespace && x.name === name);
  if (!p) throw new Error(`no pod ${namespace}/${name}`);
  return p;
}

export const TCP80 = { protocol: 'TCP', port: 80 } as const;
export const IMDS = '169.254.169.254';
