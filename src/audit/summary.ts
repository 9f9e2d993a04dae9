// Who did what: per-identity summaries, denied requests and anonymous access, from normalised audit
// events (audit analyze --summary) or stored ones (audit query --summary/--denied/--anonymous).
// Pure and bounded: at most MAX_KEYS identities / entries are tracked, the rest are counted.
import { effectiveUser, resourceLabel, type AuditEvent } from './event.js';

export interface SummaryEvent {
  time: string;
  user: string;
  impersonated?: string;
  verb: string;
  /** "pods", "pods/exec", "deployments.apps"; undefined for non-resource requests. */
  resource?: string;
  namespace?: string;
  name?: string;
  code?: number;
  decision?: string;
  sourceIP?: string;
  userAgent?: string;
  requestURI?: string;
}

export type IdentityKind = 'user' | 'serviceaccount' | 'node' | 'anonymous' | 'system';

export interface Count {
  key: string;
  count: number;
}

export interface IdentitySummary {
  user: string;
  kind: IdentityKind;
  requests: number;
  /** create, update, patch, delete, deletecollection (and CloudTrail writes are not counted). */
  writes: number;
  denied: number;
  first: string;
  last: string;
  verbs: Record<string, number>;
  /** Most used resources, "verb resource" style keys: "create pods/exec". */
  actions: Count[];
  namespaces: Count[];
  sourceIPs: Count[];
  userAgents: Count[];
  /** Identities this one impersonated. */
  impersonated: Count[];
}

export interface DeniedEntry {
  user: string;
  verb: string;
  target: string;
  namespace?: string;
  name?: string;
  code?: number;
  count: number;
  first: string;
  last: string;
  sourceIPs: Count[];
}

export interface AnonymousEntry {
  verb: string;
  target: string;
  code?: number;
  decision?: string;
  count: number;
  first: string;
  last: string;
  sourceIPs: Count[];
  userAgents: Count[];
}

export interface AuditSummary {
  events: number;
  first?: string;
  last?: string;
  identities: IdentitySummary[];
  denied: DeniedEntry[];
  anonymous: AnonymousEntry[];
  /**
   * Events not itemised because a table reached its size bound (still counted in events): the least
   * active identities and groups make room for new ones, their counts go here.
   */
  overflow: number;
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const MAX_KEYS = 20_000;
const TOP = 8;
const COUNTER_KEYS = 64;

/**
 * Makes room in a full table: the least active half goes (so the busiest identities and groups
 * stay itemised whatever the input size; an evicted one that comes back is counted from then on).
 * Returns the events the evicted entries held, which become `overflow`.
 */
function evictLeast<V>(m: Map<string, V>, weight: (v: V) => number): number {
  const ws = [...m.values()].map(weight).sort((a, b) => a - b);
  const cut = ws[Math.floor(ws.length / 2)];
  let dropped = 0;
  for (const [k, v] of m) {
    const w = weight(v);
    if (w <= cut) {
      dropped += w;
      m.delete(k);
    }
  }
  if (m.size >= MAX_KEYS) {
    for (const v of m.values()) dropped += weight(v);
    m.clear();
  }
  return dropped;
}

export function identityKind(user: string): IdentityKind {
  if (user === 'system:anonymous') return 'anonymous';
  if (user.startsWith('system:serviceaccount:')) return 'serviceaccount';
  if (user.startsWith('system:node:')) return 'node';
  if (user.startsWith('system:') || user.startsWith('eks:')) return 'system';
  return 'user';
}

export function isDenied(e: { code?: number; decision?: string }): boolean {
  return e.code === 401 || e.code === 403 || e.decision === 'forbid';
}

/**
 * Counts per key for a top-N list, in bounded memory: at COUNTER_KEYS distinct keys the least
 * counted half goes (so later heavy hitters still get in; counts are then lower bounds).
 */
class Counter {
  private readonly m = new Map<string, number>();
  add(k: string | undefined): void {
    if (!k) return;
    const n = this.m.get(k);
    if (n !== undefined) this.m.set(k, n + 1);
    else {
      if (this.m.size >= COUNTER_KEYS) this.prune();
      this.m.set(k, 1);
    }
  }
  private prune(): void {
    const counts = [...this.m.values()].sort((a, b) => a - b);
    const cut = counts[Math.floor(counts.length / 2)];
    for (const [k, v] of this.m) if (v <= cut) this.m.delete(k);
    if (this.m.size >= COUNTER_KEYS) this.m.clear();
  }
  top(n = TOP): Count[] {
    return [...this.m.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([key, count]) => ({ key, count }));
  }
}

interface IdentityAcc {
  user: string;
  requests: number;
  writes: number;
  denied: number;
  first: string;
  last: string;
  verbs: Record<string, number>;
  actions: Counter;
  namespaces: Counter;
  ips: Counter;
  agents: Counter;
  imp: Counter;
}

interface EntryAcc {
  first: string;
  last: string;
  count: number;
  ips: Counter;
  agents: Counter;
}

const minT = (a: string, b: string): string => (!a ? b : !b ? a : a < b ? a : b);
const maxT = (a: string, b: string): string => (a > b ? a : b);

export function targetOf(e: SummaryEvent): string {
  return e.resource ?? (e.requestURI ? e.requestURI.split('?')[0] : '(none)');
}

export class SummaryBuilder {
  private events = 0;
  private first = '';
  private last = '';
  private overflow = 0;
  private readonly ids = new Map<string, IdentityAcc>();
  private readonly denied = new Map<string, EntryAcc & { e: SummaryEvent }>();
  private readonly anon = new Map<string, EntryAcc & { e: SummaryEvent }>();

