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

const BIT: Record<string, number> = { allow: 1, deny: 2, pass: 4 };

/**
 * `policies` sorted by precedence; `groupKey` (when given) makes consecutive policies with the same
 * key one group of equal precedence (ANP priority). Without it every policy is its own group.
 */
export function walkOrdered(policies: readonly CompiledPolicy[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx, label: (p: CompiledPolicy) => string, groupKey?: (p: CompiledPolicy) => number): OrderedResult {
  let outBits = 0;
  const steps: Step[] = [];
  let selected: Tri = false;
  const selecting: CompiledPolicy[] = [];
  let i = 0;
  while (i < policies.length) {
    // one group: [i, j)
    let j = i + 1;
    if (groupKey) {
      const k = groupKey(policies[i]);
      while (j < policies.length && groupKey(policies[j]) === k) j++;
    }
    let groupBits = 0;
    let allCanMiss = true;
    let contributors = 0;
    for (let g = i; g < j; g++) {
      const p = policies[g];
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
          steps.push({ outcome: 'continue', policy: p, rule: r, note: () => `${label(p)} ${dir}[${r.index}]${r.name ? ` ${r.name}` : ''}: Log (evaluation continues)` });
          continue;
        }
        groupBits |= BIT[r.action];
        contributed = true;
        steps.push({
          outcome: r.action === 'allow' ? 'allow' : r.action === 'deny' ? 'deny' : 'continue',
          policy: p,
          rule: r,
          effect: r.action,
          uncertain: m !== true,
          note: () => `${label(p)} ${dir}[${r.index}]${r.name ? ` ${r.name}` : ''}: ${r.action === 'allow' ? 'Allow' : r.action === 'deny' ? 'Deny' : 'Pass'}${m !== true ? ' (may match)' : ''}`,
        });
        if (m === true) {
          canMiss = false;
          break;
        }
      }
      if (contributed) contributors++;
      if (!canMiss) allCanMiss = false;
    }
    if (contributors > 1 && (groupBits & (groupBits - 1)) !== 0) {
      const names = policies.slice(i, j).map((p) => p.ref.name).join(', ');
      ctx.doubts.maybe('implementation-defined', `policies of equal precedence (${names}) match with different actions: the implementation may apply any of them`);
    }
    outBits |= groupBits;
    if (!allCanMiss) return { outcomes: toSet(outBits, false), steps, selected, selecting };
    i = j;
  }
  return { outcomes: toSet(outBits, true), steps, selected, selecting };
}

function toSet(bits: number, none: boolean): Set<OrderedOutcome> {
  const out = new Set<OrderedOutcome>();
  if (bits & 1) out.add('allow');
  if (bits & 2) out.add('deny');
  if (bits & 4) out.add('pass');
  if (none) out.add('none');
  return out;
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
