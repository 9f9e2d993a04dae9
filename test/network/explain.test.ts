// evaluateEgress(..., { explain: true }) renders the explanation from the evaluation it just made;
// by default it is rendered on first read by evaluating again. Both must give the same result and
// the same explanation, for every engine and enforcement state: checked over the network and
// fixtures of every rule and the examples, for every pod towards IMDS, an external address
// and every other pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseManifestText } from '../../src/loaders/manifest.js';
import { ClusterState } from '../../src/model/cluster-state.js';
import { NetworkPolicyEvaluator } from '../../src/analysis/network/index.js';
import { fromRoot } from '../helpers/paths.js';
import { anp, calicoGnp, calicoNp, ciliumNp, evaluator, np, ns, pod, tier } from './helpers.js';

function files(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const inputs = [
  ...files(fromRoot('src', 'rules')),
  ...files(fromRoot('test', 'metadata', 'fixtures')),
  ...files(fromRoot('examples')),
];

// Every engine, with policies that decide, pass, and leave doubts (unknown pod IPs, named ports).
const base = [ns('x', { team: 'a' }), ns('y'), pod('x', 'p', { app: 'p' }, { ip: '10.0.0.5', ports: [{ name: 'http', containerPort: 8080 }] }), pod('x', 'q', { app: 'q' }), pod('y', 'r', { app: 'r' }, { hostNetwork: true, node: 'n1' })];
const engines: Array<[string, NetworkPolicyEvaluator]> = [
  ['kubernetes', evaluator([...base, np('x', 'egress', { podSelector: { matchLabels: { app: 'p' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }, { namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 80 }] }] }), anp('deny-imds', { priority: 10, subject: { namespaces: { matchLabels: { team: 'a' } } }, egress: [{ name: 'imds', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] })])],
  ['calico', evaluator([...base, tier('security', 10, 'Pass'), calicoGnp('security.pass', { tier: 'security', order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow' }] }), calicoNp('x', 'deny', { order: 2, selector: "app == 'q'", egress: [{ action: 'Deny', destination: { nets: ['169.254.0.0/16'] } }] })], 'calico')],
  ['cilium', evaluator([...base, ciliumNp('x', 'p', { endpointSelector: { matchLabels: { app: 'p' } }, egress: [{ toCIDR: ['0.0.0.0/0'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] })], 'cilium')],
  ['unknown enforcement', new NetworkPolicyEvaluator(new ClusterState({ objects: parseManifestText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...base, np('x', 'deny-all', { podSelector: {}, policyTypes: ['Egress'] })] }), 'u.json').objects }))],
];

test('explained at once or on first read: same verdicts and explanations', () => {
  let compared = 0;
  const cases: Array<[string, NetworkPolicyEvaluator]> = [
    ...engines,
    ...inputs.map((f): [string, NetworkPolicyEvaluator] => [f, new NetworkPolicyEvaluator(new ClusterState({ objects: parseManifestText(readFileSync(f, 'utf8'), f).objects }))]),
  ];
  for (const [f, ev] of cases) {
    const pods = ev.pods();
    for (const src of pods) {
      const peers: Array<string | (typeof pods)[number]> = ['169.254.169.254', '8.8.8.8', ...pods.filter((p) => p !== src).slice(0, 5)];
      for (const dst of peers) {
        for (const flow of [{ protocol: 'TCP' as const, port: 80 }, { protocol: 'UDP' as const, port: 53 }]) {
          const lazy = ev.evaluateEgress(src, dst, flow);
          const eager = ev.evaluateEgress(src, dst, flow, { explain: true });
          assert.deepEqual({ ...eager, path: [...eager.path] }, { ...lazy, path: [...lazy.path] }, `${f}: ${src.id} -> ${typeof dst === 'string' ? dst : dst.id}`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 1000, `${compared} evaluations compared`);
});
