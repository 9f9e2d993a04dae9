// Differential test of the NetworkPolicy evaluator against cyclonus (the NetworkPolicy engine of
// network-policy-api's policy-assistant; see scripts/testenv/policy-assistant.sh for why the
// binary is cyclonus): seeded random NetworkPolicy sets over a fixed pod model, every pod pair and
// external address, several ports and protocols; the verdicts must agree, except the differences
// listed (and explained) in EXPLAINED. Run with `npm run test:e2e` after
// `bash scripts/testenv/policy-assistant.sh`; FAILS (does not skip) when the binary is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { objectsFromData } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { assumeEnforcement, NetworkPolicyEvaluator, REFERENCE_SEMANTICS, type PodEndpoint, type Protocol } from '../src/analysis/network/index.js';
import { mulberry32 } from '../test/helpers/prng.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SETS = Number(process.env.KUBEWARD_NETPOL_SETS ?? 1000);
const SEED = Number(process.env.KUBEWARD_NETPOL_SEED ?? 20261127);

/**
 * Deliberate differences: each rewrites the policies into what the oracle actually evaluates; a
 * difference is explained when kubeward, run on the rewritten policies, gives the oracle's verdict.
 */
const EXPLAINED: Array<{ id: string; why: string; rewrite: (policies: Any[]) => Any[] }> = [
  {
    id: 'notin-absent-key',
    why: 'cyclonus (and policy-assistant, same pkg/kube/labelselector.go) treat `NotIn` as false when the pod or namespace lacks the key; Kubernetes label selectors (apimachinery labels.Requirement.Matches; docs "Labels and Selectors", set-based requirements) select resources without the key. kubeward follows Kubernetes',
    rewrite: (policies) => JSON.parse(JSON.stringify(policies), (_k, v) => {
      if (v && typeof v === 'object' && Array.isArray(v.matchExpressions)) {
        const extra = v.matchExpressions.filter((e: Any) => e.operator === 'NotIn').map((e: Any) => ({ key: e.key, operator: 'Exists' }));
        return { ...v, matchExpressions: [...v.matchExpressions, ...extra] };
      }
      return v;
    }),
  },
];

interface DiffCase {
  set: number;
  traffic: Traffic;
  ours: boolean;
  theirs: boolean;
  policies: unknown[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function binary(): string {
  const out = spawnSync('bash', [path.join(ROOT, 'scripts/testenv/policy-assistant.sh'), '--print'], { encoding: 'utf8' });
  return out.stdout.trim();
}

const rng = mulberry32;

// ---- fixed pod model: namespaces x, y, z; pods a, b, c; ports 80/81 TCP, 53 UDP, 9000 SCTP
const NAMESPACES: Record<string, Record<string, string>> = { x: { ns: 'x', team: 'red' }, y: { ns: 'y', team: 'blue' }, z: { ns: 'z' } };
const PODS = ['x', 'y', 'z'].flatMap((ns, i) => ['a', 'b', 'c'].map((p, j) => ({ ns, name: p, labels: { pod: p, ...(j === 0 ? { app: 'web' } : j === 1 ? { app: 'db' } : {}) }, ip: `192.168.1.${10 + i * 3 + j}` })));
const CONTAINER_PORTS = [
  { containerPort: 80, name: 'serve-80-tcp', protocol: 'TCP' },
  { containerPort: 81, name: 'serve-81-tcp', protocol: 'TCP' },
  { containerPort: 53, name: 'dns-udp', protocol: 'UDP' },
  { containerPort: 9000, name: 'sctp-9000', protocol: 'SCTP' },
];
const FLOWS: Array<{ protocol: Protocol; port: number; name: string }> = [
  { protocol: 'TCP', port: 80, name: 'serve-80-tcp' },
  { protocol: 'TCP', port: 81, name: 'serve-81-tcp' },
  { protocol: 'UDP', port: 53, name: 'dns-udp' },
  { protocol: 'SCTP', port: 9000, name: 'sctp-9000' },
];
const EXTERNAL = ['8.8.8.8', '10.0.0.1', '169.254.169.254'];

function modelObjects(): unknown[] {
  const out: unknown[] = Object.entries(NAMESPACES).map(([name, labels]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  for (const p of PODS) out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.ns, labels: p.labels }, spec: { containers: [{ name: 'c', image: 'agnhost', ports: CONTAINER_PORTS }] }, status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } });
  return out;
}

