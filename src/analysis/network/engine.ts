// Compiled policies and the evaluation context shared by every engine.
import type { ObjPath } from '../../core/types.js';
import type { NetworkModel } from './model.js';
import type { Action, Direction, Doubts, Flow, Peer, PodEndpoint, PolicyRef, Tri } from './types.js';

/** How an implementation reads the parts of the specifications that are left open. */
export interface Semantics {
  readonly name: string;
  /** NetworkPolicy ipBlock matches pod IPs (spec: cluster-external IPs; behaviour on pod IPs is the implementation's). */
  readonly ipBlockPodIPs: boolean | 'undefined';
  /** NetworkPolicy ipBlock matches node IPs. */
  readonly ipBlockNodeIPs: boolean | 'undefined';
  /** endPort honoured; false = only `port` is applied. */
  readonly endPort: boolean | 'undefined';
  /** podSelector / namespaceSelector peers match hostNetwork pods (their traffic carries the node IP). */
  readonly hostNetworkPeers: boolean | 'undefined';
  /** NetworkPolicy applies to hostNetwork pods as subjects (most implementations: no). */
  readonly hostNetworkSubjects: boolean | 'undefined';
}

export const SPEC_SEMANTICS: Semantics = Object.freeze({
  name: 'kubernetes-spec',
  ipBlockPodIPs: 'undefined',
  ipBlockNodeIPs: 'undefined',
  endPort: 'undefined',
  hostNetworkPeers: 'undefined',
  hostNetworkSubjects: false,
});

/** The reading of network-policy-api's policy-assistant and of cyclonus (and of the upstream e2e tests). */
export const REFERENCE_SEMANTICS: Semantics = Object.freeze({
  name: 'reference',
  ipBlockPodIPs: true,
  ipBlockNodeIPs: true,
  endPort: true,
  hostNetworkPeers: false,
  hostNetworkSubjects: false,
});

export interface EvalCtx {
  readonly model: NetworkModel;
  readonly sem: Semantics;
  readonly doubts: Doubts;
}

export interface CompiledRule {
  readonly index: number;
  readonly name?: string;
  readonly action: Action;
  readonly path: ObjPath;
  /** `subject` is the pod the policy applies to; `peer` the other end. */
  match(subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): Tri;
}

export interface CompiledPolicy {
  readonly ref: PolicyRef;
  readonly specPath: ObjPath;
  /** Directions in which a selected pod is governed by this policy. */
  readonly types: ReadonlySet<Direction>;
  selects(pod: PodEndpoint, ctx: EvalCtx): Tri;
  readonly rules: Readonly<Record<Direction, readonly CompiledRule[]>>;
  /** Only pods of this namespace can be selected (namespaced policies). */
  readonly namespace?: string;
  /** A label every selected pod must carry (fast candidate index), when the selector requires one. */
  readonly requiredLabel?: readonly [string, string];
}

/** Policies indexed for fast "which policies may select this pod" look-ups. */
export class PolicyIndex<P extends CompiledPolicy> {
  private readonly byNs = new Map<string, { any: P[]; byLabel: Map<string, P[]> }>();
  private readonly global: { any: P[]; byLabel: Map<string, P[]> } = { any: [], byLabel: new Map() };
  readonly all: readonly P[];

  constructor(policies: P[]) {
    this.all = policies;
    for (const p of policies) {
      let bucket = this.global;
      if (p.namespace !== undefined) {
        let b = this.byNs.get(p.namespace);
        if (!b) this.byNs.set(p.namespace, (b = { any: [], byLabel: new Map() }));
        bucket = b;
      }
      if (p.requiredLabel) {
        const k = `${p.requiredLabel[0]}\u0000${p.requiredLabel[1]}`;
        const l = bucket.byLabel.get(k);
        if (l) l.push(p);
        else bucket.byLabel.set(k, [p]);
      } else bucket.any.push(p);
    }
  }

  /** Candidates in declaration order (a superset of the policies that select the pod). */
  candidates(pod: PodEndpoint): P[] {
    const out: P[] = [];
    const take = (b: { any: P[]; byLabel: Map<string, P[]> } | undefined): void => {
      if (!b) return;
      out.push(...b.any);
      if (b.byLabel.size > 0) for (const [k, v] of Object.entries(pod.labels)) { const l = b.byLabel.get(`${k}\u0000${v}`); if (l) out.push(...l); }
    };
    take(this.byNs.get(pod.namespace));
    take(this.global);
    if (out.length > 1) {
      const order = this.orderOf();
      out.sort((a, b) => order.get(a)! - order.get(b)!);
    }
    return out;
  }

  private order?: Map<P, number>;
  private orderOf(): Map<P, number> {
    if (!this.order) this.order = new Map(this.all.map((p, i) => [p, i]));
    return this.order;
  }
}

/** Outcome sets: what a tier / policy list may do with a flow. */
export type Outcome = 'allow' | 'deny' | 'continue';

export interface Step {
  readonly outcome: Outcome;
  readonly policy?: CompiledPolicy;
  readonly rule?: CompiledRule;
  readonly effect?: 'isolate' | 'tier-default-deny' | 'pass' | 'allow' | 'deny';
  readonly uncertain?: boolean;
  readonly note: string | (() => string);
}
