// NetworkPolicy evaluator conformance against third-party truth (corpora/netpol-oracle):
//   * cyclonus probe truth tables: 7 NetworkPolicies over pods a,b,c in namespaces x,y,z, TCP 80/81/82
//     (ingress, egress and combined matrices: 3 x 243 cells);
//   * cyclonus query-traffic verdicts (4) and the policy-assistant walkthrough (6 verdicts with
//     their ANP -> NetworkPolicy -> BANP walk);
//   * the network-policy-api conformance probes with cleanState (ClusterNetworkPolicy Admin /
//     Baseline tiers with NetworkPolicy v1), evaluated on conformance/base/manifests.yaml.
// Every disagreement must be explained in scripts/conformance-netpol/deliberate.ts.
//
//   node dist/scripts/conformance-netpol.js           writes docs/conformance-netpol.md, prints a summary
//   node dist/scripts/conformance-netpol.js --check   exits 1 on an unexplained disagreement or a stale doc
// Corpora: $KUBEWARD_CORPORA/netpol-oracle, else <repo>/../shared/corpora/netpol-oracle.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { objectsFromData, parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import type { LoadedObject } from '../src/core/types.js';
import { assumeEnforcement, NetworkPolicyEvaluator, REFERENCE_SEMANTICS, type DirectionResult, type Flow, type PodEndpoint, type Protocol } from '../src/analysis/network/index.js';
import { DELIBERATE, HOST_NETWORK_PORTS, SYNTHETIC_NODE } from './conformance-netpol/deliberate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs/conformance-netpol.md');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Case {
  suite: 'probe' | 'traffic' | 'walkthrough' | 'conformance';
  id: string;
  expected: string;
  ours: string;
  status: 'agree' | 'deliberate' | 'unexplained';
  reason?: string;
  detail?: string;
}

function corpusDir(): string {
  const base = process.env.KUBEWARD_CORPORA ?? path.resolve(ROOT, '../shared/corpora');
  return path.join(base, 'netpol-oracle');
}

function loadYaml(file: string, text?: string): LoadedObject[] {
  const parsed = parseManifestText(text ?? readFileSync(file, 'utf8'), path.basename(file));
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.objects;
}

function fromData(items: unknown[], file: string): LoadedObject[] {
  const parsed = objectsFromData(items, file);
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.objects;
}

function evaluator(objects: LoadedObject[], podIpFamilies?: Array<4 | 6>): NetworkPolicyEvaluator {
  // The oracles (cyclonus, policy-assistant, the conformance suite on kind) read the open points of
  // the NetworkPolicy spec as REFERENCE_SEMANTICS: ipBlock matches pod IPs, endPort supported.
  return new NetworkPolicyEvaluator(new ClusterState({ objects }), { enforcement: assumeEnforcement('kubernetes'), semantics: REFERENCE_SEMANTICS, model: podIpFamilies ? { podIpFamilies } : {} });
}

function record(cases: Case[], c: Omit<Case, 'status' | 'reason'>): void {
  if (c.expected === c.ours) {
    cases.push({ ...c, status: 'agree' });
    return;
  }
  const key = `${c.suite} | ${c.id}`;
  const reason = DELIBERATE[key];
  cases.push({ ...c, status: reason ? 'deliberate' : 'unexplained', ...(reason ? { reason } : {}) });
}

const pick = (r: DirectionResult): string => (r.verdict === 'allowed' ? 'allowed' : r.verdict === 'denied' ? 'blocked' : r.verdict);

// ---------------------------------------------------------------------------------------------
// cyclonus probe truth

let skippedProbeCells = 0;

