// Kubernetes NetworkPolicy (networking.k8s.io/v1): compilation and the "union of allows" tier.
//
// Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
// - a pod is isolated in a direction only if a policy of its namespace selects it and has that
//   direction in policyTypes; policyTypes defaults to [Ingress] plus Egress when spec.egress is a
//   non-empty list (apiserver defaulting: `len(spec.Egress) != 0`);
// - allows are a union over every selecting policy; order never matters;
// - a rule matches when one of its peers matches (no `to`/`from`: every peer) and one of its ports
//   matches (no `ports`: every port); namespaceSelector + podSelector in one peer are ANDed;
// - ipBlock cidr minus except; IPv4 CIDRs never match IPv6 addresses; on pod and node IPs the
//   behaviour belongs to the implementation (Semantics.ipBlockPodIPs / ipBlockNodeIPs);
// - protocol defaults to TCP; a named port resolves on the destination pod's container ports only
//   (so never on an IP such as the metadata endpoint); endPort makes a range.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import { PolicyIndex, type CompiledPolicy, type CompiledRule, type EvalCtx, type Step } from './engine.js';
import { cidrContains, parseCidr, parseIp, type Cidr } from './ip.js';
import { isEmptySelector, labelsMatch, neverClusterAddress, type LabelSelector } from './model.js';
import { npPortMatches, subjectOrPeerPorts } from './ports.js';
import { and3, any3, or3, type Direction, type Flow, type Peer, type PodEndpoint, type Tri } from './types.js';

export const NETWORK_POLICY_GK = 'networking.k8s.io/NetworkPolicy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function requiredLabelOf(sel: LabelSelector): readonly [string, string] | undefined {
  if (!sel) return undefined;
  const e = Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))[0];
  if (e && typeof e[1] === 'string') return [e[0], e[1]];
  for (const x of sel.matchExpressions ?? []) if (x.operator === 'In' && x.values?.length === 1) return [x.key, x.values[0]];
  return undefined;
}

export function policyTypesOf(spec: Any): Set<Direction> {
  const types = new Set<Direction>();
  if (Array.isArray(spec?.policyTypes) && spec.policyTypes.length > 0) {
    for (const t of spec.policyTypes) {
      if (t === 'Ingress') types.add('ingress');
      if (t === 'Egress') types.add('egress');
    }
    return types;
  }
  types.add('ingress');
  if (Array.isArray(spec?.egress) && spec.egress.length > 0) types.add('egress');
  return types;
}

/** ipBlock against one address: in cidr and in no except. */
export function ipInBlock(ip: string, block: { cidr?: unknown; except?: unknown }): boolean {
  const a = parseIp(ip);
  const c = typeof block.cidr === 'string' ? parseCidr(block.cidr) : undefined;
  if (!a || !c || !cidrContains(c, a)) return false;
  for (const e of Array.isArray(block.except) ? block.except : []) {
    const x = typeof e === 'string' ? parseCidr(e) : undefined;
    if (x && cidrContains(x, a)) return false;
  }
  return true;
}

/** ipBlock against a set of addresses (unknown set: decided only for whole-family CIDRs without except). */
function ipsInBlock(ips: readonly string[], block: Any, ctx: EvalCtx, what: string): Tri {
  if (ips.length > 0) return ips.some((ip) => ipInBlock(ip, block));
  const c = typeof block.cidr === 'string' ? parseCidr(block.cidr) : undefined;
  if (!c) return false;
  if (neverClusterAddress(c)) return false;
  const fams = ctx.model.podIpFamilies;
  const excepts = (Array.isArray(block.except) ? block.except : []).map((e: unknown) => (typeof e === 'string' ? parseCidr(e) : undefined));
  if (c.bits === 0 && excepts.every((x: Cidr | undefined) => !!x && neverClusterAddress(x)) && fams?.includes(c.family)) return true;
  return ctx.doubts.maybe('unknown', `${what}: IP unknown, cannot tell whether ipBlock ${c.text} covers it`);
}

function withSemantics(v: boolean | 'undefined', m: Tri, ctx: EvalCtx, reason: string): Tri {
  if (m === false || v === false) return false;
  if (v === true) return m;
  return ctx.doubts.maybe('implementation-defined', reason);
}

