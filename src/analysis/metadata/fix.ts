// `kubeward fix metadata`: the smallest change that keeps non-hostNetwork pods away from the cloud
// instance metadata API without cutting (or widening) any other connectivity, and the proof that
// only the metadata endpoints changed. Pure: builds objects and evaluates, the command writes them.
//
// Network part, one of:
// - networkpolicy: per namespace. NetworkPolicy only allows, so
//   * pods no Egress policy selects get a new policy that allows every destination except IMDS
//     (ipBlock 0.0.0.0/0 and ::/0 with IMDS in `except`, plus `namespaceSelector: {}` because
//     whether ipBlock matches pod IPs is implementation-defined). Its podSelector is the complement
//     of the existing Egress policies' selectors (as a union of selectors, one policy each), so pods
//     already restricted do not gain the allow-all rule;
//   * existing Egress policies whose rules let IMDS through are rewritten: IMDS added to the
//     `except` of ipBlocks that contain it, an ipBlock equal to IMDS dropped, a rule without `to`
//     turned into the explicit everything-but-IMDS peers. policyTypes is written out so dropping a
//     rule never changes isolation.
// - cilium: one CiliumClusterwideNetworkPolicy with egressDeny to the IMDS CIDRs and
//   enableDefaultDeny false (deny rules only: nothing else changes; Cilium >= 1.15).
// - calico: a Tier ordered before every other tier with one GlobalNetworkPolicy: Deny to IMDS, Pass
//   everything else to the next tier (so the existing tiers decide as before). namespaceSelector
//   all() keeps host endpoints (the nodes themselves need IMDS) out.
// Node part: the node-level settings that stop pods whatever the network does (IMDSv2 + hop limit 1,
// GKE_METADATA, AKS IMDS restriction), from the metadata-api rules' fix evidence.
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { ClusterState as State } from '../../model/cluster-state.js';
import { objectsFromData } from '../../loaders/manifest.js';
import type { Provider } from '../../cloud/model.js';
import { NetworkModel, NetworkPolicyEvaluator, assumeEnforcement, describePolicy, detectEnforcement, metadataEndpoints, parseCidr, cidrCovers, type Enforcement, type PolicyFamily, type Flow, type PodEndpoint, type Verdict, type Protocol } from '../network/index.js';

export type FixMode = 'networkpolicy' | 'cilium' | 'calico' | 'none';

export interface FixOptions {
  provider: Provider;
  /** auto (default): from the CNI that enforces policy; none: node settings only. */
  mode?: FixMode | 'auto';
  excludeNamespaces?: readonly string[];
  /** Most selector-complement policies per namespace before giving up on that namespace. */
  maxComplement?: number;
  /** Sources and pod destinations sampled by the proof (deterministic). */
  proofSample?: number;
}

export interface FixObject {
  action: 'create' | 'replace';
  object: Record<string, unknown>;
  why: string;
  /** For replace: where the original came from. */
  from?: string;
}

export interface NodeFix {
  rule: string;
  target: string;
  message: string;
  command?: string;
  terraform?: string;
}

export interface FixPlan {
  provider: Provider;
  mode: FixMode;
  modeWhy: string;
  imdsCidrs: string[];
  objects: FixObject[];
  namespaces: { covered: string[]; skipped: Array<{ namespace: string; reason: string }> };
  warnings: string[];
  /** Set by the caller from the metadata-api rules. */
  nodeFixes: NodeFix[];
}

const NAME = 'kubeward-deny-metadata-egress';
const ANNOTATION = 'kubeward.io/fix';

