// The cloud metadata endpoints and the network-layer half of the metadata question: for every pod
// template, may it send TCP/80 to the metadata endpoint, which policies decide, and why. The node
// layer (IMDS hop limit / tokens, GKE metadata server, AKS podLinkLocalAccess) is joined later by
// the caller; hostNetwork pods are flagged because node-level restrictions do not apply to them.
import type { ClusterState } from '../../model/cluster-state.js';
import { cloudGroupKind, type Provider } from '../../cloud/model.js';
import { gkeFacts } from '../../cloud/gke.js';
import type { LoadedObject } from '../../core/types.js';
import { NetworkPolicyEvaluator } from './evaluate.js';
import type { DirectionResult, Flow, IpEndpoint, PodEndpoint, Uncertainty, Verdict } from './types.js';

export interface MetadataEndpoint {
  readonly id: string;
  readonly provider: Provider;
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'TCP';
  readonly hostnames: readonly string[];
  readonly label: string;
  /** When the endpoint exists only under a condition (e.g. IPv6 IMDS enabled on the instance). */
  readonly condition?: string;
  /** What a pod obtains there. */
  readonly exposes: string;
}

const ENDPOINTS: Readonly<Record<Provider, readonly MetadataEndpoint[]>> = Object.freeze({
  aws: [
    { id: 'aws-imds', provider: 'aws', ip: '169.254.169.254', port: 80, protocol: 'TCP', hostnames: [], label: 'AWS IMDS', exposes: 'node IAM role credentials, user data, instance identity' },
    { id: 'aws-imds-ipv6', provider: 'aws', ip: 'fd00:ec2::254', port: 80, protocol: 'TCP', hostnames: [], label: 'AWS IMDS (IPv6)', condition: 'HttpProtocolIpv6 enabled on a Nitro instance in an IPv6 subnet', exposes: 'node IAM role credentials, user data, instance identity' },
    { id: 'eks-pod-identity', provider: 'aws', ip: '169.254.170.23', port: 80, protocol: 'TCP', hostnames: [], label: 'EKS Pod Identity agent', exposes: 'credentials of the pod identity association (a blanket deny of 169.254.0.0/16 breaks Pod Identity)' },
    { id: 'eks-pod-identity-ipv6', provider: 'aws', ip: 'fd00:ec2::23', port: 80, protocol: 'TCP', hostnames: [], label: 'EKS Pod Identity agent (IPv6)', condition: 'IPv6 clusters', exposes: 'credentials of the pod identity association' },
  ],
  gcp: [
    { id: 'gce-metadata', provider: 'gcp', ip: '169.254.169.254', port: 80, protocol: 'TCP', hostnames: ['metadata.google.internal', 'metadata'], label: 'GCE metadata server', exposes: 'node service account tokens (unless the GKE metadata server conceals them), instance attributes, kube-env on legacy endpoints' },
  ],
  azure: [
    { id: 'azure-imds', provider: 'azure', ip: '169.254.169.254', port: 80, protocol: 'TCP', hostnames: [], label: 'Azure IMDS', exposes: 'managed identity tokens (kubelet identity), instance metadata' },
    { id: 'azure-wireserver', provider: 'azure', ip: '168.63.129.16', port: 80, protocol: 'TCP', hostnames: [], label: 'Azure WireServer', exposes: 'VM extension settings and goal state' },
  ],
});

export function metadataEndpoints(provider: Provider): readonly MetadataEndpoint[] {
  return ENDPOINTS[provider];
}

export function metadataPeer(e: MetadataEndpoint): IpEndpoint {
  return { kind: 'ip', ip: e.ip, hostnames: e.hostnames, label: e.label };
}

/** Something on the node rewrites metadata traffic before or after policy (DNAT): ipBlock verdicts are not reliable. */
export interface Interceptor {
  readonly id: 'gke-metadata-server' | 'kiam' | 'kube2iam' | 'aad-pod-identity-nmi';
  readonly object: LoadedObject;
  readonly detail: string;
}

export function metadataInterceptors(state: ClusterState, provider: Provider): Interceptor[] {
  const out: Interceptor[] = [];
  for (const ds of state.ofKind('apps/DaemonSet')) {
    const imgs = JSON.stringify((ds.obj as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }).spec?.template?.spec?.containers?.map((c) => c.image) ?? []);
    const n = ds.ref.name;
    if (/kiam/.test(n) || /kiam/.test(imgs)) out.push({ id: 'kiam', object: ds, detail: `kiam agent ${ds.ref.namespace}/${n} intercepts 169.254.169.254 (iptables DNAT)` });
    else if (/kube2iam/.test(n) || /kube2iam/.test(imgs)) out.push({ id: 'kube2iam', object: ds, detail: `kube2iam ${ds.ref.namespace}/${n} intercepts 169.254.169.254 (iptables DNAT)` });
    else if (n === 'nmi' || /aad-pod-identity\/nmi|\/nmi:/.test(imgs)) out.push({ id: 'aad-pod-identity-nmi', object: ds, detail: `AAD pod identity NMI ${ds.ref.namespace}/${n} intercepts IMDS (deprecated)` });
    else if (provider === 'gcp' && /gke-metadata-server/.test(n + imgs)) out.push({ id: 'gke-metadata-server', object: ds, detail: `GKE metadata server ${ds.ref.namespace}/${n} intercepts 169.254.169.254` });
  }
  if (provider === 'gcp' && !out.some((i) => i.id === 'gke-metadata-server')) {
    for (const c of state.ofKind(cloudGroupKind('GKECluster'))) {
      const f = gkeFacts((c.obj as { spec?: unknown }).spec ?? {});
      const modes = [f.nodeConfigWorkloadMetadataMode, ...Object.values(f.nodePoolWorkloadMetadataModes)];
      if (modes.includes('GKE_METADATA') || modes.includes('GKE_METADATA_SERVER') || (f.workloadIdentityPool && f.autopilot)) {
        out.push({ id: 'gke-metadata-server', object: c, detail: `GKE metadata server (workloadMetadataConfig GKE_METADATA) on cluster ${c.ref.name} intercepts 169.254.169.254` });
      }
    }
  }
  return out;
}

