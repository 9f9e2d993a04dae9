#!/usr/bin/env node
// Benchmark of the RBAC evaluator's who-can (and authorize / rulesFor) on a synthetic cluster.
//
//   npm run build && node bench/rbac-whocan.mjs
//   node bench/rbac-whocan.mjs --roles 10000 --bindings 20000 --sas 5000 --namespaces 250 --reps 21 --json
//
// Generates (deterministically, from --seed) Roles and ClusterRoles with a realistic mix of rules
// (wildcards, subresources, */scale, resourceNames, CRD groups, non-resource URLs, a few aggregated
// ClusterRoles), RoleBindings and ClusterRoleBindings to ServiceAccounts, users and groups, and the
// ServiceAccounts and Namespaces, all in memory. Then it loads them with evaluateFromObjects and
// times, for a fixed set of queries, the median over --reps runs of each query. Reports load time
// (model + aggregation), index build time (first who-can), median / p95 / max per query, and heap.
// Records nothing: it prints.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { mulberry32 } from './lib/prng.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = join(REPO, 'dist/src/analysis/rbac/index.js');
if (!existsSync(LIB)) {
  console.error('rbac-whocan: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const { evaluateFromObjects } = await import(pathToFileURL(LIB).href);

// ------------------------------------------------------------------ arguments
const opt = { roles: 10000, bindings: 20000, sas: 5000, namespaces: 250, reps: 21, seed: 7, json: false };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  const num = () => {
    const v = Number(a[++i]);
    if (!Number.isFinite(v) || v < 0) {
      console.error(`rbac-whocan: ${a[i - 1]} needs a non-negative number`);
      process.exit(2);
    }
    return Math.floor(v);
  };
  switch (a[i]) {
    case '--roles': opt.roles = num(); break;
    case '--bindings': opt.bindings = num(); break;
    case '--sas': opt.sas = num(); break;
    case '--namespaces': opt.namespaces = Math.max(1, num()); break;
    case '--reps': opt.reps = Math.max(1, num()); break;
    case '--seed': opt.seed = num(); break;
    case '--json': opt.json = true; break;
    case '-h': case '--help':
      console.log('usage: node bench/rbac-whocan.mjs [--roles N] [--bindings N] [--sas N] [--namespaces N] [--reps N] [--seed S] [--json]');
      process.exit(0);
    default:
      console.error(`rbac-whocan: unknown argument ${a[i]}`);
      process.exit(2);
  }
}

// ------------------------------------------------------------------ generator
const rnd = mulberry32(opt.seed);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const some = (xs, max) => [...new Set(Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(xs)))];

