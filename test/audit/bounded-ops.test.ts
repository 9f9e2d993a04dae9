// Bounded state of audit analyze on huge inputs (detections per id, burst windows, summary counters,
// policy violations), and the receiver's operations: retention (SQLite, the shared pruning SQL) and
// certificate reload (reloadTls, the file watch, SIGHUP to the CLI). No network beyond loopback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { AuditAnalyzer } from '../../src/audit/analyze.js';
import { DetectionEngine } from '../../src/audit/engine.js';
import { allDetections } from '../../src/audit/detections/index.js';
import { Windows } from '../../src/audit/detections/_lib.js';
import { fromK8sEvent } from '../../src/audit/formats/kubernetes.js';
import { text as renderText } from '../../src/audit/report.js';
import { SummaryBuilder } from '../../src/audit/summary.js';
import { WorkloadPolicyChecker, policyRules } from '../../src/audit/workload-check.js';
import { startService } from '../../src/audit/server/index.js';
import { openStore } from '../../src/audit/server/store/index.js';
import { pruneSql } from '../../src/audit/server/store/schema.js';
import type { EventRow } from '../../src/audit/server/store/types.js';
import { detectionRow, eventRow } from '../helpers/audit-rows.js';
import { ensureSelfSigned } from '../../src/audit/server/tls.js';
import { BIN, tempDir } from '../helpers/cli.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

function k8s(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `b-${i}`,
    stage: 'ResponseComplete',
    verb: 'create',
    user: { username: `user-${i}@example.com`, groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: `web-${i}`, apiVersion: 'v1' },
    requestURI: `/api/v1/namespaces/shop/pods/web-${i}/exec?command=sh`,
    responseStatus: { code: 101 },
    stageTimestamp: new Date(T0 + i * 1000).toISOString(),
    ...extra,
  };
}

