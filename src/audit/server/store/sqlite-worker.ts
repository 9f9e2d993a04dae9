// The SQLite writer, in a worker thread: the commit's fsync (synchronous=FULL) blocks this thread,
// not the receiver's event loop, which meanwhile reads and parses the next requests; those are then
// committed together (group commit). Protocol, one transaction at a time:
//   {op:'insert', values}        -> BEGIN, insert events (each its values in EVENT_COLUMNS order, see
//                                   eventValues) -> {stored: number[]}   (transaction open)
//   {op:'commit', detections}    -> insert detections, COMMIT -> {inserted: boolean[]}
//   {op:'rollback'}              -> ROLLBACK -> {}
//   {op:'run', sql, params}      -> one statement in its own transaction (retention deletes) -> {changes};
//                                   deferred while an ingestion transaction is open
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { DETECTION_COLUMNS, DETECTIONS_TABLE, EVENT_COLUMNS, EVENTS_TABLE } from './schema.js';
import type { DetectionRow } from './types.js';

interface Stmt {
  run(params: unknown[]): { changes: number };
}
const prepared = new Map<string, Stmt>();
const deferred: Msg[] = [];
interface Db {
  prepare(sql: string): Stmt;
  pragma(s: string): unknown;
  exec(s: string): void;
  close(): void;
}

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (file: string, opts: { timeout: number }) => Db;
const db = new Database((workerData as { file: string }).file, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('cache_size = -65536');
db.pragma('wal_autocheckpoint = 10000');
const evCols = EVENT_COLUMNS.map(([c]) => c);
const detCols = DETECTION_COLUMNS.map(([c]) => c);
const insEvent = db.prepare(`INSERT INTO ${EVENTS_TABLE} (${evCols.join(', ')}) VALUES (${evCols.map(() => '?').join(', ')}) ON CONFLICT (audit_id, stage) DO NOTHING`);
const insDetection = db.prepare(`INSERT INTO ${DETECTIONS_TABLE} (${detCols.join(', ')}) VALUES (${detCols.map(() => '?').join(', ')}) ON CONFLICT (detection_id, audit_id, detail) DO NOTHING`);
let open = false;

type Msg =
  | { id: number; op: 'insert'; values: unknown[][] }
  | { id: number; op: 'commit'; detections: DetectionRow[] }
  | { id: number; op: 'rollback' }
  | { id: number; op: 'run'; sql: string; params: unknown[] }
  | { id: number; op: 'close' };

parentPort!.on('message', (m: Msg) => {
  if (m.op === 'run' && open) {
    deferred.push(m);
    return;
  }
  handle(m);
  while (!open && deferred.length > 0) handle(deferred.shift()!);
});

function handle(m: Msg): void {
  try {
    if (m.op === 'run') {
      let st = prepared.get(m.sql);
      if (!st) {
        st = db.prepare(m.sql);
        prepared.set(m.sql, st);
      }
      parentPort!.postMessage({ id: m.id, changes: st.run(m.params).changes });
      return;
    }
    if (m.op === 'insert') {
      db.exec('BEGIN IMMEDIATE');
      open = true;
      const stored: number[] = [];
      for (let i = 0; i < m.values.length; i++) if (insEvent.run(m.values[i]).changes === 1) stored.push(i);
      parentPort!.postMessage({ id: m.id, stored });
    } else if (m.op === 'commit') {
      const now = Date.now();
      const inserted = m.detections.map((d) => insDetection.run(DETECTION_COLUMNS.map(([, k]) => (k === 'storedMs' ? now : d[k]))).changes === 1);
      db.exec('COMMIT');
      open = false;
      parentPort!.postMessage({ id: m.id, inserted });
    } else if (m.op === 'rollback') {
      if (open) db.exec('ROLLBACK');
      open = false;
      parentPort!.postMessage({ id: m.id });
    } else if (m.op === 'close') {
      if (open) db.exec('ROLLBACK');
      db.close();
      parentPort!.postMessage({ id: m.id });
    }
  } catch (e) {
    if (open) {
      try {
        db.exec('ROLLBACK');
      } catch {
        /* the transaction is gone already */
      }
      open = false;
    }
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
}
