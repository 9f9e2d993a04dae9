// Per-pod metadata API verdict: the network layer (src/analysis/network podMetadataVerdicts) joined
// with the node layer (EC2 metadata options, GKE workload metadata mode, AKS podLinkLocalAccess) and
// the identity the pod would obtain (node role / node service account / kubelet identity). Pure.
//
// Combination (docs/metadata-api.md):
//   network denied (and enforced)                -> blocked (by network)
//   node layer blocks non-hostNetwork pods        -> blocked (by node), whatever the network says
//   network allowed and node open                 -> reachable
//   anything else (unknown node settings, unknown enforcement, implementation-defined) -> unknown, with the reason
// hostNetwork pods bypass NetworkPolicy, hop limits, the GKE metadata server and the AKS restriction;
// only a disabled endpoint (AWS HttpEndpoint disabled) stops them.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { providerContext } from '../../core/providers.js';
import type { Provider } from '../../cloud/model.js';
import { NetworkPolicyEvaluator, metadataEndpoints, metadataInterceptors, verdictsOfPod, detectEnforcement, type Decision, type PodEndpoint, type Verdict } from '../network/index.js';
import { KARPENTER_NODEPOOL, nodeImdsSettings, nodePoolClass, type NodeImds } from './aws-nodes.js';
import { AWS_KINDS, findRole, specOf, workloadRoleBindings, type RoleBinding } from '../identity/aws.js';
import { broadGrants } from '../identity/aws-iam.js';
import { clusterNodePools, nodePoolView, metadataConcealed, usesDefaultComputeSA, gkeFacts, type GkeNodePool } from '../../cloud/gke.js';
import { aksKubeletIdentity, clusterAgentPools, podLinkLocalAccess } from '../../cloud/aks.js';
import { GKE_CLUSTER, GKE_NODE_POOL, projectRolesOf, classifyProjectRole } from '../identity/gcp.js';
import { AKS_CLUSTER, AKS_AGENT_POOL, assignmentsOf, broadAssignment, describeScope } from '../identity/azure.js';

export type PodVerdict = 'reachable' | 'blocked' | 'unknown';
export type NodeVerdict = 'open' | 'blocked' | 'unknown';

/** One node group / node pool / agent pool the pod may run on, and what its settings do to pods. */
export interface NodeLayer {
  /** "node group general", "node pool default-pool", "agent pool nodepool1", or "unknown". */
  label: string;
  verdict: NodeVerdict;
  /** IMDSv1 (tokens optional) open: GETs work from any pod whatever the hop limit. */
  imdsv1?: boolean;
  settings: Record<string, unknown>;
  reason: string;
  /** Object and path to fix. */
  object?: LoadedObject;
  path?: ObjPath;
  /** The identity the metadata endpoint hands out there. */
  identity?: Identity;
}

export interface Identity {
  kind: 'aws-node-role' | 'gcp-node-service-account' | 'gcp-workload-identity' | 'azure-kubelet-identity';
  name: string;
  /** Over-broad permissions known from the cloud context (empty when none known). */
  overBroad: string[];
  /** Why permissions are unknown (role description not loaded, ...). */
  unknown?: string;
}

export interface EndpointVerdict {
  address: string;
  port: number;
  label: string;
  verdict: Verdict;
  by: string[];
}

export interface PodExposure {
  pod: PodEndpoint;
  namespace: string;
  name: string;
  workload?: string;
  owner?: LoadedObject;
  hostNetwork: boolean;
  verdict: PodVerdict;
  /** What decided a blocked verdict. */
  blockedBy?: 'network' | 'node';
  /** Network verdict towards the main IPv4 endpoint (169.254.169.254:80). */
  network: Verdict;
  endpoints: EndpointVerdict[];
  nodes: NodeLayer[];
  /** The identities obtainable (from open node layers). */
  exposure?: { identities: Identity[]; imdsv1: boolean; overBroad: boolean };
  reasons: string[];
}