interface Req {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface Sel {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** The IMDS CIDRs to block for a provider (the endpoints that hand out node credentials, not Pod Identity). */
export function imdsCidrs(provider: Provider): string[] {
  return metadataEndpoints(provider)
    .filter((e) => e.id === 'aws-imds' || e.id === 'aws-imds-ipv6' || e.id === 'gce-metadata' || e.id === 'azure-imds')
    .map((e) => (e.ip.includes(':') ? `${e.ip}/128` : `${e.ip}/32`));
}

function chooseMode(opts: FixOptions, enforcement: Enforcement): { mode: FixMode; why: string; warnings: string[] } {
  const warnings: string[] = [];
  const ids = enforcement.enforcers.map((e) => e.id);
  if (opts.mode && opts.mode !== 'auto') {
    if (opts.provider === 'gcp' && opts.mode !== 'none') warnings.push('GKE: blocking 169.254.169.254 in the network also cuts the GKE metadata server, which serves Workload Identity tokens and project information to pods: prefer the node setting GKE_METADATA');
    return { mode: opts.mode, why: `--network ${opts.mode}`, warnings };
  }
  if (opts.provider === 'gcp') {
    return { mode: 'none', why: 'GKE: pods get Workload Identity tokens from the GKE metadata server on 169.254.169.254, so the fix is the node setting (GKE_METADATA), not a network block', warnings };
  }
  if (ids.includes('cilium')) return { mode: 'cilium', why: 'Cilium enforces policy on this cluster: one CiliumClusterwideNetworkPolicy', warnings };
  if (ids.includes('calico')) return { mode: 'calico', why: 'Calico enforces policy on this cluster: one Calico tier and GlobalNetworkPolicy', warnings };
  if (enforcement.status === 'none') warnings.push(`nothing enforces NetworkPolicy on this cluster (${enforcement.notes.join('; ') || 'no policy engine found'}): the generated policies protect nothing until an enforcer runs; the node settings below are what works`);
  else if (enforcement.status === 'unknown') warnings.push(`whether anything enforces NetworkPolicy is unknown (${enforcement.notes.join('; ') || 'no evidence either way'}): the policies work only where an enforcer runs; the node settings below work regardless`);
  return { mode: 'networkpolicy', why: ids.length > 0 ? `${ids.join(', ')} enforce Kubernetes NetworkPolicy: per-namespace NetworkPolicies` : 'per-namespace Kubernetes NetworkPolicies (the portable choice)', warnings };
}

// ------------------------------------------------------------------------------ selector algebra

function requirements(sel: Sel): Req[] | 'invalid' {
  const out: Req[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) out.push({ key: k, operator: 'In', values: [String(v)] });
  for (const e of sel.matchExpressions ?? []) {
    if (!e || typeof e.key !== 'string' || !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return 'invalid';
    out.push({ key: e.key, operator: e.operator as Req['operator'], ...(e.values ? { values: e.values.map(String) } : {}) });
  }
  return out;
}

function negate(r: Req): Req {
  switch (r.operator) {
    case 'In':
      return { key: r.key, operator: 'NotIn', values: r.values ?? [] };
    case 'NotIn':
      return { key: r.key, operator: 'In', values: r.values ?? [] };
    case 'Exists':
      return { key: r.key, operator: 'DoesNotExist' };
    case 'DoesNotExist':
      return { key: r.key, operator: 'Exists' };
  }
}

/** Simplify a conjunction; undefined when it can never match. */
function simplify(conj: Req[]): Req[] | undefined {
  const byKey = new Map<string, Req[]>();
  for (const r of conj) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const out: Req[] = [];
  for (const [key, rs] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let absent = false;
    let present = false;
    let allowed: Set<string> | undefined; // In: value must be one of
    const banned = new Set<string>(); // NotIn
    for (const r of rs) {
      if (r.operator === 'DoesNotExist') absent = true;
      else if (r.operator === 'Exists') present = true;
      else if (r.operator === 'In') {
        present = true;
        const v = new Set(r.values ?? []);
        allowed = allowed ? new Set([...allowed].filter((x) => v.has(x))) : v;
      } else for (const v of r.values ?? []) banned.add(v);
    }
    if (absent && present) return undefined;
    if (allowed) {
      const left = [...allowed].filter((v) => !banned.has(v)).sort();
      if (left.length === 0) return undefined;
      out.push({ key, operator: 'In', values: left });
    } else if (absent) out.push({ key, operator: 'DoesNotExist' });
    else {
      if (banned.size > 0) out.push({ key, operator: 'NotIn', values: [...banned].sort() });
      if (present) out.push({ key, operator: 'Exists' });
    }
  }
  return out;
}

function toSelector(conj: Req[]): Sel {
  if (conj.length === 0) return {};
  return { matchExpressions: conj.map((r) => ({ key: r.key, operator: r.operator, ...(r.values ? { values: r.values } : {}) })) };
}

/**
 * The pods no selector in `sels` matches, as a union of label selectors (empty array: none).
 * 'too-many' when the expansion exceeds `max`.
 */
export function complementSelectors(sels: readonly Sel[], max: number): Sel[] | 'too-many' | 'invalid' {
  let dnf: Req[][] = [[]];
  for (const s of sels) {
    const reqs = requirements(s);
    if (reqs === 'invalid') return 'invalid';
    if (reqs.length === 0) return []; // selects every pod: nothing left
    const next: Req[][] = [];
    const seen = new Set<string>();
    for (const conj of dnf) {
      for (const r of reqs) {
        const c = simplify([...conj, negate(r)]);
        if (!c) continue;
        const k = JSON.stringify(c);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(c);
      }
    }
    dnf = dropSubsumed(next);
    if (dnf.length > max) return 'too-many';
    if (dnf.length === 0) return [];
  }
  return dnf.map(toSelector);
}

/** Drops conjunctions that are supersets of another (they select a subset of what the other selects). */
function dropSubsumed(dnf: Req[][]): Req[][] {
  const keys = dnf.map((c) => new Set(c.map((r) => JSON.stringify(r))));
  return dnf.filter((c, i) => !keys.some((k, j) => j !== i && k.size < keys[i].size && [...k].every((x) => keys[i].has(x))));
}

// ------------------------------------------------------------------------------ NetworkPolicy rewrite

interface NpSpec {
  podSelector?: Sel;
  policyTypes?: string[];
  egress?: Array<{ to?: Array<Record<string, unknown>>; ports?: unknown[] }>;
  ingress?: unknown[];
}

function isEgressPolicy(spec: NpSpec): boolean {
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) return spec.policyTypes.includes('Egress');
  return Array.isArray(spec.egress) && spec.egress.length > 0; // as the apiserver defaults policyTypes
}

function family(cidr: string): 4 | 6 {
  return cidr.includes(':') ? 6 : 4;
}

function containsCidr(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && cidrCovers(o, i);
}

function everythingBut(cidrs: string[]): Array<Record<string, unknown>> {
  const v4 = cidrs.filter((c) => family(c) === 4);
  const v6 = cidrs.filter((c) => family(c) === 6);
  return [{ ipBlock: { cidr: '0.0.0.0/0', except: v4 } }, { ipBlock: { cidr: '::/0', ...(v6.length > 0 ? { except: v6 } : {}) } }, { namespaceSelector: {} }];
}

/** A copy of an Egress NetworkPolicy that no longer lets IMDS through, or undefined when it never did. */
export function rewriteEgressPolicy(obj: Record<string, unknown>, cidrs: string[]): { object: Record<string, unknown>; changes: string[] } | undefined {
  const spec = (obj.spec ?? {}) as NpSpec;
  const changes: string[] = [];
  const egress: NonNullable<NpSpec['egress']> = [];
  (spec.egress ?? []).forEach((rule, i) => {
    const to = Array.isArray(rule?.to) ? rule.to : [];
    if (to.length === 0) {
      egress.push({ ...rule, to: everythingBut(cidrs) });
      changes.push(`egress[${i}] allowed every destination: now every destination but ${cidrs.join(', ')}`);
      return;
    }
    const peers: Array<Record<string, unknown>> = [];
    to.forEach((peer, j) => {
      const ib = peer?.ipBlock as { cidr?: string; except?: string[] } | undefined;
      if (!ib || typeof ib.cidr !== 'string') return void peers.push(peer);
      const inside = cidrs.filter((c) => containsCidr(ib.cidr!, c) && !(ib.except ?? []).some((e) => containsCidr(e, c)));
      if (inside.length === 0) return void peers.push(peer);
      const equal = inside.filter((c) => containsCidr(c, ib.cidr!));
      if (equal.length > 0) {
        changes.push(`egress[${i}].to[${j}] ipBlock ${ib.cidr} is the metadata endpoint itself: removed`);
        return;
      }
      peers.push({ ...peer, ipBlock: { ...ib, except: [...(ib.except ?? []), ...inside] } });
      changes.push(`egress[${i}].to[${j}] ipBlock ${ib.cidr}: except ${inside.join(', ')} added`);
    });
    if (peers.length === 0) {
      changes.push(`egress[${i}] only allowed the metadata endpoint: rule removed`);
      return;
    }
    egress.push({ ...rule, to: peers });
  });
  if (changes.length === 0) return undefined;
  // policyTypes written out: without it, removing the last egress rule would end egress isolation.
  const types = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : ['Ingress', 'Egress'];
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  return {
    object: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: cleanMeta(meta, { [ANNOTATION]: `metadata API blocked: ${changes.join('; ')}` }),
      spec: { ...spec, policyTypes: types, egress },
    },
    changes,
  };
}

function cleanMeta(meta: Record<string, unknown>, annotations: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: meta.name };
  if (meta.namespace) out.namespace = meta.namespace;
  if (meta.labels) out.labels = meta.labels;
  const ann = { ...((meta.annotations as Record<string, string> | undefined) ?? {}) };
  delete ann['kubectl.kubernetes.io/last-applied-configuration'];
  out.annotations = { ...ann, ...annotations };
  return out;
}

