// Calico policy (projectcalico.org/v3 and crd.projectcalico.org/v1 NetworkPolicy,
// GlobalNetworkPolicy, Tier) and the Calico evaluation pipeline, which also carries Kubernetes
// NetworkPolicy (default tier, order 1000) and the admin network policy tiers.
//
// Evaluation (docs.tigera.io, "Tier" reference): tiers by order (lower first; no order = last),
// policies in a tier by order (no order = last; ties by name), rules in order: the first Allow or
// Deny ends evaluation, Pass jumps to the next tier, Log continues. A tier with a policy that
// applies to the endpoint (selector + types) but takes no action applies its defaultAction (Deny
// unless the Tier says Pass). If the last tier that applied passes, or no policy applies, the
// namespace profile allows. Built-in tiers: default (order 1,000,000), kube-admin /
// adminnetworkpolicy (order 1,000, default Pass: ANP and ClusterNetworkPolicy Admin),
// kube-baseline / baselineadminnetworkpolicy (order 10,000,000, default Pass).
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import type { AdminPolicy } from './admin.js';
import { calicoSelectorKeys, parseCalicoSelector, CalicoSelectorError, type CalicoSelector } from './calico-selector.js';
import { PolicyIndex, type CompiledPolicy, type CompiledRule, type EvalCtx, type Step } from './engine.js';
import { familyOf, parseCidr } from './ip.js';
import { NS_NAME_LABEL, neverClusterAddress } from './model.js';
import { walkOrdered } from './ordered.js';
import { namedPortMatches, portRangeMatches } from './ports.js';
import { and3, any3, type Action, type Direction, type Flow, type Peer, type PodEndpoint, type Protocol, type Tri } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const CALICO_GROUPS = ['projectcalico.org', 'crd.projectcalico.org'];

export interface CalicoTier {
  readonly name: string;
  readonly order: number; // Infinity = no order
  readonly defaultAction: 'deny' | 'pass';
  readonly object?: LoadedObject;
  readonly policies: CompiledPolicy[];
  /** Filled by buildCalicoPipeline: cluster-wide policies and namespaced ones by namespace (each sorted). */
  global?: CalicoPolicy[];
  byNs?: Map<string, CalicoPolicy[]>;
}

export interface CalicoPolicy extends CompiledPolicy {
  readonly tierName: string;
  readonly order: number;
  /** Name Calico sorts by inside a tier. */
  readonly sortName: string;
}

const DEFAULT_TIER_ORDER = 1_000_000;
const ADMIN_TIER = { name: 'kube-admin', order: 1_000 };
const BASELINE_TIER = { name: 'kube-baseline', order: 10_000_000 };

function calicoAction(a: unknown): Action | undefined {
  switch (a) {
    case 'Allow':
      return 'allow';
    case 'Deny':
      return 'deny';
    case 'Pass':
    case 'NextTier':
      return 'pass';
    case 'Log':
      return 'log';
    default:
      return undefined;
  }
}

/** Labels Calico gives a pod's workload endpoint (pod labels + automatic labels + namespace labels as pcns.*). */
export function calicoEndpointLabels(pod: PodEndpoint, nsLabels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...pod.labels };
  out['projectcalico.org/namespace'] = pod.namespace;
  out['projectcalico.org/orchestrator'] = 'k8s';
  out['projectcalico.org/serviceaccount'] = pod.serviceAccount;
  for (const [k, v] of Object.entries(nsLabels)) out[`pcns.${k}`] = v;
  out['pcns.projectcalico.org/name'] = pod.namespace;
  return out;
}

const nsCache = new WeakMap<object, { labels: Record<string, string>; known: boolean }>();

function nsLabelsFor(ctx: EvalCtx, ns: string): { labels: Record<string, string>; known: boolean } {
  const n = ctx.model.namespace(ns);
  let hit = nsCache.get(n);
  if (!hit) nsCache.set(n, (hit = { labels: { ...n.labels, 'projectcalico.org/name': ns }, known: n.labelsKnown }));
  return hit;
}

const SAFE_NS_KEYS = new Set(['projectcalico.org/name', NS_NAME_LABEL]);

interface Sel {
  readonly text: string;
  readonly f: CalicoSelector;
  readonly nsKeys: boolean; // refers to keys that need namespace labels (pcns.*)
  readonly otherNsKeys: boolean; // (namespace selector) refers to keys other than the name
}

