// AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) and
// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, tier Admin | Baseline).
//
// Evaluation (network-policy-api): Admin tier by priority (0-1000, lower first; rules in written
// order; first match wins; Allow/Accept and Deny are final, Pass skips to the NetworkPolicy
// tier) -> NetworkPolicy -> Baseline tier (same first-match) -> default allow. Host-network pods
// are never subjects nor namespaces/pods peers. `networks` peers match every IP, pod IPs
// included ("cluster-internal traffic will be checked against the rule as well"). A peer with no
// known field fails closed: matches nothing for Allow, everything for Deny / Pass.
import type { LoadedObject } from '../../core/types.js';
import type { CompiledPolicy, CompiledRule, EvalCtx } from './engine.js';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import { labelsMatch, NS_NAME_LABEL, type LabelSelector } from './model.js';
import { namedPortMatches, normProtocol, subjectOrPeerPorts } from './ports.js';
import { and3, any3, type Action, type Direction, type Flow, type Peer, type PodEndpoint, type PolicyKind, type Tri } from './types.js';

export const ANP_GK = 'policy.networking.k8s.io/AdminNetworkPolicy';
export const BANP_GK = 'policy.networking.k8s.io/BaselineAdminNetworkPolicy';
export const CNP_GK = 'policy.networking.k8s.io/ClusterNetworkPolicy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export type AdminTier = 'Admin' | 'Baseline';

function actionOf(a: unknown): Action | undefined {
  switch (a) {
    case 'Allow':
    case 'Accept':
      return 'allow';
    case 'Deny':
      return 'deny';
    case 'Pass':
      return 'pass';
    default:
      return undefined;
  }
}

/** Subject / namespaced-pod selection of a non-hostNetwork pod. */
function selectsPod(sub: Any, pod: PodEndpoint, ctx: EvalCtx): Tri {
  if (!sub || typeof sub !== 'object' || pod.hostNetwork) return false;
  if (sub.namespaces) return ctx.model.nsSelects(sub.namespaces as LabelSelector, pod.namespace, ctx.doubts);
  if (sub.pods) {
    const nsSel: LabelSelector = sub.pods.namespaceSelector ?? {};
    const podSel: LabelSelector = sub.pods.podSelector ?? {};
    if (!labelsMatch(podSel, pod.labels)) return false;
    return ctx.model.nsSelects(nsSel, pod.namespace, ctx.doubts);
  }
  return false;
}

function ipsInNetworks(ips: readonly string[], networks: readonly string[]): boolean {
  for (const ip of ips) {
    const a = parseIp(ip);
    if (!a) continue;
    for (const n of networks) {
      const c = parseCidr(n);
      if (c && cidrContains(c, a)) return true;
    }
  }
  return false;
}

function domainMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/**
 * A namespaces peer: a LabelSelector (current API), or the v0.1.x NamespacedPeer
 * {namespaceSelector | sameLabels | notSameLabels} that policy-assistant's examples still use.
 */
function namespacesPeerMatches(spec: Any, subject: PodEndpoint, nsName: string, ctx: EvalCtx): Tri {
  if (!spec || typeof spec !== 'object') return false;
  const legacy = 'namespaceSelector' in spec || 'sameLabels' in spec || 'notSameLabels' in spec;
  if (!legacy) return ctx.model.nsSelects(spec as LabelSelector, nsName, ctx.doubts);
  if (spec.namespaceSelector) return ctx.model.nsSelects(spec.namespaceSelector as LabelSelector, nsName, ctx.doubts);
  const mine = ctx.model.namespace(subject.namespace);
  const theirs = ctx.model.namespace(nsName);
  const keys: string[] = Array.isArray(spec.sameLabels) ? spec.sameLabels : Array.isArray(spec.notSameLabels) ? spec.notSameLabels : [];
  // v0.1.1 API: an empty list selects nothing; a selected namespace has every listed label, and
  // the values are compared with the subject's (policy-assistant: the subject must have them too);
  // sameLabels: all equal; notSameLabels: at least one differs.
  if (keys.length === 0) return false;
  if ((!mine.labelsKnown || !theirs.labelsKnown) && keys.some((k) => k !== NS_NAME_LABEL)) return ctx.doubts.maybe('unknown', 'sameLabels/notSameLabels on namespaces whose labels are unknown');
  if (!keys.every((k) => k in mine.labels && k in theirs.labels)) return false;
  if (Array.isArray(spec.sameLabels)) return keys.every((k) => mine.labels[k] === theirs.labels[k]);
  return keys.some((k) => mine.labels[k] !== theirs.labels[k]);
}

