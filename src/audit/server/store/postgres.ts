// PostgreSQL store (`pg`, loaded only here). Same tables as SQLite; each write is one transaction
// (events, then their detections) committed before `write` resolves. Several receivers may share a
// database: ON CONFLICT DO NOTHING keeps one copy of each auditID + stage whoever stores it first.
import { UserError } from '../../../core/types.js';
import { DETECTION_COLUMNS, DETECTIONS_TABLE, EVENT_COLUMNS, EVENTS_TABLE, META_TABLE, SCHEMA_VERSION, ddl, detectionWhere, eventValues, eventWhere, pruneSql } from './schema.js';
import { pruneWith } from './prune.js';
import { toStoredDetection, toStoredEvent } from './sqlite.js';
import type { AuditStore, DetectionFilter, DetectionRow, EventFilter, EventRow, OnNewRows, PruneOptions, PruneResult, StoreCounts, StoredDetection, StoredEvent, WriteOutcome } from './types.js';
import { importPackage } from '../../../core/packages.js';

// The part of pg's API used here (its types are not a dependency).
interface QueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}
interface Client {
  connect(): Promise<void>;
  query(text: string, params?: unknown[]): Promise<QueryResult>;
  end(): Promise<void>;
  on(ev: 'error', fn: (e: Error) => void): void;
}
type ClientCtor = new (cfg: { connectionString: string; application_name?: string; connectionTimeoutMillis?: number; statement_timeout?: number }) => Client;

async function driver(): Promise<ClientCtor> {
  try {
    const m = await importPackage<{ default: { Client: ClientCtor } }>('pg');
    return m.default.Client;
  } catch (e) {
    throw new UserError(`cannot load the PostgreSQL driver (pg): ${(e as Error).message.split('\n')[0]}; reinstall kubeward's dependencies (npm ci)`);
  }
}