// ------------------------------------------------------------------------------ plan

function namespacesOf(state: ClusterState, pods: readonly PodEndpoint[]): string[] {
  const s = new Set<string>();
  for (const n of state.ofKind('Namespace')) s.add(n.ref.name);
  for (const p of pods) if (!p.hostNetwork) s.add(p.namespace);
  return [...s].sort();
}

export function planMetadataFix(state: ClusterState, opts: FixOptions): FixPlan {
  const enforcement = detectEnforcement(state);
  const { mode, why, warnings } = chooseMode(opts, enforcement);
  const cidrs = imdsCidrs(opts.provider);
  const plan: FixPlan = { provider: opts.provider, mode, modeWhy: why, imdsCidrs: cidrs, objects: [], namespaces: { covered: [], skipped: [] }, warnings, nodeFixes: [] };
  const exclude = new Set(opts.excludeNamespaces ?? []);
  const pods = new NetworkModel(state).pods; // the pods only: no policy needs compiling to plan
  const nsList = namespacesOf(state, pods).filter((n) => {
    if (exclude.has(n)) plan.namespaces.skipped.push({ namespace: n, reason: 'excluded (--exclude-namespace)' });
    return !exclude.has(n);
  });
  const labels = { 'app.kubernetes.io/managed-by': 'kubeward' };
  warnings.push(...imdsConsumers(pods, opts.provider, exclude));
  const hostNet = pods.filter((p) => p.hostNetwork).map((p) => p.id);
  if (hostNet.length > 0) {
    warnings.push(`${hostNet.length} hostNetwork pod template${hostNet.length === 1 ? '' : 's'} keep the metadata API whatever is applied here (no policy or hop limit applies to the node's own network): ${hostNet.slice(0, 8).join(', ')}${hostNet.length > 8 ? ', ...' : ''}; keep the node identity least-privilege`);
  }

  if (mode === 'cilium') {
    const v4 = cidrs.filter((c) => family(c) === 4);
    const v6 = cidrs.filter((c) => family(c) === 6);
    plan.objects.push({
      action: 'create',
      why: 'denies egress to the metadata API from every pod; deny rules only (enableDefaultDeny false), so every other flow is decided as before',
      object: {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumClusterwideNetworkPolicy',
        metadata: { name: NAME, labels },
        spec: {
          description: 'kubeward: pods may not reach the cloud instance metadata API (node credentials); hostNetwork pods are not endpoints and keep it',
          endpointSelector: exclude.size > 0 ? { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: [...exclude].sort() }] } : {},
          enableDefaultDeny: { egress: false, ingress: false },
          egressDeny: [{ toCIDR: [...v4, ...v6] }],
        },
      },
    });
    warnings.push('CiliumClusterwideNetworkPolicy enableDefaultDeny needs Cilium 1.15 or later; on older Cilium a deny-only policy puts every pod into egress default-deny: upgrade first');
    plan.namespaces.covered = nsList;
    return plan;
  }
  if (mode === 'calico') {
    const tier = 'kubeward-metadata';
    plan.objects.push({ action: 'create', why: 'a tier evaluated before every other one (order 1)', object: { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: tier, labels }, spec: { order: 1 } } });
    plan.objects.push({
      action: 'create',
      why: 'denies egress to the metadata API from every workload endpoint and passes everything else to the next tier, so existing policies decide as before; host endpoints (the nodes) are not selected',
      object: {
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: `${tier}.${NAME}`, labels },
        spec: {
          tier,
          order: 1,
          namespaceSelector: exclude.size > 0 ? `projectcalico.org/name not in {${[...exclude].sort().map((n) => `'${n}'`).join(', ')}}` : 'all()',
          selector: 'all()',
          types: ['Egress'],
          egress: [
            { action: 'Deny', destination: { nets: cidrs } },
            { action: 'Pass' },
          ],
        },
      },
    });
    warnings.push('projectcalico.org/v3 objects need the Calico API server (or calicoctl apply)');
    plan.namespaces.covered = nsList;
    return plan;
  }
  if (mode === 'none') {
    plan.namespaces.skipped.push(...nsList.map((namespace) => ({ namespace, reason: 'no network change (node settings only)' })));
    return plan;
  }

  const max = opts.maxComplement ?? 16;
  for (const ns of nsList) {
    const egressPolicies = state.ofKind('networking.k8s.io/NetworkPolicy').filter((o) => o.ref.namespace === ns && isEgressPolicy(((o.obj as { spec?: NpSpec }).spec ?? {}) as NpSpec));
    let touched = false;
    for (const p of egressPolicies) {
      const r = rewriteEgressPolicy(p.obj as unknown as Record<string, unknown>, cidrs);
      if (!r) continue;
      touched = true;
      plan.objects.push({ action: 'replace', object: r.object, why: r.changes.join('; '), from: where(p) });
      if (r.changes.some((c) => c.includes('is the metadata endpoint itself') || c.includes('only allowed the metadata endpoint'))) {
        warnings.push(`NetworkPolicy ${ns}/${p.ref.name} allowed the metadata endpoint explicitly: if a pod there really needs IMDS, exclude the namespace (--exclude-namespace ${ns}) and give that pod IRSA / Pod Identity instead`);
      }
    }
    const sels = egressPolicies.map((p) => (((p.obj as { spec?: NpSpec }).spec?.podSelector ?? {}) as Sel));
    const comp = complementSelectors(sels, max);
    if (comp === 'too-many' || comp === 'invalid') {
      plan.namespaces.skipped.push({ namespace: ns, reason: comp === 'invalid' ? 'an Egress NetworkPolicy has an invalid podSelector' : `the pods no Egress policy selects cannot be described in ${max} selectors or fewer (${egressPolicies.length} Egress policies): add IMDS to those policies by hand, or use the node settings` });
      if (touched) plan.namespaces.covered.push(ns);
      continue;
    }
    comp.forEach((sel, i) => {
      plan.objects.push({
        action: 'create',
        why:
          egressPolicies.length === 0
            ? `namespace ${ns} has no Egress policy: pods become egress-isolated with every destination but the metadata API allowed`
            : `pods of ${ns} that no Egress policy selects (the complement of ${egressPolicies.map((p) => p.ref.name).join(', ')}): every destination but the metadata API; pods already restricted are not selected, so they gain nothing`,
        object: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: comp.length > 1 ? `${NAME}-${i + 1}` : NAME, namespace: ns, labels, annotations: { [ANNOTATION]: 'blocks the cloud metadata API; allows every other destination (ipBlock for addresses, namespaceSelector {} for pods)' } },
          spec: { podSelector: sel, policyTypes: ['Egress'], egress: [{ to: everythingBut(cidrs) }] },
        },
      });
    });
    if (comp.length > 0 || touched) plan.namespaces.covered.push(ns);
    else plan.namespaces.skipped.push({ namespace: ns, reason: 'every pod is already egress-restricted and no Egress policy lets the metadata API through' });
  }
  return plan;
}