// ---- random policies
function generator(r: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const labelSelector = (kind: 'pod' | 'ns'): Any => {
    const k = kind === 'pod' ? pick(['pod', 'app']) : pick(['ns', 'team']);
    const vals = kind === 'pod' ? (k === 'pod' ? ['a', 'b', 'c'] : ['web', 'db']) : k === 'ns' ? ['x', 'y', 'z'] : ['red', 'blue'];
    switch (Math.floor(r() * 6)) {
      case 0:
        return {};
      case 1:
      case 2:
        return { matchLabels: { [k]: pick(vals) } };
      case 3:
        return { matchExpressions: [{ key: k, operator: pick(['In', 'NotIn']), values: [pick(vals), pick(vals)].filter((v, i, a) => a.indexOf(v) === i) }] };
      case 4:
        return { matchExpressions: [{ key: k, operator: pick(['Exists', 'DoesNotExist']) }] };
      default:
        return { matchLabels: { [k]: pick(vals) }, matchExpressions: [{ key: kind === 'pod' ? 'pod' : 'ns', operator: 'NotIn', values: [pick(kind === 'pod' ? ['a', 'b', 'c'] : ['x', 'y', 'z'])] }] };
    }
  };
  const cidrs = ['192.168.1.0/24', '192.168.1.8/30', '192.168.1.16/29', '0.0.0.0/0', '8.8.8.0/24', '169.254.0.0/16', '10.0.0.0/8', '::/0', '192.168.1.12/32'];
  const peer = (): Any => {
    switch (Math.floor(r() * 5)) {
      case 0:
        return { podSelector: labelSelector('pod') };
      case 1:
        return { namespaceSelector: labelSelector('ns') };
      case 2:
        return { podSelector: labelSelector('pod'), namespaceSelector: labelSelector('ns') };
      default: {
        const cidr = pick(cidrs);
        const except = cidr.startsWith('0.0.0.0') ? pick([[], ['192.168.1.0/28'], ['169.254.169.254/32', '10.0.0.0/8']]) : cidr === '192.168.1.0/24' ? pick([[], ['192.168.1.12/30']]) : [];
        return { ipBlock: { cidr, ...(except.length ? { except } : {}) } };
      }
    }
  };
  const port = (): Any => {
    switch (Math.floor(r() * 8)) {
      case 0:
        return { protocol: 'TCP', port: 80 };
      case 1:
        return { port: 81 };
      case 2:
        return { protocol: 'UDP', port: 53 };
      case 3:
        return { port: pick(['serve-80-tcp', 'serve-81-tcp']) };
      case 4:
        return { protocol: 'UDP', port: 'dns-udp' };
      case 5:
        return { protocol: 'TCP', port: 79, endPort: pick([80, 81, 100]) };
      case 6:
        return { protocol: pick(['TCP', 'UDP', 'SCTP']) };
      default:
        return { protocol: 'SCTP', port: 9000 };
    }
  };
  const rule = (dir: 'ingress' | 'egress'): Any => {
    const out: Any = {};
    const f = dir === 'ingress' ? 'from' : 'to';
    const np = Math.floor(r() * 3);
    if (np > 0) out[f] = Array.from({ length: np }, peer);
    const pp = Math.floor(r() * 3);
    if (pp > 0) out.ports = Array.from({ length: pp }, port);
    return out;
  };
  return (set: number): Any[] => {
    const n = 1 + Math.floor(r() * 4);
    return Array.from({ length: n }, (_, i) => {
      const types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
      const spec: Any = { podSelector: labelSelector('pod'), policyTypes: types };
      for (const t of types) {
        const dir = t === 'Ingress' ? 'ingress' : 'egress';
        spec[dir] = Array.from({ length: Math.floor(r() * 3) }, () => rule(dir));
      }
      return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `s${set}-p${i}`, namespace: pick(['x', 'y', 'z']) }, spec };
    });
  };
}

interface Peer {
  Internal?: { PodLabels: Record<string, string>; NamespaceLabels: Record<string, string>; Namespace: string };
  IP: string;
}
interface Traffic {
  Source: Peer;
  Destination: Peer;
  Protocol: Protocol;
  ResolvedPort: number;
  ResolvedPortName: string;
}

function traffics(r: () => number): Traffic[] {
  const internal = (p: (typeof PODS)[number]): Peer => ({ Internal: { PodLabels: p.labels, NamespaceLabels: NAMESPACES[p.ns], Namespace: p.ns }, IP: p.ip });
  const out: Traffic[] = [];
  for (const s of PODS) for (const d of PODS) for (const f of FLOWS) out.push({ Source: internal(s), Destination: internal(d), Protocol: f.protocol, ResolvedPort: f.port, ResolvedPortName: f.name });
  for (const p of PODS) for (const ip of EXTERNAL) {
    const f = FLOWS[Math.floor(r() * FLOWS.length)];
    out.push({ Source: internal(p), Destination: { IP: ip }, Protocol: f.protocol, ResolvedPort: f.port, ResolvedPortName: '' });
    out.push({ Source: { IP: ip }, Destination: internal(p), Protocol: f.protocol, ResolvedPort: f.port, ResolvedPortName: f.name });
  }
  return out;
}

