#!/usr/bin/env node
// Retention of `kubeward audit serve` on a SQLite store: how long pruning takes, and how long
// ingestion waits meanwhile. Fills a store with `old` events older than the retention and `recent`
// ones (about 1 KB of event JSON each, a detection on 1 %), then prunes by age (the store's
// prune(), batches of 2,000 rows) while a writer keeps committing 400-event batches, and reports
// the writer's commit latency before and during the prune.
//   node bench/audit-prune.mjs [old=400000] [recent=100000] [store=<tmp>/audit.db]
// Needs a build (npm run build).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { openStore } = await import(join(REPO, 'dist/src/audit/server/store/index.js'));

const OLD = Number(process.argv[2] ?? 400_000);
const RECENT = Number(process.argv[3] ?? 100_000);
const dir = process.argv[4] ? undefined : mkdtempSync(join(tmpdir(), 'kubeward-prune-bench-'));
const file = process.argv[4] ?? join(dir, 'audit.db');
const DAY = 86_400_000;
const now = Date.now();
const body = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', annotations: { pad: 'x'.repeat(900) } });
let seq = 0;
const row = (ms) => {
  const i = ++seq;
  return {
    auditId: `p-${i.toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
    stage: 'ResponseComplete',
    eventTime: new Date(ms).toISOString(),
    eventMs: ms,
    receivedMs: ms,
    level: 'Metadata',
    verb: 'get',
    username: `user-${i % 5000}`,
    impersonated: null,
    sourceIp: '10.0.0.1',
    userAgent: 'kubectl',
    apiGroup: '',
    resource: 'pods',
    subresource: null,
    namespace: `ns-${i % 200}`,
    name: `p-${i}`,
    requestUri: '/api/v1/pods',
    code: 200,
    decision: 'allow',
    bodiesOmitted: false,
    event: body,
  };
};
const det = (r) => ({ detectionId: 'pod-exec', auditId: r.auditId, detail: '', severity: 'medium', eventTime: r.eventTime, eventMs: r.eventMs, username: r.username, resource: 'pods/exec', namespace: r.namespace, name: r.name, message: 'm', json: '{}' });
const onNew = (rows, idx) => idx.filter((i) => i % 100 === 0).map((i) => det(rows[i]));

const store = await openStore(file);
let t = Date.now();
for (let k = 0; k < OLD; k += 2000) await store.write(Array.from({ length: Math.min(2000, OLD - k) }, (_, i) => row(now - 40 * DAY + k + i)), onNew);
for (let k = 0; k < RECENT; k += 2000) await store.write(Array.from({ length: Math.min(2000, RECENT - k) }, (_, i) => row(now - DAY + k + i)), onNew);
const fillS = (Date.now() - t) / 1000;
const before = await store.counts();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1)) : undefined;
};
async function writer(stop) {
  const lat = [];
  while (!stop()) {
    const t0 = process.hrtime.bigint();
    await store.write(Array.from({ length: 400 }, () => row(Date.now())), onNew);
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 10));
  }
  return lat;
}
// Baseline: 3 s of writes without pruning.
let end = Date.now() + 3000;
const base = await writer(() => Date.now() > end);
// During the prune.
let done = false;
const during = writer(() => done);
t = Date.now();
const pruned = await store.prune({ beforeMs: now - 30 * DAY });
const pruneS = (Date.now() - t) / 1000;
done = true;
const lat = await during;
const after = await store.counts();
await store.close();
const result = {
  store: 'sqlite (WAL, synchronous=FULL, writer thread)',
  rows: { old: OLD, recent: RECENT, fillSeconds: fillS, fileMiB: Math.round(statSync(file).size / 1048576) },
  before,
  pruned,
  pruneSeconds: pruneS,
  eventsDeletedPerSecond: Math.round(pruned.events / pruneS),
  after,
  writerCommitMs: {
    withoutPrune: { batches: base.length, p50: pct(base, 0.5), p99: pct(base, 0.99), max: pct(base, 1) },
    duringPrune: { batches: lat.length, p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: pct(lat, 1) },
  },
};
console.log(JSON.stringify(result, null, 2));
if (dir) rmSync(dir, { recursive: true, force: true });