/** One NetworkPolicyPeer against a peer endpoint. */
export function npPeerMatches(peerSpec: Any, policyNs: string, peer: Peer, ctx: EvalCtx): Tri {
  if (!peerSpec || typeof peerSpec !== 'object') return false;
  if (peerSpec.ipBlock) {
    const block = peerSpec.ipBlock;
    if (peer.kind === 'ip') return ipInBlock(peer.ip, block);
    if (peer.kind === 'pod') {
      const m = ipsInBlock(peer.ips, block, ctx, `pod ${peer.namespace}/${peer.name}`);
      return withSemantics(ctx.sem.ipBlockPodIPs, m, ctx, `ipBlock ${block.cidr} on a pod IP (${peer.namespace}/${peer.name}): the NetworkPolicy spec leaves ipBlock on pod IPs to the implementation`);
    }
    const m = ipsInBlock(peer.ips, block, ctx, describeNode(peer));
    return withSemantics(ctx.sem.ipBlockNodeIPs, m, ctx, `ipBlock ${block.cidr} on a node IP (${describeNode(peer)}): implementation-defined`);
  }
  const podSel: LabelSelector = peerSpec.podSelector;
  const nsSel: LabelSelector = peerSpec.namespaceSelector;
  if (podSel === undefined && nsSel === undefined) return false; // invalid peer
  if (peer.kind === 'ip') return false;
  const pod = peer.kind === 'pod' ? peer : peer.pod;
  if (!pod) return false; // a bare node is never selected by pod selectors
  const nsOk: Tri = nsSel !== undefined && nsSel !== null ? ctx.model.nsSelects(nsSel, pod.namespace, ctx.doubts) : pod.namespace === policyNs;
  const podOk: Tri = podSel !== undefined && podSel !== null ? labelsMatch(podSel, pod.labels) : true;
  const m = and3(nsOk, podOk);
  if (peer.kind === 'node') return withSemantics(ctx.sem.hostNetworkPeers, m, ctx, `hostNetwork pod ${pod.namespace}/${pod.name} as a selector peer: implementation-defined (its traffic carries the node IP)`);
  return m;
}

/** Peers holding ipBlocks 0.0.0.0/0 and ::/0 whose excepts only remove addresses no pod or node has. */
function coversEveryAddress(peers: Any[]): boolean {
  const full = new Set<number>();
  for (const p of peers) {
    const b = p?.ipBlock;
    const c = b && typeof b.cidr === 'string' ? parseCidr(b.cidr) : undefined;
    if (!c || c.bits !== 0) continue;
    const ex = Array.isArray(b.except) ? b.except : [];
    if (ex.every((e: unknown) => typeof e === 'string' && !!parseCidr(e) && neverClusterAddress(parseCidr(e)!))) full.add(c.family);
  }
  return full.has(4) && full.has(6);
}

function describeNode(n: Peer): string {
  return n.kind === 'node' ? `node ${n.name ?? n.ips[0] ?? '?'}` : 'peer';
}