const API = 'rbac.authorization.k8s.io/v1';
const G = 'rbac.authorization.k8s.io';
const RESOURCES = {
  '': ['pods', 'pods/log', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/status', 'pods/ephemeralcontainers', 'services', 'services/proxy', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'serviceaccounts/token', 'persistentvolumeclaims', 'events', 'nodes', 'nodes/proxy', 'namespaces', 'persistentvolumes', 'replicationcontrollers', 'limitranges', 'resourcequotas'],
  apps: ['deployments', 'deployments/scale', 'statefulsets', 'statefulsets/scale', 'daemonsets', 'replicasets', 'replicasets/scale', 'controllerrevisions'],
  batch: ['jobs', 'cronjobs', 'jobs/status'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
  'rbac.authorization.k8s.io': ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
  'coordination.k8s.io': ['leases'],
  'policy': ['poddisruptionbudgets'],
  'autoscaling': ['horizontalpodautoscalers'],
};
for (let i = 0; i < 40; i++) RESOURCES[`crd${i}.example.com`] = [`widgets${i}`, `widgets${i}/status`, `gadgets${i}`];
const GROUPS = Object.keys(RESOURCES);
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function randomRule() {
  const x = rnd();
  if (x < 0.01) return { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  if (x < 0.03) return { verbs: some([...READ, ...WRITE], 4), apiGroups: ['*'], resources: ['*/scale'] };
  const group = pick(GROUPS);
  const verbs = x < 0.5 ? READ.slice(0, 1 + Math.floor(rnd() * 3)) : x < 0.95 ? some([...READ, ...WRITE], 5) : ['*'];
  const resources = rnd() < 0.05 ? ['*'] : some(RESOURCES[group], 4);
  const rule = { verbs, apiGroups: [group], resources };
  if (rnd() < 0.1) rule.resourceNames = some(['a', 'b', 'aws-auth', 'coredns', 'kube-root-ca.crt'], 2);
  return rule;
}

const nsNames = Array.from({ length: opt.namespaces }, (_, i) => `ns-${i}`);
const objects = [];
for (const ns of nsNames) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
const sas = [];
for (let i = 0; i < opt.sas; i++) {
  const ns = nsNames[i % nsNames.length];
  const name = `sa-${Math.floor(i / nsNames.length)}`;
  sas.push([ns, name]);
  objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
}

const nClusterRoles = Math.floor(opt.roles * 0.2);
const nRoles = opt.roles - nClusterRoles;
const AGG = ['admin', 'edit', 'view'];
for (const a of AGG) {
  objects.push({ apiVersion: API, kind: 'ClusterRole', metadata: { name: `agg-${a}` }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`bench/aggregate-to-${a}`]: 'true' } }] }, rules: [] });
}
const clusterRoleNames = [];
for (let i = 0; i < nClusterRoles; i++) {
  const name = `cr-${i}`;
  clusterRoleNames.push(name);
  const rules = Array.from({ length: 1 + Math.floor(rnd() * 6) }, randomRule);
  if (rnd() < 0.03) rules.push({ verbs: ['get'], nonResourceURLs: some(['/metrics', '/healthz', '/apis/*', '/api/*', '/version', '*'], 2) });
  const labels = rnd() < 0.02 ? { [`bench/aggregate-to-${pick(AGG)}`]: 'true' } : undefined;
  objects.push({ apiVersion: API, kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules });
}
const rolesByNs = new Map();
for (let i = 0; i < nRoles; i++) {
  const ns = nsNames[i % nsNames.length];
  const name = `role-${Math.floor(i / nsNames.length)}`;
  if (!rolesByNs.has(ns)) rolesByNs.set(ns, []);
  rolesByNs.get(ns).push(name);
  objects.push({ apiVersion: API, kind: 'Role', metadata: { name, namespace: ns }, rules: Array.from({ length: 1 + Math.floor(rnd() * 4) }, randomRule) });
}

const USERS = Array.from({ length: 300 }, (_, i) => `user${i}@example.com`);
const USER_GROUPS = [...Array.from({ length: 60 }, (_, i) => `team-${i}`), 'system:authenticated', 'system:serviceaccounts'];
function randomSubjects(ns) {
  return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
    const x = rnd();
    if (x < 0.6) {
      const [sns, name] = pick(sas);
      return ns && rnd() < 0.5 ? { kind: 'ServiceAccount', name: pick(sas)[1] } : { kind: 'ServiceAccount', name, namespace: sns };
    }
    if (x < 0.85) return { kind: 'User', apiGroup: G, name: pick(USERS) };
    return { kind: 'Group', apiGroup: G, name: rnd() < 0.02 ? pick(USER_GROUPS.slice(-2)) : pick(USER_GROUPS.slice(0, -2)) };
  });
}
const nCRB = Math.floor(opt.bindings * 0.15);
for (let i = 0; i < opt.bindings; i++) {
  if (i < nCRB) {
    const roleName = rnd() < 0.01 ? pick(AGG.map((a) => `agg-${a}`)) : pick(clusterRoleNames);
    objects.push({ apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects: randomSubjects(undefined) });
  } else {
    const ns = pick(nsNames);
    const useRole = rnd() < 0.6 && rolesByNs.get(ns)?.length;
    const roleRef = useRole ? { apiGroup: G, kind: 'Role', name: pick(rolesByNs.get(ns)) } : { apiGroup: G, kind: 'ClusterRole', name: rnd() < 0.1 ? pick(AGG.map((a) => `agg-${a}`)) : pick(clusterRoleNames) };
    objects.push({ apiVersion: API, kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns }, roleRef, subjects: randomSubjects(ns) });
  }
}

// ------------------------------------------------------------------ measure
const now = () => Number(process.hrtime.bigint()) / 1e6;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const r3 = (x) => Math.round(x * 1000) / 1000;