export interface PodMetadataVerdict {
  readonly pod: PodEndpoint;
  readonly endpoint: MetadataEndpoint;
  /** Network-layer verdict (NetworkPolicy and friends only). */
  readonly verdict: Verdict;
  readonly result: DirectionResult;
  /** hostNetwork pods: node-level restrictions (hop limit, AKS restriction, GKE metadata server) do not apply either. */
  readonly hostNetwork: boolean;
  readonly interceptors: readonly Interceptor[];
  /** Human-readable explanation. */
  readonly path: readonly string[];
}

/** A copy of a result with another verdict, keeping its lazily rendered path. */
function withVerdict(r: DirectionResult, verdict: Verdict, more: Uncertainty[]): DirectionResult {
  const out = { direction: r.direction, verdict, decidedBy: r.decidedBy, uncertainties: [...r.uncertainties, ...more], engines: r.engines, enforced: r.enforced, ...(r.unenforced ? { unenforced: r.unenforced } : {}), ...(r.asWritten ? { asWritten: r.asWritten } : {}) };
  Object.defineProperty(out, 'path', { enumerable: true, get: () => r.path });
  return out as unknown as DirectionResult;
}

/**
 * Network-layer verdicts of every pod template towards the provider's metadata endpoints.
 * `endpoints` defaults to all of the provider's endpoints.
 */
export function podMetadataVerdicts(state: ClusterState, provider: Provider, opts: { evaluator?: NetworkPolicyEvaluator; endpoints?: readonly MetadataEndpoint[] } = {}): PodMetadataVerdict[] {
  const ev = opts.evaluator ?? new NetworkPolicyEvaluator(state);
  const endpoints = opts.endpoints ?? metadataEndpoints(provider);
  const interceptors = metadataInterceptors(state, provider);
  const out: PodMetadataVerdict[] = [];
  for (const pod of ev.pods()) out.push(...verdictsOfPod(ev, pod, endpoints, interceptors));
  return out;
}

/** The verdicts of one pod towards the endpoints (what podMetadataVerdicts does per pod, for callers that stream). */
export function verdictsOfPod(
  ev: NetworkPolicyEvaluator,
  pod: PodEndpoint,
  endpoints: readonly MetadataEndpoint[],
  interceptors: readonly Interceptor[],
  /** Endpoints whose explanation the caller reads at once (rendered from the same evaluation). */
  explain?: (e: MetadataEndpoint) => boolean,
): PodMetadataVerdict[] {
  const out: PodMetadataVerdict[] = [];
  for (const e of endpoints) {
    const flow: Flow = { protocol: e.protocol, port: e.port };
    const result = ev.evaluateEgress(pod, metadataPeer(e), flow, { explain: explain?.(e) === true });
    const relevant = interceptors.filter((i) => e.ip === '169.254.169.254' || i.id === 'gke-metadata-server');
    const intercepted = relevant.length > 0 && !pod.hostNetwork && result.decidedBy.length > 0 && (result.verdict === 'allowed' || result.verdict === 'denied');
    const verdict: Verdict = intercepted ? 'implementation-defined' : result.verdict;
    const extra: string[] = [];
    if (intercepted) extra.push(`${relevant.map((i) => i.detail).join('; ')}: whether the DNAT happens before policy evaluation is implementation-defined (kubernetes#68078, uswitch/kiam#160), so this verdict is not reliable`);
    if (pod.hostNetwork) extra.push('hostNetwork pod: node-level metadata restrictions (hop limit, AKS podLinkLocalAccess, GKE metadata server) do not apply either');
    const r: DirectionResult = intercepted ? withVerdict(result, verdict, relevant.map((i): Uncertainty => ({ kind: 'implementation-defined', reason: i.detail }))) : result;
    const item = { pod, endpoint: e, verdict, result: r, hostNetwork: pod.hostNetwork, interceptors: relevant } as unknown as PodMetadataVerdict;
    Object.defineProperty(item, 'path', { enumerable: true, get: () => [...result.path, ...extra] });
    out.push(item);
  }
  return out;
}
