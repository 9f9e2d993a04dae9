// First-match evaluation of ordered policies (AdminNetworkPolicy / ClusterNetworkPolicy tiers,
// Calico tiers): policies in precedence order, rules in written order, the first matching rule's
// action wins. Policies of equal precedence form a group: when several of them match with
// different actions the result is implementation-defined (ANP spec: "the implementation can apply
// any of the matching policies").
import type { CompiledPolicy, EvalCtx, Step } from './engine.js';
import { and3, type Action, type Direction, type Flow, type Peer, type PodEndpoint, type Tri } from './types.js';

export type OrderedOutcome = 'allow' | 'deny' | 'pass' | 'none';

export interface OrderedResult {
  readonly outcomes: ReadonlySet<OrderedOutcome>;
  readonly steps: Step[];
  /** Whether some policy of the list selects the subject for this direction. */
  readonly selected: Tri;
  /** The policies that (may) select the subject for this direction. */
  readonly selecting: CompiledPolicy[];
}

export function walkOrdered(groups: readonly (readonly CompiledPolicy[])[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx, label: (p: CompiledPolicy) => string): OrderedResult {
  const outcomes = new Set<OrderedOutcome>();
  const steps: Step[] = [];
  let selected: Tri = false;
  const selecting: CompiledPolicy[] = [];
  for (const group of groups) {
    const groupActions = new Set<Action>();
    let allCanMiss = true;
    let contributors = 0;
    for (const p of group) {
      if (!p.types.has(dir)) continue;
      const sel = p.selects(subject, ctx);
      if (sel === false) continue;
      selected = selected === true || sel === true ? true : 'maybe';
      selecting.push(p);
      let canMiss = true;
      let contributed = false;
      for (const r of p.rules[dir]) {
        const m = and3(sel, r.match(subject, peer, flow, ctx));
        if (m === false) continue;
        if (r.action === 'log') {
          steps.push({ outcome: 'continue', policy: p, rule: r, note: `${label(p)} ${dir}[${r.index}]${r.name ? ` ${r.name}` : ''}: Log (evaluation continues)` });
          continue;
        }
        groupActions.add(r.action);
        contributed = true;
        steps.push({
          outcome: r.action === 'allow' ? 'allow' : r.action === 'deny' ? 'deny' : 'continue',
          policy: p,
          rule: r,
          effect: r.action,
          uncertain: m !== true,
          note: `${label(p)} ${dir}[${r.index}]${r.name ? ` ${r.name}` : ''}: ${r.action === 'allow' ? 'Allow' : r.action === 'deny' ? 'Deny' : 'Pass'}${m !== true ? ' (may match)' : ''}`,
        });
        if (m === true) {
          canMiss = false;
          break;
        }
      }
      if (contributed) contributors++;
      if (!canMiss) allCanMiss = false;
    }
    if (contributors > 1 && groupActions.size > 1) {
      ctx.doubts.maybe('implementation-defined', `policies of equal precedence (${group.map((p) => p.ref.name).join(', ')}) match with different actions: the implementation may apply any of them`);
    }
    for (const a of groupActions) outcomes.add(a as OrderedOutcome);
    if (!allCanMiss) return { outcomes, steps, selected, selecting };
  }
  outcomes.add('none');
  return { outcomes, steps, selected, selecting };
}

/** Group already-sorted policies by a precedence key. */
export function groupBy<T>(sorted: readonly T[], key: (x: T) => string | number): T[][] {
  const out: T[][] = [];
  let last: string | number | undefined;
  for (const x of sorted) {
    const k = key(x);
    if (out.length === 0 || k !== last) out.push([x]);
    else out[out.length - 1].push(x);
    last = k;
  }
  return out;
}
