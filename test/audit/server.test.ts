// kubeward audit serve, in-process against a real SQLite store on loopback: authentication (401),
// body limits (413), malformed bodies (400 with a one-line reason), de-duplication, detections and
// alerts, metrics, graceful stop, mTLS. PostgreSQL and real kube-apiserver runs are in e2e/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startService, type Service } from '../../src/audit/server/index.js';
import { openStore } from '../../src/audit/server/store/index.js';
import { policyRules } from '../../src/audit/workload-check.js';
import { ensureSelfSigned } from '../../src/audit/server/tls.js';
import { tempDir, kubeward } from '../helpers/cli.js';

const TOKEN = 'test-token-0123456789abcdef';

export function auditEvent(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/shop/configmaps/c${i}`,
    verb: 'get',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    userAgent: 'kubectl/v1.37.2',
    objectRef: { resource: 'configmaps', namespace: 'shop', name: `c${i}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2025-03-01T10:00:00.000000Z',
    stageTimestamp: `2025-03-01T10:00:00.${String(i % 1000000).padStart(6, '0')}Z`,
    ...extra,
  };
}

const privilegedPod = (i: number): Record<string, unknown> =>
  auditEvent(i, {
    level: 'Request',
    verb: 'create',
    requestURI: '/api/v1/namespaces/shop/pods',
    objectRef: { resource: 'pods', namespace: 'shop', name: 'miner', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'miner', namespace: 'shop' }, spec: { containers: [{ name: 'x', image: 'busybox', securityContext: { privileged: true } }] } },
  });

const list = (items: unknown[]): string => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

