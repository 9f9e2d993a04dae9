// Retention of kubeward audit serve on both stores: the same pruning SQL (schema.ts pruneSql) run
// in batches on SQLite and on a real PostgreSQL (scripts/testenv/postgres.sh), by age and by count,
// while batches keep being written; and the receiver's prune at start with its /metrics counters.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../src/audit/server/store/index.js';
import { startService } from '../src/audit/server/index.js';
import type { EventRow } from '../src/audit/server/store/types.js';
import { detectionRow, eventRow } from '../test/helpers/audit-rows.js';
import { startPostgres, type Postgres } from './helpers/audit-serve.js';

const DAY = 86_400_000;
let seq = 0;

const row = (eventMs: number | null, receivedMs = Date.now()): EventRow => {
  const i = ++seq;
  return eventRow(`ret-${process.pid}-${i}`, i, eventMs, receivedMs);
};
const detection = detectionRow;

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`audit serve retention (${kind})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeward-retention-e2e-'));
    let pg: Postgres | undefined;
    const store = (): string => {
      if (kind === 'sqlite') return path.join(dir, 'audit.db');
      pg ??= startPostgres();
      return pg.url;
    };
    after(() => {
      pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('prunes by age and by count in batches while batches are written', async () => {
      const s = await openStore(store());
      try {
        const now = Date.now();
        const old = Array.from({ length: 2500 }, (_, i) => row(now - 40 * DAY + i));
        const recent = Array.from({ length: 1500 }, (_, i) => row(now - 1000 + i));
        const untimed = [row(null, now - 40 * DAY), row(null, now)];
        const all = [...old, ...recent, ...untimed];
        await s.write(all, (rs, idx) => idx.filter((i) => i % 100 === 0).map((i) => detection(rs[i])));
        const c0 = await s.counts();
        assert.equal(c0.events, 4002);
        assert.equal(c0.detections, 41); // 25 old, 15 recent, one untimed (stored now)
        // Writes one after the other (as the receiver's ingest loop does), while the prune runs.
        const writes = (async () => {
          for (let k = 0; k < 5; k++) await s.write(Array.from({ length: 100 }, (_, i) => row(now + k * 100 + i)));
        })();
        const [r1] = await Promise.all([s.prune({ beforeMs: now - 30 * DAY, batchSize: 300 }), writes]);
        assert.deepEqual(r1, { events: 2501, detections: 25 });
        assert.equal((await s.counts()).events, 2001);
        const r2 = await s.prune({ maxEvents: 1000, batchSize: 250 });
        assert.equal(r2.events, 1001);
        const c2 = await s.counts();
        assert.equal(c2.events, 1000);
        // Detections older than the oldest event left went too (the recent ones before it).
        assert.ok(r2.detections >= 10, `detections pruned by count: ${r2.detections}`);
        assert.deepEqual(await s.prune({ beforeMs: now - 30 * DAY, maxEvents: 1000 }), { events: 0, detections: 0 });
      } finally {
        await s.close();
      }
    });

    it('the receiver prunes at start and counts it in /metrics', async () => {
      const s = await openStore(store());
      const c = (await s.counts()).events;
      await s.write([row(Date.now() - 60 * DAY), row(Date.now() - 50 * DAY)]);
      await s.close();
      const logs: string[] = [];
      const svc = await startService({ store: store(), host: '127.0.0.1', port: 0, tokens: ['t'.repeat(20)], onAlert: () => undefined, log: (l) => logs.push(l), retention: { maxAgeMs: 30 * DAY, intervalMs: 3_600_000 } });
      try {
        await svc.prune!();
        assert.equal(svc.metrics.get('kubeward_audit_pruned_events_total'), 2, logs.join('\n'));
        assert.equal((await svc.store.counts()).events, c);
        assert.match(svc.metrics.render(), /^kubeward_audit_prune_runs_total\{result="ok"\} [1-9]/m);
      } finally {
        await svc.stop({ graceMs: 100 });
      }
    });
  });
}