function probeSuite(corpus: string, expected: Any, cases: Case[]): void {
  const model = JSON.parse(readFileSync(path.join(corpus, 'cyclonus/examples/probe.json'), 'utf8'));
  const items: unknown[] = [];
  for (const [name, labels] of Object.entries(model.Resources.Namespaces as Record<string, Record<string, string>>)) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  for (const p of model.Resources.Pods as Any[]) {
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.Name, namespace: p.Namespace, labels: p.Labels },
      spec: { containers: p.Containers.map((c: Any) => ({ name: c.Name, image: 'agnhost', ports: [{ containerPort: c.Port, name: c.PortName, protocol: String(c.Protocol).toUpperCase() }] })) },
      status: { podIP: p.IP, podIPs: [{ ip: p.IP }] },
    });
  }
  const dir = path.join(corpus, 'policy-assistant/example-policies/networkpolicies/simple-example');
  const policies = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => loadYaml(path.join(dir, f)));
  const ev = evaluator([...fromData(items, 'probe.json'), ...policies]);
  const pods = new Map(ev.pods().map((p) => [`${p.namespace}/${p.name}`, p]));
  for (const probe of expected.probeTruth.probes as Any[]) {
    const flow: Flow = { protocol: String(probe.Protocol ?? probe.protocol).toUpperCase() as Protocol, port: probe.port ?? probe.Port };
    for (const table of ['ingress', 'egress', 'combined'] as const) {
      for (const [cell, want] of Object.entries(probe[table] as Record<string, string>)) {
        if (want === 'unknown') {
          skippedProbeCells++; // the oracle did not evaluate this cell
          continue;
        }
        const [s, d] = cell.split('->');
        const src = pods.get(s)!;
        const dst = pods.get(d)!;
        let ours: string;
        if (!dst.ports.some((p) => p.port === flow.port && p.protocol === flow.protocol)) ours = 'invalidportprotocol';
        else if (table === 'ingress') ours = pick(ev.evaluateIngress(dst, src, flow));
        else if (table === 'egress') ours = pick(ev.evaluateEgress(src, dst, flow));
        else {
          const c = ev.evaluateConnection(src, dst, flow);
          ours = c.verdict === 'allowed' ? 'allowed' : c.verdict === 'denied' ? 'blocked' : c.verdict;
        }
        record(cases, { suite: 'probe', id: `${flow.protocol}/${flow.port} ${table} ${cell}`, expected: want, ours });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// cyclonus query-traffic

function trafficSuite(corpus: string, expected: Any, cases: Case[]): void {
  const dir = path.join(corpus, 'policy-assistant/example-policies/networkpolicies/simple-example');
  const policies = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => loadYaml(path.join(dir, f)));
  for (const item of expected.trafficTruth.items as Any[]) {
    const t = item.traffic;
    const items: unknown[] = [];
    const nsSeen = new Set<string>();
    const mk = (peer: Any, name: string): void => {
      const i = peer.Internal;
      if (!i) return;
      if (!nsSeen.has(i.Namespace)) {
        nsSeen.add(i.Namespace);
        items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: i.Namespace, labels: i.NamespaceLabels } });
      }
      const ports = t.ResolvedPortName ? [{ containerPort: t.ResolvedPort, name: t.ResolvedPortName, protocol: t.Protocol }] : [{ containerPort: t.ResolvedPort, protocol: t.Protocol }];
      items.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: i.Namespace, labels: i.PodLabels }, spec: { containers: [{ name: 'c', image: 'x', ports }] }, ...(peer.IP ? { status: { podIP: peer.IP, podIPs: [{ ip: peer.IP }] } } : {}) });
    };
    mk(t.Source, 'source');
    mk(t.Destination, 'destination');
    const ev = evaluator([...fromData(items, 'traffic.json'), ...policies]);
    const find = (peer: Any, name: string): PodEndpoint | string => (peer.Internal ? ev.pods().find((p) => p.name === name)! : peer.IP);
    const flow: Flow = { protocol: t.Protocol, port: t.ResolvedPort };
    const c = ev.evaluateConnection(find(t.Source, 'source'), find(t.Destination, 'destination'), flow);
    const first = (r: DirectionResult | undefined, internal: boolean): string => (!internal || !r || r.decidedBy.length === 0 ? 'null' : r.verdict === 'allowed' ? 'Allow' : 'Deny');
    const ours = `allowed=${c.verdict === 'allowed'} ingress=${first(c.ingress, !!t.Destination.Internal)} egress=${first(c.egress, !!t.Source.Internal)}`;
    const want = `allowed=${item.allowed} ingress=${item.ingressFirstAction ?? 'null'} egress=${item.egressFirstAction ?? 'null'}`;
    record(cases, { suite: 'traffic', id: `item ${item.index}`, expected: want, ours });
  }
}

