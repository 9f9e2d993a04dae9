// Cilium (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) together with the
// Kubernetes NetworkPolicies Cilium enforces. Semantics (docs.cilium.io "Policy Enforcement Modes",
// "Deny Policies", Rule reference):
// - all allow rules of all policies selecting an endpoint form one allow-list (order never
//   matters); deny rules (egressDeny / ingressDeny) win over every allow;
// - an endpoint is default-deny in a direction once a selecting rule has rules in that direction
//   (egress or egressDeny; enableDefaultDeny.egress: false opts out), or a NetworkPolicy isolates it;
// - `egress: [{}]` (a rule without peers) allows nothing; a rule with only toPorts allows every peer
//   on those ports; toEndpoints in a namespaced policy stays in the policy's namespace unless the
//   selector names io.kubernetes.pod.namespace;
// - toCIDR / toCIDRSet (and NetworkPolicy ipBlock) select addresses outside the cluster only
//   (world): never pods, and nodes only with policy-cidr-match-mode=nodes;
// - entities: world (world-ipv4/-ipv6) = outside the cluster, cluster = pods + nodes, host = the
//   local node (and its hostNetwork pods), remote-node = other nodes, all = everything.
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import type { CompiledPolicy, EvalCtx, Step } from './engine.js';
import { evaluateUnion } from './kubernetes.js';
import { cidrContains, familyOf, parseCidr, parseIp } from './ip.js';
import { compileSelector, type LabelSelector } from './model.js';
import { namedPortMatches, normProtocol, portRangeMatches } from './ports.js';
import { and3, any3, or3, type Direction, type Flow, type NodeEndpoint, type Peer, type PodEndpoint, type Tri } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export const CNP_CILIUM_GK = 'cilium.io/CiliumNetworkPolicy';
export const CCNP_GK = 'cilium.io/CiliumClusterwideNetworkPolicy';

export interface CiliumOptions {
  /** policy-cidr-match-mode=nodes: CIDR rules also select node IPs. */
  readonly cidrMatchesNodes: boolean;
  /** enable-policy: default | always | never. */
  readonly enforcementMode: 'default' | 'always' | 'never';
}

const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

function stripSource(key: string): { source: string; key: string } {
  const i = key.indexOf(':');
  if (i > 0 && /^(k8s|any|reserved|container|unspec|cidr|fqdn)$/.test(key.slice(0, i))) return { source: key.slice(0, i), key: key.slice(i + 1) };
  return { source: 'any', key };
}

const normCache = new WeakMap<object, { sel: NonNullable<LabelSelector>; reserved: string[]; keys: string[] }>();
const EMPTY_SEL = {};

/** Normalise a Cilium selector: drop k8s:/any: prefixes; reserved: keys are kept apart (cached per object). */
function normSelector(sel: Any): { sel: NonNullable<LabelSelector>; reserved: string[]; keys: string[] } {
  const key = sel && typeof sel === 'object' ? sel : EMPTY_SEL;
  const hit = normCache.get(key);
  if (hit) return hit;
  const r = normSelector0(key);
  normCache.set(key, r);
  return r;
}

function normSelector0(sel: Any): { sel: NonNullable<LabelSelector>; reserved: string[]; keys: string[] } {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Array<{ key: string; operator: string; values?: string[] }> = [];
  const reserved: string[] = [];
  for (const [k, v] of Object.entries((sel?.matchLabels ?? {}) as Record<string, string>)) {
    const s = stripSource(k);
    if (s.source === 'reserved') reserved.push(s.key);
    else matchLabels[s.key] = String(v);
  }
  for (const e of (sel?.matchExpressions ?? []) as Any[]) {
    if (!e || typeof e.key !== 'string') continue;
    const s = stripSource(e.key);
    if (s.source === 'reserved') reserved.push(s.key);
    else matchExpressions.push({ ...e, key: s.key });
  }
  return { sel: { matchLabels, matchExpressions }, reserved, keys: [...Object.keys(matchLabels), ...matchExpressions.map((e) => e.key)] };
}

const epCache = new WeakMap<PodEndpoint, { labels: Record<string, string>; nsKnown: boolean }>();

function endpointLabels(pod: PodEndpoint, ctx: EvalCtx): { labels: Record<string, string>; nsKnown: boolean } {
  const hit = epCache.get(pod);
  if (hit) return hit;
  const r = endpointLabels0(pod, ctx);
  epCache.set(pod, r);
  return r;
}