function podsPeerMatches(spec: Any, subject: PodEndpoint, pod: PodEndpoint, ctx: EvalCtx): Tri {
  if (!spec || typeof spec !== 'object') return false;
  if (!labelsMatch((spec.podSelector ?? {}) as LabelSelector, pod.labels)) return false;
  if (spec.namespaces && typeof spec.namespaces === 'object' && !('namespaceSelector' in spec && spec.namespaceSelector)) return namespacesPeerMatches(spec.namespaces, subject, pod.namespace, ctx);
  return ctx.model.nsSelects((spec.namespaceSelector ?? {}) as LabelSelector, pod.namespace, ctx.doubts);
}

function peerMatches(peerSpec: Any, action: Action, subject: PodEndpoint, peer: Peer, ctx: EvalCtx, where: string): Tri {
  if (!peerSpec || typeof peerSpec !== 'object') return false;
  const known = ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'].filter((k) => peerSpec[k] !== undefined && peerSpec[k] !== null);
  if (known.length === 0) return action !== 'allow'; // fail closed
  if (peerSpec.namespaces || peerSpec.pods) {
    if (peer.kind !== 'pod' || peer.hostNetwork) return false;
    if (peerSpec.namespaces) return namespacesPeerMatches(peerSpec.namespaces, subject, peer.namespace, ctx);
    return podsPeerMatches(peerSpec.pods, subject, peer, ctx);
  }
  if (peerSpec.nodes) {
    if (peer.kind !== 'node') return false;
    return ctx.model.nodeSelects(peerSpec.nodes as LabelSelector, peer, ctx.doubts);
  }
  if (Array.isArray(peerSpec.networks)) {
    const nets: string[] = peerSpec.networks.filter((n: unknown) => typeof n === 'string');
    if (peer.kind === 'ip') return ipsInNetworks([peer.ip], nets);
    if (peer.kind === 'pod') return ctx.model.podInCidrs(peer, nets, ctx.doubts, `${where} networks`);
    return ctx.model.podInCidrs(peer, nets, ctx.doubts, `${where} networks (node ${peer.name ?? 'address unknown'})`);
  }
  if (Array.isArray(peerSpec.domainNames)) {
    if (action !== 'allow' || peer.kind !== 'ip' || !peer.hostnames) return false;
    return peerSpec.domainNames.some((d: unknown) => typeof d === 'string' && peer.hostnames!.some((h) => domainMatches(d, h)));
  }
  return false;
}

/** v1alpha1 `ports` entries. */
function v1PortMatches(entry: Any, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
  if (!entry || typeof entry !== 'object') return false;
  if (entry.portNumber) {
    const proto = normProtocol(entry.portNumber.protocol, 'TCP');
    return proto === flow.protocol && entry.portNumber.port === flow.port;
  }
  if (entry.portRange) {
    const proto = normProtocol(entry.portRange.protocol, 'TCP');
    return proto === flow.protocol && flow.port >= entry.portRange.start && flow.port <= entry.portRange.end;
  }
  if (typeof entry.namedPort === 'string') return namedPortMatches(entry.namedPort, 'ANY', subjectOrPeerPorts(dir, subject, peer), flow);
  return false;
}

