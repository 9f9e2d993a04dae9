// The store schema, one definition for SQLite and PostgreSQL (only the id column and the integer
// types differ), and the filters of `kubeward audit query` as SQL. Documented in docs/audit-serve.md.
import type { DetectionFilter, DetectionRow, EventFilter, EventRow } from './types.js';

export const SCHEMA_VERSION = '1';

export type Dialect = 'sqlite' | 'postgresql';

export const EVENTS_TABLE = 'kubeward_audit_events';
export const DETECTIONS_TABLE = 'kubeward_audit_detections';
export const META_TABLE = 'kubeward_meta';

/** Event columns in insert order, with the EventRow field each one holds. */
export const EVENT_COLUMNS: ReadonlyArray<readonly [string, keyof EventRow]> = [
  ['audit_id', 'auditId'],
  ['stage', 'stage'],
  ['event_time', 'eventTime'],
  ['event_ms', 'eventMs'],
  ['received_ms', 'receivedMs'],
  ['level', 'level'],
  ['verb', 'verb'],
  ['username', 'username'],
  ['impersonated', 'impersonated'],
  ['source_ip', 'sourceIp'],
  ['user_agent', 'userAgent'],
  ['api_group', 'apiGroup'],
  ['resource', 'resource'],
  ['subresource', 'subresource'],
  ['namespace', 'namespace'],
  ['name', 'name'],
  ['request_uri', 'requestUri'],
  ['code', 'code'],
  ['decision', 'decision'],
  ['bodies_omitted', 'bodiesOmitted'],
  ['event', 'event'],
];

export const DETECTION_COLUMNS: ReadonlyArray<readonly [string, keyof DetectionRow | 'storedMs']> = [
  ['detection_id', 'detectionId'],
  ['audit_id', 'auditId'],
  ['detail', 'detail'],
  ['severity', 'severity'],
  ['event_time', 'eventTime'],
  ['event_ms', 'eventMs'],
  ['username', 'username'],
  ['resource', 'resource'],
  ['namespace', 'namespace'],
  ['name', 'name'],
  ['message', 'message'],
  ['detection', 'json'],
  ['stored_ms', 'storedMs'],
];

/** The row's values in EVENT_COLUMNS order (bodiesOmitted as 0/1). Hot path: no closures. */
export function eventValues(r: EventRow): unknown[] {
  return [r.auditId, r.stage, r.eventTime, r.eventMs, r.receivedMs, r.level, r.verb, r.username, r.impersonated, r.sourceIp, r.userAgent, r.apiGroup, r.resource, r.subresource, r.namespace, r.name, r.requestUri, r.code, r.decision, r.bodiesOmitted ? 1 : 0, r.event];
}

export function ddl(d: Dialect): string[] {
  // SQLite: the rowid (no AUTOINCREMENT, which costs an extra write per insert). Pruning deletes the
  // oldest rows only, so ids keep growing (SQLite reuses a rowid only above the current maximum).
  const id = d === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGSERIAL PRIMARY KEY';
  const big = d === 'sqlite' ? 'INTEGER' : 'BIGINT';
  return [
    `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (
  ${id},
  audit_id TEXT NOT NULL,
  stage TEXT NOT NULL,
  event_time TEXT NOT NULL,
  event_ms ${big},
  received_ms ${big} NOT NULL,
  level TEXT,
  verb TEXT NOT NULL,
  username TEXT NOT NULL,
  impersonated TEXT,
  source_ip TEXT,
  user_agent TEXT,
  api_group TEXT,
  resource TEXT,
  subresource TEXT,
  namespace TEXT,
  name TEXT,
  request_uri TEXT,
  code INTEGER,
  decision TEXT,
  bodies_omitted INTEGER NOT NULL DEFAULT 0,
  event TEXT NOT NULL,
  UNIQUE (audit_id, stage)
)`,
    `CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_time ON ${EVENTS_TABLE} (event_ms)`,
    `CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_user ON ${EVENTS_TABLE} (username, event_ms)`,
    `CREATE INDEX IF NOT EXISTS ${EVENTS_TABLE}_object ON ${EVENTS_TABLE} (resource, namespace, name)`,
    `CREATE TABLE IF NOT EXISTS ${DETECTIONS_TABLE} (
  ${id},
  detection_id TEXT NOT NULL,
  audit_id TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  severity TEXT NOT NULL,
  event_time TEXT NOT NULL,
  event_ms ${big},
  username TEXT NOT NULL,
  resource TEXT,
  namespace TEXT,
  name TEXT,
  message TEXT NOT NULL,
  detection TEXT NOT NULL,
  stored_ms ${big} NOT NULL,
  UNIQUE (detection_id, audit_id, detail)
)`,
    `CREATE INDEX IF NOT EXISTS ${DETECTIONS_TABLE}_time ON ${DETECTIONS_TABLE} (event_ms)`,
  ];
}

