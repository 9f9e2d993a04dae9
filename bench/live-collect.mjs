#!/usr/bin/env node
// Live-collection benchmark (issue 3): kubeward reading a real kube-apiserver, next to kubectl
// listing the same kinds.
//
//   bash scripts/testenv/setup.sh --with-kubectl && npm run build && node bench/live-collect.mjs
//
// Starts one throwaway cluster (etcd + kube-apiserver from scripts/testenv/setup.sh, through the
// compiled test helper dist/test/helpers/testenv.js; no controller manager), fills it in steps up
// to each size of --sizes (default 2500,10000,40000 created objects: 50 namespaced objects per
// namespace over 15 kinds, so 200 namespaces at 10k, plus a few Nodes, ClusterRoles and
// ClusterRoleBindings), and at each size measures, --reps times (default 3, the median is
// reported), interleaved:
//   node bin/kubeward.js snapshot --kubeconfig <admin> -o <file>
//   node bin/kubeward.js scan --kubeconfig <admin> --format json -o /dev/null
//   kubectl get <every kind kubeward lists that the cluster serves> -A -o json --chunk-size=500
//   the same kubectl get, one invocation per kind (--loop-reps times, default 1; --no-loop skips it)
// each under `nice -n $BENCH_NICE /usr/bin/time -v` (wall time, peak RSS). The number of API
// requests is kubeward's own count (snapshot metadata.stats.requests) and, for kubectl, the
// responses logged by its first timed run, made with -v=6 (one log line per response).
//
// kubectl: the pinned build from `bash scripts/testenv/setup.sh --with-kubectl` (the same Kubernetes
// version as the API server; KUBECTL=/path overrides). kubectl's discovery cache (--cache-dir) is
// warmed once before the timed runs, as on a user's machine.
//
// Options: --sizes 2500,10000,40000  --reps N  --chunk-size 500  --loop-reps N  --no-loop  --no-write
//          --cpu-prof (one extra `node --cpu-prof` snapshot at the largest size; profile and its
//          top functions in bench/.data/live-collect/)
//          --create-concurrency N (parallel create requests, default 16)
//          --hold (for development: fill the cluster to the largest size, print its admin kubeconfig,
//          measure nothing, keep it running until SIGINT/SIGTERM)
// Env: KUBEWARD_BENCH_LIVE=1 runs the working tree's build instead of a frozen copy of it;
//      BENCH_NICE (default 10, as the other benchmarks).
// Raw results: bench/results/live-collect-<date>.json.
import * as https from 'node:https';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, DATA_DIR, RESULTS_DIR, ensureDir, measure, median, round, machineInfo, kubewardVersion, kubewardBuilt, today, fmt } from './lib/common.mjs';

const opt = { sizes: [2500, 10000, 40000], reps: Number(process.env.BENCH_REPS ?? 3), chunk: 500, loop: true, loopReps: 1, write: true, cpuProf: false, createConc: 16 };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  if (a[i] === '--sizes') opt.sizes = a[++i].split(',').filter(Boolean).map(Number).sort((x, y) => x - y);
  else if (a[i] === '--reps') opt.reps = Math.max(1, Number(a[++i]));
  else if (a[i] === '--chunk-size') opt.chunk = Number(a[++i]);
  else if (a[i] === '--no-loop') opt.loop = false;
  else if (a[i] === '--loop-reps') opt.loopReps = Math.max(1, Number(a[++i]));
  else if (a[i] === '--no-write') opt.write = false;
  else if (a[i] === '--cpu-prof') opt.cpuProf = true;
  else if (a[i] === '--create-concurrency') opt.createConc = Number(a[++i]);
  else if (a[i] === '--hold') opt.hold = true;
  else {
    console.error(`unknown argument ${a[i]}`);
    process.exit(2);
  }
}

const log = (s) => process.stderr.write(`[live-bench] ${s}\n`);
const WORK = ensureDir(join(DATA_DIR, 'live-collect'));
const T_START = Date.now();

