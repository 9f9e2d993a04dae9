#!/usr/bin/env node
// Memory of `kubeward audit analyze` as the input grows: native audit JSON lines generated on the
// fly (deterministic seed) and piped into `kubeward audit analyze -`, so 5 GB of input never touch
// the disk. For each size: peak RSS (GNU time), RSS over the run (/proc polling), CPU time of the
// analyzer and of the generator, events/s, and what the report said (detections kept, capped state).
//   node bench/audit-memory.mjs [sizes=100M,500M,1G,2G,5G] [--summary] [--json out.json]
//   node bench/audit-memory.mjs --gen 1G > events.jsonl     # the generator alone
//   BENCH_POPULATION=2000 node bench/audit-memory.mjs 100M,1G,3G   # identities from a fixed population
// Needs a build (npm run build). BENCH_NICE=N (default 10) sets the niceness of both processes;
// BENCH_ANALYZE_ARGS="--max-per-detection 1000" adds arguments to the analyzer's command line.
// The report is not parsed whole (all detections listed: ~0.5 GB at 5 GB, past V8's string limit):
// the detections array is cut out of the bytes and only counted.
//
// The event mix is that of bench/audit-analyze.mjs (controllers, nodes, people, pod creations,
// secret reads, denials, exec, RBAC) plus traffic whose keys never repeat, so that any per-key
// state without a bound grows with the input: ever new people, service accounts, source addresses,
// secrets, pods and workloads; bursts of denials and secret reads, anonymous requests, privileged
// impersonation, permission self-checks, RBAC-then-workload sequences and privileged pods, all
// under fresh identities and names, so detections and workload policy violations keep coming.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/prng.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NICE = Number(process.env.BENCH_NICE ?? 10);

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const mult = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * mult);
}

// ---------------------------------------------------------------------------------------------
// The generator