function endpointLabels0(pod: PodEndpoint, ctx: EvalCtx): { labels: Record<string, string>; nsKnown: boolean } {
  const ns = ctx.model.namespace(pod.namespace);
  const labels: Record<string, string> = { ...pod.labels, [NS_KEY]: pod.namespace, 'io.cilium.k8s.policy.serviceaccount': pod.serviceAccount, 'io.cilium.k8s.policy.cluster': 'default' };
  for (const [k, v] of Object.entries(ns.labels)) labels[NS_LABELS_PREFIX + k] = v;
  return { labels, nsKnown: ns.labelsKnown };
}

function selectsPod(raw: Any, pod: PodEndpoint, policyNs: string | undefined, ctx: EvalCtx): Tri {
  if (pod.hostNetwork) return false;
  const n = normSelector(raw ?? {});
  if (n.reserved.length > 0) return false;
  if (policyNs !== undefined && !n.keys.includes(NS_KEY) && pod.namespace !== policyNs) return false;
  const { labels, nsKnown } = endpointLabels(pod, ctx);
  const m = compileSelector(n.sel)(labels);
  if (!nsKnown && n.keys.some((k) => k.startsWith(NS_LABELS_PREFIX) && k !== `${NS_LABELS_PREFIX}kubernetes.io/metadata.name`)) {
    return ctx.doubts.maybe('unknown', `Cilium selector uses labels of namespace ${pod.namespace}, which are unknown`);
  }
  return m;
}

function entitiesOf(peer: Peer, subject: PodEndpoint): Map<string, Tri> {
  const m = new Map<string, Tri>([['all', true]]);
  if (peer.kind === 'ip') {
    m.set('world', true);
    const f = familyOf(peer.ip);
    m.set('world-ipv4', f === 4);
    m.set('world-ipv6', f === 6);
    return m;
  }
  m.set('cluster', true);
  if (peer.kind === 'node') {
    const same: Tri = subject.node && peer.name ? subject.node === peer.name : 'maybe';
    m.set('host', same);
    m.set('remote-node', same === 'maybe' ? 'maybe' : !same);
  }
  return m;
}

function cidrRuleMatches(cidrs: Array<{ cidr: string; except?: string[] }>, peer: Peer, opts: CiliumOptions, ctx: EvalCtx): Tri {
  let ips: readonly string[];
  if (peer.kind === 'ip') ips = [peer.ip];
  else if (peer.kind === 'node' && opts.cidrMatchesNodes) {
    if (peer.ips.length === 0) return cidrs.length > 0 ? ctx.doubts.maybe('unknown', 'Cilium CIDR rule on a node whose address is unknown') : false;
    ips = peer.ips;
  } else return false;
  for (const ip of ips) {
    const a = parseIp(ip);
    if (!a) continue;
    for (const c of cidrs) {
      const pc = parseCidr(c.cidr);
      if (!pc || !cidrContains(pc, a)) continue;
      if ((c.except ?? []).some((e) => { const x = parseCidr(e); return !!x && cidrContains(x, a); })) continue;
      return true;
    }
  }
  return false;
}

function fqdnMatches(sel: Any, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (typeof sel?.matchName === 'string') return sel.matchName.toLowerCase().replace(/\.$/, '') === h;
  if (typeof sel?.matchPattern === 'string') {
    const p = sel.matchPattern.toLowerCase().replace(/\.$/, '');
    if (p === '*') return true;
    const re = new RegExp(`^${p.split('*').map((x: string) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[-a-z0-9_]*')}$`);
    return re.test(h);
  }
  return false;
}

const L3_FIELDS = ['Endpoints', 'CIDR', 'CIDRSet', 'Entities', 'Services', 'FQDNs', 'Nodes', 'Groups', 'Requires'];

