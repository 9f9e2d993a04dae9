#!/usr/bin/env node
// Benchmark of the whole least-privilege analysis: every rbac-* rule of the pillar (technique
// rules on bindings and workloads, broad groups, wildcards, tokens, unused accounts, missing
// subjects, dangling references) and the escalation paths, on a synthetic cluster.
//
//   npm run build && node bench/rbac-analysis.mjs
//   node --expose-gc bench/rbac-analysis.mjs --roles 10000 --bindings 20000 --sas 5000 --pods 5000 --namespaces 250 --reps 3 --json
//
// Generates (deterministically, from --seed) Roles and ClusterRoles with a realistic mix of rules
// (wildcards, subresources, */exec, resourceNames, CRD groups, the risky permissions of the
// catalogue, aggregated ClusterRoles), RoleBindings and ClusterRoleBindings to ServiceAccounts,
// users and groups (a few to system:authenticated / system:serviceaccounts), ServiceAccounts,
// Namespaces, Deployments running as the service accounts, and legacy token Secrets. Then, per
// repetition, builds a fresh ClusterState (origin "snapshot") and times: the RBAC model, the
// technique holdings of every subject, the escalation graph, and runRules() with all rbac-* rules
// (which includes the first three: the total is the figure to compare with the 5 s budget).
// Records nothing: it prints.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { mulberry32 } from './lib/prng.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const need = (p) => {
  const f = join(REPO, 'dist/src', p);
  if (!existsSync(f)) {
    console.error('rbac-analysis: dist/ is missing; run `npm run build` first');
    process.exit(2);
  }
  return import(pathToFileURL(f).href);
};
const { ClusterState } = await need('model/cluster-state.js');
const { makeRef, groupOf } = await need('model/kinds.js');
const { runRules } = await need('core/engine.js');
const { allRules } = await need('rules/index.js');
const { rbacFor, riskFor, escalationFor } = await need('analysis/rbac/index.js');