function sel(text: unknown, doubtsOnError: string[]): Sel | undefined {
  if (text === undefined || text === null) return undefined;
  const t = String(text);
  try {
    const f = parseCalicoSelector(t);
    const keys = calicoSelectorKeys(t);
    return { text: t, f, nsKeys: keys.some((k) => k.startsWith('pcns.') && k !== 'pcns.projectcalico.org/name'), otherNsKeys: keys.some((k) => !SAFE_NS_KEYS.has(k)) };
  } catch (e) {
    if (e instanceof CalicoSelectorError) doubtsOnError.push(e.message);
    return { text: t, f: () => false, nsKeys: false, otherNsKeys: false };
  }
}

const labelCache = new WeakMap<PodEndpoint, Record<string, string>>();

function evalPodSel(s: Sel, pod: PodEndpoint, ctx: EvalCtx): Tri {
  const ns = nsLabelsFor(ctx, pod.namespace);
  let labels = labelCache.get(pod);
  if (!labels) labelCache.set(pod, (labels = calicoEndpointLabels(pod, ns.labels)));
  const r = s.f(labels);
  if (!ns.known && s.nsKeys) return ctx.doubts.maybe('unknown', `Calico selector "${s.text}" uses labels of namespace ${pod.namespace}, which are unknown`);
  return r;
}

function evalNsSel(s: Sel, nsName: string, ctx: EvalCtx): Tri {
  const ns = nsLabelsFor(ctx, nsName);
  const r = s.f(ns.labels);
  if (!ns.known && s.otherNsKeys) return ctx.doubts.maybe('unknown', `Calico namespaceSelector "${s.text}": labels of namespace ${nsName} are unknown`);
  return r;
}

function protoNum(p: unknown): string | undefined {
  if (p === undefined || p === null) return undefined;
  const s = String(p).toUpperCase();
  if (s === '6') return 'TCP';
  if (s === '17') return 'UDP';
  if (s === '132') return 'SCTP';
  return s;
}

function portListMatches(list: Any[], proto: Protocol, flow: Flow, dstPorts: PodEndpoint['ports'] | undefined, ctx: EvalCtx): Tri {
  return any3(list, (p) => {
    if (typeof p === 'number') return p === flow.port;
    if (typeof p !== 'string') return false;
    const m = /^(\d+):(\d+)$/.exec(p.trim());
    if (m) return flow.port >= Number(m[1]) && flow.port <= Number(m[2]);
    if (/^\d+$/.test(p.trim())) return portRangeMatches(Number(p), undefined, flow, ctx);
    return namedPortMatches(p, proto, dstPorts, flow);
  });
}

/** Nets no node or pod address can fall in (link-local, the EC2 service prefix): a node of unknown address is not in them. */
function onlyNonClusterNets(nets: unknown[]): boolean {
  const parsed = nets.map((n) => (typeof n === 'string' ? parseCidr(n) : undefined));
  return parsed.every((c) => !!c && neverClusterAddress(c));
}

interface EntityCtx {
  policyNs?: string; // namespaced policy: selectors default to this namespace
  isDest: boolean;
}