/** Glob (* and ?) to a LIKE pattern; LIKE's own wildcards and the escape character are escaped. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => '\\' + c).replace(/\*/g, '%').replace(/\?/g, '_');
}

const hasGlob = (s: string): boolean => /[*?]/.test(s);

/**
 * A WHERE clause being built: `p(v)` adds a parameter and returns its placeholder; the conditions
 * both filters share (time window, user with globs, namespace, name) are added by `common`.
 */
function whereBuilder(ph: (i: number) => string) {
  const conds: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return ph(params.length);
  };
  const eqOrLike = (col: string, v: string): string => (hasGlob(v) ? `${col} LIKE ${p(globToLike(v))} ESCAPE '\\'` : `${col} = ${p(v)}`);
  return {
    conds,
    p,
    eqOrLike,
    common(f: { sinceMs?: number; untilMs?: number; user?: string }): void {
      if (f.sinceMs !== undefined) conds.push(`event_ms >= ${p(f.sinceMs)}`);
      if (f.untilMs !== undefined) conds.push(`event_ms < ${p(f.untilMs)}`);
      if (f.user !== undefined) conds.push(eqOrLike('username', f.user));
    },
    object(f: { namespace?: string; name?: string }): void {
      if (f.namespace !== undefined) conds.push(f.namespace === '' ? `(namespace IS NULL OR namespace = '')` : `namespace = ${p(f.namespace)}`);
      if (f.name !== undefined) conds.push(`name = ${p(f.name)}`);
    },
    done: (): { sql: string; params: unknown[] } => ({ sql: conds.length ? conds.join(' AND ') : '1 = 1', params }),
  };
}

/** WHERE clause and parameters for an event filter; `ph(i)` makes the i-th (1-based) placeholder. */
export function eventWhere(f: EventFilter, ph: (i: number) => string): { sql: string; params: unknown[] } {
  const w = whereBuilder(ph);
  w.common(f);
  if (f.resource !== undefined) w.conds.push(`resource = ${w.p(f.resource)}`);
  w.object(f);
  if (f.denied) w.conds.push(`(code IN (401, 403) OR decision = 'forbid')`);
  if (f.anonymous) w.conds.push(`username = 'system:anonymous'`);
  if (f.verbs && f.verbs.length > 0) w.conds.push(`verb IN (${f.verbs.map((v) => w.p(v)).join(', ')})`);
  return w.done();
}

export function detectionWhere(f: DetectionFilter, ph: (i: number) => string): { sql: string; params: unknown[] } {
  const w = whereBuilder(ph);
  w.common(f);
  if (f.detectionId !== undefined) w.conds.push(w.eqOrLike('detection_id', f.detectionId));
  if (f.resource !== undefined) {
    const r = globToLike(f.resource);
    w.conds.push(`(resource = ${w.p(f.resource)} OR resource LIKE ${w.p(r + '/%')} ESCAPE '\\' OR resource LIKE ${w.p(r + '.%')} ESCAPE '\\')`);
  }
  w.object(f);
  return w.done();
}

/**
 * Retention (audit serve --retention / --max-events): batched deletes, each statement its own short
 * transaction, so that ingestion waits at most one batch. The same SQL for both dialects; `ph(i)` makes
 * the i-th placeholder. Parameters: [cutoff ms, batch size] for the *Before statements, [batch size]
 * for oldestEvents.
 */
export function pruneSql(ph: (i: number) => string): {
  eventsBefore: string;
  untimedEventsBefore: string;
  detectionsBefore: string;
  untimedDetectionsBefore: string;
  oldestEvents: string;
  countEvents: string;
  minEventMs: string;
} {
  const del = (table: string, where: string, limitAt: number): string =>
    `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} LIMIT ${ph(limitAt)})`;
  return {
    eventsBefore: del(EVENTS_TABLE, `event_ms < ${ph(1)}`, 2),
    // Events without a usable time go by their arrival.
    untimedEventsBefore: del(EVENTS_TABLE, `event_ms IS NULL AND received_ms < ${ph(1)}`, 2),
    detectionsBefore: del(DETECTIONS_TABLE, `event_ms < ${ph(1)}`, 2),
    untimedDetectionsBefore: del(DETECTIONS_TABLE, `event_ms IS NULL AND stored_ms < ${ph(1)}`, 2),
    oldestEvents: `DELETE FROM ${EVENTS_TABLE} WHERE id IN (SELECT id FROM ${EVENTS_TABLE} ORDER BY id LIMIT ${ph(1)})`,
    countEvents: `SELECT COUNT(*) AS n FROM ${EVENTS_TABLE}`,
    minEventMs: `SELECT MIN(event_ms) AS m FROM ${EVENTS_TABLE}`,
  };
}