// ------------------------------------------------------------------ arguments
const opt = { roles: 10000, bindings: 20000, sas: 5000, pods: 5000, namespaces: 250, reps: 3, seed: 7, json: false };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  const num = () => {
    const v = Number(a[++i]);
    if (!Number.isFinite(v) || v < 0) {
      console.error(`rbac-analysis: ${a[i - 1]} needs a non-negative number`);
      process.exit(2);
    }
    return Math.floor(v);
  };
  switch (a[i]) {
    case '--roles': opt.roles = num(); break;
    case '--bindings': opt.bindings = num(); break;
    case '--sas': opt.sas = Math.max(1, num()); break;
    case '--pods': opt.pods = num(); break;
    case '--namespaces': opt.namespaces = Math.max(1, num()); break;
    case '--reps': opt.reps = Math.max(1, num()); break;
    case '--seed': opt.seed = num(); break;
    case '--json': opt.json = true; break;
    case '-h': case '--help':
      console.log('usage: node bench/rbac-analysis.mjs [--roles N] [--bindings N] [--sas N] [--pods N] [--namespaces N] [--reps N] [--seed S] [--json]');
      process.exit(0);
    default:
      console.error(`rbac-analysis: unknown argument ${a[i]}`);
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
  '': ['pods', 'pods/log', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/status', 'pods/ephemeralcontainers', 'pods/eviction', 'services', 'services/status', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts', 'serviceaccounts/token', 'persistentvolumeclaims', 'events', 'nodes', 'nodes/proxy', 'nodes/status', 'namespaces', 'persistentvolumes', 'replicationcontrollers', 'users', 'groups'],
  apps: ['deployments', 'deployments/scale', 'statefulsets', 'daemonsets', 'replicasets', 'controllerrevisions'],
  batch: ['jobs', 'cronjobs'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
  'rbac.authorization.k8s.io': ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
  'admissionregistration.k8s.io': ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
  'certificates.k8s.io': ['certificatesigningrequests', 'certificatesigningrequests/approval', 'signers'],
  'coordination.k8s.io': ['leases'],
};
for (let i = 0; i < 40; i++) RESOURCES[`crd${i}.example.com`] = [`widgets${i}`, `widgets${i}/status`, `gadgets${i}`];
const GROUPS = Object.keys(RESOURCES);
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const SPECIAL = ['bind', 'escalate', 'impersonate', 'approve'];

function randomRule() {
  const x = rnd();
  if (x < 0.005) return { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  if (x < 0.02) return { verbs: some([...READ, ...WRITE], 4), apiGroups: ['*'], resources: ['*/scale', '*/exec'] };
  const group = x < 0.5 ? pick(['', '', 'apps', 'batch']) : pick(GROUPS);
  const verbs = x < 0.45 ? READ.slice(0, 1 + Math.floor(rnd() * 3)) : x < 0.95 ? some([...READ, ...WRITE, ...(rnd() < 0.05 ? SPECIAL : [])], 5) : ['*'];
  const resources = rnd() < 0.04 ? ['*'] : some(RESOURCES[group], 4);
  const rule = { verbs, apiGroups: [group], resources };
  if (rnd() < 0.1) rule.resourceNames = some(['a', 'b', 'aws-auth', 'coredns', 'web-0', 'view'], 2);
  return rule;
}

const objects = [];
const nsNames = Array.from({ length: opt.namespaces }, (_, i) => `ns-${i}`);
for (const ns of nsNames) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
const sas = [];
for (let i = 0; i < opt.sas; i++) {
  const ns = nsNames[i % nsNames.length];
  const name = `sa-${Math.floor(i / nsNames.length)}`;
  sas.push([ns, name]);
  objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
}
for (let i = 0; i < opt.pods; i++) {
  const [ns, name] = sas[(i * 7) % sas.length];
  objects.push({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}`, namespace: ns },
    spec: { selector: { matchLabels: { app: `app-${i}` } }, template: { metadata: { labels: { app: `app-${i}` } }, spec: { serviceAccountName: name, ...(rnd() < 0.2 ? { automountServiceAccountToken: false } : {}), containers: [{ name: 'main', image: `example/app:${i}` }] } } },
  });
}
for (let i = 0; i < Math.floor(opt.sas / 50); i++) {
  const [ns, name] = pick(sas);
  objects.push({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: `${name}-token-${i}`, namespace: ns, annotations: { 'kubernetes.io/service-account.name': name } } });
}
const nClusterRoles = Math.floor(opt.roles * 0.2);
const nRoles = opt.roles - nClusterRoles;
const AGG = ['admin', 'edit', 'view'];
for (const a of AGG) objects.push({ apiVersion: API, kind: 'ClusterRole', metadata: { name: `agg-${a}` }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`bench/aggregate-to-${a}`]: 'true' } }] }, rules: [] });
const clusterRoleNames = [];
for (let i = 0; i < nClusterRoles; i++) {
  const name = `cr-${i}`;
  clusterRoleNames.push(name);
  const rules = Array.from({ length: 1 + Math.floor(rnd() * 6) }, randomRule);
  if (rnd() < 0.03) rules.push({ verbs: ['get'], nonResourceURLs: some(['/metrics', '/healthz', '/apis/*', '*'], 2) });
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
const TEAMS = Array.from({ length: 60 }, (_, i) => `team-${i}`);
function randomSubjects(ns) {
  return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
    const x = rnd();
    if (x < 0.6) {
      const [sns, name] = pick(sas);
      return ns && rnd() < 0.5 ? { kind: 'ServiceAccount', name: pick(sas)[1] } : { kind: 'ServiceAccount', name, namespace: sns };
    }
    if (x < 0.85) return { kind: 'User', apiGroup: G, name: pick(USERS) };
    if (x < 0.995) return { kind: 'Group', apiGroup: G, name: pick(TEAMS) };
    return { kind: 'Group', apiGroup: G, name: pick(['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns ?? 'ns-0'}`]) };
  });
}
const nCRB = Math.floor(opt.bindings * 0.15);
for (let i = 0; i < opt.bindings; i++) {
  if (i < nCRB) {
    const roleName = rnd() < 0.01 ? pick(AGG.map((a) => `agg-${a}`)) : rnd() < 0.002 ? 'cluster-admin' : pick(clusterRoleNames);
    objects.push({ apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects: randomSubjects(undefined) });
  } else {
    const ns = pick(nsNames);
    const useRole = rnd() < 0.6 && rolesByNs.get(ns)?.length;
    const roleRef = useRole ? { apiGroup: G, kind: 'Role', name: pick(rolesByNs.get(ns)) } : { apiGroup: G, kind: 'ClusterRole', name: rnd() < 0.05 ? pick(['edit', 'admin', 'view']) : pick(clusterRoleNames) };
    objects.push({ apiVersion: API, kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns }, roleRef, subjects: randomSubjects(ns) });
  }
}
const loaded = objects.map((obj) => Object.freeze({ obj, ref: makeRef(obj, obj.metadata.name), group: groupOf(obj.apiVersion), file: 'bench', locate: () => undefined }));
const rules = allRules.filter((r) => r.meta.pillar === 'least-privilege' && r.meta.id.startsWith('rbac-'));
export { loaded };
if (!process.env.RBAC_BENCH_NO_RUN) measure();