describe('audit analyze: bounded state', () => {
  test('detections over --max-per-detection are counted, not listed; counts and the exit severity stay complete', () => {
    const a = new AuditAnalyzer({ only: ['pod-exec'], maxPerDetection: 3 });
    for (let i = 0; i < 10; i++) a.record(k8s(i));
    const r = a.result();
    assert.equal(r.detections.length, 3);
    assert.equal(r.stats.detections, 10);
    assert.equal(r.stats.bySeverity.medium, 10);
    assert.deepEqual(r.stats.capped, { detectionsNotListed: 7, byId: { 'pod-exec': 7 }, maxPerDetection: 3 });
    assert.match(renderText(r, { color: false, failOn: 'high' }), /State capped: 7 detections counted but not listed \(only the first 3 of each detection/);
    // Without a bound nothing is capped, and the stats have no capped key.
    const b = new AuditAnalyzer({ only: ['pod-exec'], maxPerDetection: Infinity });
    for (let i = 0; i < 10; i++) b.record(k8s(i));
    assert.equal(b.result().detections.length, 10);
    assert.equal(b.result().stats.capped, undefined);
  });

  test('the engine of audit serve keeps every detection (no bound by default)', () => {
    const e = new DetectionEngine(allDetections, { only: ['pod-exec'] });
    for (let i = 0; i < 2000; i++) e.push(fromK8sEvent(k8s(i), 'kubernetes', 'k8s-event', 'f', i + 1));
    assert.equal(e.results.length, 2000);
    assert.equal(e.dropped.total, 0);
  });

  test('burst windows at their bound drop finished windows first and keep bursts in progress', () => {
    const w = new Windows<number[]>(60_000, () => [], 10);
    const at = (key: string, s: number) => w.at(key, fromK8sEvent(k8s(s, { stageTimestamp: new Date(T0 + s * 1000).toISOString() }), 'kubernetes', 'k8s-event', 'f', 1));
    at('burst', 1000).value.push(1);
    for (let i = 0; i < 9; i++) at(`old-${i}`, i).value.push(1); // windows that ended long before t=1000 s
    at('burst', 1001).value.push(2);
    at('new', 1002).value.push(1); // over the bound: the old windows go, the burst stays
    assert.deepEqual(at('burst', 1003).value, [1, 2]);
  });

  test('summary counters stay bounded and still find a late heavy hitter', () => {
    const s = new SummaryBuilder();
    for (let i = 0; i < 500; i++) s.push({ time: '2025-03-01T10:00:00Z', user: 'alice', verb: 'get', sourceIP: `10.0.${i >> 8}.${i & 255}` });
    for (let i = 0; i < 50; i++) s.push({ time: '2025-03-01T10:00:01Z', user: 'alice', verb: 'get', sourceIP: '198.51.100.7' });
    const alice = s.result().identities[0];
    assert.equal(alice.requests, 550);
    assert.equal(alice.sourceIPs[0].key, '198.51.100.7');
    assert.equal(alice.sourceIPs[0].count, 50);
  });

  test('a full summary table makes room by evicting its least active entries, not the busy ones', () => {
    const s = new SummaryBuilder();
    for (let i = 0; i < 100; i++) s.push({ time: '2025-03-01T10:00:00Z', user: 'busy', verb: 'create' });
    for (let i = 0; i < 45_000; i++) s.push({ time: '2025-03-01T10:00:01Z', user: `once-${i}`, verb: 'get' });
    const r = s.result();
    assert.equal(r.events, 45_100);
    assert.ok(r.identities.length <= 20_000);
    assert.deepEqual([r.identities[0].user, r.identities[0].requests], ['busy', 100]);
    assert.equal(r.overflow + r.identities.reduce((n, i) => n + i.requests, 0), 45_100);
  });

  test('workload policy violations past maxViolations are counted in stats.notKept', () => {
    const c = new WorkloadPolicyChecker({ rules: policyRules('baseline').rules, maxViolations: 2, chunk: 1 });
    for (let i = 0; i < 5; i++) {
      c.push(
        fromK8sEvent(
          k8s(i, {
            level: 'Request',
            objectRef: { resource: 'pods', namespace: 'shop', name: `p${i}`, apiVersion: 'v1' },
            requestURI: '/api/v1/namespaces/shop/pods',
            responseStatus: { code: 201 },
            requestObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox', securityContext: { privileged: true } }] } },
          }),
          'kubernetes',
          'k8s-event',
          'f',
          i + 1,
        ),
      );
    }
    assert.equal(c.results().length, 2);
    assert.ok((c.stats.notKept ?? 0) >= 3);
  });
});

const row = (i: number, eventMs: number | null, receivedMs = eventMs ?? T0): EventRow => eventRow(`r-${i}`, i, eventMs, receivedMs);
const detection = detectionRow;

describe('audit serve: retention', () => {
  test('the pruning SQL is the same for both dialects but for the placeholders', () => {
    const a = pruneSql(() => '?');
    const b = pruneSql((i) => `$${i}`);
    for (const k of Object.keys(a) as Array<keyof typeof a>) assert.equal(a[k].replace(/\?/g, 'P'), b[k].replace(/\$\d/g, 'P'), k);
    assert.match(b.eventsBefore, /event_ms < \$1 LIMIT \$2\)$/);
  });

  for (const worker of [true, false]) {
    test(`SQLite (${worker ? 'writer thread' : 'same thread'}): by age and by count, in batches, with their detections`, async () => {
      const dir = tempDir();
      const { openSqlite } = await import('../../src/audit/server/store/sqlite.js');
      const store = await openSqlite(path.join(dir, 'a.db'), { worker });
      try {
        const day = 86_400_000;
        // 30 events 10 days old, 20 recent ones, 5 without a time that arrived long ago; a detection on every 5th.
        const rows = [
          ...Array.from({ length: 30 }, (_, i) => row(i, T0 - 10 * day + i)),
          ...Array.from({ length: 20 }, (_, i) => row(100 + i, T0 + i)),
          ...Array.from({ length: 5 }, (_, i) => row(200 + i, null, T0 - 10 * day)),
        ];
        await store.write(rows, (rs, idx) => idx.filter((i) => i % 5 === 0).map((i) => detection(rs[i])));
        assert.deepEqual([(await store.counts()).events, (await store.counts()).detections], [55, 11]);
        const r1 = await store.prune({ beforeMs: T0 - day, batchSize: 7 });
        assert.deepEqual(r1, { events: 35, detections: 6 }); // 30 old + 5 untimed; the detections at 0, 5, ..., 25 (the untimed one was stored now)
        assert.equal((await store.counts()).events, 20);
        // Ingestion goes on while pruning runs (the writer thread defers deletes during a transaction).
        const more = Array.from({ length: 10 }, (_, i) => row(300 + i, T0 + 100 + i));
        const [w, r2] = await Promise.all([store.write(more), store.prune({ maxEvents: 12, batchSize: 3 })]);
        assert.equal(w.stored.length, 10);
        assert.ok(r2.events >= 8, `pruned ${r2.events}`);
        const c = await store.counts();
        assert.ok(c.events <= 22 && c.events >= 12, `left ${c.events}`);
        const r3 = await store.prune({ maxEvents: 12 });
        assert.equal((await store.counts()).events, 12);
        assert.ok(r2.detections + r3.detections >= 1); // the detections older than the oldest event left
        assert.deepEqual(await store.prune({ beforeMs: T0 - day, maxEvents: 100 }), { events: 0, detections: 0 });
      } finally {
        await store.close();
      }
    });
  }

  test('audit serve prunes at start and reports it in /metrics', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.db');
    const s0 = await openStore(file);
    await s0.write([row(1, Date.now() - 40 * 86_400_000), row(2, Date.now() - 1000)]);
    await s0.close();
    const logs: string[] = [];
    const svc = await startService({ store: file, host: '127.0.0.1', port: 0, tokens: ['x'.repeat(20)], onAlert: () => undefined, log: (l) => logs.push(l), retention: { maxAgeMs: 30 * 86_400_000, intervalMs: 60_000 } });
    try {
      await svc.prune!();
      assert.equal(svc.metrics.get('kubeward_audit_pruned_events_total'), 1);
      assert.equal(svc.metrics.get('kubeward_audit_prune_runs_total', { result: 'ok' }) >= 1, true);
      assert.match(svc.metrics.render(), /^kubeward_audit_pruned_events_total 1$/m);
      assert.equal((await svc.store.counts()).events, 1);
      assert.ok(logs.some((l) => /retention: deleted 1 events/.test(l)), logs.join('\n'));
    } finally {
      await svc.stop({ graceMs: 100 });
    }
  });
});