// ---------------------------------------------------------------------------------------------
// policy-assistant walkthrough (ANP + BANP + NetworkPolicy)

function walkString(r: DirectionResult, hasAnp: boolean): string {
  const parts: string[] = [];
  const anp = r.decidedBy.filter((d) => d.policy.kind === 'AdminNetworkPolicy');
  const npv1 = r.decidedBy.filter((d) => d.policy.kind === 'NetworkPolicy');
  const banp = r.decidedBy.filter((d) => d.policy.kind === 'BaselineAdminNetworkPolicy');
  const cap = (e: string): string => (e === 'allow' ? 'Allow' : e === 'deny' ? 'Deny' : e === 'pass' ? 'Pass' : e);
  if (anp.length > 0) parts.push(`[ANP] ${cap(anp[0].effect)} (${anp[0].ruleName ?? anp[0].policy.name})`);
  else if (hasAnp && r.decidedBy.length > 0) parts.push('[ANP] No-Op');
  if (npv1.length > 0) parts.push(npv1[0].effect === 'isolate' ? `[NPv1] Dropped (${npv1[0].policy.namespace}/${npv1[0].policy.name})` : `[NPv1] Allowed (${npv1[0].policy.namespace}/${npv1[0].policy.name})`);
  if (banp.length > 0) parts.push(`[BANP] ${cap(banp[0].effect)} (${banp[0].ruleName ?? banp[0].policy.name})`);
  return parts.length > 0 ? parts.join(' -> ') : 'no policies targeting';
}

function walkthroughSuite(corpus: string, expected: Any, cases: Case[]): void {
  const dir = path.join(corpus, 'policy-assistant/examples/demos/walkthrough');
  const policies = readdirSync(path.join(dir, 'policies')).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => loadYaml(path.join(dir, 'policies', f)));
  const workloads = [...loadYaml(path.join(dir, 'demo-deployment-a.yaml')), ...loadYaml(path.join(dir, 'demo-pod-b.yaml'))];
  const ports = [80, 81].map((p) => ({ name: `cont-${p}`, image: 'agnhost', ports: [{ containerPort: p, name: `serve-${p}-tcp`, protocol: 'TCP' }] }));
  const synthetic: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo2', labels: { development: 'true' } } },
  ];
  const re = /^(\S+?)\/(?:(deployment|pod)\/(\S+)|\[(\S+)=(\S+)\])$/;
  const synth = new Set<string>();
  const endpoints: Array<{ item: Any; src: string; dst: string; port: number; proto: Protocol }> = [];
  for (const item of expected.walkthroughTruth.items as Any[]) {
    const m = /^(\S+) -> (\S+):(\d+) \((\w+)\)$/.exec(item.traffic);
    if (!m) throw new Error(`walkthrough: cannot parse ${item.traffic}`);
    for (const side of [m[1], m[2]]) {
      const s = re.exec(side);
      if (s && s[4] && !synth.has(side)) {
        synth.add(side);
        synthetic.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `synthetic-${s[4]}-${s[5]}`, namespace: s[1], labels: { [s[4]]: s[5] } }, spec: { containers: ports } });
      }
    }
    endpoints.push({ item, src: m[1], dst: m[2], port: Number(m[3]), proto: m[4] as Protocol });
  }
  const ev = evaluator([...fromData(synthetic, 'walkthrough-synthetic'), ...workloads, ...policies]);
  const find = (side: string): PodEndpoint => {
    const s = re.exec(side)!;
    const name = s[3] ?? `synthetic-${s[4]}-${s[5]}`;
    return ev.pods().find((p) => p.namespace === s[1] && p.name === name)!;
  };
  for (const e of endpoints) {
    const c = ev.evaluateConnection(find(e.src), find(e.dst), { protocol: e.proto, port: e.port });
    const ours = `${c.verdict === 'allowed' ? 'Allowed' : c.verdict === 'denied' ? 'Denied' : c.verdict} | ingress ${walkString(c.ingress!, true)} | egress ${c.egress.decidedBy.length === 0 ? 'no policies targeting egress' : walkString(c.egress, true)}`;
    const want = `${e.item.verdict} | ingress ${e.item.ingressWalkthrough} | egress ${e.item.egressWalkthrough}`;
    record(cases, { suite: 'walkthrough', id: e.item.traffic, expected: want, ours });
  }
}