function entityMatches(e: Any, ep: Peer, rProto: Protocol | undefined, flow: Flow, ectx: EntityCtx, ctx: EvalCtx, errs: string[]): Tri {
  if (!e || typeof e !== 'object') return true;
  let r: Tri = true;
  const ips = ep.kind === 'ip' ? [ep.ip] : ep.ips;
  const podOf = ep.kind === 'pod' ? ep : undefined;
  if (Array.isArray(e.nets) && e.nets.length > 0) {
    const m: Tri = ep.kind === 'pod' && ep.ips.length === 0 ? ctx.model.podInCidrs(ep, e.nets, ctx.doubts, 'Calico nets') : ips.length === 0 ? (onlyNonClusterNets(e.nets) ? false : ctx.doubts.maybe('unknown', 'Calico nets: peer address unknown')) : ctx.model.podInCidrs({ ips }, e.nets, ctx.doubts, 'Calico nets');
    r = and3(r, m);
  }
  if (Array.isArray(e.notNets) && e.notNets.length > 0) {
    const m: Tri = ips.length === 0 && ep.kind !== 'pod' ? (onlyNonClusterNets(e.notNets) ? false : ctx.doubts.maybe('unknown', 'Calico notNets: peer address unknown')) : ctx.model.podInCidrs(ep.kind === 'ip' ? { ips } : ep, e.notNets, ctx.doubts, 'Calico notNets');
    r = and3(r, m === 'maybe' ? 'maybe' : !m);
  }
  if (r === false) return false;
  const s = sel(e.selector, errs);
  const nsS = sel(e.namespaceSelector, errs);
  if (s || nsS) {
    if (!podOf || podOf.hostNetwork) return false; // selectors pick workload endpoints (host endpoints not modelled)
    let nsOk: Tri;
    if (nsS) nsOk = evalNsSel(nsS, podOf.namespace, ctx);
    else nsOk = ectx.policyNs === undefined ? true : podOf.namespace === ectx.policyNs;
    r = and3(r, and3(nsOk, s ? evalPodSel(s, podOf, ctx) : true));
  }
  const ns = sel(e.notSelector, errs);
  if (ns && podOf && !podOf.hostNetwork) {
    const m = evalPodSel(ns, podOf, ctx);
    r = and3(r, m === 'maybe' ? 'maybe' : !m);
  }
  if (e.serviceAccounts && typeof e.serviceAccounts === 'object') {
    if (!podOf) return false;
    const names: unknown = e.serviceAccounts.names;
    let m: Tri = true;
    if (Array.isArray(names) && names.length > 0) m = names.includes(podOf.serviceAccount);
    const saSel = sel(e.serviceAccounts.selector, errs);
    if (saSel) {
      const v = saSel.f({ 'projectcalico.org/name': podOf.serviceAccount });
      m = and3(m, saSel.otherNsKeys ? ctx.doubts.maybe('unknown', `Calico serviceAccounts selector "${saSel.text}": service account labels are not modelled`) : v);
    }
    if (ectx.policyNs !== undefined && !nsS) m = and3(m, podOf.namespace === ectx.policyNs);
    r = and3(r, m);
  }
  if (e.services && typeof e.services === 'object') {
    r = and3(r, podOf ? ctx.doubts.maybe('unknown', `Calico services match (${e.services.namespace ?? ''}/${e.services.name ?? ''}): Service endpoints are not modelled`) : false);
  }
  const dstPorts = ectx.isDest ? (ep.kind === 'pod' ? ep.ports : ep.kind === 'node' ? ep.pod?.ports : undefined) : undefined;
  if (Array.isArray(e.ports) && e.ports.length > 0) {
    if (!rProto) return false; // ports need protocol TCP, UDP or SCTP
    if (ectx.isDest) r = and3(r, portListMatches(e.ports, rProto, flow, dstPorts, ctx));
    else r = and3(r, ctx.doubts.maybe('unknown', 'Calico rule on source ports: source ports are not modelled'));
  }
  if (Array.isArray(e.notPorts) && e.notPorts.length > 0) {
    if (!rProto) return false;
    if (ectx.isDest) {
      const m = portListMatches(e.notPorts, rProto, flow, dstPorts, ctx);
      r = and3(r, m === 'maybe' ? 'maybe' : !m);
    } else r = and3(r, ctx.doubts.maybe('unknown', 'Calico rule on source ports: source ports are not modelled'));
  }
  return r;
}

function compileRule(r: Any, i: number, dir: Direction, policyNs: string | undefined, errs: string[]): CompiledRule | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const action = calicoAction(r.action);
  if (!action) return undefined;
  const proto = protoNum(r.protocol);
  const notProto = protoNum(r.notProtocol);
  const l4: Protocol | undefined = proto === 'TCP' || proto === 'UDP' || proto === 'SCTP' ? proto : undefined;
  const ipVersion = r.ipVersion === 4 || r.ipVersion === 6 ? r.ipVersion : undefined;
  return {
    index: i,
    action,
    path: ['spec', dir, i],
    match(subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
      if (proto !== undefined && proto !== flow.protocol) return false;
      if (notProto !== undefined && notProto === flow.protocol) return false;
      let r0: Tri = true;
      if (ipVersion !== undefined) {
        const ips = peer.kind === 'ip' ? [peer.ip] : peer.ips;
        if (ips.length === 0) r0 = ctx.doubts.maybe('unknown', `Calico ipVersion ${ipVersion}: peer address unknown`);
        else if (!ips.some((ip) => familyOf(ip) === ipVersion)) return false;
      }
      const src = dir === 'egress' ? subject : peer;
      const dst = dir === 'egress' ? peer : subject;
      const a = entityMatches(r.source, src, l4, flow, { policyNs, isDest: false }, ctx, errs);
      if (a === false) return false;
      const b = entityMatches(r.destination, dst, l4, flow, { policyNs, isDest: true }, ctx, errs);
      return and3(r0, and3(a, b));
    },
  };
}