/** postgresql://user:secret@host/db -> postgresql://user@host/db (for messages and logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString().replace(/:@/, '@');
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1@');
  }
}

const noNul = (v: unknown): unknown => (typeof v === 'string' && v.includes('\u0000') ? v.replace(/\u0000/g, '') : v);

export async function openPostgres(url: string, opts: { readonly?: boolean } = {}): Promise<AuditStore> {
  const Ctor = await driver();
  const store = new PostgresStore(Ctor, url, redactUrl(url));
  await store.init(Boolean(opts.readonly));
  return store;
}

const evCols = EVENT_COLUMNS.map(([c]) => c);
const detCols = DETECTION_COLUMNS.map(([c]) => c);
const MAX_ROWS_PER_INSERT = 2000; // 21 columns: stays under PostgreSQL's 65,535 parameters

// The multi-row INSERT's text for n rows (built once per row count: it has 21 placeholders a row).
const insertSql = new Map<number, string>();
function insertEventsSql(n: number): string {
  let sql = insertSql.get(n);
  if (sql === undefined) {
    const tuples: string[] = [];
    for (let i = 0, p = 0; i < n; i++) {
      const ph: string[] = [];
      for (let c = 0; c < evCols.length; c++) ph.push(`$${++p}`);
      tuples.push(`(${ph.join(', ')})`);
    }
    sql = `INSERT INTO ${EVENTS_TABLE} (${evCols.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (audit_id, stage) DO NOTHING RETURNING audit_id, stage`;
    if (insertSql.size >= 16) insertSql.delete(insertSql.keys().next().value as number);
    insertSql.set(n, sql);
  }
  return sql;
}

class PostgresStore implements AuditStore {
  readonly kind = 'postgresql';
  private client?: Client;
  private broken = false;

  constructor(
    private readonly Ctor: ClientCtor,
    private readonly url: string,
    readonly where: string,
  ) {}

  private async conn(): Promise<Client> {
    if (this.client && !this.broken) return this.client;
    if (this.client) void this.client.end().catch(() => undefined);
    const c = new this.Ctor({ connectionString: this.url, application_name: 'kubeward-audit', connectionTimeoutMillis: 10_000 });
    c.on('error', () => {
      this.broken = true; // reconnect at the next call; the failing call reports the error
    });
    try {
      await c.connect();
    } catch (e) {
      throw new UserError(`cannot connect to PostgreSQL store ${this.where}: ${(e as Error).message}`);
    }
    this.client = c;
    this.broken = false;
    return c;
  }

  async init(readonly: boolean): Promise<void> {
    const c = await this.conn();
    try {
      if (!readonly) {
        // Receivers started together must not race on CREATE TABLE.
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('kubeward_audit_schema'))`);
        for (const s of ddl('postgresql')) await c.query(s);
        await c.query(`INSERT INTO ${META_TABLE} (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [SCHEMA_VERSION]);
        await c.query('COMMIT');
      }
      const r = await c.query(`SELECT value FROM ${META_TABLE} WHERE key = 'schema_version'`);
      const v = r.rows[0]?.value as string | undefined;
      if (v !== SCHEMA_VERSION) throw new UserError(`PostgreSQL store ${this.where}: schema version ${v ?? '(none)'} is not ${SCHEMA_VERSION}`);
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      await this.close();
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot use PostgreSQL store ${this.where}: ${(e as Error).message}`);
    }
  }

  async write(rows: readonly EventRow[], onNew?: OnNewRows): Promise<WriteOutcome> {
    const c = await this.conn();
    // First copy of each key in this batch; later copies are duplicates without asking the server.
    const firstOf = new Map<string, number>();
    const candidates: number[] = [];
    rows.forEach((r, i) => {
      const k = r.auditId + '\u0000' + r.stage;
      if (!firstOf.has(k)) {
        firstOf.set(k, i);
        candidates.push(i);
      }
    });
    try {
      await c.query('BEGIN');
      const stored: number[] = [];
      for (let s = 0; s < candidates.length; s += MAX_ROWS_PER_INSERT) {
        const chunk = candidates.slice(s, s + MAX_ROWS_PER_INSERT);
        const params: unknown[] = [];
        for (const i of chunk) {
          const v = eventValues(rows[i]);
          for (let k = 0; k < v.length; k++) params.push(noNul(v[k]));
        }
        const res = await c.query(insertEventsSql(chunk.length), params);
        for (const row of res.rows) {
          const i = firstOf.get(String(row.audit_id) + '\u0000' + String(row.stage));
          if (i !== undefined) stored.push(i);
        }
      }
      stored.sort((a, b) => a - b);
      const detections: DetectionRow[] = [];
      if (onNew && stored.length > 0) {
        const now = Date.now();
        for (const d of onNew(rows, stored)) {
          const values = DETECTION_COLUMNS.map(([, k]) => noNul(k === 'storedMs' ? now : d[k]));
          const res = await c.query(
            `INSERT INTO ${DETECTIONS_TABLE} (${detCols.join(', ')}) VALUES (${detCols.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (detection_id, audit_id, detail) DO NOTHING`,
            values,
          );
          if (res.rowCount === 1) detections.push(d);
        }
      }
      await c.query('COMMIT');
      return { stored, duplicates: rows.length - stored.length, detections };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {
        this.broken = true;
      });
      throw e;
    }
  }

  async *events(filter: EventFilter, withJson = false): AsyncIterable<StoredEvent> {
    const c = await this.conn();
    const cols = ['id', ...evCols.filter((x) => x !== 'event' || withJson)];
    const page = 1000;
    let left = filter.limit ?? Infinity;
    let after: [number, number] | undefined;
    for (;;) {
      const w = eventWhere(filter, (i) => `$${i}`);
      const params = [...w.params];
      let keyset = '';
      if (after) {
        params.push(after[0], after[1]);
        keyset = ` AND (COALESCE(event_ms, -1), id) > ($${params.length - 1}, $${params.length})`;
      }
      const n = Math.min(page, left);
      const res = await c.query(`SELECT ${cols.join(', ')} FROM ${EVENTS_TABLE} WHERE ${w.sql}${keyset} ORDER BY COALESCE(event_ms, -1), id LIMIT ${n}`, params);
      for (const r of res.rows) yield toStoredEvent(r);
      left -= res.rows.length;
      if (res.rows.length < n || left <= 0) return;
      const last = res.rows[res.rows.length - 1];
      after = [last.event_ms === null ? -1 : Number(last.event_ms), Number(last.id)];
    }
  }

  async detections(filter: DetectionFilter): Promise<StoredDetection[]> {
    const c = await this.conn();
    const w = detectionWhere(filter, (i) => `$${i}`);
    const res = await c.query(`SELECT id, ${detCols.join(', ')} FROM ${DETECTIONS_TABLE} WHERE ${w.sql} ORDER BY event_ms, id${filter.limit ? ` LIMIT ${Math.floor(filter.limit)}` : ''}`, w.params);
    return res.rows.map(toStoredDetection);
  }

  async counts(): Promise<StoreCounts> {
    const c = await this.conn();
    const e = (await c.query(`SELECT COUNT(*) AS n, MIN(event_ms) AS first, MAX(event_ms) AS last FROM ${EVENTS_TABLE}`)).rows[0];
    const d = (await c.query(`SELECT COUNT(*) AS n FROM ${DETECTIONS_TABLE}`)).rows[0];
    return { events: Number(e.n), detections: Number(d.n), firstMs: e.first === null ? null : Number(e.first), lastMs: e.last === null ? null : Number(e.last) };
  }

  /**
   * On a connection of its own: the ingestion connection holds open transactions between its
   * statements, and a DELETE sent in between would join them. Each DELETE commits on its own.
   */
  async prune(o: PruneOptions): Promise<PruneResult> {
    const c = new this.Ctor({ connectionString: this.url, application_name: 'kubeward-audit-prune', connectionTimeoutMillis: 10_000 });
    c.on('error', () => undefined); // the failing query reports it
    try {
      await c.connect();
    } catch (e) {
      throw new UserError(`cannot connect to PostgreSQL store ${this.where}: ${(e as Error).message}`);
    }
    try {
      return await pruneWith(
        {
          run: async (sql, params) => (await c.query(sql, params)).rowCount ?? 0,
          one: async (sql) => (await c.query(sql)).rows[0],
        },
        pruneSql((i) => `$${i}`),
        o,
      );
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}
