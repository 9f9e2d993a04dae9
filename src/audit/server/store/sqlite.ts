// SQLite store (better-sqlite3, loaded only here). WAL journal with synchronous=FULL: a commit is
// on disk (the WAL is fsync'ed) before `write` resolves, so an acknowledged batch survives a crash
// or power loss; readers (`kubeward audit query`) never block the writer.
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../core/types.js';
import { DETECTION_COLUMNS, DETECTIONS_TABLE, EVENT_COLUMNS, EVENTS_TABLE, META_TABLE, SCHEMA_VERSION, ddl, detectionWhere, eventValues, eventWhere, pruneSql } from './schema.js';
import { pruneWith } from './prune.js';
import type { AuditStore, DetectionFilter, DetectionRow, EventFilter, EventRow, OnNewRows, PruneOptions, PruneResult, StoreCounts, StoredDetection, StoredEvent, WriteOutcome } from './types.js';
import { importPackage } from '../../../core/packages.js';

// The part of better-sqlite3's API used here (its types are not a dependency).
interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface Database {
  prepare(sql: string): Statement;
  pragma(sql: string, opts?: { simple?: boolean }): unknown;
  exec(sql: string): void;
  transaction<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R;
  close(): void;
}
type DatabaseCtor = new (file: string, opts?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => Database;

async function driver(): Promise<DatabaseCtor> {
  try {
    const m = await importPackage<{ default: DatabaseCtor }>('better-sqlite3');
    return m.default;
  } catch (e) {
    throw new UserError(`cannot load the SQLite driver (better-sqlite3): ${(e as Error).message.split('\n')[0]}; reinstall kubeward's dependencies (npm ci)`);
  }
}

export async function openSqlite(file: string, opts: { readonly?: boolean; worker?: boolean } = {}): Promise<AuditStore> {
  const Ctor = await driver();
  let db: Database;
  try {
    db = new Ctor(file, opts.readonly ? { readonly: true, fileMustExist: true, timeout: 5000 } : { timeout: 5000 });
  } catch (e) {
    throw new UserError(`cannot open SQLite store ${file}: ${(e as Error).message}`);
  }
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsync'ed at every commit (NORMAL would only fsync at checkpoints, and a
      // power loss could then lose acknowledged batches).
      db.pragma('synchronous = FULL');
      // A 64 MB page cache keeps the index pages hot (auditIDs are random UUIDs: their unique index
      // is written all over); checkpoints every ~40 MB of WAL instead of every 4 MB.
      db.pragma('cache_size = -65536');
      db.pragma('wal_autocheckpoint = 10000');
      for (const s of ddl('sqlite')) db.exec(s);
      db.prepare(`INSERT INTO ${META_TABLE} (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING`).run(SCHEMA_VERSION);
    }
    const v = (db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value;
    if (v !== SCHEMA_VERSION) throw new UserError(`SQLite store ${file}: schema version ${v ?? '(none)'} is not ${SCHEMA_VERSION}: not a kubeward audit store, or made by another version`);
  } catch (e) {
    db.close();
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot use SQLite store ${file}: ${(e as Error).message}`);
  }
  const store = new SqliteStore(db, file);
  // Writes go through a worker thread (see sqlite-worker.ts) unless asked otherwise.
  store.useWorker = !opts.readonly && opts.worker !== false;
  return store;
}

const evCols = EVENT_COLUMNS.map(([c]) => c);
const detCols = DETECTION_COLUMNS.map(([c]) => c);

class SqliteStore implements AuditStore {
  readonly kind = 'sqlite';
  private insertEvent?: Statement;
  private insertDetection?: Statement;
  private tx?: (rows: readonly EventRow[], onNew: OnNewRows | undefined) => WriteOutcome;

  constructor(
    private readonly db: Database,
    readonly where: string,
  ) {}

  private prepareWrites(): void {
    this.insertEvent = this.db.prepare(
      `INSERT INTO ${EVENTS_TABLE} (${evCols.join(', ')}) VALUES (${evCols.map(() => '?').join(', ')}) ON CONFLICT (audit_id, stage) DO NOTHING`,
    );
    this.insertDetection = this.db.prepare(
      `INSERT INTO ${DETECTIONS_TABLE} (${detCols.join(', ')}) VALUES (${detCols.map(() => '?').join(', ')}) ON CONFLICT (detection_id, audit_id, detail) DO NOTHING`,
    );
    const ins = this.insertEvent;
    const insD = this.insertDetection;
    this.tx = this.db.transaction((rows: readonly EventRow[], onNew: OnNewRows | undefined): WriteOutcome => {
      const stored: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (ins.run(eventValues(r)).changes === 1) stored.push(i);
      }
      const detections: DetectionRow[] = [];
      if (onNew && stored.length > 0) {
        const now = Date.now();
        for (const d of onNew(rows, stored)) {
          const values = DETECTION_COLUMNS.map(([, k]) => (k === 'storedMs' ? now : d[k]));
          if (insD.run(...values).changes === 1) detections.push(d);
        }
      }
      return { stored, duplicates: rows.length - stored.length, detections };
    });
  }

  async write(rows: readonly EventRow[], onNew?: OnNewRows): Promise<WriteOutcome> {
    if (this.useWorker) return this.writeInWorker(rows, onNew);
    if (!this.tx) this.prepareWrites();
    return this.tx!(rows, onNew);
  }

  private worker?: Worker;
  private readonly calls = new Map<number, { resolve(v: Record<string, unknown>): void; reject(e: Error): void }>();
  private nextId = 1;
  useWorker = false;

  private call(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!this.worker) {
      const w = new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData: { file: this.where } });
      w.on('message', (m: { id: number; error?: string }) => {
        const c = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (!c) return;
        if (m.error !== undefined) c.reject(new Error(`SQLite store ${this.where}: ${m.error}`));
        else c.resolve(m as Record<string, unknown>);
      });
      const fail = (e: Error): void => {
        for (const c of this.calls.values()) c.reject(new Error(`SQLite writer stopped: ${e.message}`));
        this.calls.clear();
        if (this.worker === w) this.worker = undefined;
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
      this.worker = w;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker!.postMessage({ id, ...msg });
    });
  }

  private async writeInWorker(rows: readonly EventRow[], onNew?: OnNewRows): Promise<WriteOutcome> {
    // Each row as its values in column order: cloning arrays for the worker costs about 40 % less
    // CPU than cloning the row objects (whose keys are serialised again for every row).
    const values = new Array<unknown[]>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = eventValues(rows[i]);
    const { stored } = (await this.call({ op: 'insert', values })) as { stored: number[] };
    let found: DetectionRow[] = [];
    try {
      if (onNew && stored.length > 0) found = onNew(rows, stored);
    } catch (e) {
      await this.call({ op: 'rollback' }).catch(() => undefined);
      throw e;
    }
    const { inserted } = (await this.call({ op: 'commit', detections: found })) as { inserted: boolean[] };
    return { stored, duplicates: rows.length - stored.length, detections: found.filter((_, i) => inserted[i]) };
  }

  async *events(filter: EventFilter, withJson = false): AsyncIterable<StoredEvent> {
    const w = eventWhere(filter, () => '?');
    const cols = ['id', ...evCols.filter((c) => c !== 'event' || withJson)];
    const sql = `SELECT ${cols.join(', ')} FROM ${EVENTS_TABLE} WHERE ${w.sql} ORDER BY event_ms, id${filter.limit ? ` LIMIT ${Math.floor(filter.limit)}` : ''}`;
    for (const r of this.db.prepare(sql).iterate(...w.params)) yield toStoredEvent(r as Record<string, unknown>);
  }

  async detections(filter: DetectionFilter): Promise<StoredDetection[]> {
    const w = detectionWhere(filter, () => '?');
    const sql = `SELECT id, ${detCols.join(', ')} FROM ${DETECTIONS_TABLE} WHERE ${w.sql} ORDER BY event_ms, id${filter.limit ? ` LIMIT ${Math.floor(filter.limit)}` : ''}`;
    return this.db.prepare(sql).all(...w.params).map((r) => toStoredDetection(r as Record<string, unknown>));
  }

  async counts(): Promise<StoreCounts> {
    const e = this.db.prepare(`SELECT COUNT(*) AS n, MIN(event_ms) AS first, MAX(event_ms) AS last FROM ${EVENTS_TABLE}`).get() as { n: number; first: number | null; last: number | null };
    const d = this.db.prepare(`SELECT COUNT(*) AS n FROM ${DETECTIONS_TABLE}`).get() as { n: number };
    return { events: Number(e.n), detections: Number(d.n), firstMs: e.first === null ? null : Number(e.first), lastMs: e.last === null ? null : Number(e.last) };
  }

  async prune(o: PruneOptions): Promise<PruneResult> {
    return pruneWith(
      {
        run: async (sql, params) => {
          if (this.useWorker) return Number(((await this.call({ op: 'run', sql, params })) as { changes: number }).changes);
          return this.db.prepare(sql).run(...params).changes;
        },
        one: async (sql) => this.db.prepare(sql).get() as Record<string, unknown> | undefined,
      },
      pruneSql(() => '?'),
      o,
    );
  }

  async close(): Promise<void> {
    if (this.worker) {
      await this.call({ op: 'close' }).catch(() => undefined);
      await this.worker?.terminate();
      this.worker = undefined;
    }
    this.db.close();
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row of the events table (either driver) as a StoredEvent. */
export function toStoredEvent(r: Record<string, unknown>): StoredEvent {
  return {
    id: Number(r.id),
    auditId: r.audit_id as string,
    stage: r.stage as string,
    eventTime: r.event_time as string,
    eventMs: num(r.event_ms),
    receivedMs: Number(r.received_ms),
    level: (r.level as string) ?? null,
    verb: r.verb as string,
    username: r.username as string,
    impersonated: (r.impersonated as string) ?? null,
    sourceIp: (r.source_ip as string) ?? null,
    userAgent: (r.user_agent as string) ?? null,
    apiGroup: (r.api_group as string) ?? null,
    resource: (r.resource as string) ?? null,
    subresource: (r.subresource as string) ?? null,
    namespace: (r.namespace as string) ?? null,
    name: (r.name as string) ?? null,
    requestUri: (r.request_uri as string) ?? null,
    code: num(r.code),
    decision: (r.decision as string) ?? null,
    bodiesOmitted: Number(r.bodies_omitted) === 1,
    ...(typeof r.event === 'string' ? { event: r.event } : {}),
  };
}

export function toStoredDetection(r: Record<string, unknown>): StoredDetection {
  return {
    id: Number(r.id),
    detectionId: r.detection_id as string,
    auditId: r.audit_id as string,
    detail: r.detail as string,
    severity: r.severity as string,
    eventTime: r.event_time as string,
    eventMs: num(r.event_ms),
    username: r.username as string,
    resource: (r.resource as string) ?? null,
    namespace: (r.namespace as string) ?? null,
    name: (r.name as string) ?? null,
    message: r.message as string,
    json: r.detection as string,
    storedMs: Number(r.stored_ms),
  };
}