function where(o: LoadedObject): string {
  return `${o.file}${o.source ? `:${o.source.line}` : ''}`;
}

/** Pods known to read IMDS for configuration: blocking it breaks them unless configured otherwise. */
function imdsConsumers(pods: readonly PodEndpoint[], provider: Provider, exclude: ReadonlySet<string>): string[] {
  if (provider !== 'aws') return [];
  const out: string[] = [];
  for (const p of pods) {
    if (p.hostNetwork || exclude.has(p.namespace) || !p.template) continue;
    for (const c of p.template.containers) {
      const img = String((c.spec as { image?: unknown }).image ?? '');
      const args = ((c.spec as { args?: unknown[]; command?: unknown[] }).args ?? []).map(String).join(' ');
      const env = ((c.spec as { env?: Array<{ name?: string }> }).env ?? []).map((e) => e?.name);
      if (/aws-load-balancer-controller/.test(img) && !(/--aws-vpc-id/.test(args) && /--aws-region/.test(args))) {
        out.push(`${p.namespace}/${p.name}: the AWS Load Balancer Controller reads the VPC ID and region from IMDS unless --aws-vpc-id and --aws-region are set: set them before applying`);
      } else if (/aws-ebs-csi-driver|aws-efs-csi-driver/.test(img) && !env.includes('AWS_REGION')) {
        out.push(`${p.namespace}/${p.name}: the ${/ebs/.test(img) ? 'EBS' : 'EFS'} CSI controller reads the region from IMDS unless AWS_REGION is set: set it before applying`);
      }
    }
  }
  return [...new Set(out)];
}