// ------------------------------------------------------------------ measure
function measure() {
const now = () => Number(process.hrtime.bigint()) / 1e6;
const r1 = (x) => Math.round(x * 10) / 10;
const runs = [];
let last;
if (process.env.RBAC_BENCH_COLD_ONLY) {
  // For profiling: one cold run only.
  const t = now();
  const r = runRules(new ClusterState({ objects: loaded, origin: 'snapshot' }), rules);
  console.log(`cold run: ${r1(now() - t)} ms, ${r.findings.length} findings`);
  process.exit(0);
}
for (let rep = 0; rep < opt.reps; rep++) {
  globalThis.gc?.();
  const t0 = now();
  const state = new ClusterState({ objects: loaded, origin: 'snapshot' });
  const t1 = now();
  const rbac = rbacFor(state);
  const t2 = now();
  const risk = riskFor(rbac);
  let holdings = 0;
  const subjects = risk.subjects();
  for (const s of subjects) holdings += risk.directHoldings(s.key).length;
  const t3 = now();
  const graph = escalationFor(rbac);
  const paths = graph.paths();
  const t4 = now();
  const { findings, ruleErrors } = runRules(state, rules);
  const t5 = now();
  if (ruleErrors.length) {
    console.error('rule errors:', ruleErrors);
    process.exit(1);
  }
  // A cold run: a fresh state, so runRules alone redoes everything (model, holdings, graph).
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const c0 = now();
  const cold = runRules(new ClusterState({ objects: loaded, origin: 'snapshot' }), rules);
  const c1 = now();
  const cpu = process.cpuUsage(cpu0);
  runs.push({ stateMs: t1 - t0, modelMs: t2 - t1, holdingsMs: t3 - t2, escalationMs: t4 - t3, rulesAfterMs: t5 - t4, coldTotalMs: c1 - c0, coldCpuMs: (cpu.user + cpu.system) / 1000 });
  last = { subjects: subjects.length, holdings, paths: paths.length, graph: graph.size(), findings: cold.findings.length, byRule: countBy(findings) };
}
function countBy(findings) {
  const m = {};
  for (const f of findings) m[f.ruleId] = (m[f.ruleId] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort());
}
const median = (k) => r1([...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)]);
const report = {
  cluster: {
    roles: nRoles, clusterRoles: nClusterRoles + AGG.length, bindings: opt.bindings, clusterRoleBindings: nCRB, serviceAccounts: opt.sas, deployments: opt.pods,
    namespaces: opt.namespaces, objects: objects.length, seed: opt.seed,
  },
  rules: rules.length,
  medianMs: {
    clusterState: median('stateMs'), rbacModel: median('modelMs'), holdingsAllSubjects: median('holdingsMs'), escalationGraphAndPaths: median('escalationMs'),
    coldRunRulesTotal: median('coldTotalMs'),
    coldRunRulesCpu: median('coldCpuMs'),
  },
  loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
  worstColdRunRulesTotalMs: r1(Math.max(...runs.map((r) => r.coldTotalMs))),
  ...last,
  heapUsedMiB: r1(process.memoryUsage().heapUsed / 1048576),
  node: process.version,
  reps: opt.reps,
};
if (opt.json) console.log(JSON.stringify(report, null, 2));
else {
  const c = report.cluster;
  console.log(`cluster: ${c.roles} Roles + ${c.clusterRoles} ClusterRoles, ${c.bindings} bindings (${c.clusterRoleBindings} ClusterRoleBindings), ${c.serviceAccounts} ServiceAccounts, ${c.deployments} Deployments, ${c.namespaces} namespaces; ${c.objects} objects (seed ${c.seed})`);
  console.log(`median of ${opt.reps}: ClusterState ${report.medianMs.clusterState} ms; RBAC model ${report.medianMs.rbacModel} ms; technique holdings of ${report.subjects} subjects ${report.medianMs.holdingsAllSubjects} ms; escalation graph (${report.graph.nodes} nodes, ${report.graph.edges} edges) + ${report.paths} paths ${report.medianMs.escalationGraphAndPaths} ms`);
  console.log(`full least-privilege analysis, cold (${report.rules} rbac-* rules incl. escalation paths, fresh state): median ${report.medianMs.coldRunRulesTotal} ms wall, ${report.medianMs.coldRunRulesCpu} ms CPU (load average ${report.loadAverage1m}), worst ${report.worstColdRunRulesTotalMs} ms; ${report.findings} findings`);
  console.log(`findings by rule: ${Object.entries(report.byRule).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`heap used at the end: ${report.heapUsedMiB} MiB`);
}
}