function typesOf(spec: Any): Set<Direction> {
  const out = new Set<Direction>();
  if (Array.isArray(spec.types) && spec.types.length > 0) {
    for (const t of spec.types) {
      if (t === 'Ingress') out.add('ingress');
      if (t === 'Egress') out.add('egress');
    }
    return out;
  }
  const hasIn = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const hasEg = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (hasIn || !hasEg) out.add('ingress');
  if (hasEg) out.add('egress');
  return out;
}

export function compileCalicoPolicy(o: LoadedObject, errs: string[]): CalicoPolicy | undefined {
  const spec: Any = (o.obj as Any).spec;
  if (!spec || typeof spec !== 'object') return undefined;
  const global = o.ref.kind === 'GlobalNetworkPolicy';
  const ns = global ? undefined : o.ref.namespace ?? 'default';
  const tierName = typeof spec.tier === 'string' && spec.tier !== '' ? spec.tier : 'default';
  const order = typeof spec.order === 'number' ? spec.order : Infinity;
  const podSel = sel(spec.selector, errs);
  const nsSel = global ? sel(spec.namespaceSelector, errs) : undefined;
  const saSel = sel(spec.serviceAccountSelector, errs);
  const hostOnly = spec.preDNAT === true || spec.doNotTrack === true;
  const rules: Record<Direction, CompiledRule[]> = { ingress: [], egress: [] };
  for (const dir of ['ingress', 'egress'] as const) {
    if (!Array.isArray(spec[dir])) continue;
    spec[dir].forEach((r: Any, i: number) => {
      const c = compileRule(r, i, dir, ns, errs);
      if (c) rules[dir].push(c);
    });
  }
  const kind = global ? 'CalicoGlobalNetworkPolicy' : 'CalicoNetworkPolicy';
  return {
    ref: { kind, name: o.ref.name, namespace: ns, tier: tierName, order: Number.isFinite(order) ? order : undefined, object: o },
    specPath: ['spec'],
    types: typesOf(spec),
    namespace: ns,
    tierName,
    order,
    sortName: o.ref.name,
    selects(pod: PodEndpoint, ctx: EvalCtx): Tri {
      if (hostOnly || pod.hostNetwork) return false;
      if (ns !== undefined && pod.namespace !== ns) return false;
      let r: Tri = podSel ? evalPodSel(podSel, pod, ctx) : true;
      if (r === false) return false;
      if (nsSel) r = and3(r, evalNsSel(nsSel, pod.namespace, ctx));
      if (saSel) r = and3(r, saSel.otherNsKeys ? ctx.doubts.maybe('unknown', `Calico serviceAccountSelector "${saSel.text}": service account labels are not modelled`) : saSel.f({ 'projectcalico.org/name': pod.serviceAccount }));
      return r;
    },
    rules,
  };
}

export interface CalicoPipeline {
  readonly tiers: CalicoTier[];
  readonly errors: string[];
  /** Kubernetes NetworkPolicies, as Calico places them (default tier, order 1000, name knp.default.<name>). */
  readonly np: PolicyIndex<CalicoPolicy>;
}