/** The provider of the cluster: explicit, else the one the loaded objects show (undefined when none or several). */
export function clusterProvider(state: ClusterState, explicit?: Provider): { provider?: Provider; why: string } {
  if (explicit) return { provider: explicit, why: '--provider' };
  const known = providerContext(state).known;
  if (known.size === 1) {
    const [[p, why]] = [...known];
    return { provider: p, why };
  }
  if (known.size === 0) return { why: 'no cloud description, node label or providerID tells which cloud the cluster runs on (pass --cloud or --provider)' };
  return { why: `objects of several clouds are loaded (${[...known.keys()].join(', ')}): pass --provider` };
}

function nodeSelector(pod: PodEndpoint): Record<string, string> {
  return ((pod.template?.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector ?? {}) as Record<string, string>;
}

/** The pools a pod can run on: pinned by nodeSelector / nodeName label, else all of them. */
function poolsFor<T extends { name: string }>(state: ClusterState, pod: PodEndpoint, pools: T[], labelKeys: string[], cache: LayerCache): T[] {
  const sel = nodeSelector(pod);
  let want: string | undefined;
  for (const k of labelKeys) if (sel[k]) want = sel[k];
  if (!want && pod.node) {
    const labels = nodeLabelsOf(state, cache, pod.node) ?? {};
    for (const k of labelKeys) if (labels[k]) want = labels[k];
  }
  if (!want) return pools;
  const hit = pools.filter((p) => p.name === want);
  return hit.length > 0 ? hit : pools;
}

// ------------------------------------------------------------------------------------------ AWS

function awsIdentity(state: ClusterState, n: NodeImds): Identity | undefined {
  if (n.subject.ref.kind === 'EC2NodeClass') {
    const name = specOf(n.subject).role;
    if (typeof name !== 'string') return { kind: 'aws-node-role', name: `instance profile ${String(specOf(n.subject).instanceProfile ?? '?')}`, overBroad: [], unknown: 'the EC2NodeClass names an instance profile, not a role' };
    const role = state.ofKind(AWS_KINDS.role).find((r) => r.ref.name === name || specOf(r).RoleName === name);
    if (!role) return { kind: 'aws-node-role', name, overBroad: [], unknown: `IAM role ${name} not in the cloud context (iam:GetRole)` };
    return roleIdentity(String(specOf(role).Arn ?? name), role);
  }
  const arn = specOf(n.subject).nodeRole ?? specOf(n.subject).IamInstanceProfile?.Arn;
  if (typeof arn !== 'string') return undefined;
  const role = findRole(state, arn);
  if (!role) return { kind: 'aws-node-role', name: arn, overBroad: [], unknown: `IAM role ${arn} not in the cloud context (iam:GetRole)` };
  return roleIdentity(arn, role);
}

function roleIdentity(arn: string, role: LoadedObject): Identity {
  const { grants } = broadGrants(role);
  const broad = grants.filter((g) => g.level !== 'service-wildcard' || g.sensitive).map((g) => `${g.action} on ${g.resource} (${g.policy.name})${g.conditional ? ' [conditional]' : ''}`);
  return { kind: 'aws-node-role', name: arn, overBroad: [...new Set(broad)] };
}

function awsNodeLayer(state: ClusterState, n: NodeImds, hostNetwork: boolean, ciliumHops: boolean): NodeLayer {
  const settings = { httpEndpoint: n.endpoint, httpTokens: n.tokens?.value ?? null, hopLimit: n.hopLimit?.value ?? null, tokensFrom: n.tokens?.source ?? null, hopLimitFrom: n.hopLimit?.source ?? null };
  const base = { label: n.label, settings, identity: awsIdentity(state, n), object: n.hopLimit?.object ?? n.tokens?.object ?? n.subject, path: n.hopLimit?.path ?? n.tokens?.path ?? [] };
  if (n.endpoint === 'disabled') return { ...base, verdict: 'blocked', reason: `${n.label}: HttpEndpoint disabled (no IMDS at all)` };
  const v1 = n.tokens?.value === 'optional';
  if (hostNetwork) {
    if (n.endpoint === 'unknown') return { ...base, verdict: 'unknown', reason: `${n.label}: whether IMDS is enabled is unknown (${n.missing.map((m) => m.need).join('; ')})` };
    return { ...base, verdict: 'open', imdsv1: v1, reason: `${n.label}: hostNetwork pod is the node: hop limit does not apply${v1 ? '; IMDSv1 open (HttpTokens optional)' : n.tokens ? '; IMDSv2 token obtainable' : ''}` };
  }
  if (v1) return { ...base, object: n.tokens!.object, path: n.tokens!.path, verdict: 'open', imdsv1: true, reason: `${n.label}: IMDSv1 open (HttpTokens optional, from ${n.tokens!.source}): plain GETs work from pods whatever the hop limit` };
  if (n.tokens?.value === 'required' && n.hopLimit) {
    if (n.hopLimit.value <= 1) return { ...base, verdict: 'blocked', reason: `${n.label}: IMDSv2 required and hop limit 1: the token response never reaches a pod's network namespace` };
    if (n.hopLimit.value === 2 && ciliumHops) return { ...base, verdict: 'unknown', reason: `${n.label}: hop limit 2 with Cilium: in overlay mode pods need 3 (cilium/cilium#25232), with native routing 2 suffices` };
    return { ...base, verdict: 'open', reason: `${n.label}: IMDSv2 required but hop limit ${n.hopLimit.value} (from ${n.hopLimit.source}): pods get a token` };
  }
  const missing = n.missing.map((m) => `${m.what}; needs ${m.need}`).join('; ');
  return { ...base, verdict: 'unknown', reason: `${n.label}: ${missing || 'IMDS settings unknown'}` };
}

/**
 * The node groups / Karpenter node classes a pod can land on: pinned by nodeSelector (or its node's
 * labels) to a managed node group, a Karpenter NodePool or EC2NodeClass; otherwise all of them (the
 * least protected decides). Standalone instances count only when no group or class is loaded.
 */
function awsPoolsFor(state: ClusterState, pod: PodEndpoint, all: NodeImds[], cache: LayerCache): NodeImds[] {
  const own = nodeSelector(pod);
  const nodeLabels = nodeLabelsOf(state, cache, pod.node);
  const sel: Record<string, string> = nodeLabels ? { ...own, ...nodeLabels } : own;
  const groups = (cache.awsGroups ??= all.filter((n) => n.subject.ref.kind === 'EKSNodegroup' || n.subject.ref.kind === 'EC2NodeClass'));
  if (!sel['eks.amazonaws.com/nodegroup'] && !sel['karpenter.k8s.aws/ec2nodeclass'] && !sel['karpenter.sh/nodepool']) return groups.length > 0 ? groups : all;
  const byKind = (kind: string, name: string) => groups.filter((n) => n.subject.ref.kind === kind && n.subject.ref.name === name);
  let hit: NodeImds[] = [];
  if (sel['eks.amazonaws.com/nodegroup']) hit = byKind('EKSNodegroup', sel['eks.amazonaws.com/nodegroup']);
  else if (sel['karpenter.k8s.aws/ec2nodeclass']) hit = byKind('EC2NodeClass', sel['karpenter.k8s.aws/ec2nodeclass']);
  else if (sel['karpenter.sh/nodepool']) {
    const pool = state.ofKind(KARPENTER_NODEPOOL).find((p) => p.ref.name === sel['karpenter.sh/nodepool']);
    const cls = pool ? nodePoolClass(pool) : undefined;
    if (cls) hit = byKind('EC2NodeClass', cls);
  }
  if (hit.length > 0) return hit;
  return groups.length > 0 ? groups : all;
}

// ------------------------------------------------------------------------------------------ GCP

interface GcpPool { name: string; pool: GkeNodePool; object: LoadedObject; base: ObjPath; clusterSpec?: Record<string, unknown> }

function gcpPools(state: ClusterState): GcpPool[] {
  const out: GcpPool[] = [];
  const seen = new Set<string>();
  for (const o of state.ofKind(GKE_NODE_POOL)) {
    const p = nodePoolView(specOf(o), []);
    out.push({ name: p.name, pool: p, object: o, base: ['spec'] });
    seen.add(p.name);
  }
  for (const c of state.ofKind(GKE_CLUSTER)) {
    for (const p of clusterNodePools(specOf(c))) if (!seen.has(p.name)) out.push({ name: p.name, pool: p, object: c, base: ['spec', ...p.path], clusterSpec: specOf(c) });
  }
  return out;
}

function gcpIdentity(state: ClusterState, p: GkeNodePool): Identity {
  const sa = p.serviceAccount;
  const name = usesDefaultComputeSA(sa) ? `Compute Engine default service account${sa && sa !== 'default' ? ` ${sa}` : ''}` : sa!;
  const broad: string[] = [];
  if (usesDefaultComputeSA(sa)) broad.push('Compute Engine default service account (project Editor unless the grant was removed)');
  if (sa && sa !== 'default') {
    for (const b of projectRolesOf(state, `serviceAccount:${sa}`)) {
      const c = classifyProjectRole(b.role);
      if (c.level !== 'other') broad.push(`${b.role}: ${c.why}`);
    }
  }
  if (p.oauthScopes?.includes('https://www.googleapis.com/auth/cloud-platform') && broad.length > 0) broad.push('oauth scope cloud-platform (no scope limit)');
  return { kind: 'gcp-node-service-account', name, overBroad: broad };
}

function gcpNodeLayer(state: ClusterState, g: GcpPool, hostNetwork: boolean): NodeLayer {
  const p = g.pool;
  const settings = { workloadMetadataMode: p.workloadMetadataMode, legacyNodeMetadata: p.legacyNodeMetadata, serviceAccount: p.serviceAccount, disableLegacyEndpoints: p.disableLegacyEndpoints };
  const autopilot = g.clusterSpec ? gkeFacts(g.clusterSpec).autopilot : false;
  const base = { label: `node pool ${p.name}`, settings, identity: gcpIdentity(state, p), object: g.object, path: [...g.base, 'config', 'workloadMetadataConfig'] };
  if (hostNetwork) return { ...base, verdict: 'open', reason: `node pool ${p.name}: hostNetwork pods bypass the GKE metadata server and reach the node service account` };
  if (metadataConcealed(p) || autopilot) return { ...base, verdict: 'blocked', identity: { kind: 'gcp-workload-identity', name: 'the Kubernetes service account\'s Workload Identity', overBroad: [] }, reason: `node pool ${p.name}: GKE metadata server (GKE_METADATA${autopilot ? ', Autopilot' : ''}) intercepts 169.254.169.254: pods get their own Workload Identity, never the node service account` };
  return { ...base, verdict: 'open', reason: `node pool ${p.name}: workloadMetadataConfig ${p.workloadMetadataMode ?? p.legacyNodeMetadata ?? 'unset (GCE_METADATA)'}: the node's metadata (service account token) is exposed to pods` };
}

// ------------------------------------------------------------------------------------------ Azure

interface AzPool { name: string; raw: Record<string, unknown>; object: LoadedObject; base: ObjPath; cluster?: LoadedObject }

function azurePools(state: ClusterState): AzPool[] {
  const out: AzPool[] = [];
  const clusters = state.ofKind(AKS_CLUSTER);
  const seen = new Set<string>();
  for (const o of state.ofKind(AKS_AGENT_POOL)) {
    const name = String(specOf(o).name ?? o.ref.name);
    out.push({ name, raw: specOf(o), object: o, base: ['spec'], cluster: clusters[0] });
    seen.add(name);
  }
  for (const c of clusters) for (const p of clusterAgentPools(specOf(c))) if (!seen.has(p.name)) out.push({ name: p.name, raw: p.raw, object: c, base: ['spec', ...p.path], cluster: c });
  return out;
}

function azureIdentity(state: ClusterState, cluster?: LoadedObject): Identity | undefined {
  if (!cluster) return undefined;
  const k = aksKubeletIdentity(specOf(cluster));
  if (!k) return { kind: 'azure-kubelet-identity', name: 'kubelet identity', overBroad: [], unknown: 'identityProfile.kubeletidentity not in the cluster description' };
  const broad = assignmentsOf(state, { principalId: k.objectId, clientId: k.clientId })
    .map((a) => (broadAssignment(a) ? `${broadAssignment(a)} on ${describeScope(a)}` : undefined))
    .filter((x): x is string => !!x);
  return { kind: 'azure-kubelet-identity', name: k.resourceId ?? k.clientId ?? 'kubelet identity', overBroad: broad };
}

function azureNodeLayer(state: ClusterState, p: AzPool, hostNetwork: boolean): NodeLayer {
  const own = podLinkLocalAccess(p.raw);
  const cl = p.cluster ? podLinkLocalAccess(specOf(p.cluster)) : { value: undefined, path: [] };
  const value = own.value ?? cl.value;
  const settings = { podLinkLocalAccess: value ?? null };
  const base = { label: `agent pool ${p.name}`, settings, identity: azureIdentity(state, p.cluster), object: own.value ? p.object : p.cluster ?? p.object, path: own.value ? [...p.base, ...own.path] : cl.value ? ['spec', ...cl.path] : ['spec', 'networkProfile'] };
  if (hostNetwork) return { ...base, verdict: 'open', reason: `agent pool ${p.name}: hostNetwork pods bypass the AKS IMDS restriction` };
  if (value && value.toLowerCase() === 'none') return { ...base, verdict: 'blocked', reason: `agent pool ${p.name}: IMDS restriction (podLinkLocalAccess None): non-hostNetwork pods cannot reach IMDS` };
  return { ...base, verdict: 'open', reason: `agent pool ${p.name}: podLinkLocalAccess ${value ?? 'unset (IMDS)'}: pods reach IMDS and the kubelet identity` };
}

// ------------------------------------------------------------------------------------------ join

interface LayerCache {
  aws?: NodeImds[];
  /** The node groups and Karpenter node classes among `aws` (pods land on those, not on loose instances). */
  awsGroups?: NodeImds[];
  gcp?: GcpPool[];
  az?: AzPool[];
  /** Node name -> labels. */
  nodeLabels?: Map<string, Readonly<Record<string, string>>>;
  /** A pool's layer depends only on the pool and on hostNetwork: computed once, shared by the pods. */
  layers: Map<object, [NodeLayer | undefined, NodeLayer | undefined]>;
}

function layerOf<P extends object>(cache: LayerCache, pool: P, hostNetwork: boolean, make: () => NodeLayer): NodeLayer {
  let pair = cache.layers.get(pool);
  if (!pair) cache.layers.set(pool, (pair = [undefined, undefined]));
  const i = hostNetwork ? 1 : 0;
  return (pair[i] ??= make());
}

function nodeLabelsOf(state: ClusterState, cache: LayerCache, node: string | undefined): Readonly<Record<string, string>> | undefined {
  if (!node) return undefined;
  if (!cache.nodeLabels) {
    cache.nodeLabels = new Map();
    for (const n of state.ofKind('Node')) if (!cache.nodeLabels.has(n.ref.name)) cache.nodeLabels.set(n.ref.name, (n.obj.metadata?.labels ?? {}) as Record<string, string>);
  }
  return cache.nodeLabels.get(node);
}

function nodeLayers(state: ClusterState, provider: Provider, pod: PodEndpoint, ciliumHops: boolean, cache: LayerCache): NodeLayer[] {
  const h = pod.hostNetwork;
  if (provider === 'aws') {
    const all = (cache.aws ??= nodeImdsSettings(state));
    return awsPoolsFor(state, pod, all, cache).map((n) => layerOf(cache, n, h, () => awsNodeLayer(state, n, h, ciliumHops)));
  }
  if (provider === 'gcp') {
    const pools = (cache.gcp ??= gcpPools(state));
    return poolsFor(state, pod, pools, ['cloud.google.com/gke-nodepool'], cache).map((p) => layerOf(cache, p, h, () => gcpNodeLayer(state, p, h)));
  }
  const pools = (cache.az ??= azurePools(state));
  return poolsFor(state, pod, pools, ['kubernetes.azure.com/agentpool', 'agentpool'], cache).map((p) => layerOf(cache, p, h, () => azureNodeLayer(state, p, h)));
}

const MAIN: Record<Provider, string> = { aws: 'aws-imds', gcp: 'gce-metadata', azure: 'azure-imds' };

/** Per pod template: can it reach the metadata API, through which path, and what would it obtain. */
export function podMetadataExposure(
  state: ClusterState,
  provider: Provider,
  opts: {
    evaluator?: NetworkPolicyEvaluator;
    /** Only these pods (templates stand for their pods); default: every pod and template. */
    include?: (pod: PodEndpoint) => boolean;
  } = {},
): PodExposure[] {
  const ev = opts.evaluator ?? new NetworkPolicyEvaluator(state);
  const enforcement = detectEnforcement(state);
  const ciliumHops = enforcement.enforcers.some((e) => e.id === 'cilium');
  const endpointList = metadataEndpoints(provider);
  const interceptors = metadataInterceptors(state, provider);
  const cache: LayerCache = { layers: new Map() };
  const out: PodExposure[] = [];
  // The pod's own AWS role (IRSA or EKS Pod Identity), by namespace/service account.
  const ownRole = new Map<string, RoleBinding>();
  if (provider === 'aws') for (const b of workloadRoleBindings(state)) if (b.namespace && b.serviceAccount) ownRole.set(`${b.namespace}/${b.serviceAccount}`, b);
  // The main endpoint's explanation goes into every exposure's reasons: rendered from its evaluation.
  const explainMain = (e: { id: string }) => e.id === MAIN[provider];
  // One pod at a time: the evaluator's results are dropped once the pod's exposure is built.
  for (const pod of ev.pods()) {
    if (opts.include && !opts.include(pod)) continue;
    const vs = verdictsOfPod(ev, pod, endpointList, interceptors, explainMain);
    const endpoints: EndpointVerdict[] = vs.map((v) => ({
      address: v.endpoint.ip,
      port: v.endpoint.port,
      label: v.endpoint.label,
      verdict: v.verdict,
      by: pod.hostNetwork ? ['hostNetwork'] : v.result.decidedBy.length > 0 ? v.result.decidedBy.map((d) => describeDecision(d)) : [v.result.enforced === false ? 'no NetworkPolicy enforcement' : 'no egress isolation'],
    }));
    const main = vs.find((v) => v.endpoint.id === MAIN[provider]) ?? vs[0];
    const reasons: string[] = [];
    let network: Verdict = main.verdict;
    if (pod.hostNetwork) {
      network = 'allowed';
      reasons.push('hostNetwork: the pod uses the node network namespace, NetworkPolicy does not apply');
    } else {
      reasons.push(...main.path.slice(-4));
      if (main.verdict === 'denied' && main.result.enforced === 'unknown') {
        network = 'unknown';
        reasons.push('NetworkPolicies deny it as written, but whether anything enforces NetworkPolicy on this cluster is unknown');
      }
    }
    const nodes = nodeLayers(state, provider, pod, ciliumHops, cache);
    let node: NodeVerdict;
    if (nodes.length === 0) {
      node = 'unknown';
      reasons.push(`node settings unknown: no ${provider === 'aws' ? 'EKS node group / EC2 instance' : provider === 'gcp' ? 'GKE node pool' : 'AKS agent pool'} in the cloud context (pass --cloud)`);
    } else {
      node = nodes.some((n) => n.verdict === 'open') ? 'open' : nodes.some((n) => n.verdict === 'unknown') ? 'unknown' : 'blocked';
      const relevant = nodes.filter((n) => n.verdict === node);
      for (const n of relevant) reasons.push(n.reason);
      if (nodes.length > 1 && node !== 'blocked') reasons.push(`the pod may be scheduled on ${nodes.map((n) => n.label).join(', ')}: the least protected decides`);
    }
    let verdict: PodVerdict;
    let blockedBy: PodExposure['blockedBy'];
    if (network === 'denied') {
      verdict = 'blocked';
      blockedBy = 'network';
    } else if (node === 'blocked') {
      verdict = 'blocked';
      blockedBy = 'node';
      if (network === 'allowed') reasons.push('blocked-by-node: the network lets the pod reach the endpoint, but the node settings give it no credentials');
    } else if (network === 'allowed' && node === 'open') verdict = 'reachable';
    else {
      verdict = 'unknown';
      if (network === 'implementation-defined') reasons.push('network verdict is implementation-defined');
      if (network === 'unknown') reasons.push('network verdict is unknown');
    }
    const open = nodes.filter((n) => n.verdict === 'open');
    const identities = open.map((n) => n.identity).filter((x): x is Identity => !!x);
    const t = pod.template;
    const own = ownRole.get(`${pod.namespace}/${pod.serviceAccount}`);
    if (own) {
      const pi = vs.find((v) => v.endpoint.id === 'eks-pod-identity');
      if (own.via === 'pod-identity' && pi && pi.verdict === 'denied' && !pod.hostNetwork) {
        reasons.push(`uses EKS Pod Identity (${own.roleArn}) but its egress to the Pod Identity agent 169.254.170.23:80 is denied: the AWS SDK cannot fetch its credentials (allow 169.254.170.23/32 and fd00:ec2::23/128 on port 80)`);
      }
      if (verdict !== 'blocked') reasons.push(`has its own role through ${own.via === 'irsa' ? 'IRSA' : 'EKS Pod Identity'} (${own.roleArn}), yet ${verdict === 'reachable' ? 'can' : 'may'} also take the node role from IMDS`);
    }
    const item: PodExposure = {
      pod,
      namespace: pod.namespace,
      name: pod.name,
      ...(t && t.owner.ref.kind !== 'Pod' ? { workload: `${t.owner.ref.kind}/${t.owner.ref.name}` } : {}),
      ...(t ? { owner: t.owner } : {}),
      hostNetwork: pod.hostNetwork,
      verdict,
      ...(blockedBy ? { blockedBy } : {}),
      network,
      endpoints,
      nodes,
      ...(verdict !== 'blocked' && open.length > 0 ? { exposure: { identities: uniqueIds(identities), imdsv1: open.some((n) => n.imdsv1), overBroad: identities.some((i) => i.overBroad.length > 0) } } : {}),
      reasons,
    };
    out.push(item);
  }
  return out;
}

function uniqueIds(ids: Identity[]): Identity[] {
  const m = new Map<string, Identity>();
  for (const i of ids) m.set(`${i.kind}:${i.name}`, i);
  return [...m.values()];
}

function describeDecision(d: Decision): string {
  const p = d.policy;
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}${d.rule !== undefined ? ` egress[${d.rule}]` : ''}: ${d.effect}${d.uncertain ? ' (uncertain)' : ''}`;
}