globalThis.gc?.();
const heap0 = process.memoryUsage().heapUsed;
let t = now();
const rbac = evaluateFromObjects(objects);
const loadMs = now() - t;
t = now();
rbac.whoCan({ verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns-0' });
const indexMs = now() - t;
globalThis.gc?.();
const heapMiB = (process.memoryUsage().heapUsed - heap0) / 1048576;

const QUERIES = [
  ['get pods -n ns-1', { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns-1' }],
  ['list secrets -n ns-7', { verb: 'list', apiGroup: '', resource: 'secrets', namespace: 'ns-7' }],
  ['get secrets (cluster)', { verb: 'get', apiGroup: '', resource: 'secrets' }],
  ['create pods/exec -n ns-3', { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'ns-3' }],
  ['create pods/exec --all-namespaces', { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', allNamespaces: true }],
  ['update deployments/scale -n ns-9', { verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns-9' }],
  ['patch configmaps aws-auth -n kube-system', { verb: 'patch', apiGroup: '', resource: 'configmaps', name: 'aws-auth', namespace: 'kube-system' }],
  ['create rolebindings -n ns-2', { verb: 'create', apiGroup: G, resource: 'rolebindings', namespace: 'ns-2' }],
  ['get widgets3.crd3 -n ns-4', { verb: 'get', apiGroup: 'crd3.example.com', resource: 'widgets3', namespace: 'ns-4' }],
  ['get /metrics', { verb: 'get', path: '/metrics' }],
  ['list pods --all-namespaces', { verb: 'list', apiGroup: '', resource: 'pods', allNamespaces: true }],
];
const results = [];
for (const [label, q] of QUERIES) {
  const times = [];
  let subjects = 0;
  for (let i = 0; i < opt.reps; i++) {
    const t0 = now();
    const r = rbac.whoCan(q);
    times.push(now() - t0);
    subjects = r.subjects.length;
  }
  results.push({ query: label, subjects, medianMs: r3(quantile(times, 0.5)), p95Ms: r3(quantile(times, 0.95)), maxMs: r3(Math.max(...times)) });
}
const medians = results.map((r) => r.medianMs);

const authTimes = [];
const rulesTimes = [];
for (let i = 0; i < opt.reps * 10; i++) {
  const [ns, name] = sas[(i * 7919) % sas.length];
  const user = `system:serviceaccount:${ns}:${name}`;
  let t0 = now();
  rbac.authorize({ user, verb: pick(['get', 'list', 'create']), apiGroup: '', resource: pick(['pods', 'secrets', 'configmaps']), namespace: pick(nsNames) });
  authTimes.push(now() - t0);
  t0 = now();
  rbac.rulesFor({ kind: 'ServiceAccount', namespace: ns, name });
  rulesTimes.push(now() - t0);
}

const report = {
  cluster: {
    roles: nRoles, clusterRoles: nClusterRoles + AGG.length, bindings: opt.bindings, clusterRoleBindings: nCRB, serviceAccounts: opt.sas, namespaces: opt.namespaces, objects: objects.length, seed: opt.seed,
  },
  loadMs: r3(loadMs),
  indexBuildMs: r3(indexMs),
  heapAfterLoadMiB: r3(heapMiB),
  whoCan: results,
  whoCanMedianOfMediansMs: r3(quantile(medians, 0.5)),
  whoCanWorstMedianMs: r3(Math.max(...medians)),
  authorizeMedianMs: r3(quantile(authTimes, 0.5)),
  rulesForMedianMs: r3(quantile(rulesTimes, 0.5)),
  problems: rbac.problems().length,
  node: process.version,
  reps: opt.reps,
};

if (opt.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const c = report.cluster;
  console.log(`cluster: ${c.roles} Roles + ${c.clusterRoles} ClusterRoles, ${c.bindings} bindings (${c.clusterRoleBindings} ClusterRoleBindings), ${c.serviceAccounts} ServiceAccounts, ${c.namespaces} namespaces (seed ${c.seed})`);
  console.log(`load (model + aggregation): ${report.loadMs} ms; who-can index build: ${report.indexBuildMs} ms; heap after load: ${report.heapAfterLoadMiB} MiB${globalThis.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
  console.log(`who-can, ${opt.reps} runs each:`);
  for (const r of results) console.log(`  ${r.query.padEnd(42)} subjects ${String(r.subjects).padStart(5)}   median ${String(r.medianMs).padStart(7)} ms   p95 ${String(r.p95Ms).padStart(7)} ms   max ${String(r.maxMs).padStart(7)} ms`);
  console.log(`who-can median of medians: ${report.whoCanMedianOfMediansMs} ms; worst median: ${report.whoCanWorstMedianMs} ms`);
  console.log(`authorize median: ${report.authorizeMedianMs} ms; rulesFor(ServiceAccount) median: ${report.rulesForMedianMs} ms`);
}