interface CRule {
  index: number;
  path: (string | number)[];
  deny: boolean;
  l7: boolean;
  match(subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri;
}

function compileRule(r: Any, i: number, dir: Direction, field: string, policyNs: string | undefined, opts: CiliumOptions): CRule | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const pre = dir === 'egress' ? 'to' : 'from';
  const present = L3_FIELDS.filter((f) => r[pre + f] !== undefined && r[pre + f] !== null);
  const toPorts: Any[] | undefined = Array.isArray(r.toPorts) && r.toPorts.length > 0 ? r.toPorts : undefined;
  const icmps = Array.isArray(r.icmps) && r.icmps.length > 0;
  const l7 = !!toPorts?.some((tp) => tp && tp.rules && Object.keys(tp.rules).length > 0);
  const empty = present.length === 0 && !toPorts && !icmps;
  return {
    index: i,
    path: ['spec', field, i],
    deny: field.endsWith('Deny'),
    l7,
    match(subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
      if (empty) return false;
      // L4
      let l4: Tri;
      if (toPorts) {
        const dstPorts = dir === 'ingress' ? subject.ports : peer.kind === 'pod' ? peer.ports : peer.kind === 'node' ? peer.pod?.ports : undefined;
        l4 = any3(toPorts, (tp) => {
          const ports: Any[] = Array.isArray(tp?.ports) ? tp.ports : [];
          if (ports.length === 0) return true;
          return any3(ports, (p) => {
            const proto = normProtocol(p?.protocol, 'ANY');
            if (!proto) return false;
            if (proto !== 'ANY' && proto !== flow.protocol) return false;
            const port = p?.port;
            if (port === undefined || port === null || port === '' || port === '0' || port === 0) return true;
            const s = String(port);
            if (/^\d+$/.test(s)) return portRangeMatches(Number(s), typeof p.endPort === 'number' ? p.endPort : undefined, flow, ctx);
            return namedPortMatches(s, proto, dstPorts, flow);
          });
        });
      } else if (icmps) l4 = false; // ICMP only: no TCP/UDP/SCTP flow
      else l4 = true;
      if (l4 === false) return false;
      if (present.length === 0) return l4;
      // L3: any selector field matches
      const l3 = any3(present, (f) => {
        const v = r[pre + f];
        switch (f) {
          case 'Endpoints': {
            if (!Array.isArray(v)) return false;
            const pod = peer.kind === 'pod' ? peer : undefined;
            if (!pod) {
              // reserved: selectors name entities
              return any3(v, (s: Any) => {
                const n = normSelector(s ?? {});
                if (n.reserved.length === 0) return false;
                const ents = entitiesOf(peer, subject);
                return any3(n.reserved, (e) => ents.get(e) ?? false);
              });
            }
            return any3(v, (s: Any) => selectsPod(s, pod, policyNs, ctx));
          }
          case 'Entities': {
            if (!Array.isArray(v)) return false;
            const ents = entitiesOf(peer, subject);
            return any3(v, (e: unknown) => (typeof e === 'string' ? ents.get(e) ?? false : false));
          }
          case 'CIDR':
            return Array.isArray(v) ? cidrRuleMatches(v.filter((c: unknown) => typeof c === 'string').map((c: string) => ({ cidr: c })), peer, opts, ctx) : false;
          case 'CIDRSet': {
            if (!Array.isArray(v)) return false;
            const refs = v.filter((c: Any) => c && typeof c.cidrGroupRef === 'string');
            const m = cidrRuleMatches(v.filter((c: Any) => c && typeof c.cidr === 'string'), peer, opts, ctx);
            if (m !== true && refs.length > 0 && peer.kind === 'ip') return or3(m, ctx.doubts.maybe('unknown', `Cilium cidrGroupRef ${refs.map((x: Any) => x.cidrGroupRef).join(', ')}: CiliumCIDRGroup contents are not modelled`));
            return m;
          }
          case 'FQDNs': {
            if (!Array.isArray(v) || peer.kind !== 'ip' || !peer.hostnames) return false;
            return v.some((s: Any) => peer.hostnames!.some((h) => fqdnMatches(s, h)));
          }
          case 'Nodes': {
            if (!Array.isArray(v) || peer.kind !== 'node') return false;
            return any3(v, (s: Any) => ctx.model.nodeSelects(normSelector(s ?? {}).sel, peer as NodeEndpoint, ctx.doubts));
          }
          case 'Services':
            return peer.kind === 'pod' ? ctx.doubts.maybe('unknown', 'Cilium toServices: Service endpoints are not modelled') : false;
          case 'Groups':
            return peer.kind === 'ip' ? ctx.doubts.maybe('unknown', 'Cilium toGroups: cloud security group members are not modelled') : false;
          default:
            return false;
        }
      });
      return and3(l3, l4);
    },
  };
}

