#!/usr/bin/env node
// Throughput of `kubeward audit analyze` on native audit JSON lines (streamed from disk, every
// detection on), against a bare JSON.parse loop over the same lines held in memory, in the same
// process (the floor any reader must pay).
//   node bench/audit-analyze.mjs [events=300000] [runs=3]
// Needs a build (npm run build). Targets: >= 150,000 events/s with every detection, <= 2x the bare parse.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/prng.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { AuditAnalyzer } = await import(join(REPO, 'dist/src/audit/analyze.js'));
const { fileInput } = await import(join(REPO, 'dist/src/audit/reader.js'));

const N = Number(process.argv[2] ?? 300_000);
const RUNS = Number(process.argv[3] ?? 3);

// Deterministic pseudo-random numbers.
const rnd = mulberry32(42);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;

const NAMESPACES = ['default', 'payments', 'shop', 'monitoring', 'kube-system', 'ingress-nginx', 'argocd'];
const CONTROLLERS = ['replicaset-controller', 'deployment-controller', 'endpointslice-controller', 'generic-garbage-collector', 'namespace-controller', 'daemon-set-controller', 'job-controller'];
const HUMANS = ['alice@example.com', 'bob@example.com', 'kubernetes-admin', 'ci-deployer'];
const T0 = Date.parse('2025-01-01T00:00:00Z');

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
    sourceIPs: [`10.0.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`],
    userAgent: user.startsWith('system:serviceaccount:kube-system') ? 'kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/abcdef0/system:serviceaccount:kube-system:x' : user.startsWith('system:node') ? 'kubelet/v1.30.2 (linux/amd64) kubernetes/abcdef0' : 'kubectl/v1.30.2 (darwin/arm64) kubernetes/abcdef0',
    ...(ref ? { objectRef: ref } : {}),
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: t,
    stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': code === 403 ? '' : 'RBAC: allowed by ClusterRoleBinding "system:controller:x" of ClusterRole "system:controller:x" to ServiceAccount "x/kube-system"' },
    ...extra,
  };
}

function podSpec(name, privileged) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { generateName: name + '-', namespace: 'shop', labels: { app: name, 'pod-template-hash': hex(10) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: name + '-' + hex(10), uid: uuid(), controller: true }] },
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

function event(i) {
  const r = rnd();
  const ns = pick(NAMESPACES);
  if (r < 0.3) {
    const c = pick(CONTROLLERS);
    const res = pick(['pods', 'endpoints', 'replicasets', 'deployments', 'leases']);
    const group = res === 'replicasets' || res === 'deployments' ? 'apps' : res === 'leases' ? 'coordination.k8s.io' : '';
    const verb = pick(['get', 'list', 'watch', 'update']);
    const name = verb === 'list' || verb === 'watch' ? undefined : `${res}-${hex(5)}`;
    return base(i, `system:serviceaccount:kube-system:${c}`, ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], verb, { resource: res, namespace: ns, ...(name ? { name } : {}), apiGroup: group, apiVersion: 'v1' }, `/api${group ? 's/' + group : ''}/v1/namespaces/${ns}/${res}${name ? '/' + name : ''}`, 200);
  }
  if (r < 0.5) {
    const node = `system:node:ip-10-0-${Math.floor(rnd() * 50)}-${Math.floor(rnd() * 250)}.eu-west-1.compute.internal`;
    const res = pick(['configmaps', 'secrets', 'pods', 'nodes', 'leases']);
    const verb = pick(['get', 'watch', 'patch']);
    return base(i, node, ['system:nodes', 'system:authenticated'], verb, { resource: res, namespace: ns, name: `${res}-${hex(4)}`, apiVersion: 'v1', ...(verb === 'patch' ? { subresource: 'status' } : {}) }, `/api/v1/namespaces/${ns}/${res}/${res}-x`, 200);
  }
  if (r < 0.62) {
    const u = pick(HUMANS);
    const res = pick(['pods', 'deployments', 'services', 'configmaps', 'events']);
    return base(i, u, ['system:authenticated', 'devs'], pick(['get', 'list']), { resource: res, namespace: ns, apiVersion: 'v1' }, `/api/v1/namespaces/${ns}/${res}?limit=500`, 200);
  }
  if (r < 0.72) {
    const name = pick(['cart', 'checkout', 'catalog', 'search', 'frontend']);
    return base(i, 'system:serviceaccount:kube-system:replicaset-controller', ['system:serviceaccounts', 'system:authenticated'], 'create', { resource: 'pods', namespace: 'shop', apiVersion: 'v1' }, '/api/v1/namespaces/shop/pods', 201, { requestObject: podSpec(name, false) });
  }
  if (r < 0.8) {
    const app = pick(['cart', 'checkout', 'catalog']);
    return base(i, `system:serviceaccount:shop:${app}`, ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'], 'get', { resource: 'secrets', namespace: 'shop', name: `${app}-db`, apiVersion: 'v1' }, `/api/v1/namespaces/shop/secrets/${app}-db`, 200);
  }
  if (r < 0.84) {
    const u = pick(['system:serviceaccount:shop:cart', 'mallory@example.com', 'system:anonymous']);
    return base(i, u, ['system:authenticated'], 'list', { resource: pick(['secrets', 'nodes', 'clusterroles']), apiVersion: 'v1' }, '/api/v1/secrets', 403);
  }
  if (r < 0.9) {
    const u = pick(HUMANS);
    const name = pick(['cart', 'checkout']);
    const d = podSpec(name, rnd() < 0.02);
    return base(i, u, ['system:authenticated'], 'patch', { resource: 'deployments', namespace: 'shop', name, apiGroup: 'apps', apiVersion: 'v1' }, `/apis/apps/v1/namespaces/shop/deployments/${name}`, 200, { requestObject: { spec: { template: { metadata: d.metadata, spec: d.spec } } } });
  }
  if (r < 0.91) {
    const u = pick(HUMANS);
    return base(i, u, ['system:authenticated'], 'create', { resource: 'pods', namespace: ns, name: `web-${hex(5)}`, subresource: 'exec', apiVersion: 'v1' }, `/api/v1/namespaces/${ns}/pods/web-x/exec?command=sh&command=-c&command=${encodeURIComponent(pick(['ls /app', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'env']))}&container=web&stdin=true&stdout=true&tty=true`, 101);
  }
  if (r < 0.915) {
    const u = pick(HUMANS);
    return base(i, u, ['system:authenticated'], 'create', { resource: 'clusterrolebindings', name: `crb-${hex(4)}`, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 201, {
      requestObject: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(['view', 'cluster-admin', 'edit']) }, subjects: [{ kind: 'User', name: 'bob@example.com' }] },
    });
  }
  // events and leases by platform identities
  return base(i, pick(['eks:node-manager', 'eks:addon-manager', 'system:kube-scheduler']), ['system:authenticated'], pick(['create', 'update', 'get']), { resource: pick(['events', 'leases', 'configmaps']), namespace: 'kube-system', name: `x-${hex(4)}`, apiVersion: 'v1' }, '/api/v1/namespaces/kube-system/events', 200);
}

