// The network view of a ClusterState: pods (templates stand for their pods), namespaces with
// their labels, nodes with their labels and addresses, and a resolver from IP to endpoint.
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import { cidrContains, cidrCovers, parseCidr, parseIp, type Cidr, type Family } from './ip.js';
import { and3, type ContainerPort, type Doubts, type IpEndpoint, type NodeEndpoint, type Peer, type PodEndpoint, type Protocol, type Tri } from './types.js';

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
} | null | undefined;

export const NS_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NetNamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** False when no Namespace object is loaded: only kubernetes.io/metadata.name is known. */
  readonly labelsKnown: boolean;
  readonly object?: LoadedObject;
}

export interface NetNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  readonly object: LoadedObject;
}

export interface ModelOptions {
  /** IP families of pods when their IPs are unknown (e.g. from the cloud cluster's ipFamily). */
  podIpFamilies?: Family[];
  /** Extra nodes/namespaces (tests, synthetic models). */
  extraNamespaces?: NetNamespace[];
}

function protocolOf(p: unknown): Protocol {
  const s = typeof p === 'string' ? p.toUpperCase() : 'TCP';
  return s === 'UDP' || s === 'SCTP' ? s : 'TCP';
}

export function containerPortsOf(spec: Readonly<Record<string, unknown>>): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const field of ['containers', 'initContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!c || !Array.isArray(c.ports)) continue;
      for (const p of c.ports) {
        if (!p || typeof p.containerPort !== 'number') continue;
        out.push({ name: typeof p.name === 'string' ? p.name : undefined, port: p.containerPort, protocol: protocolOf(p.protocol) });
      }
    }
  }
  return out;
}

export function podFromTemplate(t: PodTemplateView): PodEndpoint {
  const o = t.owner;
  const ips: string[] = [];
  if (o.ref.kind === 'Pod' && o.group === '') {
    const st = (o.obj as { status?: { podIPs?: Array<{ ip?: string }>; podIP?: string } }).status;
    for (const p of st?.podIPs ?? []) if (p && typeof p.ip === 'string') ips.push(p.ip);
    if (ips.length === 0 && typeof st?.podIP === 'string') ips.push(st.podIP);
  }
  const spec = t.spec as Record<string, unknown>;
  return Object.freeze({
    kind: 'pod' as const,
    id: `${t.namespace}/${o.ref.kind}/${o.ref.name}`,
    namespace: t.namespace,
    name: o.ref.name,
    labels: t.labels,
    hostNetwork: spec.hostNetwork === true,
    node: typeof spec.nodeName === 'string' ? spec.nodeName : undefined,
    ips,
    ports: containerPortsOf(spec),
    serviceAccount: typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default',
    template: t,
  });
}

export class NetworkModel {
  readonly pods: readonly PodEndpoint[];
  private readonly namespaces = new Map<string, NetNamespace>();
  readonly nodes: readonly NetNode[];
  private readonly byIp = new Map<string, Peer>();
  readonly podIpFamilies?: Family[];

  constructor(state: ClusterState, opts: ModelOptions = {}) {
    this.podIpFamilies = opts.podIpFamilies;
    for (const n of state.ofKind('Namespace')) {
      const labels = { ...(n.obj.metadata?.labels ?? {}), [NS_NAME_LABEL]: n.ref.name };
      this.namespaces.set(n.ref.name, Object.freeze({ name: n.ref.name, labels: Object.freeze(labels), labelsKnown: true, object: n }));
    }
    for (const ns of opts.extraNamespaces ?? []) this.namespaces.set(ns.name, ns);
    const nodes: NetNode[] = [];
    for (const n of state.ofKind('Node')) {
      const st = (n.obj as { status?: { addresses?: Array<{ type?: string; address?: string }> } }).status;
      const ips = (st?.addresses ?? []).filter((a) => a && typeof a.address === 'string' && parseIp(a.address)).map((a) => a.address as string);
      nodes.push(Object.freeze({ name: n.ref.name, labels: Object.freeze({ ...(n.obj.metadata?.labels ?? {}) }), ips, object: n }));
    }
    this.nodes = Object.freeze(nodes);
    this.pods = Object.freeze(state.podTemplates().map(podFromTemplate));
    for (const n of this.nodes) for (const ip of n.ips) this.byIp.set(canonical(ip), { kind: 'node', name: n.name, labels: n.labels, ips: n.ips });
    for (const p of this.pods) if (!p.hostNetwork) for (const ip of p.ips) this.byIp.set(canonical(ip), p);
  }

  namespace(name: string): NetNamespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = Object.freeze({ name, labels: Object.freeze({ [NS_NAME_LABEL]: name }), labelsKnown: false });
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  node(name: string | undefined): NetNode | undefined {
    if (!name) return undefined;
    return this.nodes.find((n) => n.name === name);
  }

  /** The endpoint an IP belongs to: a loaded pod (by status IP), a loaded node, else an external address. */
  resolveIp(ip: string, extra: Partial<IpEndpoint> = {}): Peer {
    return this.byIp.get(canonical(ip)) ?? { kind: 'ip', ip, ...extra };
  }