function cyclonus(bin: string, dir: string, policies: unknown[], tr: Traffic[]): boolean[] {
  rmSync(path.join(dir, 'policies'), { recursive: true, force: true });
  mkdirSync(path.join(dir, 'policies'));
  policies.forEach((p, i) => writeFileSync(path.join(dir, 'policies', `p${i}.json`), JSON.stringify(p)));
  writeFileSync(path.join(dir, 'traffic.json'), JSON.stringify(tr));
  const out = execFileSync('nice', ['-n', '10', bin, 'analyze', '--mode', 'query-traffic', '--policy-path', path.join(dir, 'policies'), '--traffic-path', path.join(dir, 'traffic.json'), '--simplify-policies=false'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const verdicts = [...out.matchAll(/IS ALLOWED\?\s*\|\s*(TRUE|FALSE)/g)].map((m) => m[1] === 'TRUE');
  if (verdicts.length !== tr.length) throw new Error(`cyclonus printed ${verdicts.length} verdicts for ${tr.length} traffics`);
  return verdicts;
}

function ours(policies: unknown[], tr: Traffic[]): boolean[] {
  const parsed = objectsFromData([...modelObjects(), ...policies], 'differential');
  const ev = new NetworkPolicyEvaluator(new ClusterState({ objects: parsed.objects }), { enforcement: assumeEnforcement('kubernetes', ['NetworkPolicy']), semantics: REFERENCE_SEMANTICS });
  const byIp = new Map<string, PodEndpoint>();
  for (const p of ev.pods()) byIp.set(p.ips[0], p);
  return tr.map((t) => {
    const s = t.Source.Internal ? byIp.get(t.Source.IP)! : t.Source.IP;
    const d = t.Destination.Internal ? byIp.get(t.Destination.IP)! : t.Destination.IP;
    const c = ev.evaluateConnection(s, d, { protocol: t.Protocol, port: t.ResolvedPort });
    if (c.verdict !== 'allowed' && c.verdict !== 'denied') throw new Error(`set verdict ${c.verdict}: ${JSON.stringify(c.egress.uncertainties)}`);
    return c.verdict === 'allowed';
  });
}

test('has the cyclonus / policy-assistant binary (else: bash scripts/testenv/policy-assistant.sh)', () => {
  const bin = binary();
  assert.ok(bin && existsSync(bin), `oracle binary missing at ${bin || '(unknown)'}: run bash scripts/testenv/policy-assistant.sh`);
});

test(`random NetworkPolicy sets agree with cyclonus (${SETS} sets, seed ${SEED})`, { timeout: 60 * 60 * 1000 }, () => {
  const bin = binary();
  assert.ok(existsSync(bin), `oracle binary missing at ${bin}: run bash scripts/testenv/policy-assistant.sh`);
  const r = rng(SEED);
  const gen = generator(r);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeward-netpol-diff-'));
  const diffs: DiffCase[] = [];
  const explained = new Map<string, number>();
  let verdicts = 0;
  let allowed = 0;
  const t0 = Date.now();
  try {
    for (let set = 0; set < SETS; set++) {
      const policies = gen(set);
      const tr = traffics(r);
      const theirs = cyclonus(bin, dir, policies, tr);
      const mine = ours(policies, tr);
      verdicts += tr.length;
      tr.forEach((t, i) => {
        if (mine[i]) allowed++;
        if (mine[i] === theirs[i]) return;
        const c: DiffCase = { set, traffic: t, ours: mine[i], theirs: theirs[i], policies };
        const e = EXPLAINED.find((x) => ours(x.rewrite(policies), [t])[0] === theirs[i]);
        if (e) explained.set(e.id, (explained.get(e.id) ?? 0) + 1);
        else diffs.push(c);
      });
      if (diffs.length > 20) break;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (diffs.length > 0 && process.env.KUBEWARD_NETPOL_DUMP) writeFileSync(process.env.KUBEWARD_NETPOL_DUMP, JSON.stringify(diffs.slice(0, 5), null, 1));
  console.log(`netpol differential: ${SETS} policy sets, ${verdicts} verdicts compared (${allowed} allowed), ${diffs.length} unexplained differences, explained: ${JSON.stringify(Object.fromEntries(explained))}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(diffs.length, 0, `differences with cyclonus:\n${diffs.slice(0, 3).map((d) => `set ${d.set}: ${JSON.stringify(d.traffic)} ours=${d.ours} cyclonus=${d.theirs}\n${JSON.stringify(d.policies, null, 1)}`).join('\n')}`);
});