/** The certificate a new TLS connection to the server gets (its SHA-256 fingerprint). */
function servedCert(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

const fingerprint = (file: string): string => new X509Certificate(readFileSync(file)).fingerprint256;

async function until(what: string, f: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('audit serve: certificate reload', () => {
  const dir = tempDir();
  const A = ensureSelfSigned(path.join(dir, 'a'), ['127.0.0.1']);
  const B = ensureSelfSigned(path.join(dir, 'b'), ['127.0.0.1']);
  const live = { cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') };
  const use = (s: typeof A): void => {
    copyFileSync(s.cert, live.cert);
    copyFileSync(s.key, live.key);
  };

  test('reloadTls and a change of the files switch new connections to the new certificate; a bad one keeps the old', async () => {
    use(A);
    const logs: string[] = [];
    const svc = await startService({
      store: path.join(dir, 'r.db'),
      host: '127.0.0.1',
      port: 0,
      tls: { cert: readFileSync(live.cert, 'utf8'), key: readFileSync(live.key, 'utf8') },
      tlsFiles: live,
      tokens: ['x'.repeat(20)],
      onAlert: () => undefined,
      log: (l) => logs.push(l),
    });
    const port = svc.server.address.port;
    try {
      assert.equal(await servedCert(port), fingerprint(A.cert));
      assert.equal(svc.reloadTls!(), 'unchanged');
      use(B);
      assert.equal(svc.reloadTls!(), 'reloaded');
      assert.equal(await servedCert(port), fingerprint(B.cert));
      // A key that does not belong to the certificate: refused, B stays, one log line.
      copyFileSync(A.key, live.key);
      const before = logs.length;
      assert.equal(svc.reloadTls!(), 'failed');
      assert.equal(svc.reloadTls!(), 'failed');
      assert.equal(logs.length, before + 1, logs.slice(before).join('\n'));
      assert.match(logs.at(-1)!, /TLS reload \(SIGHUP\) failed, still using the previous certificate: .*cannot be used together/);
      assert.equal(await servedCert(port), fingerprint(B.cert));
      assert.equal(svc.metrics.get('kubeward_audit_tls_reloads_total', { result: 'error' }), 2);
      // The file watch: back to A without asking.
      use(A);
      await until('the watch to load certificate A', async () => (await servedCert(port)) === fingerprint(A.cert));
      // The webhook still answers over the new certificate.
      const status = await new Promise<number>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/healthz', ca: readFileSync(A.caCert), agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      assert.equal(status, 200);
    } finally {
      await svc.stop({ graceMs: 100 });
    }
  });

  test('the CLI reloads on SIGHUP', async () => {
    use(A);
    writeFileSync(path.join(dir, 'token'), 'y'.repeat(24) + '\n', { mode: 0o600 });
    const child = spawn(process.execPath, [BIN, 'audit', 'serve', '--tls-cert', live.cert, '--tls-key', live.key, '--token-file', path.join(dir, 'token'), '--store', path.join(dir, 'cli.db'), '--listen', '127.0.0.1:0', '--no-watch-certs', '--retention', '30d'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      await until('the server to listen', async () => /listening on https:\/\/127\.0\.0\.1:\d+/.test(err), 15_000);
      assert.match(err, /retention: events newer than 30d, every 10m/);
      const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(err)![1]);
      assert.equal(await servedCert(port), fingerprint(A.cert));
      use(B);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(await servedCert(port), fingerprint(A.cert), '--no-watch-certs: no reload before SIGHUP');
      child.kill('SIGHUP');
      await until('certificate B after SIGHUP', async () => (await servedCert(port)) === fingerprint(B.cert));
      assert.match(err, /TLS reload \(SIGHUP\): now serving/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
    }
    assert.match(err, /stopped/);
  });
});