// ------------------------------------------------------------------ tools
const helper = join(REPO, 'dist', 'test', 'helpers', 'testenv.js');
if (!existsSync(helper) || !kubewardBuilt()) {
  console.error('build first: npm run build');
  process.exit(2);
}
const { startTestCluster, testenvBinDir } = await import(pathToFileURL(helper).href);
const KUBECTL = process.env.KUBECTL ?? join(testenvBinDir(), 'kubectl');
if (!existsSync(KUBECTL)) {
  console.error(`kubectl not found at ${KUBECTL}: run bash scripts/testenv/setup.sh --with-kubectl`);
  process.exit(2);
}
const kubectlVersion = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('Client Version: ', '');

/** A frozen copy of the build (bin, dist, package.json; node_modules linked), so a concurrent rebuild of dist/ cannot change the benchmarked code mid-run. */
function kubewardRoot() {
  if (process.env.KUBEWARD_BENCH_LIVE === '1') return REPO;
  const dst = join(WORK, 'kubeward-build');
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  for (const d of ['bin', 'dist', 'docs', 'schemas', 'package.json']) if (existsSync(join(REPO, d))) cpSync(join(REPO, d), join(dst, d), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dst, 'node_modules'));
  return dst;
}
const KW_ROOT = kubewardRoot();
const KW = join(KW_ROOT, 'bin', 'kubeward.js');
const { CATALOGUE } = await import(pathToFileURL(join(KW_ROOT, 'dist', 'src', 'loaders', 'live', 'catalogue.js')).href);

// ------------------------------------------------------------------ the cluster
log(`starting etcd + kube-apiserver (${testenvBinDir()})`);
const cluster = await startTestCluster({ timeoutMs: 240_000 });
const ADMIN = cluster.kubeconfigPath('admin');
const agent = new https.Agent({ keepAlive: true, maxSockets: opt.createConc, ca: cluster.caPem });
const apiUrl = new URL(cluster.url);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  agent.destroy();
  await cluster.stop();
};
process.on('SIGINT', () => stop().then(() => process.exit(130)));
process.on('SIGTERM', () => stop().then(() => process.exit(143)));