/** Build the ordered tiers from Calico policies + Kubernetes NetworkPolicies + admin policies. */
export function buildCalicoPipeline(state: ClusterState, npPolicies: readonly CompiledPolicy[], admin: readonly AdminPolicy[], includeAdmin: boolean): CalicoPipeline {
  const errors: string[] = [];
  const tierObjs = new Map<string, LoadedObject>();
  for (const g of CALICO_GROUPS) for (const t of state.ofKind(`${g}/Tier`)) tierObjs.set(t.ref.name, t);
  const tiers = new Map<string, CalicoTier>();
  const tierOf = (name: string): CalicoTier => {
    let t = tiers.get(name);
    if (t) return t;
    const obj = tierObjs.get(name);
    const spec: Any = obj ? (obj.obj as Any).spec ?? {} : {};
    let order = typeof spec.order === 'number' ? spec.order : Infinity;
    let defaultAction: 'deny' | 'pass' = spec.defaultAction === 'Pass' ? 'pass' : 'deny';
    if (!obj && name === 'default') order = DEFAULT_TIER_ORDER;
    if (!obj && (name === ADMIN_TIER.name || name === 'adminnetworkpolicy')) {
      order = ADMIN_TIER.order;
      defaultAction = 'pass';
    }
    if (!obj && (name === BASELINE_TIER.name || name === 'baselineadminnetworkpolicy')) {
      order = BASELINE_TIER.order;
      defaultAction = 'pass';
    }
    t = { name, order, defaultAction, object: obj, policies: [] };
    tiers.set(name, t);
    return t;
  };
  tierOf('default');
  for (const g of CALICO_GROUPS) {
    for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) {
      for (const o of state.ofKind(`${g}/${kind}`)) {
        const p = compileCalicoPolicy(o, errors);
        if (p) tierOf(p.tierName).policies.push(p);
      }
    }
  }
  const npWrapped: CalicoPolicy[] = npPolicies.map((np) => ({ ...np, tierName: 'default', order: 1000, sortName: `knp.default.${np.ref.name}` }));
  if (includeAdmin) {
    for (const a of admin) {
      const t = tierOf(a.tier === 'Admin' ? ADMIN_TIER.name : BASELINE_TIER.name);
      t.policies.push({ ...a, tierName: t.name, order: a.priority, sortName: a.ref.name } as CalicoPolicy);
    }
  }
  for (const t of tiers.values()) {
    (t.policies as CalicoPolicy[]).sort(byCalicoOrder);
    t.global = [];
    t.byNs = new Map();
    for (const p of t.policies as CalicoPolicy[]) {
      if (p.namespace === undefined) t.global.push(p);
      else {
        const l = t.byNs.get(p.namespace);
        if (l) l.push(p);
        else t.byNs.set(p.namespace, [p]);
      }
    }
  }
  npWrapped.sort(byCalicoOrder);
  const sorted = [...tiers.values()].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : 1));
  return { tiers: sorted, errors, np: new PolicyIndex(npWrapped) };
}

function mergeSorted(a: CalicoPolicy[], b: CalicoPolicy[]): CalicoPolicy[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: CalicoPolicy[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(byCalicoOrder(a[i], b[j]) <= 0 ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

function byCalicoOrder(a: CalicoPolicy, b: CalicoPolicy): number {
  return a.order - b.order || (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0);
}

export interface CalicoResult {
  readonly outcomes: ReadonlySet<'allow' | 'deny'>;
  readonly steps: Step[];
  readonly applied: boolean;
}

export function evaluateCalico(pipeline: CalicoPipeline, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): CalicoResult {
  const outcomes = new Set<'allow' | 'deny'>();
  const steps: Step[] = [];
  let applied = false;
  for (const t of pipeline.tiers) {
    let candidates = mergeSorted(t.global ?? [], t.byNs?.get(subject.namespace) ?? []);
    if (t.name === 'default') candidates = mergeSorted(candidates, pipeline.np.candidates(subject));
    if (candidates.length === 0) continue;
    const admin = t.name === ADMIN_TIER.name || t.name === BASELINE_TIER.name;
    const r = walkOrdered(candidates, dir, subject, peer, flow, ctx, (p) => `[tier ${t.name}] ${p.ref.kind} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name}`, admin ? (p) => (p as CalicoPolicy).order : undefined);
    steps.push(...r.steps);
    if (r.selected !== false) applied = true;
    if (r.outcomes.has('allow')) outcomes.add('allow');
    if (r.outcomes.has('deny')) outcomes.add('deny');
    let cont = r.outcomes.has('pass');
    if (r.outcomes.has('none')) {
      if (r.selected === false) cont = true;
      else {
        if (t.defaultAction === 'deny') {
          outcomes.add('deny');
          for (const p of r.selecting) steps.push({ outcome: 'deny', effect: 'tier-default-deny', policy: p, note: () => `[tier ${t.name}] ${ruleLabel(p)} applies to ${subject.namespace}/${subject.name} for ${dir} and no rule of the tier acted: end-of-tier deny` });
        } else cont = true;
        if (r.selected === 'maybe') cont = true;
      }
    }
    if (!cont) return { outcomes, steps, applied };
  }
  outcomes.add('allow'); // profile (kns.<namespace>) allows
  return { outcomes, steps, applied };
}

export function ruleLabel(p: CompiledPolicy): string {
  return `${p.ref.kind} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name}`;
}