  push(e: SummaryEvent): void {
    this.events++;
    if (e.time) {
      this.first = minT(this.first, e.time);
      this.last = maxT(this.last, e.time);
    }
    const user = e.user || '(unknown)';
    let a = this.ids.get(user);
    if (!a) {
      if (this.ids.size >= MAX_KEYS) this.overflow += evictLeast(this.ids, (x) => x.requests);
      a = { user, requests: 0, writes: 0, denied: 0, first: '', last: '', verbs: {}, actions: new Counter(), namespaces: new Counter(), ips: new Counter(), agents: new Counter(), imp: new Counter() };
      this.ids.set(user, a);
    }
    a.requests++;
    if (WRITES.has(e.verb)) a.writes++;
    const denied = isDenied(e);
    if (denied) a.denied++;
    if (e.time) {
      a.first = minT(a.first, e.time);
      a.last = maxT(a.last, e.time);
    }
    a.verbs[e.verb || '(none)'] = (a.verbs[e.verb || '(none)'] ?? 0) + 1;
    const target = targetOf(e);
    a.actions.add(`${e.verb} ${target}`);
    a.namespaces.add(e.namespace);
    a.ips.add(e.sourceIP);
    a.agents.add(e.userAgent);
    a.imp.add(e.impersonated);
    if (denied) this.entry(this.denied, `${user}\u0000${e.verb}\u0000${target}\u0000${e.namespace ?? ''}\u0000${e.name ?? ''}\u0000${e.code ?? ''}`, e);
    if (user === 'system:anonymous') this.entry(this.anon, `${e.verb}\u0000${target}\u0000${e.code ?? ''}\u0000${e.decision ?? ''}`, e);
  }

  private entry(m: Map<string, EntryAcc & { e: SummaryEvent }>, key: string, e: SummaryEvent): void {
    let x = m.get(key);
    if (!x) {
      if (m.size >= MAX_KEYS) this.overflow += evictLeast(m, (y) => y.count);
      x = { e, first: '', last: '', count: 0, ips: new Counter(), agents: new Counter() };
      m.set(key, x);
    }
    x.count++;
    if (e.time) {
      x.first = minT(x.first, e.time);
      x.last = maxT(x.last, e.time);
    }
    x.ips.add(e.sourceIP);
    x.agents.add(e.userAgent);
  }