interface CSpec {
  policy: CompiledPolicy; // ref, selects; rules unused
  specPath: (string | number)[];
  allow: Record<Direction, CRule[]>;
  deny: Record<Direction, CRule[]>;
  defaultDeny: Record<Direction, boolean>;
  node: boolean; // host policy (nodeSelector)
  nodeSelector?: Any;
}

function compileSpecs(o: LoadedObject, opts: CiliumOptions): CSpec[] {
  const body: Any = o.obj as Any;
  const clusterwide = o.ref.kind === 'CiliumClusterwideNetworkPolicy';
  const ns = clusterwide ? undefined : o.ref.namespace ?? 'default';
  const specs: Array<[Any, (string | number)[]]> = [];
  if (body.spec && typeof body.spec === 'object') specs.push([body.spec, ['spec']]);
  if (Array.isArray(body.specs)) body.specs.forEach((s: Any, i: number) => specs.push([s, ['specs', i]]));
  const out: CSpec[] = [];
  for (const [spec, base] of specs) {
    if (!spec || typeof spec !== 'object') continue;
    const allow: Record<Direction, CRule[]> = { ingress: [], egress: [] };
    const deny: Record<Direction, CRule[]> = { ingress: [], egress: [] };
    const dd: Record<Direction, boolean> = { ingress: false, egress: false };
    for (const dir of ['ingress', 'egress'] as const) {
      for (const field of [dir, `${dir}Deny`]) {
        const list = spec[field];
        if (!Array.isArray(list) || list.length === 0) continue;
        dd[dir] = true;
        list.forEach((r: Any, i: number) => {
          const c = compileRule(r, i, dir, field, ns, opts);
          if (!c) return;
          c.path = [...base, field, i];
          (c.deny ? deny : allow)[dir].push(c);
        });
      }
      const edd = spec.enableDefaultDeny?.[dir];
      if (edd === false) dd[dir] = false;
    }
    const isNode = spec.nodeSelector !== undefined && spec.nodeSelector !== null;
    const endpointSelector = spec.endpointSelector;
    const kind = clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
    const policy: CompiledPolicy = {
      ref: { kind, name: o.ref.name, namespace: ns, object: o },
      specPath: base,
      types: new Set<Direction>(['ingress', 'egress']),
      namespace: ns,
      selects: (pod: PodEndpoint, ctx: EvalCtx) => (isNode ? false : selectsPod(endpointSelector, pod, ns, ctx)),
      rules: { ingress: [], egress: [] },
    };
    out.push({ policy, specPath: base, allow, deny, defaultDeny: dd, node: isNode, nodeSelector: spec.nodeSelector });
  }
  return out;
}

export interface CiliumPipeline {
  readonly specs: CSpec[];
  readonly opts: CiliumOptions;
  readonly clusterwide: CSpec[];
  readonly byNs: Map<string, CSpec[]>;
}

export function buildCiliumPipeline(state: ClusterState, opts: CiliumOptions): CiliumPipeline {
  const specs: CSpec[] = [];
  for (const gk of [CNP_CILIUM_GK, CCNP_GK]) for (const o of state.ofKind(gk)) specs.push(...compileSpecs(o, opts));
  const clusterwide: CSpec[] = [];
  const byNs = new Map<string, CSpec[]>();
  for (const s of specs) {
    const ns = s.policy.namespace;
    if (ns === undefined) clusterwide.push(s);
    else {
      const l = byNs.get(ns);
      if (l) l.push(s);
      else byNs.set(ns, [s]);
    }
  }
  return { specs, opts, clusterwide, byNs };
}

export interface CiliumResult {
  readonly outcomes: ReadonlySet<'allow' | 'deny'>;
  readonly steps: Step[];
  readonly applied: boolean;
}