// ---------------------------------------------------------------------------------------------
// network-policy-api conformance (cleanState probes)

function template(text: string): string {
  return text.replace(/\{\{\s*index\s+\.HostNetworkPorts\s+(\d+)\s*\}\}/g, (_m, i) => String(HOST_NETWORK_PORTS[Number(i)]));
}

function conformanceSuite(corpus: string, expected: Any, cases: Case[]): void {
  const baseFile = path.join(corpus, 'conformance/base/manifests.yaml');
  const base = loadYaml(baseFile, template(readFileSync(baseFile, 'utf8')));
  const node = fromData([SYNTHETIC_NODE], 'synthetic-node');
  for (const t of expected.conformance.tests as Any[]) {
    const manifests = (t.manifests as string[]).flatMap((m) => {
      const f = path.join(corpus, m);
      return loadYaml(f, template(readFileSync(f, 'utf8')));
    });
    const ev = evaluator([...base, ...node, ...manifests], [4]);
    const podOf = (ns: string, name: string): PodEndpoint => {
      const owner = name.replace(/-\d+$/, '');
      const p = ev.pods().find((x) => x.namespace === ns && x.name === owner);
      if (!p) throw new Error(`conformance: no workload for ${ns}/${name}`);
      return p;
    };
    for (const s of t.subtests as Any[]) {
      for (const p of s.probes as Any[]) {
        if (!p.cleanState) continue;
        let port: number;
        if (typeof p.port === 'number') port = p.port;
        else {
          const m = /HostNetworkPorts\[(\d+)\]/.exec(String(p.portExpression));
          if (!m) throw new Error(`conformance: port expression ${p.portExpression}`);
          port = HOST_NETWORK_PORTS[Number(m[1])];
        }
        const flow: Flow = { protocol: String(p.protocol).toUpperCase() as Protocol, port };
        const c = ev.evaluateConnection(podOf(p.clientNamespace, p.clientPod), podOf(p.serverNamespace, p.serverPod), flow);
        const ours = c.verdict === 'allowed' ? 'allowed' : c.verdict === 'denied' ? 'denied' : c.verdict;
        const id = `${t.test} | ${s.name} | ${p.clientPod} -> ${p.serverNamespace.replace('network-policy-conformance-', '')}/${p.serverPod} ${flow.protocol}/${p.port ?? p.portExpression}`;
        const detail = [...c.egress.path.slice(1), ...(c.ingress?.path.slice(1) ?? [])].join(' / ');
        record(cases, { suite: 'conformance', id, expected: p.expectAllowed ? 'allowed' : 'denied', ours, detail });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

function render(cases: Case[]): string {
  const suites = ['probe', 'traffic', 'walkthrough', 'conformance'] as const;
  const titles: Record<(typeof suites)[number], string> = {
    probe: 'cyclonus probe truth tables (ingress, egress, combined; TCP 80/81/82)',
    traffic: 'cyclonus query-traffic verdicts',
    walkthrough: 'policy-assistant walkthrough (ANP -> NetworkPolicy -> BANP)',
    conformance: 'network-policy-api conformance probes (cleanState, ClusterNetworkPolicy + NetworkPolicy)',
  };
  const lines: string[] = [
    '# NetworkPolicy evaluator conformance',
    '',
    'Generated by `node dist/scripts/conformance-netpol.js` from `corpora/netpol-oracle` (kubernetes-sigs/network-policy-api',
    '0eec1b0e, mattfenwick/cyclonus 12f646fb). The evaluator runs with the reading of the oracles (`REFERENCE_SEMANTICS`: ipBlock',
    'matches pod IPs, endPort supported) and a conformant enforcer of every policy family. Do not edit by hand.',
    '',
    '| suite | cases | agree | deliberate | unexplained |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const s of suites) {
    const l = cases.filter((c) => c.suite === s);
    lines.push(`| ${titles[s]} | ${l.length} | ${l.filter((c) => c.status === 'agree').length} | ${l.filter((c) => c.status === 'deliberate').length} | ${l.filter((c) => c.status === 'unexplained').length} |`);
  }
  const combined = cases.filter((c) => c.suite === 'probe' && c.id.includes(' combined '));
  lines.push('', `Probe cells: ${combined.length} combined cells (${combined.filter((c) => c.status === 'agree').length} agree), plus the ingress and egress matrices; ${skippedProbeCells} cells the oracle left \`unknown\` (egress towards a port the destination does not serve) are not compared. Cells marked \`invalidportprotocol\` agree when the destination pod declares no such container port.`);
  lines.push('', '## Conformance setup', '', `- \`{{ index .HostNetworkPorts N }}\` is replaced by ${HOST_NETWORK_PORTS.join(', ')} (the probes name the same indexes).`, `- The nodes of the suite's kind cluster are modelled by one Node labelled ${JSON.stringify(SYNTHETIC_NODE.metadata.labels)}; hostNetwork server pods (centaur) stand for that node.`, '- StatefulSet pods `<name>-<ordinal>` are their StatefulSet\'s template; pod IPs are unknown, pods are IPv4 single-stack.', '- Probes that follow in-test mutations (cleanState false) are not replayed.');
  const off = cases.filter((c) => c.status !== 'agree');
  lines.push('', '## Disagreements', '');
  if (off.length === 0) lines.push('None.');
  else {
    lines.push('| suite | case | expected | kubeward | status | reason |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of off) lines.push(`| ${c.suite} | ${esc(c.id)} | ${esc(c.expected)} | ${esc(c.ours)} | ${c.status} | ${esc(c.reason ?? c.detail ?? '')} |`);
  }
  lines.push('');
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function main(): void {
  const check = process.argv.includes('--check');
  const corpus = corpusDir();
  if (!existsSync(path.join(corpus, 'expected.json'))) {
    console.error(`netpol-oracle corpus not found at ${corpus} (set KUBEWARD_CORPORA)`);
    process.exit(2);
  }
  const expected = JSON.parse(readFileSync(path.join(corpus, 'expected.json'), 'utf8'));
  const cases: Case[] = [];
  probeSuite(corpus, expected, cases);
  trafficSuite(corpus, expected, cases);
  walkthroughSuite(corpus, expected, cases);
  conformanceSuite(corpus, expected, cases);
  const doc = render(cases);
  const unexplained = cases.filter((c) => c.status === 'unexplained');
  for (const s of ['probe', 'traffic', 'walkthrough', 'conformance']) {
    const l = cases.filter((c) => c.suite === s);
    console.log(`${s}: ${l.length} cases, ${l.filter((c) => c.status === 'agree').length} agree, ${l.filter((c) => c.status === 'deliberate').length} deliberate, ${l.filter((c) => c.status === 'unexplained').length} unexplained`);
  }
  for (const c of unexplained) console.log(`UNEXPLAINED ${c.suite} | ${c.id}: expected ${c.expected}, kubeward ${c.ours}${c.detail ? `\n    ${c.detail}` : ''}`);
  const stale = Object.keys(DELIBERATE).filter((k) => !cases.some((c) => `${c.suite} | ${c.id}` === k && c.status === 'deliberate'));
  for (const k of stale) console.log(`STALE deliberate entry (no longer disagrees): ${k}`);
  if (check) {
    const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    if (current !== doc) console.log('docs/conformance-netpol.md is stale: run node dist/scripts/conformance-netpol.js');
    if (unexplained.length > 0 || stale.length > 0 || current !== doc) process.exit(1);
    return;
  }
  writeFileSync(DOC, doc);
  console.log(`wrote ${path.relative(ROOT, DOC)}`);
  if (unexplained.length > 0) process.exitCode = 1;
}

main();