const dir = mkdtempSync(join(tmpdir(), 'kubeward-audit-bench-'));
const file = join(dir, 'audit.log');
const lines = [];
for (let i = 0; i < N; i++) lines.push(JSON.stringify(event(i)));
writeFileSync(file, lines.join('\n') + '\n');
lines.length = 0;
const bytes = statSync(file).size;

// The floor: JSON.parse of every line, the lines already split in memory (no I/O, no decoding).
const allLines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
function bare() {
  const t = process.hrtime.bigint();
  let n = 0;
  for (const l of allLines) {
    const o = JSON.parse(l);
    if (o.kind === 'Event') n++;
  }
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, n };
}

async function analyze() {
  const t = process.hrtime.bigint();
  const a = new AuditAnalyzer({});
  await a.read(fileInput(file));
  const r = a.result();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, n: r.stats.parsed, detections: r.stats.detections, rss: process.memoryUsage().rss };
}

// Peak memory of the streaming reader alone, in a fresh process (the bare loop above reads the whole file).
function analyzeMemory() {
  const code = `const { AuditAnalyzer } = await import(${JSON.stringify(join(REPO, 'dist/src/audit/analyze.js'))});
const { fileInput } = await import(${JSON.stringify(join(REPO, 'dist/src/audit/reader.js'))});
const a = new AuditAnalyzer({}); await a.read(fileInput(${JSON.stringify(file)})); a.result();
console.log(Math.round(process.resourceUsage().maxRSS / 1024));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const bares = [];
const ours = [];
for (let k = 0; k < RUNS; k++) {
  bares.push(bare());
  ours.push(await analyze());
}
const best = (xs) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
const b = best(bares);
const o = best(ours);
const eps = (x) => Math.round((x.n / x.ms) * 1000);
const result = {
  events: N,
  bytes,
  avgEventBytes: Math.round(bytes / N),
  runs: RUNS,
  cpu: cpus()[0]?.model,
  node: process.version,
  bareParse: { ms: Math.round(b.ms), eventsPerSecond: eps(b) },
  analyze: { ms: Math.round(o.ms), eventsPerSecond: eps(o), detections: o.detections, peakRssMiB: analyzeMemory() },
  ratio: Number((o.ms / b.ms).toFixed(2)),
  targets: { eventsPerSecond: eps(o) >= 150_000, ratio: o.ms / b.ms <= 2 },
};
console.log(JSON.stringify(result, null, 2));
rmSync(dir, { recursive: true, force: true });
