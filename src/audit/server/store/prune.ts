// The retention loop shared by the SQLite and PostgreSQL stores: the statements come from
// schema.ts (pruneSql), each store runs them its own way (SQLite: in the writer thread, between
// ingestion transactions; PostgreSQL: on a connection of its own, one autocommit DELETE each).
import { pruneSql } from './schema.js';
import type { PruneOptions, PruneResult } from './types.js';

export interface PruneDriver {
  /** Runs a DELETE (its own transaction); resolves to the rows deleted. */
  run(sql: string, params: unknown[]): Promise<number>;
  /** Runs a SELECT of one row. */
  one(sql: string): Promise<Record<string, unknown> | undefined>;
}

export const DEFAULT_PRUNE_BATCH = 2000;

export async function pruneWith(d: PruneDriver, sql: ReturnType<typeof pruneSql>, o: PruneOptions): Promise<PruneResult> {
  const batch = Math.max(1, Math.floor(o.batchSize ?? DEFAULT_PRUNE_BATCH));
  const out: PruneResult = { events: 0, detections: 0 };
  const drain = async (stmt: string, params: unknown[]): Promise<number> => {
    let total = 0;
    for (;;) {
      if (o.stop?.()) return total;
      const n = await d.run(stmt, [...params, batch]);
      total += n;
      if (n < batch) return total;
      await new Promise((r) => setImmediate(r)); // let ingestion in
    }
  };
  if (o.beforeMs !== undefined && Number.isFinite(o.beforeMs)) {
    out.events += await drain(sql.eventsBefore, [o.beforeMs]);
    out.events += await drain(sql.untimedEventsBefore, [o.beforeMs]);
    out.detections += await drain(sql.detectionsBefore, [o.beforeMs]);
    out.detections += await drain(sql.untimedDetectionsBefore, [o.beforeMs]);
  }
  if (o.maxEvents !== undefined && o.maxEvents >= 0) {
    const n = Number((await d.one(sql.countEvents))?.n ?? 0);
    let excess = n - o.maxEvents;
    while (excess > 0 && !o.stop?.()) {
      const k = await d.run(sql.oldestEvents, [Math.min(batch, excess)]);
      if (k === 0) break;
      out.events += k;
      excess -= k;
      if (excess > 0) await new Promise((r) => setImmediate(r));
    }
    if (n > o.maxEvents) {
      const m = (await d.one(sql.minEventMs))?.m;
      if (m !== null && m !== undefined) out.detections += await drain(sql.detectionsBefore, [Number(m)]);
    }
  }
  return out;
}