function api(method, path, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        method, hostname: apiUrl.hostname, port: apiUrl.port, path, agent,
        headers: { Authorization: `Bearer ${cluster.tokens.admin}`, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode, json, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// bounded parallelism for creates
let inFlight = 0;
const waiters = [];
async function slot(fn) {
  if (inFlight >= opt.createConc) await new Promise((r) => waiters.push(r));
  inFlight++;
  try { return await fn(); } finally { inFlight--; waiters.shift()?.(); }
}

const RES = {
  Namespace: '/api/v1/namespaces', Node: '/api/v1/nodes', ServiceAccount: 'serviceaccounts', ConfigMap: 'configmaps', Secret: 'secrets', Service: 'services', Pod: 'pods',
  Deployment: 'apps/v1:deployments', ReplicaSet: 'apps/v1:replicasets', StatefulSet: 'apps/v1:statefulsets', DaemonSet: 'apps/v1:daemonsets',
  Job: 'batch/v1:jobs', CronJob: 'batch/v1:cronjobs', Ingress: 'networking.k8s.io/v1:ingresses', NetworkPolicy: 'networking.k8s.io/v1:networkpolicies',
  Role: 'rbac.authorization.k8s.io/v1:roles', RoleBinding: 'rbac.authorization.k8s.io/v1:rolebindings',
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles', ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
};
const created = {};
async function create(o) {
  const r = RES[o.kind];
  let path;
  if (r.startsWith('/')) path = r;
  else if (r.includes(':')) { const [gv, plural] = r.split(':'); path = `/apis/${gv}/namespaces/${o.metadata.namespace}/${plural}`; }
  else path = `/api/v1/namespaces/${o.metadata.namespace}/${r}`;
  for (let attempt = 0; ; attempt++) {
    const res = await slot(() => api('POST', path, o));
    if (res.status === 201 || res.status === 200 || res.status === 409) {
      created[o.kind] = (created[o.kind] ?? 0) + 1;
      return res.json;
    }
    if ((res.status === 429 || res.status >= 500) && attempt < 5) { await new Promise((s) => setTimeout(s, 200 * 2 ** attempt)); continue; }
    throw new Error(`creating ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${res.status} ${res.text.slice(0, 300)}`);
  }
}

// ------------------------------------------------------------------ realistic objects
const TEAMS = ['payments', 'search', 'checkout', 'identity', 'catalog', 'ml', 'platform', 'data'];
const applied = (o) => {
  // what `kubectl apply` leaves on user-managed objects (kubeward drops it)
  const copy = JSON.parse(JSON.stringify(o));
  o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(copy) + '\n' };
  return o;
};
const labels = (ns, app, i) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': `${app}-${ns}`, 'app.kubernetes.io/part-of': TEAMS[i % TEAMS.length], 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `${app}-1.${i % 9}.0` });

function container(name, n, app, insecure) {
  return {
    name,
    image: `registry.example.com/${TEAMS[n % TEAMS.length]}/${app}-${name}:1.${n % 23}.${n % 7}`,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port=8080', `--log-level=${n % 3 ? 'info' : 'debug'}`, '--metrics-addr=:9090'],
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4317' },
    ],
    envFrom: [{ configMapRef: { name: `${app}-config` } }],
    resources: insecure ? {} : { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 20 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
    securityContext: insecure
      ? { privileged: n % 2 === 0, allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } }
      : { runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
  };
}
function podSpec(ns, app, n, { sa = app, insecure = false, restart = 'Always', hostNetwork = false } = {}) {
  const containers = [container('main', n, app, insecure)];
  if (n % 3 === 0) containers.push({ ...container('sidecar', n + 1, app, false), ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }] });
  return {
    serviceAccountName: sa,
    restartPolicy: restart,
    ...(hostNetwork ? { hostNetwork: true } : {}),
    ...(n % 4 === 0 ? { automountServiceAccountToken: false } : {}),
    securityContext: insecure ? {} : { runAsNonRoot: true, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: TEAMS[n % TEAMS.length], effect: 'NoSchedule' }],
    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } } } }] } },
    containers,
    volumes: [{ name: 'config', configMap: { name: `${app}-config` } }, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
  };
}
const template = (ns, app, n, o) => ({ metadata: { labels: labels(ns, app, n), annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } }, spec: podSpec(ns, app, n, o) });
const ownerRef = (kind, apiVersion, obj, controller = true) => [{ apiVersion, kind, name: obj.metadata.name, uid: obj.metadata.uid, controller, blockOwnerDeletion: true }];
const rand = (n, len = 5) => (n * 2654435761 >>> 0).toString(36).padStart(len, 'x').slice(-len);