export function evaluateCilium(pipe: CiliumPipeline, np: readonly CompiledPolicy[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): CiliumResult {
  const steps: Step[] = [];
  const outcomes = new Set<'allow' | 'deny'>();
  if (pipe.opts.enforcementMode === 'never') {
    outcomes.add('allow');
    steps.push({ outcome: 'allow', note: 'Cilium enable-policy=never: no policy is enforced' });
    return { outcomes, steps, applied: false };
  }
  if (subject.hostNetwork) {
    const hostPolicies = pipe.specs.filter((s) => s.node && (s.allow[dir].length > 0 || s.deny[dir].length > 0));
    if (hostPolicies.length > 0) {
      ctx.doubts.maybe('implementation-defined', `hostNetwork pod: Cilium host policies (${hostPolicies.map((s) => s.policy.ref.name).join(', ')}) apply only when the host firewall is enabled`);
      outcomes.add('allow');
      outcomes.add('deny');
      return { outcomes, steps, applied: true };
    }
    outcomes.add('allow');
    steps.push({ outcome: 'allow', note: () => `${subject.namespace}/${subject.name} uses the host network: Cilium endpoint policies and NetworkPolicies do not apply` });
    return { outcomes, steps, applied: false };
  }
  // Kubernetes NetworkPolicies: union (they only allow); isolation = default deny.
  const npr = evaluateUnion(np, dir, subject, peer, flow, ctx);
  let allowed: Tri = npr.outcomes.has('allow') ? (npr.outcomes.size === 1 ? true : 'maybe') : false;
  let defaultDeny: Tri = npr.selecting.length === 0 ? false : npr.outcomes.has('continue') ? 'maybe' : true;
  if (pipe.opts.enforcementMode === 'always') defaultDeny = true;
  for (const s of npr.steps) if (s.outcome === 'allow') steps.push(s);
  let denied: Tri = false;
  const isolating: CompiledPolicy[] = [...npr.selecting];
  const own = pipe.byNs.get(subject.namespace) ?? [];
  for (let k = 0; k < own.length + pipe.clusterwide.length; k++) {
    const spec = k < own.length ? own[k] : pipe.clusterwide[k - own.length];
    if (spec.node) continue;
    const sel = spec.policy.selects(subject, ctx);
    if (sel === false) continue;
    if (spec.defaultDeny[dir]) {
      defaultDeny = or3(defaultDeny, sel);
      isolating.push(spec.policy);
    }
    for (const r of spec.deny[dir]) {
      const m = and3(sel, r.match(subject, peer, flow, ctx));
      if (m === false) continue;
      denied = or3(denied, m);
      steps.push({ outcome: 'deny', policy: spec.policy, rule: { index: r.index, action: 'deny', path: r.path, match: () => m }, effect: 'deny', uncertain: m !== true, note: () => `${spec.policy.ref.kind} ${spec.policy.ref.namespace ? `${spec.policy.ref.namespace}/` : ''}${spec.policy.ref.name} ${dir}Deny[${r.index}]: deny${m !== true ? ' (may match)' : ''} (deny rules override allows)` });
    }
    for (const r of spec.allow[dir]) {
      const m = and3(sel, r.match(subject, peer, flow, ctx));
      if (m === false) continue;
      allowed = or3(allowed, m);
      steps.push({ outcome: 'allow', policy: spec.policy, rule: { index: r.index, action: 'allow', path: r.path, match: () => m }, effect: 'allow', uncertain: m !== true, note: () => `${spec.policy.ref.kind} ${spec.policy.ref.namespace ? `${spec.policy.ref.namespace}/` : ''}${spec.policy.ref.name} ${dir}[${r.index}]: allow${m !== true ? ' (may match)' : ''}${r.l7 ? ' (L7 rules: only the listed requests pass, through the proxy)' : ''}` });
    }
  }
  // allowed-final = !denied && (allowed || !defaultDeny)
  const canBeAllowed = denied !== true && (allowed !== false || defaultDeny !== true);
  const canBeDenied = denied !== false || (allowed !== true && defaultDeny !== false);
  if (canBeAllowed) outcomes.add('allow');
  if (canBeDenied) outcomes.add('deny');
  if (canBeDenied && denied === false) for (const p of isolating) steps.push({ outcome: 'deny', policy: p, effect: 'isolate', note: () => `${p.ref.kind} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name} puts ${subject.namespace}/${subject.name} in default-deny for ${dir}; no rule allows this flow` });
  const applied = isolating.length > 0 || steps.length > 0;
  const keep = outcomes.size === 1 && outcomes.has('allow') ? steps.filter((s) => s.outcome === 'allow' && !s.uncertain) : outcomes.size === 1 && denied === true ? steps.filter((s) => s.outcome === 'deny' && s.effect === 'deny' && !s.uncertain) : steps;
  return { outcomes, steps: keep, applied };
}

/** Every Cilium policy object (for "unenforced" reporting). */
export function ciliumPolicyObjects(state: ClusterState): LoadedObject[] {
  return [...state.ofKind(CNP_CILIUM_GK), ...state.ofKind(CCNP_GK)];
}