// ------------------------------------------------------------------------------ proof

export interface ProofChange {
  source: string;
  destination: string;
  flow: string;
  before: Verdict;
  after: Verdict;
  /** Why the after-verdict is uncertain (implementation-defined / unknown). */
  why?: string[];
  /** The policies that decided the after-verdict (for flows to IMDS that stay open). */
  by?: string[];
}

export interface FixProof {
  /** Enforcement the proof assumed (the detected one, or the one the mode needs). */
  enforcement: string;
  sources: number;
  destinations: number;
  flows: number;
  /** Flows to the metadata API: how many were allowed before and are denied after. */
  /** `open`: flows of covered namespaces still not denied (`stillOpen` lists the first 200); `leftAlone`: not denied in namespaces the plan left alone. */
  imds: { flows: number; blockedNow: number; alreadyBlocked: number; open: number; leftAlone: number; stillOpen: ProofChange[] };
  /** Every other flow the fix cut (now denied) or opened (was denied): the fix promises none. The first 200; `counts` has all. */
  unexpected: ProofChange[];
  /** Other flows that were allowed and now depend on the implementation (e.g. ipBlock on node IPs). The first 200. */
  uncertain: ProofChange[];
  counts: { unexpected: number; uncertain: number };
  sampled: boolean;
}

