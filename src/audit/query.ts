// `kubeward audit query` as a library: filters from user terms (times, kind/namespace/name), and the
// views over a store: events ("everything that touched X"), detections, who-did-what summaries,
// denied requests, anonymous access.
import { UserError } from '../core/types.js';
import { resourceLabel } from './event.js';
import { SummaryBuilder, renderSummary, type AuditSummary, type SummaryEvent } from './summary.js';
import type { AuditStore, DetectionFilter, EventFilter, StoredDetection, StoredEvent } from './server/store/types.js';

const IRREGULAR: Readonly<Record<string, string>> = {
  ingress: 'ingresses',
  endpoints: 'endpoints',
  networkpolicy: 'networkpolicies',
  podsecuritypolicy: 'podsecuritypolicies',
  storageclass: 'storageclasses',
  ingressclass: 'ingressclasses',
  priorityclass: 'priorityclasses',
  runtimeclass: 'runtimeclasses',
  poddisruptionbudget: 'poddisruptionbudgets',
  status: 'status',
};

/** "Pod", "pod", "pods", "deployments.apps", "ClusterRoleBinding" -> the resource name in audit events. */
export function resourceForKind(kind: string): string {
  const k = kind.toLowerCase().split('.')[0];
  if (k in IRREGULAR) return IRREGULAR[k];
  if (k.endsWith('s')) return k;
  if (/[^aeiou]y$/.test(k)) return k.slice(0, -1) + 'ies';
  if (/(x|ch|sh)$/.test(k)) return k + 'es';
  return k + 's';
}

/** kind, kind/name (any namespace), kind/namespace/name, kind//name (cluster-scoped). */
export function parseObjectSpec(spec: string): Pick<EventFilter, 'resource' | 'namespace' | 'name'> {
  const parts = spec.split('/');
  if (parts.length > 3 || parts[0] === '') throw new UserError(`--object ${spec}: expected kind, kind/name or kind/namespace/name (e.g. pod/shop/web, clusterrolebinding/admins)`);
  const resource = resourceForKind(parts[0]);
  if (parts.length === 1) return { resource };
  if (parts.length === 2) return { resource, name: parts[1] };
  return { resource, namespace: parts[1], name: parts[2] };
}

/** RFC 3339 / ISO date, or a duration back from now: 30s, 15m, 2h, 7d, 1w. */
export function parseTime(s: string, flag: string, now = Date.now()): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(s.trim());
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 's']!;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new UserError(`${flag} ${s}: expected a time (2025-03-01T10:00:00Z, 2025-03-01) or a duration back from now (15m, 2h, 7d)`);
  return t;
}

export function summaryEventOf(e: StoredEvent): SummaryEvent {
  return {
    time: e.eventTime,
    user: e.username,
    impersonated: e.impersonated ?? undefined,
    verb: e.verb,
    resource: e.resource ? resourceLabel({ apiGroup: e.apiGroup ?? '', resource: e.resource, subresource: e.subresource ?? undefined }) : undefined,
    namespace: e.namespace ?? undefined,
    name: e.name ?? undefined,
    code: e.code ?? undefined,
    decision: e.decision ?? undefined,
    sourceIP: e.sourceIp ?? undefined,
    userAgent: e.userAgent ?? undefined,
    requestURI: e.requestUri ?? undefined,
  };
}

export type QueryView = 'events' | 'detections' | 'summary' | 'denied' | 'anonymous';

export interface QueryOptions {
  view: QueryView;
  filter: EventFilter;
  detection?: DetectionFilter;
  /** Include each event's full JSON (events view, json format). */
  raw?: boolean;
}

export interface QueryResult {
  view: QueryView;
  store: { kind: string; where: string; events: number; detections: number; first?: string; last?: string };
  filter: Record<string, unknown>;
  events?: Array<Omit<StoredEvent, 'event'> & { event?: unknown }>;
  /** True when the events view stopped at --limit. */
  truncated?: boolean;
  detections?: unknown[];
  summary?: AuditSummary;
}