/** One namespace with 50 objects (plus the Namespace): SA 3, ConfigMap 8, Secret 4, Service 5, Deployment 4, ReplicaSet 4, Pod 10, StatefulSet 1, DaemonSet 1, Job 1, CronJob 1, Ingress 1, Role 2, RoleBinding 3, NetworkPolicy 2. */
async function fillNamespace(k) {
  const ns = `team-${TEAMS[k % TEAMS.length]}-${String(k).padStart(4, '0')}`;
  await create(applied({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: TEAMS[k % TEAMS.length], ...(k % 3 === 0 ? { 'pod-security.kubernetes.io/enforce': 'restricted' } : k % 3 === 1 ? { 'pod-security.kubernetes.io/warn': 'baseline' } : {}) } } }));
  const apps = [0, 1, 2, 3].map((j) => `svc${j}-${TEAMS[(k + j) % TEAMS.length]}`);
  const m = (name, extra = {}) => ({ name, namespace: ns, ...extra });
  const first = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: m('default') },
    applied({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: m(apps[0], { labels: labels(ns, apps[0], k), annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${ns}-${apps[0]}` } }) }),
    applied({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: m(apps[1], { labels: labels(ns, apps[1], k) }), automountServiceAccountToken: false }),
  ];
  await Promise.all(first.map(create));
  const sa = (j) => (j < 2 ? apps[j] : 'default');
  const objs = [];
  for (let j = 0; j < 8; j++) {
    const app = apps[j % 4];
    objs.push(applied({ apiVersion: 'v1', kind: 'ConfigMap', metadata: m(j < 4 ? `${app}-config` : `${app}-extra-${j}`, { labels: labels(ns, app, j) }), data: { 'LOG_FORMAT': 'json', 'FEATURE_FLAGS': `a=${j % 2},b=1,c=${k % 5}`, 'app.yaml': `server:\n  port: 8080\n  timeout: 30s\ncache:\n  size: ${128 * (j + 1)}\n  ttl: 5m\nupstreams:\n${Array.from({ length: 8 }, (_, u) => `  - http://svc${u}.${ns}.svc.cluster.local:8080\n`).join('')}` } }));
  }
  for (let j = 0; j < 4; j++) {
    const app = apps[j];
    objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: m(j < 3 ? `${app}-db` : `${app}-tls`, { labels: labels(ns, app, j) }), type: j < 3 ? 'Opaque' : 'kubernetes.io/tls', data: j < 3 ? { username: Buffer.from(`user-${k}-${j}`).toString('base64'), password: Buffer.from(`pw-${rand(k * 10 + j, 12)}`).toString('base64') } : { 'tls.crt': Buffer.from('-----BEGIN CERTIFICATE-----\n' + 'A'.repeat(1200) + '\n-----END CERTIFICATE-----\n').toString('base64'), 'tls.key': Buffer.from('-----BEGIN PRIVATE KEY-----\n' + 'B'.repeat(1600) + '\n-----END PRIVATE KEY-----\n').toString('base64') } });
  }
  for (let j = 0; j < 5; j++) {
    const app = apps[j % 4];
    const type = j === 4 ? (k % 5 === 0 ? 'LoadBalancer' : 'NodePort') : 'ClusterIP';
    objs.push(applied({ apiVersion: 'v1', kind: 'Service', metadata: m(j < 4 ? app : `${app}-public`, { labels: labels(ns, app, j) }), spec: { type, selector: { 'app.kubernetes.io/name': app }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }] } }));
  }
  for (let j = 0; j < 2; j++) {
    objs.push(applied({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: m(`${apps[j]}-role`), rules: [{ apiGroups: [''], resources: ['configmaps', 'endpoints'], verbs: ['get', 'list', 'watch'] }, { apiGroups: [''], resources: ['secrets'], verbs: j === 1 && k % 4 === 0 ? ['*'] : ['get'], resourceNames: [`${apps[j]}-db`] }, { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] }));
  }
  for (let j = 0; j < 3; j++) {
    const roleRef = j < 2 ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${apps[j]}-role` } : { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: k % 10 === 0 ? 'admin' : 'view' };
    const subjects = j < 2 ? [{ kind: 'ServiceAccount', name: apps[j], namespace: ns }] : [{ kind: 'Group', name: `team-${TEAMS[k % TEAMS.length]}`, apiGroup: 'rbac.authorization.k8s.io' }];
    objs.push(applied({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: m(j < 2 ? `${apps[j]}-binding` : 'team-access'), roleRef, subjects }));
  }
  objs.push(applied({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: m('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }));
  objs.push(applied({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: m('allow-http'), spec: { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': TEAMS[k % TEAMS.length] } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }, { ports: [{ port: 53, protocol: 'UDP' }] }] } }));
  objs.push(applied({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: m(apps[0], { annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' } }), spec: { ingressClassName: 'nginx', tls: [{ hosts: [`${ns}.example.com`], secretName: `${apps[3]}-tls` }], rules: [{ host: `${ns}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: apps[0], port: { name: 'http' } } } }] } }] } }));
  // namespaces with k % 3 === 0 enforce PSS restricted: insecure Pods only elsewhere
  const insecure = (j) => k % 3 !== 0 && (k * 7 + j) % 11 === 1;
  const deps = [];
  for (let j = 0; j < 4; j++) {
    const app = apps[j];
    deps.push(applied({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: m(app, { labels: labels(ns, app, j) }), spec: { replicas: 2, revisionHistoryLimit: 3, selector: { matchLabels: { 'app.kubernetes.io/name': app } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } }, template: template(ns, app, k * 4 + j, { sa: sa(j), insecure: insecure(j) }) } }));
  }
  const sts = applied({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: m(`${apps[2]}-db`, { labels: labels(ns, `${apps[2]}-db`, k) }), spec: { serviceName: apps[2], replicas: 1, selector: { matchLabels: { 'app.kubernetes.io/name': `${apps[2]}-db` } }, template: template(ns, `${apps[2]}-db`, k, { sa: 'default' }), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'gp3' } }] } });
  const ds = applied({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: m(`${apps[3]}-agent`, { labels: labels(ns, `${apps[3]}-agent`, k) }), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': `${apps[3]}-agent` } }, template: template(ns, `${apps[3]}-agent`, k + 1, { sa: 'default', insecure: k % 9 === 4, hostNetwork: k % 9 === 4 }) } });
  objs.push(applied({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: m(`${apps[1]}-report`), spec: { schedule: `${k % 60} 3 * * *`, concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 2, template: template(ns, `${apps[1]}-report`, k + 2, { sa: sa(1), restart: 'OnFailure' }) } } } }));
  objs.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: m(`${apps[0]}-migrate-${rand(k)}`), spec: { backoffLimit: 1, ttlSecondsAfterFinished: 86400, template: template(ns, `${apps[0]}-migrate`, k + 3, { sa: sa(0), restart: 'Never' }) } });
  const [depsOut, stsOut, dsOut] = await Promise.all([Promise.all(deps.map(create)), create(sts), create(ds), Promise.all(objs.map(create))]);
  // what the controllers would have made: one ReplicaSet per Deployment, two Pods each, plus a Pod of the StatefulSet and of the DaemonSet
  const rss = depsOut.map((d, j) => {
    const hash = rand(k * 4 + j + 1000, 10);
    const tpl = JSON.parse(JSON.stringify(deps[j].spec.template));
    tpl.metadata.labels['pod-template-hash'] = hash;
    return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: m(`${d.metadata.name}-${hash}`, { labels: { ...tpl.metadata.labels }, annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' }, ownerReferences: ownerRef('Deployment', 'apps/v1', d) }), spec: { replicas: 2, selector: { matchLabels: { 'app.kubernetes.io/name': apps[j], 'pod-template-hash': hash } }, template: tpl } };
  });
  const rsOut = await Promise.all(rss.map(create));
  const pods = [];
  rsOut.forEach((r, j) => {
    for (let p = 0; p < 2; p++) pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: m(`${r.metadata.name}-${rand(k * 8 + j * 2 + p)}`, { labels: { ...rss[j].spec.template.metadata.labels }, annotations: { ...rss[j].spec.template.metadata.annotations }, ownerReferences: ownerRef('ReplicaSet', 'apps/v1', r) }), spec: rss[j].spec.template.spec });
  });
  pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: m(`${stsOut.metadata.name}-0`, { labels: { ...sts.spec.template.metadata.labels, 'apps.kubernetes.io/pod-index': '0' }, ownerReferences: ownerRef('StatefulSet', 'apps/v1', stsOut) }), spec: { ...sts.spec.template.spec, hostname: `${stsOut.metadata.name}-0`, subdomain: apps[2] } });
  pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: m(`${dsOut.metadata.name}-${rand(k + 77)}`, { labels: { ...ds.spec.template.metadata.labels }, ownerReferences: ownerRef('DaemonSet', 'apps/v1', dsOut) }), spec: ds.spec.template.spec });
  await Promise.all(pods.map(create));
}

async function fillClusterScoped(k) {
  await create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `ip-10-0-${k >> 8}-${k & 255}.ec2.internal`, labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': ['m6i.xlarge', 'm6i.2xlarge', 'c6i.4xlarge'][k % 3], 'topology.kubernetes.io/zone': `us-east-1${'abc'[k % 3]}`, 'eks.amazonaws.com/nodegroup': `ng-${k % 4}` } }, spec: { providerID: `aws:///us-east-1${'abc'[k % 3]}/i-0${rand(k, 16)}` } });
  await create(applied({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `team-reader-${k}` }, rules: [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'deployments', 'jobs', 'services', 'configmaps'], verbs: ['get', 'list', 'watch'] }, ...(k % 5 === 0 ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] : [])] }));
  await create(applied({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `team-reader-${k}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `team-reader-${k}` }, subjects: [{ kind: 'Group', name: `oidc:team-${TEAMS[k % TEAMS.length]}`, apiGroup: 'rbac.authorization.k8s.io' }] }));
}

const PER_NS = 51; // 50 + the Namespace
let namespaces = 0;
let clusterScoped = 0;
async function growTo(size) {
  const wantNs = Math.round(size / 50);
  const t0 = Date.now();
  const before = Object.values(created).reduce((a, b) => a + b, 0);
  const todo = [];
  for (let k = namespaces; k < wantNs; k++) todo.push(k);
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: Math.max(1, Math.ceil(opt.createConc / 4)) }, async () => {
    while (next < todo.length) {
      const k = todo[next++];
      await fillNamespace(k);
      if (++done % 50 === 0) log(`  ${namespaces + done}/${wantNs} namespaces (${Math.round((Object.values(created).reduce((a, b) => a + b, 0) - before) / ((Date.now() - t0) / 1000))} objects/s)`);
    }
  }));
  namespaces = wantNs;
  const wantCs = Math.round(wantNs / 10);
  await Promise.all(Array.from({ length: wantCs - clusterScoped }, (_, i) => fillClusterScoped(clusterScoped + i)));
  clusterScoped = wantCs;
  const total = Object.values(created).reduce((a, b) => a + b, 0);
  const s = (Date.now() - t0) / 1000;
  log(`cluster holds ${total} created objects (+${total - before} in ${s.toFixed(1)} s, ${Math.round((total - before) / s)} objects/s)`);
  return { created: total, createS: round(s, 1) };
}

// ------------------------------------------------------------------ measuring
function kubectlArgs(extra = []) {
  return ['--kubeconfig', ADMIN, '--cache-dir', join(WORK, 'kubectl-cache'), ...extra];
}
function countItems(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  return doc.items?.length ?? 0;
}

/** Kinds kubeward lists that the cluster serves, as kubectl resource names (resource.group). */
function kubectlKinds(snapshotFile) {
  const doc = JSON.parse(readFileSync(snapshotFile, 'utf8'));
  const absent = new Set(doc.metadata.absentKinds ?? []);
  return CATALOGUE.filter((e) => !absent.has(e.group ? `${e.group}/${e.kind}` : e.kind)).map((e) => (e.group ? `${e.resource}.${e.group}` : e.resource));
}

const results = { date: today(), machine: machineInfo(), kubeward: kubewardVersion(), kubectl: kubectlVersion, kubectlPath: KUBECTL, options: opt, sizes: [] };
results.machine.loadAvgAtStart = (await import('node:os')).loadavg().map((x) => round(x, 2));

if (opt.hold) {
  await growTo(opt.sizes[opt.sizes.length - 1]);
  writeFileSync(join(WORK, 'hold-kubeconfig'), ADMIN + '\n');
  log(`holding: --kubeconfig ${ADMIN} (also in ${join(WORK, 'hold-kubeconfig')}); SIGINT/SIGTERM stops`);
  await new Promise(() => {});
}

try {
  for (const size of opt.sizes) {
    const grow = await growTo(size);
    const snapFile = join(WORK, `snapshot-${size}.json`);
    const kubectlOut = join(WORK, `kubectl-${size}.json`);
    const errFile = join(WORK, 'stderr.txt');
    const kwSnapshot = () => measure(process.execPath, [KW, 'snapshot', '--kubeconfig', ADMIN, '--chunk-size', String(opt.chunk), '-o', snapFile], { cwd: KW_ROOT, stderrFile: errFile });
    const kwScan = () => measure(process.execPath, [KW, 'scan', '--kubeconfig', ADMIN, '--chunk-size', String(opt.chunk), '--format', 'json', '-o', '/dev/null'], { cwd: KW_ROOT, stderrFile: errFile });
    // rep 1 of the snapshot also tells the kinds, objects and requests
    const first = await kwSnapshot();
    if (first.exitCode !== 0) throw new Error(`kubeward snapshot failed (${first.exitCode}): ${readFileSync(errFile, 'utf8')}`);
    const snap = JSON.parse(readFileSync(snapFile, 'utf8'));
    const kinds = kubectlKinds(snapFile);
    const entry = { size, created: grow.created, createS: grow.createS, createdByKind: { ...created }, collected: snap.items.length, kinds: snap.metadata.stats.kinds, kubewardRequests: snap.metadata.stats.requests, kubewardRetries: snap.metadata.stats.retries, snapshotMiB: round(statSync(snapFile).size / 2 ** 20, 1), kubectlKinds: kinds, runs: { snapshot: [first], scan: [], kubectlAll: [], kubectlLoop: [] } };
    snap.items = undefined;
    // kubectl: warm its discovery cache (as on a user's machine) before the timed runs
    spawnSync(KUBECTL, kubectlArgs(['api-resources', '-o', 'name']), { stdio: 'ignore' });
    const kubectlAll = (extra = []) => measure(KUBECTL, kubectlArgs(['get', kinds.join(','), '-A', '-o', 'json', `--chunk-size=${opt.chunk}`, ...extra]), { stdoutFile: kubectlOut, stderrFile: errFile });
    const loopScript = `k="$1"; shift; for r in ${kinds.join(' ')}; do "$k" "$@" get "$r" -A -o json --chunk-size=${opt.chunk} || exit 1; done`;
    for (let rep = 0; rep < opt.reps; rep++) {
      const r1 = rep === 0 ? first : await kwSnapshot();
      if (r1.exitCode !== 0) throw new Error(`kubeward snapshot exited ${r1.exitCode}: ${readFileSync(errFile, 'utf8')}`);
      const r2 = await kwScan();
      if (![0, 1].includes(r2.exitCode)) throw new Error(`kubeward scan exited ${r2.exitCode}: ${readFileSync(errFile, 'utf8')}`);
      // rep 1 of kubectl runs with -v=6 (one log line per response, to count its requests) and is checked
      const r3 = await kubectlAll(rep === 0 ? ['-v=6'] : []);
      if (r3.exitCode !== 0) throw new Error(`kubectl get exited ${r3.exitCode}: ${readFileSync(errFile, 'utf8').slice(-2000)}`);
      if (rep === 0) {
        entry.kubectlRequests = (readFileSync(errFile, 'utf8').match(/"Response" verb="GET"|\bGET https?:\/\/\S+ \d{3}/g) ?? []).length;
        entry.kubectlItems = countItems(kubectlOut);
        entry.kubectlMiB = round(statSync(kubectlOut).size / 2 ** 20, 1);
        log(`size ${size}: kubeward read ${entry.collected} objects of ${entry.kinds} kinds in ${entry.kubewardRequests} requests; kubectl ${entry.kubectlItems} objects in ${entry.kubectlRequests} requests`);
      }
      entry.runs.snapshot[rep] = r1;
      entry.runs.scan.push(r2);
      entry.runs.kubectlAll.push(r3);
      let r4;
      if (opt.loop && rep < opt.loopReps) {
        r4 = await measure('sh', ['-c', loopScript, 'sh', KUBECTL, ...kubectlArgs()], { stdoutFile: kubectlOut, stderrFile: errFile });
        if (r4.exitCode !== 0) throw new Error(`kubectl loop exited ${r4.exitCode}: ${readFileSync(errFile, 'utf8').slice(-2000)}`);
        entry.runs.kubectlLoop.push(r4);
      }
      const cpu = (r) => round((r.userS ?? 0) + (r.sysS ?? 0), 2);
      log(`  rep ${rep + 1}: snapshot ${r1.wallS} s (cpu ${cpu(r1)}) ${r1.maxRssMiB} MiB | scan ${r2.wallS} s (cpu ${cpu(r2)}) ${r2.maxRssMiB} MiB | kubectl ${r3.wallS} s (cpu ${cpu(r3)}) ${r3.maxRssMiB} MiB${r4 ? ` | kubectl per kind ${r4.wallS} s (cpu ${cpu(r4)}) ${r4.maxRssMiB} MiB` : ''} (load ${r1.loadBefore})`);
    }
    entry.median = {};
    for (const [k, runs] of Object.entries(entry.runs)) {
      if (!runs.length) continue;
      entry.median[k] = { wallS: round(median(runs.map((r) => r.wallS)), 2), cpuS: round(median(runs.map((r) => (r.userS ?? 0) + (r.sysS ?? 0))), 2), maxRssMiB: round(median(runs.map((r) => r.maxRssMiB)), 1) };
    }
    entry.ratio = { snapshotVsKubectl: round(entry.median.snapshot.wallS / entry.median.kubectlAll.wallS, 2), scanVsKubectl: round(entry.median.scan.wallS / entry.median.kubectlAll.wallS, 2) };
    results.sizes.push(entry);
  }

  if (opt.cpuProf) {
    const dir = ensureDir(join(WORK, 'prof'));
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    spawnSync('nice', ['-n', String(process.env.BENCH_NICE ?? 10), process.execPath, '--cpu-prof', '--cpu-prof-dir', dir, KW, 'snapshot', '--kubeconfig', ADMIN, '-o', join(WORK, 'snapshot-prof.json')], { cwd: KW_ROOT, stdio: 'inherit' });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const top = topFunctions(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      writeFileSync(join(dir, 'top.txt'), top);
      log(`CPU profile: ${join(dir, file)}\n${top}`);
    }
  }
} finally {
  await stop();
}

/** Self time per function of a .cpuprofile, top 25. */
function topFunctions(p) {
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const self = new Map();
  let total = 0;
  for (const n of p.nodes) {
    const t = dt.get(n.id) ?? 0;
    total += t;
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
}

// ------------------------------------------------------------------ report
results.totalS = round((Date.now() - T_START) / 1000, 1);
const rows = [
  '| created objects (namespaces) | collected | kinds | kubeward requests | kubectl requests | kubeward snapshot: wall s (CPU s), peak MiB | kubeward scan | kubectl get, one call | kubectl get, per kind | snapshot / kubectl wall |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const e of results.sizes) {
  const m = e.median;
  const c = (x) => (x ? `${fmt(x.wallS)} (${fmt(x.cpuS)}), ${fmt(x.maxRssMiB, 0)}` : 'n/a');
  rows.push(`| ${e.created} (${Math.round(e.size / 50)}) | ${e.collected} | ${e.kinds} | ${e.kubewardRequests} | ${e.kubectlRequests} | ${c(m.snapshot)} | ${c(m.scan)} | ${c(m.kubectlAll)} | ${c(m.kubectlLoop)} | ${fmt(e.ratio.snapshotVsKubectl)}x |`);
}
const table = rows.join('\n');
console.log(table);
log(`total ${results.totalS} s`);
if (opt.write) {
  ensureDir(RESULTS_DIR);
  const out = join(RESULTS_DIR, `live-collect-${results.date}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${out}`);
}