function sample<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const step = xs.length / n;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.floor(i * step)]);
  return out;
}

const OTHER_ADDRESSES: Array<{ ip: string; label: string; flows: Flow[] }> = [
  { ip: '169.254.170.23', label: 'EKS Pod Identity agent', flows: [{ protocol: 'TCP', port: 80 }] },
  { ip: 'fd00:ec2::23', label: 'EKS Pod Identity agent (IPv6)', flows: [{ protocol: 'TCP', port: 80 }] },
  { ip: '169.254.169.253', label: 'Amazon DNS resolver', flows: [{ protocol: 'UDP', port: 53 }] },
  { ip: '169.254.169.123', label: 'Amazon Time Sync', flows: [{ protocol: 'UDP', port: 123 }] },
  { ip: '169.254.169.255', label: 'link-local neighbour of IMDS', flows: [{ protocol: 'TCP', port: 80 }] },
  { ip: '168.63.129.16', label: 'Azure WireServer / DNS', flows: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 80 }] },
  { ip: '10.0.0.1', label: 'private address', flows: [{ protocol: 'TCP', port: 443 }] },
  { ip: '172.20.0.10', label: 'cluster DNS service range', flows: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
  { ip: '8.8.8.8', label: 'internet DNS', flows: [{ protocol: 'UDP', port: 53 }] },
  { ip: '52.94.0.10', label: 'AWS public endpoint', flows: [{ protocol: 'TCP', port: 443 }] },
  { ip: '2001:db8::10', label: 'IPv6 internet', flows: [{ protocol: 'TCP', port: 443 }] },
];

