// Shared types of the network policy evaluator (src/analysis/network). Pure data, no I/O.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { PodTemplateView } from '../../model/cluster-state.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export type Direction = 'egress' | 'ingress';

/**
 * Outcome of one direction (or of a connection):
 * - allowed / denied: every reading of the policies and of the implementation gives this answer;
 * - implementation-defined: the answer depends on behaviour the specification leaves to the
 *   implementation (ipBlock on pod IPs, endPort support, NAT before policy, equal priorities...);
 * - unknown: the answer depends on data the model lacks (namespace labels, pod IPs, node labels).
 */
export type Verdict = 'allowed' | 'denied' | 'implementation-defined' | 'unknown';

/** Three-valued truth used by every matcher: true, false, or "cannot tell". */
export type Tri = boolean | 'maybe';

export function and3(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  return 'maybe';
}
export function or3(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === false && b === false) return false;
  return 'maybe';
}
export function not3(a: Tri): Tri {
  return a === 'maybe' ? 'maybe' : !a;
}
export function any3<T>(items: Iterable<T>, f: (x: T) => Tri): Tri {
  let r: Tri = false;
  for (const x of items) {
    const v = f(x);
    if (v === true) return true;
    if (v === 'maybe') r = 'maybe';
  }
  return r;
}
export function all3<T>(items: Iterable<T>, f: (x: T) => Tri): Tri {
  let r: Tri = true;
  for (const x of items) {
    const v = f(x);
    if (v === false) return false;
    if (v === 'maybe') r = 'maybe';
  }
  return r;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** A pod (or a pod template standing for its pods) as the network layer sees it. */
export interface PodEndpoint {
  readonly kind: 'pod';
  /** "namespace/Kind/name" of the owning object, stable for reports. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostNetwork: boolean;
  /** spec.nodeName when known. */
  readonly node?: string;
  /** status.podIPs (or podIP) when known. */
  readonly ips: readonly string[];
  readonly ports: readonly ContainerPort[];
  readonly serviceAccount: string;
  readonly template?: PodTemplateView;
}

/** An address outside the pod model: cloud metadata endpoints, the internet, a node not loaded... */
export interface IpEndpoint {
  readonly kind: 'ip';
  readonly ip: string;
  /** DNS names known to resolve to this address (FQDN / domainNames rules match them). */
  readonly hostnames?: readonly string[];
  /** Short human label, e.g. "AWS IMDS". */
  readonly label?: string;
}

/** A node, addressed by one of its IPs (also what a hostNetwork pod is as a peer). */
export interface NodeEndpoint {
  readonly kind: 'node';
  readonly name?: string;
  /** Node labels, undefined when the Node object is not loaded. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  /** The hostNetwork pod this node endpoint stands for, if any (its container ports). */
  readonly pod?: PodEndpoint;
  /** When the node is not known (pod without nodeName): the loaded nodes it may run on. */
  readonly candidates?: ReadonlyArray<{ readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly ips: readonly string[] }>;
}

export type Peer = PodEndpoint | IpEndpoint | NodeEndpoint;

export interface Flow {
  readonly protocol: Protocol;
  readonly port: number;
}

export type EngineName = 'kubernetes' | 'calico' | 'cilium';

export type PolicyKind =
  | 'NetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'ClusterNetworkPolicy'
  | 'CalicoNetworkPolicy'
  | 'CalicoGlobalNetworkPolicy'
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy';

/** Which policy object (and which rule in it) took part in a decision. */
export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly name: string;
  readonly namespace?: string;
  /** Admin / Baseline (ANP family), or the Calico tier name. */
  readonly tier?: string;
  /** ANP / ClusterNetworkPolicy priority (lower wins). */
  readonly priority?: number;
  /** Calico order (lower first; undefined = last). */
  readonly order?: number;
  readonly object?: LoadedObject;
}

export type Action = 'allow' | 'deny' | 'pass' | 'log';

export interface Decision {
  readonly policy: PolicyRef;
  /** What this policy did: a rule's action, or "isolate" (selected, no rule allowed: default deny). */
  readonly effect: Action | 'isolate' | 'tier-default-deny';
  /** 0-based index of the rule in its direction's list, when a rule decided. */
  readonly rule?: number;
  readonly ruleName?: string;
  /** Path of the rule (or of the policy spec) inside the object. */
  readonly path: ObjPath;
  /** True when the rule only may have matched (see uncertainties). */
  readonly uncertain?: boolean;
}

export interface Uncertainty {
  readonly kind: 'implementation-defined' | 'unknown';
  readonly reason: string;
}

/** The answer for one direction of one flow. */
export interface DirectionResult {
  readonly direction: Direction;
  readonly verdict: Verdict;
  /** Policies that decided (allowing rules, denying rules, isolating policies), in evaluation order. */
  readonly decidedBy: readonly Decision[];
  /** Human-readable steps, e.g. "[Admin] priority 10 deny-imds: Deny". */
  readonly path: readonly string[];
  readonly uncertainties: readonly Uncertainty[];
  /** Which enforcement semantics were applied. */
  readonly engines: readonly string[];
  /** False when nobody enforces policy on this cluster as far as the model tells (verdict then ignores policies). */
  readonly enforced: boolean | 'unknown';
  /** Policies that would have decided had they been enforced (set when enforced is false). */
  readonly unenforced?: readonly PolicyRef[];
  /** Verdict of the policies as written, whoever enforces them (set when enforced is not true). */
  readonly asWritten?: Verdict;
}

export interface ConnectionResult {
  readonly verdict: Verdict;
  readonly egress: DirectionResult;
  readonly ingress?: DirectionResult;
}

/** Collects the reasons of "maybe" answers during one evaluation. */
export class Doubts {
  readonly list: Uncertainty[] = [];
  private readonly seen = new Set<string>();
  maybe(kind: Uncertainty['kind'], reason: string): 'maybe' {
    const k = `${kind}|${reason}`;
    if (!this.seen.has(k)) {
      this.seen.add(k);
      this.list.push({ kind, reason });
    }
    return 'maybe';
  }
}

export function describePeer(p: Peer): string {
  if (p.kind === 'pod') return `${p.namespace}/${p.name}${p.hostNetwork ? ' (hostNetwork)' : ''}`;
  if (p.kind === 'node') return `node ${p.name ?? p.ips[0] ?? '?'}`;
  return p.label ? `${p.label} ${fmtIp(p.ip)}` : fmtIp(p.ip);
}

export function fmtIp(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

export function describePolicy(p: PolicyRef): string {
  const where = p.namespace ? `${p.namespace}/${p.name}` : p.name;
  const extra: string[] = [];
  if (p.tier !== undefined) extra.push(`tier ${p.tier}`);
  if (p.priority !== undefined) extra.push(`priority ${p.priority}`);
  if (p.order !== undefined) extra.push(`order ${p.order}`);
  return `${p.kind} ${where}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