interface Res {
  status: number;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function request(url: string, opts: { method?: string; token?: string | null; body?: string | Buffer; headers?: Record<string, string>; ca?: string; cert?: string; key?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? TOKEN : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined && !('transfer-encoding' in headers)) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = mod.request(u, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers, ca: opts.ca, cert: opts.cert, key: opts.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject); // a connection reset mid-response (e.g. while the server stops)
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

interface Running {
  svc: Service;
  url: string;
  base: string;
  alerts: string[];
  logs: string[];
  db: string;
}

async function start(extra: Partial<Parameters<typeof startService>[0]> = {}, db?: string): Promise<Running> {
  const dir = tempDir();
  const file = db ?? path.join(dir, 'audit.db');
  const alerts: string[] = [];
  const logs: string[] = [];
  const svc = await startService({
    store: file,
    host: '127.0.0.1',
    port: 0,
    tokens: [TOKEN],
    limits: { maxRequestBytes: 64 * 1024, maxEventBytes: 8 * 1024 },
    policyRules: policyRules('baseline').rules,
    onAlert: (l) => alerts.push(l),
    log: (l) => logs.push(l),
    ...extra,
  });
  const base = svc.server.url.replace(/\/audit\/webhook$/, '');
  return { svc, url: svc.server.url, base, alerts, logs, db: file };
}

async function storedCount(db: string): Promise<{ events: number; detections: number }> {
  const s = await openStore(db, { readonly: true });
  try {
    return await s.counts();
  } finally {
    await s.close();
  }
}

describe('audit serve: authentication', () => {
  let r: Running;
  before(async () => (r = await start()));
  after(() => r.svc.stop());

  test('no token, a wrong token, or a Basic header: 401, nothing stored', async () => {
    for (const token of [null, 'wrong-token-0123456789abcdef', TOKEN + 'x']) {
      const res = await request(r.url, { token, body: list([auditEvent(1)]) });
      assert.equal(res.status, 401);
      assert.match(res.json().error, /unauthenticated/);
    }
    const basic = await request(r.url, { token: null, headers: { authorization: 'Basic ' + Buffer.from('a:b').toString('base64') }, body: list([auditEvent(1)]) });
    assert.equal(basic.status, 401);
    assert.equal((await storedCount(r.db)).events, 0);
    assert.ok(r.logs.some((l) => /401 to 127\.0\.0\.1:\d+: unauthenticated/.test(l)), r.logs.join('\n'));
  });

  test('/metrics needs authentication, /healthz does not', async () => {
    assert.equal((await request(r.base + '/metrics', { token: null })).status, 401);
    assert.equal((await request(r.base + '/healthz', { token: null })).status, 200);
    const m = await request(r.base + '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.body, /^kubeward_audit_requests_rejected_total\{reason="unauthorized"\} [1-9]/m);
    assert.match(m.body, /# TYPE kubeward_audit_batch_duration_seconds histogram/);
  });

  test('unknown paths are 404, GET on the webhook 405 (after authentication)', async () => {
    assert.equal((await request(r.base + '/nope', {})).status, 404);
    assert.equal((await request(r.url, { method: 'GET' })).status, 405);
  });
});

describe('audit serve: bodies', () => {
  let r: Running;
  before(async () => (r = await start()));
  after(() => r.svc.stop());

  test('EventList, single Event and JSON array are accepted; gzip too', async () => {
    assert.deepEqual((await request(r.url, { body: list([auditEvent(1), auditEvent(2)]) })).json(), { stored: 2, duplicates: 0 });
    assert.deepEqual((await request(r.url, { body: JSON.stringify(auditEvent(3)) })).json(), { stored: 1, duplicates: 0 });
    assert.deepEqual((await request(r.url, { body: JSON.stringify([auditEvent(4), auditEvent(5)]) })).json(), { stored: 2, duplicates: 0 });
    const gz = await request(r.url, { body: gzipSync(list([auditEvent(6)])), headers: { 'content-encoding': 'gzip' } });
    assert.deepEqual(gz.json(), { stored: 1, duplicates: 0 });
    assert.deepEqual((await request(r.url, { body: list([]) })).json(), { stored: 0, duplicates: 0 });
  });

  test('malformed bodies: 400 with a one-line reason', async () => {
    const cases: Array<[string | Buffer, RegExp, Record<string, string>?]> = [
      ['{"kind":"EventList","items":[', /^body is not valid JSON: /],
      ['', /^empty body/],
      ['{"kind":"Pod","apiVersion":"v1"}', /got an object of kind "Pod"/],
      ['42', /got a number/],
      [JSON.stringify({ kind: 'EventList', items: {} }), /items is not an array/],
      [list([auditEvent(7), 'x']), /^item 1 is not an object/],
      [list([{ kind: 'Pod' }]), /^item 0 has kind "Pod", not Event/],
      [list([{ foo: 1 }]), /^item 0 is not an audit Event/],
      [JSON.stringify({ kind: 'EventList', apiVersion: 'v1', items: [] }), /not audit\.k8s\.io/],
      [Buffer.from('not gzip'), /^invalid gzip body/, { 'content-encoding': 'gzip' }],
    ];
    for (const [body, re, headers] of cases) {
      const res = await request(r.url, { body, headers });
      assert.equal(res.status, 400, `${String(body).slice(0, 40)}: ${res.body}`);
      const msg = res.json().error as string;
      assert.match(msg, re);
      assert.ok(!msg.includes('\n'), 'one line');
    }
    const br = await request(r.url, { body: 'x', headers: { 'content-encoding': 'br' } });
    assert.equal(br.status, 415);
    // Nothing of the rejected batches was stored (item 0 of the "item 1" case included).
    const s = await openStore(r.db, { readonly: true });
    for await (const e of s.events({ name: 'c7' })) assert.fail(`stored ${e.auditId} from a rejected batch`);
    await s.close();
  });

  test('over --max-request-bytes: 413 (Content-Length, chunked, and decompressed gzip), with a log line', async () => {
    const big = list(Array.from({ length: 150 }, (_, i) => auditEvent(1000 + i))); // > 64 KiB
    assert.ok(big.length > 64 * 1024);
    const a = await request(r.url, { body: big });
    assert.equal(a.status, 413);
    assert.match(a.json().error, /over the limit of 65536 bytes \(--max-request-bytes\)/);
    const b = await request(r.url, { body: big, headers: { 'transfer-encoding': 'chunked' } });
    assert.equal(b.status, 413);
    const bomb = gzipSync(Buffer.from(JSON.stringify({ kind: 'EventList', items: [], pad: 'a'.repeat(2_000_000) })));
    assert.ok(bomb.length < 64 * 1024);
    const c = await request(r.url, { body: bomb, headers: { 'content-encoding': 'gzip' } });
    assert.equal(c.status, 413);
    assert.match(c.json().error, /once decompressed/);
    assert.ok(r.logs.some((l) => /413 to 127\.0\.0\.1:\d+: request body/.test(l)));
    const m = await request(r.base + '/metrics');
    assert.match(m.body, /kubeward_audit_requests_rejected_total\{reason="too_large"\} 3/);
  });

  test('an event over --max-event-bytes is stored without its bodies; one still too large is 413', async () => {
    const fat = auditEvent(2000, { level: 'RequestResponse', verb: 'update', requestObject: { data: { x: 'y'.repeat(10_000) } } });
    const res = await request(r.url, { body: list([fat, auditEvent(2001)]) });
    assert.deepEqual(res.json(), { stored: 2, duplicates: 0 });
    const s = await openStore(r.db, { readonly: true });
    const rows = [];
    for await (const e of s.events({ name: 'c2000' }, true)) rows.push(e);
    await s.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].bodiesOmitted, true);
    assert.equal(JSON.parse(rows[0].event!).requestObject, undefined);
    assert.equal(JSON.parse(rows[0].event!).auditID, fat.auditID);
    assert.ok(r.logs.some((l) => /over --max-event-bytes .*stored without requestObject\/responseObject/.test(l)));
    const huge = auditEvent(2002, { annotations: { x: 'z'.repeat(10_000) } });
    const r2 = await request(r.url, { body: list([huge]) });
    assert.equal(r2.status, 413);
    assert.match(r2.json().error, /item 0 .* over the limit of 8192 bytes \(--max-event-bytes\) even without its request and response bodies/);
  });
});

describe('audit serve: durable, de-duplicated, detections', () => {
  test('a resent batch is stored and alerted once; detections and policy violations are stored with it', async () => {
    const r = await start();
    try {
      const batch = list([auditEvent(1), privilegedPod(2), auditEvent(3)]);
      assert.deepEqual((await request(r.url, { body: batch })).json(), { stored: 3, duplicates: 0 });
      assert.deepEqual((await request(r.url, { body: batch })).json(), { stored: 0, duplicates: 3 });
      // Same auditID, another stage: a different event (long-running requests log two stages).
      const started = { ...auditEvent(1), stage: 'ResponseStarted' };
      assert.deepEqual((await request(r.url, { body: list([started, started]) })).json(), { stored: 1, duplicates: 1 });
      const ids = r.alerts.map((a) => JSON.parse(a).id).sort();
      assert.deepEqual(ids, ['policy/privileged-container', 'privileged-pod']);
      const pv = JSON.parse(r.alerts.find((a) => a.includes('policy/privileged-container'))!);
      assert.equal(pv.type, 'policy-violation');
      assert.equal(pv.user, 'alice@example.com');
      assert.equal(pv.auditID, privilegedPod(2).auditID);
      assert.equal(pv.path, 'spec.containers[0].securityContext.privileged');
      assert.deepEqual(await storedCount(r.db), { events: 4, detections: 2, firstMs: Date.parse('2025-03-01T10:00:00.000001Z'), lastMs: Date.parse('2025-03-01T10:00:00.000003Z') });
      const m = (await request(r.base + '/metrics')).body;
      assert.match(m, /^kubeward_audit_events_stored_total 4$/m);
      assert.match(m, /^kubeward_audit_events_duplicate_total 4$/m);
      assert.match(m, /^kubeward_audit_detections_total\{id="privileged-pod",severity="high"\} 1$/m);
    } finally {
      await r.svc.stop();
    }
  });

  test('after a restart on the same store, a retried batch is still a duplicate and alerts nothing', async () => {
    const r1 = await start();
    await request(r1.url, { body: list([privilegedPod(5)]) });
    await r1.svc.stop();
    assert.equal(r1.alerts.length, 2);
    const r2 = await start({}, r1.db);
    try {
      assert.deepEqual((await request(r2.url, { body: list([privilegedPod(5)]) })).json(), { stored: 0, duplicates: 1 });
      assert.equal(r2.alerts.length, 0);
    } finally {
      await r2.svc.stop();
    }
  });

  test('concurrent senders: every acknowledged event is stored exactly once (group commit)', async () => {
    const r = await start({ maxInflight: 64 });
    try {
      const sends = Array.from({ length: 40 }, (_, b) => request(r.url, { body: list(Array.from({ length: 10 }, (_, i) => auditEvent(10_000 + b * 10 + i))) }));
      // Half of them resent at once.
      sends.push(...Array.from({ length: 20 }, (_, b) => request(r.url, { body: list(Array.from({ length: 10 }, (_, i) => auditEvent(10_000 + b * 10 + i))) })));
      const res = await Promise.all(sends);
      assert.ok(res.every((x) => x.status === 200));
      const stored = res.reduce((n, x) => n + x.json().stored, 0);
      const dups = res.reduce((n, x) => n + x.json().duplicates, 0);
      assert.equal(stored, 400);
      assert.equal(dups, 200);
      assert.equal((await storedCount(r.db)).events, 400);
    } finally {
      await r.svc.stop();
    }
  });

  test('graceful stop: requests in flight are answered 200 and stored', async () => {
    const r = await start({ limits: { maxRequestBytes: 4 * 1024 * 1024, maxEventBytes: 256 * 1024 } });
    // Settled at once: a request the stopping server never read ends in ECONNRESET, which is fine.
    const sends = Array.from({ length: 8 }, (_, b) =>
      request(r.url, { body: list(Array.from({ length: 200 }, (_, i) => auditEvent(50_000 + b * 200 + i))) }).then(
        (value) => ({ status: 'fulfilled' as const, value }),
        (reason: unknown) => ({ status: 'rejected' as const, reason }),
      ),
    );
    await new Promise((res) => setTimeout(res, 5));
    await r.svc.stop();
    const res = await Promise.all(sends);
    let acked = 0;
    for (const x of res) if (x.status === 'fulfilled' && x.value.status === 200) acked += x.value.json().stored;
    assert.equal((await storedCount(r.db)).events, acked, 'every acknowledged event is stored');
  });

  test('alerts are POSTed to --alert-webhook with retries, without delaying ingestion', async () => {
    let calls = 0;
    const got: string[] = [];
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        calls++;
        if (calls <= 2) {
          res.writeHead(503).end();
          return;
        }
        got.push(Buffer.concat(chunks).toString());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((res) => hook.listen(0, '127.0.0.1', () => res()));
    const port = (hook.address() as { port: number }).port;
    const r = await start({ alertWebhook: { url: `http://127.0.0.1:${port}/alerts`, initialBackoffMs: 20 } });
    try {
      const t0 = Date.now();
      assert.equal((await request(r.url, { body: list([privilegedPod(9)]) })).status, 200);
      assert.ok(Date.now() - t0 < 2000);
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((res) => setTimeout(res, 20));
      assert.equal(got.length, 2, `alerts received: ${got.length} after ${calls} calls`);
      assert.deepEqual(got.map((g) => JSON.parse(g).id).sort(), ['policy/privileged-container', 'privileged-pod']);
      assert.match((await request(r.base + '/metrics')).body, /kubeward_audit_alerts_total\{result="sent"\} 2/);
    } finally {
      await r.svc.stop();
      hook.close();
    }
  });
});

describe('audit serve: TLS and client certificates', () => {
  test('HTTPS with the self-signed CA; mTLS client certificate accepted without a token, none refused', async () => {
    const dir = tempDir();
    const ss = ensureSelfSigned(path.join(dir, 'certs'), ['127.0.0.1', 'localhost']);
    const again = ensureSelfSigned(path.join(dir, 'certs'), ['127.0.0.1', 'localhost']);
    assert.equal(again.created, false, 'reused');
    const ca = readFileSync(ss.caCert, 'utf8');
    const r = await start({ tls: { cert: readFileSync(ss.cert, 'utf8'), key: readFileSync(ss.key, 'utf8'), clientCa: ca } });
    try {
      assert.match(r.url, /^https:\/\/127\.0\.0\.1:\d+\/audit\/webhook$/);
      const withCert = await request(r.url, { token: null, ca, cert: readFileSync(ss.clientCert, 'utf8'), key: readFileSync(ss.clientKey, 'utf8'), body: list([auditEvent(1)]) });
      assert.deepEqual(withCert.json(), { stored: 1, duplicates: 0 });
      assert.equal((await request(r.url, { token: null, ca, body: list([auditEvent(2)]) })).status, 401);
      assert.equal((await request(r.url, { ca, body: list([auditEvent(2)]) })).status, 200);
    } finally {
      await r.svc.stop();
    }
  });
});

describe('audit serve: command line', () => {
  test('refuses to start without TLS, without client authentication, or with plain HTTP off loopback', async () => {
    const files = { token: TOKEN + '\n' };
    const a = await kubeward(['audit', 'serve', '--token-file', 'token'], { files });
    assert.equal(a.code, 2);
    assert.match(a.stderr, /TLS needs --tls-cert and --tls-key, or --self-signed/);
    const b = await kubeward(['audit', 'serve', '--insecure-http'], { files });
    assert.match(b.stderr, /no client authentication: give --token-file/);
    const c = await kubeward(['audit', 'serve', '--insecure-http', '--token-file', 'token', '--listen', '0.0.0.0:9443'], { files });
    assert.match(c.stderr, /--insecure-http only on a loopback address/);
    const d = await kubeward(['audit', 'serve', '--insecure-http', '--token-file', 'short'], { files: { short: 'abc\n' } });
    assert.match(d.stderr, /shorter than 16 characters/);
  });

  test('--print-webhook-config writes a kubeconfig for kube-apiserver (server, CA, token, client certificate), mode 0600', async () => {
    const files = { token: TOKEN + '\n' };
    const r = await kubeward(['audit', 'serve', '--self-signed', '--cert-dir', 'certs', '--token-file', 'token', '--client-ca', 'certs/ca.crt', '--listen', '127.0.0.1:19999', '--print-webhook-config', 'hook.yaml'], { files });
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(path.join(r.cwd, 'hook.yaml'), 'utf8');
    assert.match(text, /server: "https:\/\/127\.0\.0\.1:19999\/audit\/webhook"/);
    assert.match(text, new RegExp(`token: "${TOKEN}"`));
    const b64 = (f: string) => Buffer.from(readFileSync(path.join(r.cwd, f), 'utf8')).toString('base64');
    assert.ok(text.includes(`certificate-authority-data: ${b64('certs/ca.crt')}`));
    assert.ok(text.includes(`client-certificate-data: ${b64('certs/client.crt')}`));
    const { statSync } = await import('node:fs');
    assert.equal(statSync(path.join(r.cwd, 'hook.yaml')).mode & 0o777, 0o600);
  });
});