  result(): AuditSummary {
    const identities: IdentitySummary[] = [...this.ids.values()]
      .map((a) => ({
        user: a.user,
        kind: identityKind(a.user),
        requests: a.requests,
        writes: a.writes,
        denied: a.denied,
        first: a.first,
        last: a.last,
        verbs: a.verbs,
        actions: a.actions.top(),
        namespaces: a.namespaces.top(),
        sourceIPs: a.ips.top(5),
        userAgents: a.agents.top(3),
        impersonated: a.imp.top(5),
      }))
      .sort((x, y) => y.writes - x.writes || y.requests - x.requests || (x.user < y.user ? -1 : 1));
    const denied: DeniedEntry[] = [...this.denied.values()]
      .map((x) => ({
        user: x.e.user || '(unknown)',
        verb: x.e.verb,
        target: targetOf(x.e),
        ...(x.e.namespace ? { namespace: x.e.namespace } : {}),
        ...(x.e.name ? { name: x.e.name } : {}),
        ...(x.e.code !== undefined ? { code: x.e.code } : {}),
        count: x.count,
        first: x.first,
        last: x.last,
        sourceIPs: x.ips.top(5),
      }))
      .sort((a, b) => b.count - a.count || (a.first < b.first ? -1 : 1));
    const anonymous: AnonymousEntry[] = [...this.anon.values()]
      .map((x) => ({
        verb: x.e.verb,
        target: targetOf(x.e),
        ...(x.e.code !== undefined ? { code: x.e.code } : {}),
        ...(x.e.decision ? { decision: x.e.decision } : {}),
        count: x.count,
        first: x.first,
        last: x.last,
        sourceIPs: x.ips.top(5),
        userAgents: x.agents.top(3),
      }))
      .sort((a, b) => b.count - a.count || (a.first < b.first ? -1 : 1));
    return { events: this.events, ...(this.first ? { first: this.first, last: this.last } : {}), identities, denied, anonymous, overflow: this.overflow };
  }
}

/** Text rendering shared by `audit query` and `audit analyze --summary`. */
export function renderSummary(s: AuditSummary, parts: { identities?: boolean; denied?: boolean; anonymous?: boolean } = { identities: true, denied: true, anonymous: true }, maxRows = 50): string {
  const out: string[] = [];
  const span = s.first ? ` from ${s.first} to ${s.last}` : '';
  if (parts.identities) {
    out.push(`Who did what (${s.events.toLocaleString('en-US')} events${span}, ${s.identities.length} identities; most writes first):`);
    for (const i of s.identities.slice(0, maxRows)) {
      const verbs = Object.entries(i.verbs)
        .sort((a, b) => b[1] - a[1])
        .map(([v, n]) => `${v} ${n}`)
        .join(', ');
      out.push(`  ${i.user} [${i.kind}]  requests ${i.requests}, writes ${i.writes}, denied ${i.denied}  ${i.first} .. ${i.last}`);
      out.push(`      verbs: ${verbs}`);
      if (i.actions.length) out.push(`      top: ${i.actions.map((c) => `${c.key} (${c.count})`).join(', ')}`);
      if (i.namespaces.length) out.push(`      namespaces: ${i.namespaces.map((c) => c.key).join(', ')}`);
      if (i.sourceIPs.length) out.push(`      from: ${i.sourceIPs.map((c) => c.key).join(', ')}`);
      if (i.impersonated.length) out.push(`      impersonated: ${i.impersonated.map((c) => `${c.key} (${c.count})`).join(', ')}`);
    }
    if (s.identities.length > maxRows) out.push(`  ... ${s.identities.length - maxRows} more (see --format json)`);
    out.push('');
  }
  if (parts.denied) {
    out.push(`Denied requests (401/403 or authorization decision forbid): ${s.denied.reduce((n, d) => n + d.count, 0)}`);
    for (const d of s.denied.slice(0, maxRows)) {
      const obj = d.namespace || d.name ? ` ${[d.namespace, d.name].filter(Boolean).join('/')}` : '';
      out.push(`  ${String(d.count).padStart(6)}x  ${d.user}  ${d.verb} ${d.target}${obj}  ${d.code ?? ''}  ${d.first} .. ${d.last}${d.sourceIPs.length ? `  from ${d.sourceIPs.map((c) => c.key).join(', ')}` : ''}`);
    }
    if (s.denied.length > maxRows) out.push(`  ... ${s.denied.length - maxRows} more (see --format json)`);
    out.push('');
  }
  if (parts.anonymous) {
    out.push(`Anonymous requests (system:anonymous): ${s.anonymous.reduce((n, d) => n + d.count, 0)}`);
    for (const a of s.anonymous.slice(0, maxRows)) {
      out.push(`  ${String(a.count).padStart(6)}x  ${a.verb} ${a.target}  ${a.code ?? ''}${a.decision ? ` ${a.decision}` : ''}  ${a.first} .. ${a.last}${a.sourceIPs.length ? `  from ${a.sourceIPs.map((c) => c.key).join(', ')}` : ''}`);
    }
    if (s.anonymous.length > maxRows) out.push(`  ... ${s.anonymous.length - maxRows} more (see --format json)`);
    out.push('');
  }
  if (s.overflow > 0) out.push(`(state capped: ${s.overflow} events not itemised: past ${MAX_KEYS} distinct identities or entries, the least active made room for new ones)`, '');
  return out.join('\n');
}

/** A normalised event as a summary input. */
export function summaryEventOf(ev: AuditEvent): SummaryEvent {
  const eff = effectiveUser(ev);
  const ref = ev.objectRef;
  return {
    time: ev.time,
    user: ev.user.username,
    impersonated: eff !== ev.user ? eff.username : undefined,
    verb: ev.verb,
    resource: ev.cloudtrail ? ev.cloudtrail.eventSource : resourceLabel(ref) || undefined,
    namespace: ref?.namespace,
    name: ref?.name,
    code: ev.code,
    decision: ev.decision,
    sourceIP: ev.sourceIPs[0],
    userAgent: ev.userAgent,
    requestURI: ev.requestURI,
  };
}