function podFlows(p: PodEndpoint): Flow[] {
  const seen = new Set<string>();
  const out: Flow[] = [];
  for (const port of p.ports.slice(0, 4)) {
    const k = `${port.protocol}/${port.port}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ protocol: port.protocol as Protocol, port: port.port });
    }
  }
  return out.length > 0 ? out : [{ protocol: 'TCP', port: 8080 }];
}

/** The state after applying the plan's objects (replacements take the place of the originals). */
export function stateAfter(state: ClusterState, plan: FixPlan): ClusterState {
  const replaced = new Set(plan.objects.filter((o) => o.action === 'replace').map((o) => objKey(o.object)));
  const kept = state.objects.filter((o) => !replaced.has(`${o.obj.apiVersion}|${o.ref.kind}|${o.ref.namespace ?? ''}|${o.ref.name}`));
  const added = objectsFromData(plan.objects.map((o) => o.object), '<kubeward fix>').objects;
  return new State({ objects: [...kept, ...added], notAssessed: [...state.notAssessed], origin: state.origin });
}

function objKey(o: Record<string, unknown>): string {
  const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(o.apiVersion)}|${String(o.kind)}|${m.namespace ?? ''}|${m.name ?? ''}`;
}

function enforcementFor(state: ClusterState, mode: FixMode): { enforcement: Enforcement; label: string } {
  const e = detectEnforcement(state);
  const engine = mode === 'cilium' ? 'cilium' : mode === 'calico' ? 'calico' : 'kubernetes';
  const family: PolicyFamily = mode === 'cilium' ? 'Cilium' : mode === 'calico' ? 'Calico' : 'NetworkPolicy';
  if (e.status === 'known' && e.enforcers.some((x) => x.enforces.includes(family))) return { enforcement: e, label: `detected: ${e.enforcers.map((x) => x.id).join(', ')}` };
  return { enforcement: assumeEnforcement(engine), label: `assumed: ${engine === 'kubernetes' ? 'a Kubernetes NetworkPolicy enforcer' : engine} (none detected with certainty), so the proof shows what the policies do once enforced` };
}

/**
 * Evaluates every sampled pod against the metadata API, other link-local and external addresses,
 * and the other pods on their ports, before and after the plan. Every change outside the metadata
 * API is reported as unexpected.
 */
export function proveFix(state: ClusterState, plan: FixPlan, opts: { sample?: number } = {}): FixProof {
  const { enforcement, label } = enforcementFor(state, plan.mode);
  const after = stateAfter(state, plan);
  const evB = new NetworkPolicyEvaluator(state, { enforcement });
  const evA = new NetworkPolicyEvaluator(after, { enforcement });
  const n = opts.sample ?? 150;
  const podsB = evB.pods();
  const podsA = new Map(evA.pods().map((p) => [p.id, p]));
  const sources = sample(podsB, n);
  const dstPods = sample(podsB, n);
  const imdsEndpoints = metadataEndpoints(plan.provider).filter((e) => plan.imdsCidrs.some((c) => c.startsWith(`${e.ip}/`)));
  const proof: FixProof = { enforcement: label, sources: sources.length, destinations: imdsEndpoints.length + OTHER_ADDRESSES.length + dstPods.length, flows: 0, imds: { flows: 0, blockedNow: 0, alreadyBlocked: 0, open: 0, leftAlone: 0, stillOpen: [] }, unexpected: [], uncertain: [], counts: { unexpected: 0, uncertain: 0 }, sampled: podsB.length > n };
  const cap = 200;
  const skipped = new Set(plan.namespaces.skipped.map((x) => x.namespace));
  const compare = (src: PodEndpoint, dst: string | PodEndpoint, dstLabel: string, flow: Flow, isImds: boolean) => {
    const srcA = podsA.get(src.id);
    if (!srcA) return;
    let before: Verdict;
    let afterV: Verdict;
    let doubts: readonly { reason: string }[];
    let by: string[] = [];
    if (typeof dst === 'string') {
      before = evB.evaluateEgress(src, dst, flow).verdict;
      const r = evA.evaluateEgress(srcA, dst, flow);
      afterV = r.verdict;
      doubts = r.uncertainties;
      by = r.decidedBy.map((d) => `${describePolicy(d.policy)}: ${d.effect}`);
    } else {
      const dA = podsA.get(dst.id);
      if (!dA) return;
      before = evB.evaluateConnection(src, dst, flow).verdict;
      const r = evA.evaluateConnection(srcA, dA, flow);
      afterV = r.verdict;
      doubts = [...r.egress.uncertainties, ...(r.ingress?.uncertainties ?? [])];
    }
    proof.flows++;
    const ch: ProofChange = { source: src.id, destination: dstLabel, flow: `${flow.protocol}/${flow.port}`, before, after: afterV };
    if (isImds) {
      if (src.hostNetwork) return;
      proof.imds.flows++;
      if (afterV === 'denied' && before !== 'denied') proof.imds.blockedNow++;
      else if (afterV === 'denied') proof.imds.alreadyBlocked++;
      else if (plan.mode === 'none' || skipped.has(src.namespace)) proof.imds.leftAlone++;
      else if (proof.imds.open++ < cap) proof.imds.stillOpen.push({ ...ch, by, why: [...new Set(doubts.map((d) => d.reason))].slice(0, 4) });
      return;
    }
    if (before === afterV) return;
    if (afterV === 'denied' || before === 'denied') {
      if (proof.counts.unexpected++ < cap) proof.unexpected.push(ch);
    } else if (proof.counts.uncertain++ < cap) proof.uncertain.push({ ...ch, why: [...new Set(doubts.map((d) => d.reason))].slice(0, 4) });
  };
  // Nodes (kubelet, node-exporter on hostNetwork...): a few loaded Node addresses.
  const nodeIps: string[] = [];
  for (const nd of state.ofKind('Node')) {
    const addrs = ((nd.obj as { status?: { addresses?: Array<{ type?: string; address?: string }> } }).status?.addresses ?? []).filter((a) => a?.type === 'InternalIP' && typeof a.address === 'string');
    if (addrs[0]) nodeIps.push(addrs[0].address!);
    if (nodeIps.length >= 5) break;
  }
  proof.destinations += nodeIps.length;
  for (const src of sources) {
    for (const ip of nodeIps) compare(src, ip, `node ${ip}`, { protocol: 'TCP', port: 10250 }, false);
    for (const e of imdsEndpoints) compare(src, e.ip, `${e.label} ${e.ip}`, { protocol: e.protocol, port: e.port }, true);
    for (const a of OTHER_ADDRESSES) for (const f of a.flows) compare(src, a.ip, `${a.label} ${a.ip}`, f, false);
    for (const d of dstPods) {
      if (d === src) continue;
      for (const f of podFlows(d)) compare(src, d, d.id, f, false);
    }
  }
  return proof;
}