export async function runQuery(store: AuditStore, q: QueryOptions): Promise<QueryResult> {
  const c = await store.counts();
  const out: QueryResult = {
    view: q.view,
    store: {
      kind: store.kind,
      where: store.where,
      events: c.events,
      detections: c.detections,
      ...(c.firstMs !== null ? { first: new Date(c.firstMs).toISOString() } : {}),
      ...(c.lastMs !== null ? { last: new Date(c.lastMs).toISOString() } : {}),
    },
    filter: Object.fromEntries(Object.entries({ ...q.filter, ...(q.view === 'detections' ? { detectionId: q.detection?.detectionId } : {}) }).filter(([, v]) => v !== undefined)),
  };
  if (q.view === 'detections') {
    const rows: StoredDetection[] = await store.detections(q.detection ?? {});
    out.detections = rows.map((r) => {
      try {
        return JSON.parse(r.json);
      } catch {
        return { id: r.detectionId, auditID: r.auditId, message: r.message };
      }
    });
    return out;
  }
  if (q.view === 'events') {
    const limit = q.filter.limit ?? 1000;
    const events: NonNullable<QueryResult['events']> = [];
    for await (const e of store.events({ ...q.filter, limit: limit + 1 }, q.raw)) {
      if (events.length === limit) {
        out.truncated = true;
        break;
      }
      const { event, ...rest } = e;
      events.push(q.raw && event ? { ...rest, event: JSON.parse(event) } : rest);
    }
    out.events = events;
    return out;
  }
  const b = new SummaryBuilder();
  const f: EventFilter = { ...q.filter, limit: undefined, ...(q.view === 'denied' ? { denied: true } : q.view === 'anonymous' ? { anonymous: true } : {}) };
  for await (const e of store.events(f)) b.push(summaryEventOf(e));
  out.summary = b.result();
  return out;
}

const obj = (ns: string | null, name: string | null): string => (ns && name ? `${ns}/${name}` : name ?? (ns ? `${ns}/*` : ''));

export function renderQueryText(r: QueryResult): string {
  const out: string[] = [];
  const s = r.store;
  out.push(`kubeward audit query: ${s.kind} ${s.where}: ${s.events.toLocaleString('en-US')} events${s.first ? ` (${s.first} .. ${s.last})` : ''}, ${s.detections} detections`);
  const filters = Object.entries(r.filter)
    .filter(([k]) => k !== 'limit')
    .map(([k, v]) => `${k}=${k.endsWith('Ms') ? new Date(v as number).toISOString() : String(v)}`);
  if (filters.length) out.push(`filter: ${filters.join(' ')}`);
  out.push('');
  if (r.events) {
    for (const e of r.events) {
      const res = e.resource ? resourceLabel({ apiGroup: e.apiGroup ?? '', resource: e.resource, subresource: e.subresource ?? undefined }) : e.requestUri ?? '';
      const who = e.impersonated ? `${e.username} as ${e.impersonated}` : e.username;
      out.push(`${e.eventTime || '(no time)'}  ${who}  ${e.verb} ${res}${e.namespace || e.name ? ' ' + obj(e.namespace, e.name) : ''}  ${e.code ?? ''}${e.decision === 'forbid' ? ' forbid' : ''}  ${e.sourceIp ?? ''}  ${e.auditId}${e.stage !== 'ResponseComplete' ? ` (${e.stage})` : ''}`);
    }
    out.push('', `${r.events.length} event${r.events.length === 1 ? '' : 's'}${r.truncated ? ' (stopped at --limit; narrow the filter or raise --limit)' : ''}`);
  }
  if (r.detections) {
    for (const d of r.detections as Array<Record<string, unknown>>) {
      const where = [d.namespace, d.name].filter(Boolean).join('/');
      out.push(`${String(d.severity).toUpperCase().padEnd(8)} ${d.id}  ${d.time || '(no time)'}  user ${d.user}${d.impersonatedUser ? ` as ${d.impersonatedUser}` : ''}  auditID ${d.auditID}`);
      const line = d.type === 'policy-violation' ? `${d.kind} ${where}: ${d.message}${d.path ? ` (${d.path})` : ''}` : `${d.message}${where ? `  [${d.resource} ${where}]` : ''}`;
      out.push(`         ${line}`);
    }
    out.push('', `${r.detections.length} detection${r.detections.length === 1 ? '' : 's'}`);
  }
  if (r.summary) {
    out.push(renderSummary(r.summary, { identities: r.view === 'summary', denied: r.view === 'summary' || r.view === 'denied', anonymous: r.view === 'summary' || r.view === 'anonymous' }));
  }
  return out.join('\n') + '\n';
}