/** v1alpha2 `protocols` entries. */
function v2ProtocolMatches(entry: Any, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
  if (!entry || typeof entry !== 'object') return false;
  if (typeof entry.destinationNamedPort === 'string') return namedPortMatches(entry.destinationNamedPort, 'ANY', subjectOrPeerPorts(dir, subject, peer), flow);
  for (const [key, proto] of [['tcp', 'TCP'], ['udp', 'UDP'], ['sctp', 'SCTP']] as const) {
    const p = entry[key];
    if (p === undefined || p === null) continue;
    if (proto !== flow.protocol) return false;
    const dp = p.destinationPort;
    if (!dp) return true;
    if (typeof dp.number === 'number' && dp.number > 0) return dp.number === flow.port;
    if (dp.range) return flow.port >= dp.range.start && flow.port <= dp.range.end;
    return false;
  }
  return false;
}

export interface AdminPolicy extends CompiledPolicy {
  readonly tier: AdminTier;
  readonly priority: number;
}

export function compileAdminPolicy(o: LoadedObject): AdminPolicy | undefined {
  const spec: Any = (o.obj as Any).spec;
  if (!spec || typeof spec !== 'object') return undefined;
  let kind: PolicyKind;
  let tier: AdminTier;
  let priority: number;
  const v2 = o.ref.kind === 'ClusterNetworkPolicy';
  if (v2) {
    kind = 'ClusterNetworkPolicy';
    tier = spec.tier === 'Baseline' ? 'Baseline' : 'Admin';
    if (spec.tier !== 'Admin' && spec.tier !== 'Baseline') return undefined;
    priority = typeof spec.priority === 'number' ? spec.priority : 0;
  } else if (o.ref.kind === 'BaselineAdminNetworkPolicy') {
    kind = 'BaselineAdminNetworkPolicy';
    tier = 'Baseline';
    priority = 0;
  } else {
    kind = 'AdminNetworkPolicy';
    tier = 'Admin';
    priority = typeof spec.priority === 'number' ? spec.priority : 0;
  }
  const subject = spec.subject;
  const label = `${kind} ${o.ref.name}`;
  const rules: Record<Direction, CompiledRule[]> = { ingress: [], egress: [] };
  for (const dir of ['ingress', 'egress'] as const) {
    const list = spec[dir];
    if (!Array.isArray(list)) continue;
    const peersField = dir === 'ingress' ? 'from' : 'to';
    list.forEach((r: Any, i: number) => {
      if (!r || typeof r !== 'object') return;
      const action = actionOf(r.action);
      if (!action) return;
      const peers: Any[] = Array.isArray(r[peersField]) ? r[peersField] : [];
      const ports: Any[] | undefined = v2 ? (Array.isArray(r.protocols) && r.protocols.length > 0 ? r.protocols : undefined) : Array.isArray(r.ports) && r.ports.length > 0 ? r.ports : undefined;
      rules[dir].push({
        index: i,
        name: typeof r.name === 'string' ? r.name : undefined,
        action,
        path: ['spec', dir, i],
        match(subj: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri {
          const portOk: Tri = ports ? any3(ports, (p) => (v2 ? v2ProtocolMatches(p, dir, subj, peer, flow, ctx) : v1PortMatches(p, dir, subj, peer, flow, ctx))) : true;
          if (portOk === false) return false;
          return and3(portOk, any3(peers, (p) => peerMatches(p, action, subj, peer, ctx, label)));
        },
      });
    });
  }
  const types = new Set<Direction>();
  if (rules.ingress.length > 0) types.add('ingress');
  if (rules.egress.length > 0) types.add('egress');
  return {
    ref: { kind, name: o.ref.name, tier, priority: kind === 'BaselineAdminNetworkPolicy' ? undefined : priority, object: o },
    specPath: ['spec'],
    types,
    tier,
    priority,
    selects: (pod: PodEndpoint, ctx: EvalCtx) => selectsPod(subject, pod, ctx),
    rules,
  };
}

/** Admin-family policies sorted: priority, then name (ties stay grouped for walkOrdered). */
export function sortAdmin(policies: AdminPolicy[]): AdminPolicy[] {
  return [...policies].sort((a, b) => a.priority - b.priority || (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
}