  /** A hostNetwork pod as a peer is its node. */
  asPeer(p: PodEndpoint): Peer {
    if (!p.hostNetwork) return p;
    const n = this.node(p.node);
    if (!n && !p.node && this.nodes.length > 0) {
      // Not scheduled in the model: any loaded node its nodeSelector allows.
      const sel = (p.template?.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector ?? {};
      const candidates = this.nodes.filter((x) => Object.entries(sel).every(([k, v]) => x.labels[k] === v));
      if (candidates.length === 1) return { kind: 'node', name: candidates[0].name, labels: candidates[0].labels, ips: candidates[0].ips, pod: p };
      if (candidates.length > 1) return { kind: 'node', ips: p.ips, pod: p, candidates };
    }
    const node: NodeEndpoint = { kind: 'node', name: n?.name ?? p.node, labels: n?.labels, ips: n?.ips ?? p.ips, pod: p };
    return node;
  }

  /** Does a Kubernetes label selector on namespaces select `ns`? Unknown labels make it "maybe". */
  nsSelects(sel: LabelSelector, nsName: string, doubts: Doubts): Tri {
    if (!sel) return false;
    const ns = this.namespace(nsName);
    const r = compileSelector(sel)(ns.labels);
    if (ns.labelsKnown) return r;
    if (selectorOnlyUses(sel, NS_NAME_LABEL)) return r;
    return doubts.maybe('unknown', `labels of namespace ${nsName} are unknown (no Namespace object loaded)`);
  }

  nodeSelects(sel: LabelSelector, node: NodeEndpoint, doubts: Doubts): Tri {
    if (!sel) return false;
    if (node.labels) return compileSelector(sel)(node.labels);
    if (node.candidates && node.candidates.length > 0) {
      const hits = node.candidates.filter((c) => compileSelector(sel)(c.labels)).length;
      if (hits === node.candidates.length) return true;
      if (hits === 0) return false;
      return doubts.maybe('unknown', `the node of hostNetwork pod ${node.pod?.namespace}/${node.pod?.name} is not known and only some nodes match`);
    }
    if (isEmptySelector(sel)) return true;
    return doubts.maybe('unknown', `labels of ${node.name ? `node ${node.name}` : 'the node'} are unknown (no Node object loaded)`);
  }

  /** Does the pod have an address in one of the CIDRs? Pod IPs unknown: decided only when the CIDRs cover whole families. */
  podInCidrs(p: { ips: readonly string[] }, cidrs: readonly string[], doubts: Doubts, what: string): Tri {
    const parsed = cidrs.map(parseCidr).filter((c): c is NonNullable<typeof c> => !!c);
    if (p.ips.length > 0) {
      for (const ip of p.ips) {
        const a = parseIp(ip);
        if (a && parsed.some((c) => cidrContains(c, a))) return true;
      }
      return false;
    }
    // Pod IPs come from pod CIDRs / VPC subnets, never from link-local space or the EC2 service
    // prefix (169.254.0.0/16, fe80::/10, fd00:ec2::/64): CIDRs inside those never hold a pod.
    if (parsed.length > 0 && parsed.every(neverClusterAddress)) return false;
    const full = new Set(parsed.filter((c) => c.bits === 0).map((c) => c.family));
    const fams = this.podIpFamilies;
    if (fams && fams.length > 0 && fams.some((f) => full.has(f))) return true;
    if (full.has(4) && full.has(6)) return true;
    if (parsed.length === 0) return false;
    return doubts.maybe('unknown', `${what}: pod IP unknown (no status.podIPs); whether it falls in ${parsed.map((c) => c.text).join(', ')} cannot be told`);
  }
}

const NEVER_POD = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/64'].map((c) => parseCidr(c)!);

/** True when no pod or node can have an address in this CIDR (link-local space, the EC2 service prefix). */
export function neverClusterAddress(c: Cidr): boolean {
  return NEVER_POD.some((n) => cidrCovers(n, c));
}

// A dotted quad without leading zeros is already canonical: no parse (and no entry in the address
// cache) for each of 50,000 pod IPs when the model is built.
const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function canonical(ip: string): string {
  if (CANONICAL_V4.test(ip)) return ip;
  const a = parseIp(ip);
  return a ? a.addr.toNormalizedString() : ip;
}

export function isEmptySelector(sel: LabelSelector): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function selectorOnlyUses(sel: NonNullable<LabelSelector>, key: string): boolean {
  return Object.keys(sel.matchLabels ?? {}).every((k) => k === key) && (sel.matchExpressions ?? []).every((e) => e.key === key);
}

type Matcher = (labels: Readonly<Record<string, string>>) => boolean;
const compiled = new WeakMap<object, Matcher>();

/**
 * A label selector compiled once (cached by object identity; parsed manifests are frozen), with the
 * semantics of apimachinery: matchLabels and matchExpressions ANDed; NotIn and DoesNotExist hold
 * when the key is absent; an unknown operator selects nothing.
 */
export function compileSelector(sel: NonNullable<LabelSelector>): Matcher {
  const hit = compiled.get(sel);
  if (hit) return hit;
  const ml = Object.entries(sel.matchLabels ?? {});
  const ex = (sel.matchExpressions ?? []).map((e) => ({ key: e.key, op: e.operator, set: new Set(e.values ?? []) }));
  const has = Object.prototype.hasOwnProperty;
  const f: Matcher = (labels) => {
    for (let i = 0; i < ml.length; i++) if (labels[ml[i][0]] !== ml[i][1] || !has.call(labels, ml[i][0])) return false;
    for (let i = 0; i < ex.length; i++) {
      const e = ex[i];
      const present = has.call(labels, e.key);
      switch (e.op) {
        case 'In':
          if (!present || !e.set.has(labels[e.key])) return false;
          break;
        case 'NotIn':
          if (present && e.set.has(labels[e.key])) return false;
          break;
        case 'Exists':
          if (!present) return false;
          break;
        case 'DoesNotExist':
          if (present) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  };
  compiled.set(sel, f);
  return f;
}

/** Kubernetes label selector match; a present-but-empty selector selects everything. */
export function labelsMatch(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return !!sel && compileSelector(sel)(labels);
}

export { and3 };
