#!/usr/bin/env node
// Benchmark of the network policy evaluator: the metadata-API egress verdict of every pod template
// of a synthetic cluster (default: 50,000 pods, 5,000 NetworkPolicies, 200 Cilium and Calico
// policies), under the three pipelines (Kubernetes-style enforcer with admin policies, Calico,
// Cilium), and the growth with size (1/8, 1/4, 1/2 and the full size).
//
//   npm run build && node bench/netpol.mjs
//   node bench/netpol.mjs --pods 50000 --netpols 5000 --extra 200 --namespaces 500 --json
//
// Objects are generated deterministically (--seed) in memory: Deployments with realistic labels
// spread over namespaces; NetworkPolicies per namespace (default-deny, allow-DNS, egress ipBlocks
// with excepts, pod/namespace selectors, named ports), a few AdminNetworkPolicies, and --extra
// Calico (GlobalNetworkPolicy with tiers, namespaced NetworkPolicy) and Cilium (CNP / CCNP)
// policies. Times: model + compile (evaluator construction), then all verdicts towards
// 169.254.169.254:80/TCP. Reports RSS and heap. Records nothing: it prints.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { mulberry32 } from './lib/prng.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIB = join(REPO, 'dist/src/analysis/network/index.js');
if (!existsSync(LIB)) {
  console.error('netpol bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
const net = await import(pathToFileURL(LIB).href);
const { objectsFromData } = await import(pathToFileURL(join(REPO, 'dist/src/loaders/manifest.js')).href);
const { ClusterState } = await import(pathToFileURL(join(REPO, 'dist/src/model/cluster-state.js')).href);

const opt = { pods: 50000, netpols: 5000, extra: 200, namespaces: 500, seed: 11, json: false, steps: true, engines: ['kubernetes', 'calico', 'cilium'] };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  const num = () => Math.max(0, Math.floor(Number(a[++i])));
  switch (a[i]) {
    case '--pods': opt.pods = num(); break;
    case '--netpols': opt.netpols = num(); break;
    case '--extra': opt.extra = num(); break;
    case '--namespaces': opt.namespaces = Math.max(1, num()); break;
    case '--seed': opt.seed = num(); break;
    case '--json': opt.json = true; break;
    case '--no-steps': opt.steps = false; break;
    case '--engines': opt.engines = String(a[++i]).split(','); break;
    case '-h': case '--help':
      console.log('usage: node bench/netpol.mjs [--pods N] [--netpols N] [--extra N] [--namespaces N] [--seed S] [--no-steps] [--json]');
      process.exit(0);
    default:
      console.error(`netpol bench: unknown argument ${a[i]}`);
      process.exit(2);
  }
}


function generate({ pods, netpols, extra, namespaces, seed }) {
  const r = mulberry32(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const nsNames = Array.from({ length: namespaces }, (_, i) => `team-${i}`);
  const apps = ['web', 'api', 'worker', 'db', 'cache', 'queue', 'metrics', 'auth'];
  const objs = [];
  for (const [i, n] of nsNames.entries()) objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { team: `t${i % 50}`, env: pick(['prod', 'staging', 'dev']) } } });
  for (let i = 0; i < pods; i++) {
    const ns = nsNames[i % namespaces];
    const app = pick(apps);
    objs.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: `${app}-${i}`, namespace: ns },
      spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app, tier: pick(['front', 'back']), 'app.kubernetes.io/instance': `${app}-${i % 97}` } }, spec: { ...(r() < 0.01 ? { hostNetwork: true } : {}), containers: [{ name: 'c', image: 'img', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
    });
  }
  for (let i = 0; i < netpols; i++) {
    const ns = nsNames[i % namespaces];
    const kind = i % 5;
    let spec;
    if (kind === 0) spec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
    else if (kind === 1) spec = { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] };
    else if (kind === 2) spec = { podSelector: { matchLabels: { app: pick(apps) } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32', '10.0.0.0/8'] } }], ports: [{ port: 443 }, { port: 80 }] }] };
    else if (kind === 3) spec = { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'front' } } }], ports: [{ port: 'http' }] }], egress: [{ to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }] };
    else spec = { podSelector: { matchLabels: { app: pick(apps) } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] } }] }, { ports: [{ port: 1, endPort: 1024 }] }] };
    objs.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np-${i}`, namespace: ns }, spec });
  }
  for (let i = 0; i < 5; i++) objs.push({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: `anp-${i}` }, spec: { priority: 10 + i, subject: { namespaces: { matchLabels: { env: pick(['prod', 'dev']) } } }, egress: [{ name: 'pass-dns', action: 'Pass', to: [{ networks: ['10.0.0.10/32'] }] }, { name: 'imds', action: i % 2 ? 'Deny' : 'Pass', to: [{ networks: ['169.254.169.254/32'] }] }] } });
  const calico = [], cilium = [];
  objs.push({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } });
  for (let i = 0; i < extra; i++) {
    const ns = nsNames[i % namespaces];
    if (i % 2 === 0) {
      calico.push(i % 4 === 0
        ? { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: `security.gnp-${i}` }, spec: { tier: 'security', order: i, namespaceSelector: `team == 't${i % 50}'`, selector: `app in {'${pick(apps)}', '${pick(apps)}'}`, types: ['Egress'], egress: [{ action: 'Deny', protocol: 'TCP', destination: { nets: ['169.254.169.254/32'], ports: [80] } }, { action: 'Pass' }] } }
        : { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: `cnp-${i}`, namespace: ns }, spec: { order: 500, selector: `tier == 'back' && has(app)`, types: ['Egress'], egress: [{ action: 'Allow', destination: { notNets: ['169.254.0.0/16'] } }] } });
    } else {
      cilium.push(i % 4 === 1
        ? { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: `ccnp-${i}` }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns } }, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }], egress: [{ toEntities: ['world'] }] } }
        : { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: `cilnp-${i}`, namespace: ns }, spec: { endpointSelector: { matchLabels: { app: pick(apps) } }, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } });
    }
  }
  return { objs, calico, cilium };
}

const mb = (b) => Math.round(b / 1048576);

async function run(size) {
  const { objs, calico, cilium } = generate(size);
  const t0 = performance.now();
  const parsed = objectsFromData([...objs, ...calico, ...cilium], 'bench');
  const state = new ClusterState({ objects: parsed.objects });
  const tState = performance.now() - t0;
  globalThis.gc?.();
  const out = { pods: size.pods, netpols: size.netpols, extra: size.extra, stateMs: Math.round(tState), stateRssMB: mb(process.memoryUsage().rss), engines: {} };
  for (const engine of opt.engines) {
    const t1 = performance.now();
    const ev = new net.NetworkPolicyEvaluator(state, { enforcement: net.assumeEnforcement(engine) });
    const tBuild = performance.now() - t1;
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const counts = {};
    const peer = { kind: 'ip', ip: '169.254.169.254', label: 'IMDS' };
    for (const pod of ev.pods()) {
      const v = ev.evaluateEgress(pod, peer, { protocol: 'TCP', port: 80 }).verdict;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    const tEval = performance.now() - t2;
    const cpu = process.cpuUsage(c2);
    out.engines[engine] = { buildMs: Math.round(tBuild), verdictsMs: Math.round(tEval), verdictsCpuMs: Math.round((cpu.user + cpu.system) / 1000), verdicts: ev.pods().length, counts, rssMB: mb(process.memoryUsage().rss) };
  }
  // The metadata question as the metadata slice asks it: one evaluator (Calico enforcing, as
  // detected from a calico-node DaemonSet), every pod template -> 169.254.169.254:80/TCP.
  {
    const withAgent = new ClusterState({ objects: [...state.objects, ...objectsFromData([{ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.30.0' }] } } } }], 'bench').objects] });
    const t4 = performance.now();
    const c4 = process.cpuUsage();
    const ev = new net.NetworkPolicyEvaluator(withAgent);
    const imds = net.metadataEndpoints('aws').filter((e) => e.id === 'aws-imds');
    const v = net.podMetadataVerdicts(withAgent, 'aws', { evaluator: ev, endpoints: imds });
    globalThis.gc?.();
    const cpu4 = process.cpuUsage(c4);
    out.metadataImds = { enforcement: ev.enforcement.enforcers.map((e) => e.id).join(','), verdicts: v.length, ms: Math.round(performance.now() - t4), cpuMs: Math.round((cpu4.user + cpu4.system) / 1000), rssMB: mb(process.memoryUsage().rss), sampleExplanation: v.find((x) => x.verdict === 'denied')?.path };
  }
  // kubeward fix metadata: plan (per-namespace NetworkPolicies) and the before/after proof (150 x 150 sample).
  {
    const fix = await import(pathToFileURL(join(REPO, 'dist/src/analysis/metadata/fix.js')).href);
    const t5 = performance.now();
    const c5 = process.cpuUsage();
    const plan = fix.planMetadataFix(state, { provider: 'aws', mode: 'networkpolicy' });
    const tPlan = performance.now() - t5;
    const proof = fix.proveFix(state, plan);
    const cpu5 = process.cpuUsage(c5);
    out.fix = { objects: plan.objects.length, planMs: Math.round(tPlan), totalMs: Math.round(performance.now() - t5), cpuMs: Math.round((cpu5.user + cpu5.system) / 1000), flows: proof.flows, unexpected: proof.counts.unexpected, stillOpen: proof.imds.open, rssMB: mb(process.memoryUsage().rss) };
  }
  // podMetadataVerdicts with enforcement unknown (policies as written: Calico + Cilium + admin pipelines), every AWS endpoint.
  const t3 = performance.now();
  const all = net.podMetadataVerdicts(state, 'aws');
  out.metadataAllEndpoints = { verdicts: all.length, ms: Math.round(performance.now() - t3) };
  const m = process.memoryUsage();
  out.rssMB = mb(m.rss);
  out.heapMB = mb(m.heapUsed);
  return out;
}

const sizes = opt.steps ? [8, 4, 2, 1].map((d) => ({ ...opt, pods: Math.round(opt.pods / d), netpols: Math.round(opt.netpols / d), extra: Math.round(opt.extra / d), namespaces: Math.max(1, Math.round(opt.namespaces / d)) })) : [opt];
const results = [];
for (const s of sizes) {
  // Each size in its own process (clean RSS).
  let r;
  if (opt.steps) {
    const { execFileSync } = await import('node:child_process');
    const args = ['--expose-gc', fileURLToPath(import.meta.url), '--no-steps', '--json', '--pods', String(s.pods), '--netpols', String(s.netpols), '--extra', String(s.extra), '--namespaces', String(s.namespaces), '--seed', String(s.seed), '--engines', s.engines.join(',')];
    r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })).results[0];
  } else r = await run(s);
  results.push(r);
  if (!opt.json) {
    const e = Object.entries(r.engines).map(([k, v]) => `${k}: build ${v.buildMs} ms, ${v.verdicts} verdicts ${v.verdictsMs} ms (CPU ${v.verdictsCpuMs} ms) ${JSON.stringify(v.counts)}, RSS ${v.rssMB} MB`).join('\n    ');
    console.log(`pods ${r.pods}, netpols ${r.netpols}, extra ${r.extra}: state ${r.stateMs} ms (RSS ${r.stateRssMB} MB after loading), RSS at the end ${r.rssMB} MB, heap ${r.heapMB} MB\n    ${e}\n    metadata (detected ${r.metadataImds.enforcement}, IMDS only): ${r.metadataImds.verdicts} verdicts ${r.metadataImds.ms} ms (CPU ${r.metadataImds.cpuMs} ms; evaluator build included), RSS ${r.metadataImds.rssMB} MB\n    podMetadataVerdicts(aws, 4 endpoints, enforcement unknown: 3 pipelines): ${r.metadataAllEndpoints.verdicts} verdicts ${r.metadataAllEndpoints.ms} ms\n    fix metadata: ${r.fix.objects} objects, plan ${r.fix.planMs} ms, plan + proof ${r.fix.totalMs} ms (CPU ${r.fix.cpuMs} ms, ${r.fix.flows} flows, ${r.fix.unexpected} unexpected, ${r.fix.stillOpen} still open), RSS ${r.fix.rssMB} MB`);
  }
}
if (opt.json) console.log(JSON.stringify({ node: process.version, results }, null, 2));