function makeGenerator(seed0 = 42) {
  const rnd = mulberry32(seed0);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const h8 = () => ((rnd() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  const hex = (n) => {
    let s = '';
    while (s.length < n) s += h8();
    return s.slice(0, n);
  };
  const uuid = () => `${h8()}-${hex(4)}-${hex(4)}-${hex(4)}-${h8()}${hex(4)}`;
  const ip = () => `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`;

  const NAMESPACES = ['default', 'payments', 'shop', 'monitoring', 'kube-system', 'ingress-nginx', 'argocd'];
  const CONTROLLERS = ['replicaset-controller', 'deployment-controller', 'endpointslice-controller', 'generic-garbage-collector', 'namespace-controller', 'daemon-set-controller', 'job-controller'];
  const HUMANS = ['alice@example.com', 'bob@example.com', 'kubernetes-admin', 'ci-deployer'];
  const T0 = Date.parse('2025-01-01T00:00:00Z');
  // A fresh identity every ~40 events on average: per-user state grows with the input if unbounded.
  // BENCH_POPULATION=N instead draws them from N people and N service accounts (a real organisation).
  const POP = Number(process.env.BENCH_POPULATION ?? 0);
  const freshUser = (i) => (POP > 0 ? `user-${Math.floor(rnd() * POP)}@corp.example.com` : `user-${Math.floor(i / 40 + rnd() * 200)}@corp.example.com`);
  const freshSA = (i) =>
    POP > 0 ? `system:serviceaccount:team-${Math.floor(rnd() * Math.max(1, POP / 50))}:app-${Math.floor(rnd() * 50)}` : `system:serviceaccount:team-${Math.floor(i / 5000)}:app-${Math.floor(rnd() * 500)}`;

  function base(i, user, groups, verb, ref, uri, code, extra = {}) {
    const t = new Date(T0 + i * 7).toISOString().replace('Z', '123Z');
    return {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: extra.requestObject ? 'Request' : 'Metadata',
      auditID: uuid(),
      stage: 'ResponseComplete',
      requestURI: uri,
      verb,
      user: { username: user, uid: uuid(), groups, ...(user.includes('@') ? { extra: { arn: ['arn:aws:sts::123456789012:assumed-role/Dev/' + user], sessionName: [user], accessKeyId: ['ASIAEXAMPLEEXAMPLE12'] } } : {}) },
      sourceIPs: [extra.ip ?? ip()],
      userAgent: user.startsWith('system:serviceaccount:kube-system') ? 'kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/abcdef0/system:serviceaccount:kube-system:x' : user.startsWith('system:node') ? 'kubelet/v1.30.2 (linux/amd64) kubernetes/abcdef0' : 'kubectl/v1.30.2 (darwin/arm64) kubernetes/abcdef0',
      ...(ref ? { objectRef: ref } : {}),
      responseStatus: { metadata: {}, code },
      requestReceivedTimestamp: t,
      stageTimestamp: t,
      annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': code === 403 ? '' : 'RBAC: allowed by ClusterRoleBinding "system:controller:x" of ClusterRole "system:controller:x" to ServiceAccount "x/kube-system"' },
      ...(extra.impersonatedUser ? { impersonatedUser: extra.impersonatedUser } : {}),
      ...(extra.requestObject ? { requestObject: extra.requestObject } : {}),
    };
  }

  function podSpec(name, privileged, ns = 'shop') {
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { generateName: name + '-', namespace: ns, labels: { app: name, 'pod-template-hash': hex(10) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: name + '-' + hex(10), uid: uuid(), controller: true }] },
      spec: {
        serviceAccountName: name,
        containers: [
          {
            name,
            image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}:1.4.2`,
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_HOST', value: 'db.shop.svc' }],
            resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
            securityContext: privileged ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
          },
        ],
        volumes: [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }],
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
      },
    };
  }

  // Bursts: the same fresh identity sends a run of denials / secret reads over the next events.
  let burst; // { left, make(i) }

  function event(i) {
    if (burst && burst.left > 0 && rnd() < 0.2) {
      burst.left--;
      return burst.make(i);
    }
    const r = rnd();
    const ns = pick(NAMESPACES);
    if (r < 0.28) {
      const c = pick(CONTROLLERS);
      const res = pick(['pods', 'endpoints', 'replicasets', 'deployments', 'leases']);
      const group = res === 'replicasets' || res === 'deployments' ? 'apps' : res === 'leases' ? 'coordination.k8s.io' : '';
      const verb = pick(['get', 'list', 'watch', 'update']);
      const name = verb === 'list' || verb === 'watch' ? undefined : `${res}-${hex(5)}`;
      return base(i, `system:serviceaccount:kube-system:${c}`, ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], verb, { resource: res, namespace: ns, ...(name ? { name } : {}), apiGroup: group, apiVersion: 'v1' }, `/api${group ? 's/' + group : ''}/v1/namespaces/${ns}/${res}${name ? '/' + name : ''}`, 200);
    }
    if (r < 0.46) {
      const node = `system:node:ip-10-0-${Math.floor(rnd() * 50)}-${Math.floor(rnd() * 250)}.eu-west-1.compute.internal`;
      const res = pick(['configmaps', 'secrets', 'pods', 'nodes', 'leases']);
      const verb = pick(['get', 'watch', 'patch']);
      return base(i, node, ['system:nodes', 'system:authenticated'], verb, { resource: res, namespace: ns, name: `${res}-${hex(4)}`, apiVersion: 'v1', ...(verb === 'patch' ? { subresource: 'status' } : {}) }, `/api/v1/namespaces/${ns}/${res}/${res}-x`, 200);
    }
    if (r < 0.58) {
      const u = rnd() < 0.5 ? pick(HUMANS) : freshUser(i);
      const res = pick(['pods', 'deployments', 'services', 'configmaps', 'events']);
      return base(i, u, ['system:authenticated', 'devs'], pick(['get', 'list']), { resource: res, namespace: ns, apiVersion: 'v1' }, `/api/v1/namespaces/${ns}/${res}?limit=500`, 200);
    }
    if (r < 0.66) {
      const name = pick(['cart', 'checkout', 'catalog', 'search', 'frontend']);
      return base(i, 'system:serviceaccount:kube-system:replicaset-controller', ['system:serviceaccounts', 'system:authenticated'], 'create', { resource: 'pods', namespace: 'shop', apiVersion: 'v1' }, '/api/v1/namespaces/shop/pods', 201, { requestObject: podSpec(name, false) });
    }
    if (r < 0.73) {
      const sa = rnd() < 0.5 ? `system:serviceaccount:shop:${pick(['cart', 'checkout', 'catalog'])}` : freshSA(i);
      const sec = `db-${Math.floor(rnd() * 1e6)}`;
      return base(i, sa, ['system:serviceaccounts', 'system:authenticated'], 'get', { resource: 'secrets', namespace: 'shop', name: sec, apiVersion: 'v1' }, `/api/v1/namespaces/shop/secrets/${sec}`, 200);
    }
    if (r < 0.77) {
      const u = pick(['system:serviceaccount:shop:cart', 'mallory@example.com', freshUser(i), freshSA(i)]);
      return base(i, u, ['system:authenticated'], 'list', { resource: pick(['secrets', 'nodes', 'clusterroles']), apiVersion: 'v1' }, '/api/v1/secrets', 403);
    }
    if (r < 0.83) {
      const u = rnd() < 0.5 ? pick(HUMANS) : freshUser(i);
      const name = rnd() < 0.5 ? pick(['cart', 'checkout']) : `svc-${Math.floor(rnd() * 1e6)}`;
      const d = podSpec(name, rnd() < 0.03, ns);
      return base(i, u, ['system:authenticated'], rnd() < 0.5 ? 'patch' : 'create', { resource: 'deployments', namespace: ns, name, apiGroup: 'apps', apiVersion: 'v1' }, `/apis/apps/v1/namespaces/${ns}/deployments/${name}`, 200, { requestObject: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name, namespace: ns }, spec: { template: { metadata: d.metadata, spec: d.spec } } } });
    }
    if (r < 0.84) {
      const u = rnd() < 0.5 ? pick(HUMANS) : freshUser(i);
      return base(i, u, ['system:authenticated'], 'create', { resource: 'pods', namespace: ns, name: `web-${hex(5)}`, subresource: 'exec', apiVersion: 'v1' }, `/api/v1/namespaces/${ns}/pods/web-x/exec?command=sh&command=-c&command=${encodeURIComponent(pick(['ls /app', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'env']))}&container=web&stdin=true&stdout=true&tty=true`, 101);
    }
    if (r < 0.845) {
      const u = rnd() < 0.3 ? pick(HUMANS) : freshUser(i);
      return base(i, u, ['system:authenticated'], 'create', { resource: 'clusterrolebindings', name: `crb-${hex(4)}`, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 201, {
        requestObject: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(['view', 'cluster-admin', 'edit']) }, subjects: [{ kind: 'User', name: u }] },
      });
    }
    if (r < 0.85) {
      // anonymous requests that were served, from ever new addresses
      const p = pick(['/api/v1/namespaces', '/apis', '/api/v1/pods', '/metrics']);
      return base(i, 'system:anonymous', ['system:unauthenticated'], 'get', undefined, p, 200, { ip: ip() });
    }
    if (r < 0.855) {
      const u = freshUser(i);
      return base(i, u, ['system:authenticated'], 'get', { resource: 'secrets', namespace: 'kube-system', name: 'x', apiVersion: 'v1' }, '/api/v1/namespaces/kube-system/secrets/x', 200, { impersonatedUser: { username: pick(['kubernetes-admin', 'system:admin', `system:node:n-${Math.floor(rnd() * 1e5)}`]), groups: ['system:masters'] } });
    }
    if (r < 0.86) {
      const u = freshSA(i);
      return base(i, u, ['system:serviceaccounts', 'system:authenticated'], 'create', { resource: pick(['selfsubjectrulesreviews', 'selfsubjectaccessreviews']), apiGroup: 'authorization.k8s.io', apiVersion: 'v1' }, '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', 201);
    }
    if (r < 0.862 && !(burst && burst.left > 0)) {
      // start a burst: denials by a fresh identity, or secret reads of many secrets by a fresh SA
      if (rnd() < 0.5) {
        const u = freshUser(i);
        burst = { left: 25, make: (j) => base(j, u, ['system:authenticated'], pick(['get', 'list', 'create']), { resource: pick(['secrets', 'nodes', 'pods', 'clusterroles']), namespace: pick(NAMESPACES), apiVersion: 'v1' }, '/api/v1/secrets', 403) };
      } else {
        const u = freshSA(i);
        burst = { left: 15, make: (j) => { const sec = `s-${hex(6)}`; return base(j, u, ['system:serviceaccounts', 'system:authenticated'], 'get', { resource: 'secrets', namespace: 'shop', name: sec, apiVersion: 'v1' }, `/api/v1/namespaces/shop/secrets/${sec}`, 200); } };
      }
      return base(i, 'alice@example.com', ['system:authenticated'], 'get', { resource: 'pods', namespace: 'shop', apiVersion: 'v1' }, '/api/v1/namespaces/shop/pods', 200);
    }
    if (r < 0.864) {
      // RBAC change then a workload change by the same fresh identity (the next event)
      const u = freshUser(i);
      burst = { left: 1, make: (j) => base(j, u, ['system:authenticated'], 'create', { resource: 'pods', namespace: 'shop', name: `dbg-${hex(5)}`, subresource: 'exec', apiVersion: 'v1' }, '/api/v1/namespaces/shop/pods/dbg/exec?command=sh', 101) };
      return base(i, u, ['system:authenticated'], 'create', { resource: 'rolebindings', namespace: 'shop', name: `rb-${hex(4)}`, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', 201);
    }
    // events and leases by platform identities
    return base(i, pick(['eks:node-manager', 'eks:addon-manager', 'system:kube-scheduler']), ['system:authenticated'], pick(['create', 'update', 'get']), { resource: pick(['events', 'leases', 'configmaps']), namespace: 'kube-system', name: `x-${hex(4)}`, apiVersion: 'v1' }, '/api/v1/namespaces/kube-system/events', 200);
  }
  return event;
}

/** Writes about `bytes` of JSON lines to `out`, with backpressure. Resolves to { events, bytes }. */
async function generate(bytes, out, seed = 42) {
  const event = makeGenerator(seed);
  let written = 0;
  let i = 0;
  const CHUNK = 1 << 20;
  while (written < bytes) {
    const parts = [];
    let len = 0;
    while (len < CHUNK && written + len < bytes) {
      const s = JSON.stringify(event(i++)) + '\n';
      parts.push(s);
      len += s.length; // ASCII only: characters = bytes
    }
    const buf = parts.join('');
    written += len;
    if (!out.write(buf)) await new Promise((res) => out.once('drain', res));
  }
  return { events: i, bytes: written };
}

// ---------------------------------------------------------------------------------------------
// The measurement

function parseTimeV(text) {
  const get = (label) => {
    const line = text.split('\n').find((l) => l.trim().startsWith(label));
    return line ? line.slice(line.lastIndexOf(': ') + 2).trim() : undefined;
  };
  const clock = get('Elapsed (wall clock) time');
  return {
    elapsedS: clock ? clock.split(':').map(Number).reduce((a, v) => a * 60 + v, 0) : undefined,
    userS: Number(get('User time (seconds)')),
    sysS: Number(get('System time (seconds)')),
    maxRssKB: Number(get('Maximum resident set size (kbytes)')),
  };
}

const rssKB = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
};
const childOf = (pid) => {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || undefined;
  } catch {
    return undefined;
  }
};

async function measure(size, opts) {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-audit-mem-'));
  const out = join(dir, 'report.json');
  const gen = spawn('nice', ['-n', String(NICE), process.execPath, fileURLToPath(import.meta.url), '--gen', String(size), '--stats', join(dir, 'gen.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const extraArgs = (process.env.BENCH_ANALYZE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [join(REPO, 'bin/kubeward.js'), 'audit', 'analyze', '-', '--format', 'json', '-o', out, '--fail-on', 'none', ...(opts.summary ? ['--summary'] : []), ...extraArgs];
  const t0 = Date.now();
  const an = spawn(TIME, ['-v', 'nice', '-n', String(NICE), process.execPath, ...args], { stdio: [gen.stdout, 'ignore', 'pipe'] });
  let stderr = '';
  an.stderr.on('data', (d) => (stderr += d));
  const samples = [];
  const poll = setInterval(() => {
    const node = childOf(an.pid); // time -> node (nice execs)
    const kb = node ? rssKB(node) : undefined;
    if (kb) samples.push([(Date.now() - t0) / 1000, kb]);
  }, 500);
  const code = await new Promise((res) => an.on('close', res));
  clearInterval(poll);
  await new Promise((res) => (gen.exitCode !== null ? res() : gen.on('close', res)));
  const tv = parseTimeV(stderr);
  const g = JSON.parse(readFileSync(join(dir, 'gen.json'), 'utf8'));
  let report;
  let listed;
  try {
    ({ report, listed } = readReport(out));
  } catch (e) {
    console.error(stderr.slice(-2000));
    throw e;
  }
  const reportMiB = statSync(out).size / 1048576;
  rmSync(dir, { recursive: true, force: true });
  const at = (f) => {
    if (samples.length === 0) return undefined;
    const s = samples[Math.min(samples.length - 1, Math.floor(f * samples.length))];
    return Math.round(s[1] / 1024);
  };
  const cpu = tv.userS + tv.sysS;
  return {
    size,
    bytes: g.bytes,
    events: report.stats.parsed,
    exit: code,
    wallS: tv.elapsedS,
    cpuS: Number(cpu.toFixed(2)),
    genCpuS: g.cpuS,
    eventsPerSecondWall: Math.round(report.stats.parsed / tv.elapsedS),
    eventsPerCpuSecond: Math.round(report.stats.parsed / cpu),
    peakRssMiB: Math.round(tv.maxRssKB / 1024),
    rssMiBAt: { '25%': at(0.25), '50%': at(0.5), '75%': at(0.75), end: at(0.999) },
    detections: report.stats.detections,
    listed,
    spillLeft: readdirSync(tmpdir()).filter((f) => f.startsWith('kubeward-audit-spill-')).length,
    capped: report.stats.capped ?? null,
    policyViolations: report.policyViolations?.length,
    summaryIdentities: report.summary?.identities?.length,
    summaryOverflow: report.summary?.overflow,
    reportMiB: Number(reportMiB.toFixed(1)),
    loadavg: loadavg().map((x) => Number(x.toFixed(1))),
  };
}

/** The report without its detections (parsed), and how many detections it lists (counted in the bytes). */
function readReport(file) {
  const buf = readFileSync(file);
  const key = Buffer.from('\n  "detections": ');
  const at = buf.indexOf(key);
  if (at < 0) throw new Error(`${file}: no detections member`);
  const from = at + key.length;
  let to; // end of the array value
  let listed = 0;
  if (buf.subarray(from, from + 2).toString() === '[]') to = from + 2;
  else {
    // Items start at 4 spaces; the array closes at 2 (strings hold no raw newlines).
    const close = buf.indexOf('\n  ]', from);
    to = close + 4;
    for (let i = buf.indexOf('\n    {', from); i >= 0 && i < close; i = buf.indexOf('\n    {', i + 1)) listed++;
  }
  const text = buf.subarray(0, from).toString() + '[]' + buf.subarray(to).toString();
  return { report: JSON.parse(text), listed };
}

const TIME = '/usr/bin/time';
const argv = process.argv.slice(2);
if (argv[0] === '--gen') {
  const statsAt = argv.indexOf('--stats');
  const t = process.cpuUsage();
  const r = await generate(parseSize(argv[1]), process.stdout);
  await new Promise((res) => process.stdout.end(res));
  const c = process.cpuUsage(t);
  if (statsAt > 0) writeFileSync(argv[statsAt + 1], JSON.stringify({ ...r, cpuS: Number(((c.user + c.system) / 1e6).toFixed(2)) }));
} else {
  if (!existsSync(TIME)) throw new Error('needs GNU time at /usr/bin/time');
  const jsonAt = argv.indexOf('--json');
  const jsonOut = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  const sizes = (argv.find((a, k) => !a.startsWith('--') && argv[k - 1] !== '--json') ?? '100M,500M,1G,2G,5G').split(',');
  const opts = { summary: argv.includes('--summary') };
  const rows = [];
  for (const s of sizes) {
    const r = await measure(parseSize(s), opts);
    rows.push({ label: s, ...r });
    console.error(JSON.stringify(rows.at(-1)));
  }
  const result = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length, nice: NICE, options: opts, rows };
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}
