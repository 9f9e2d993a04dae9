#!/usr/bin/env node
// Throughput of `kubeward audit serve` on loopback with durable storage: a client in this process
// POSTs EventList batches (as kube-apiserver's webhook backend does: up to 400 events per batch) over
// keep-alive HTTPS with a bearer token to the receiver running as a child process; a batch counts
// only when acknowledged (200 = committed, SQLite WAL synchronous=FULL). At the end the store is
// read back to check that every event is there once.
//   node bench/audit-serve.mjs [events=200000] [batch=400] [concurrency=4] [store=sqlite|postgresql://...]
// Needs a build (npm run build) and openssl (self-signed certificate). Target: >= 10,000 events/s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { spawn } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as https from 'node:https';
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mulberry32 } from './lib/prng.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { openStore } = await import(join(REPO, 'dist/src/audit/server/store/index.js'));

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 400);
const CONC = Number(process.argv[4] ?? 4);
const STORE_ARG = process.argv[5] ?? 'sqlite';
const TLS = process.env.BENCH_HTTP !== '1';

const rnd = mulberry32(7);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const NS = ['default', 'shop', 'payments', 'monitoring', 'kube-system', 'argocd'];
const USERS = ['system:serviceaccount:kube-system:replicaset-controller', 'system:node:ip-10-0-1-23.ec2.internal', 'alice@example.com', 'system:serviceaccount:argocd:argocd-application-controller', 'system:kube-scheduler'];
const RUN = Date.now().toString(36);

function event(i) {
  const ns = pick(NS);
  const user = pick(USERS);
  const write = rnd() < 0.15;
  const res = pick(['pods', 'configmaps', 'endpoints', 'leases', 'deployments', 'secrets']);
  const t = new Date(Date.UTC(2025, 0, 1) + i * 3).toISOString().replace('Z', '123Z');
  const e = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: write ? 'Request' : 'Metadata',
    auditID: randomUUID(), // random, as kube-apiserver's (the unique index is written all over)
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${ns}/${res}/obj-${i % 997}`,
    verb: write ? pick(['create', 'update', 'patch']) : pick(['get', 'list', 'watch']),
    user: { username: user, uid: 'c0ffee00-1111-2222-3333-444455556666', groups: ['system:authenticated'] },
    sourceIPs: [`10.0.${i % 250}.${(i * 7) % 250}`],
    userAgent: 'kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/abcdef/system:serviceaccount:kube-system:replicaset-controller',
    objectRef: { resource: res, namespace: ns, name: `obj-${i % 997}`, apiVersion: res === 'deployments' ? 'apps/v1' : 'v1', ...(res === 'deployments' ? { apiGroup: 'apps' } : {}) },
    responseStatus: { metadata: {}, code: write ? 201 : 200 },
    requestReceivedTimestamp: t,
    stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller"' },
  };
  if (write && res === 'pods') {
    e.requestObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `obj-${i % 997}`, namespace: ns, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', resources: { limits: { cpu: '1', memory: '256Mi' } } }] } };
  }
  return e;
}

const dir = mkdtempSync(join(tmpdir(), 'kubeward-bench-serve-'));
const token = 'bench-token-' + 'b'.repeat(32);
writeFileSync(join(dir, 'token'), token + '\n', { mode: 0o600 });
const port = 20000 + Math.floor(Math.random() * 20000);
const store = STORE_ARG === 'sqlite' ? join(dir, 'audit.db') : STORE_ARG;

console.log(`building ${N} events in batches of ${BATCH}...`);
const bodies = [];
let bytes = 0;
for (let i = 0; i < N; i += BATCH) {
  const items = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) items.push(event(j));
  const b = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });
  bytes += b.length;
  bodies.push(b);
}
console.log(`${bodies.length} batches, ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / N).toFixed(0)} bytes/event`);

const args = [join(REPO, 'bin/kubeward.js'), 'audit', 'serve', '--token-file', 'token', '--listen', `127.0.0.1:${port}`, '--store', store, ...(TLS ? ['--self-signed', '--cert-dir', 'certs'] : ['--insecure-http'])];
const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
let err = '';
let alerts = 0;
child.stderr.on('data', (c) => (err += c));
child.stdout.on('data', (c) => (alerts += String(c).split('\n').length - 1));
while (!/listening on/.test(err)) {
  if (child.exitCode !== null) throw new Error(err);
  await new Promise((r) => setTimeout(r, 50));
}
const url = new URL(/listening on (\S+)/.exec(err)[1]);
const ca = TLS ? readFileSync(join(dir, 'certs/ca.crt')) : undefined;
const agent = TLS ? new https.Agent({ keepAlive: true, maxSockets: CONC, ca }) : new http.Agent({ keepAlive: true, maxSockets: CONC });
const mod = TLS ? https : http;

function send(body) {
  return new Promise((res, rej) => {
    const req = mod.request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
      let s = '';
      r.on('data', (c) => (s += c));
      r.on('end', () => (r.statusCode === 200 ? res(JSON.parse(s)) : rej(new Error(`${r.statusCode} ${s}`))));
    });
    req.on('error', rej);
    req.end(body);
  });
}

// CPU seconds (user + system, all threads) of a process, from /proc (Linux).
function procCpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}
const serverCpu0 = procCpuSeconds(child.pid);
const lat = [];
let next = 0;
let stored = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONC }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      const s = performance.now();
      const r = await send(b);
      lat.push(performance.now() - s);
      stored += r.stored;
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
const clientCpu = process.cpuUsage(cpu0);
const serverCpu = procCpuSeconds(child.pid) - serverCpu0;
agent.destroy();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

const s = await openStore(store, { readonly: true });
const counts = await s.counts();
await s.close();
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
const result = {
  events: N,
  batch: BATCH,
  concurrency: CONC,
  transport: TLS ? 'https (self-signed), bearer token, keep-alive' : 'http, bearer token, keep-alive',
  store: STORE_ARG === 'sqlite' ? 'sqlite (WAL, synchronous=FULL)' : 'postgresql',
  seconds: Number(secs.toFixed(2)),
  eventsPerSecond: Math.round(N / secs),
  mbPerSecond: Number((bytes / 1e6 / secs).toFixed(1)),
  batchLatencyMs: { p50: Number(q(0.5)), p90: Number(q(0.9)), p99: Number(q(0.99)), max: Number(lat[lat.length - 1].toFixed(1)) },
  acknowledgedStored: stored,
  storeCount: counts.events,
  alerts,
  clientCpuSeconds: Number(((clientCpu.user + clientCpu.system) / 1e6).toFixed(2)),
  // Independent of what else the machine runs: events per CPU-second the receiver used.
  serverCpuSeconds: Number(serverCpu.toFixed(2)),
  eventsPerServerCpuSecond: Math.round(N / serverCpu),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1: Number(loadavg()[0].toFixed(2)), node: process.version },
};
console.log(JSON.stringify(result, null, 2));
if (counts.events !== N || stored !== N) {
  console.error(`MISMATCH: stored ${stored}, store has ${counts.events}, sent ${N}`);
  process.exitCode = 1;
}
if (result.eventsPerSecond < 10_000) console.error(`below the 10,000 events/s target`);
rmSync(dir, { recursive: true, force: true });