export function compileNetworkPolicy(o: LoadedObject): CompiledPolicy | undefined {
  const spec: Any = (o.obj as Any).spec;
  if (!spec || typeof spec !== 'object') return undefined;
  const ns = o.ref.namespace ?? 'default';
  const podSelector: LabelSelector = spec.podSelector ?? {};
  const types = policyTypesOf(spec);
  const rules: Record<Direction, CompiledRule[]> = { ingress: [], egress: [] };
  for (const dir of ['ingress', 'egress'] as const) {
    const list = spec[dir];
    if (!Array.isArray(list)) continue;
    const peersField = dir === 'ingress' ? 'from' : 'to';
    list.forEach((r: Any, i: number) => {
      const rule = r && typeof r === 'object' ? r : {};
      const peers: Any[] | undefined = Array.isArray(rule[peersField]) && rule[peersField].length > 0 ? rule[peersField] : undefined;
      const ports: Any[] | undefined = Array.isArray(rule.ports) && rule.ports.length > 0 ? rule.ports : undefined;
      const path: ObjPath = ['spec', dir, i];
      const coversAll = !!peers && coversEveryAddress(peers);
      rules[dir].push({
        index: i,
        action: 'allow',
        path,
        match(subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
          const portOk: Tri = ports ? any3(ports, (p) => npPortMatches(p, flow, subjectOrPeerPorts(dir, subject, peer), ctx)) : true;
          if (portOk === false) return false;
          let peerOk: Tri = peers ? any3(peers, (p) => npPeerMatches(p, ns, peer, ctx)) : true;
          // 0.0.0.0/0 and ::/0 together hold every address, whichever family the unknown one has.
          if (peerOk === 'maybe' && coversAll && peer.kind !== 'ip' && peer.ips.length === 0) {
            const sem = peer.kind === 'pod' ? ctx.sem.ipBlockPodIPs : ctx.sem.ipBlockNodeIPs;
            peerOk = or3(peerOk, withSemantics(sem, true, ctx, `ipBlock 0.0.0.0/0 and ::/0 on a ${peer.kind === 'pod' ? 'pod' : 'node'} IP: implementation-defined`));
          }
          return and3(portOk, peerOk);
        },
      });
    });
  }
  return {
    ref: { kind: 'NetworkPolicy', name: o.ref.name, namespace: ns, object: o },
    specPath: ['spec'],
    types,
    namespace: ns,
    requiredLabel: isEmptySelector(podSelector) ? undefined : requiredLabelOf(podSelector),
    selects(pod: PodEndpoint, ctx: EvalCtx): Tri {
      if (pod.namespace !== ns) return false;
      if (!labelsMatch(podSelector, pod.labels)) return false;
      if (pod.hostNetwork) {
        if (ctx.sem.hostNetworkSubjects === false) return false;
        if (ctx.sem.hostNetworkSubjects === 'undefined') return ctx.doubts.maybe('implementation-defined', `NetworkPolicy on hostNetwork pod ${pod.namespace}/${pod.name}: implementation-defined (most implementations ignore it)`);
      }
      return true;
    },
    rules,
  };
}

export function compileNetworkPolicies(objects: readonly LoadedObject[]): PolicyIndex<CompiledPolicy> {
  const out: CompiledPolicy[] = [];
  for (const o of objects) {
    const p = compileNetworkPolicy(o);
    if (p) out.push(p);
  }
  return new PolicyIndex(out);
}

export interface UnionResult {
  /** Possible outcomes: allow (a rule allowed), deny (isolated, nothing allowed), continue (not isolated). */
  readonly outcomes: ReadonlySet<'allow' | 'deny' | 'continue'>;
  readonly steps: Step[];
  readonly selecting: CompiledPolicy[];
}

/**
 * The NetworkPolicy tier: isolation by any selecting policy with that direction, union of allows.
 * Also used for Cilium, where every rule of every selecting policy is an allow (denies apart).
 */
export function evaluateUnion(candidates: readonly CompiledPolicy[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx, label = 'NetworkPolicy'): UnionResult {
  let isolated: Tri = false;
  let allowed: Tri = false;
  const steps: Step[] = [];
  const selecting: CompiledPolicy[] = [];
  for (const p of candidates) {
    if (!p.types.has(dir)) continue;
    const sel = p.selects(subject, ctx);
    if (sel === false) continue;
    selecting.push(p);
    isolated = isolated === true ? true : sel === true ? true : 'maybe';
    for (const r of p.rules[dir]) {
      const m = and3(sel, r.match(subject, peer, flow, ctx));
      if (m === false) continue;
      allowed = allowed === true ? true : m;
      steps.push({ outcome: 'allow', policy: p, rule: r, effect: 'allow', uncertain: m !== true, note: () => `${label} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name} ${dir}[${r.index}]: allow${m !== true ? ' (may match)' : ''}` });
    }
  }
  const outcomes = new Set<'allow' | 'deny' | 'continue'>();
  if (allowed === true) outcomes.add('allow');
  else {
    if (allowed === 'maybe') outcomes.add('allow');
    if (isolated === false) outcomes.add('continue');
    else {
      if (isolated === 'maybe') outcomes.add('continue');
      outcomes.add('deny');
      for (const p of selecting) steps.push({ outcome: 'deny', policy: p, effect: 'isolate', note: () => `${label} ${p.ref.namespace ? `${p.ref.namespace}/` : ''}${p.ref.name} isolates ${subject.namespace}/${subject.name} for ${dir}; no rule allows this flow` });
    }
  }
  const keep = allowed === true ? steps.filter((s) => s.outcome === 'allow' && !s.uncertain) : steps;
  return { outcomes, steps: keep, selecting };
}
