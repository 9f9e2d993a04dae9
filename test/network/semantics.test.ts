// NetworkPolicy, AdminNetworkPolicy / ClusterNetworkPolicy details, on small hand-written policy
// sets (some rewritten by hand from the network-policy-api conformance and cyclonus examples).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anp, banp, cnp, evaluator, IMDS, np, ns, pod, podOf, TCP80 } from './helpers.js';
import { REFERENCE_SEMANTICS } from '../../src/analysis/network/index.js';

const web = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }];

test('policyTypes defaulting: egress: [] without policyTypes does not isolate egress (apiserver: len(egress) != 0)', () => {
  const ev = evaluator([ns('x'), pod('x', 'p'), np('x', 'empty-egress', { podSelector: {}, egress: [] })]);
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateIngress(podOf(ev, 'x', 'p'), '10.0.0.1', TCP80).verdict, 'denied');
  const ev2 = evaluator([ns('x'), pod('x', 'p'), np('x', 'egress-rule', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })]);
  assert.equal(ev2.evaluateEgress(podOf(ev2, 'x', 'p'), IMDS, TCP80).verdict, 'denied');
});

test('namespaceSelector + podSelector in one peer are ANDed; in two peers ORed', () => {
  const objs = [ns('x', { team: 'a' }), ns('y', { team: 'b' }), pod('x', 'client', { role: 'client' }), pod('y', 'client', { role: 'client' }), pod('y', 'other', { role: 'other' }), pod('x', 'srv', { app: 'srv' }, { ports: web })];
  const and = evaluator([...objs, np('x', 'and', { podSelector: { matchLabels: { app: 'srv' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  const srv = podOf(and, 'x', 'srv');
  assert.equal(and.evaluateIngress(srv, podOf(and, 'y', 'client'), TCP80).verdict, 'allowed');
  assert.equal(and.evaluateIngress(srv, podOf(and, 'y', 'other'), TCP80).verdict, 'denied');
  assert.equal(and.evaluateIngress(srv, podOf(and, 'x', 'client'), TCP80).verdict, 'denied');
  const or = evaluator([...objs, np('x', 'or', { podSelector: { matchLabels: { app: 'srv' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  assert.equal(or.evaluateIngress(podOf(or, 'x', 'srv'), podOf(or, 'y', 'other'), TCP80).verdict, 'allowed');
  assert.equal(or.evaluateIngress(podOf(or, 'x', 'srv'), podOf(or, 'x', 'client'), TCP80).verdict, 'allowed');
});

test('NotIn selects pods without the key (Kubernetes label selector semantics)', () => {
  const ev = evaluator([ns('x'), pod('x', 'nolabel'), np('x', 'iso', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, policyTypes: ['Egress'] })]);
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'nolabel'), IMDS, TCP80).verdict, 'denied');
});

test('named ports resolve on the destination pod (egress) and on the selected pod (ingress), protocol included', () => {
  const objs = [ns('x'), pod('x', 'client'), pod('x', 'srv', { app: 'srv' }, { ports: web })];
  const eg = evaluator([...objs, np('x', 'named', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }] })]);
  const client = podOf(eg, 'x', 'client');
  const srv = podOf(eg, 'x', 'srv');
  assert.equal(eg.evaluateEgress(client, srv, { protocol: 'TCP', port: 8080 }).verdict, 'allowed');
  assert.equal(eg.evaluateEgress(client, srv, { protocol: 'UDP', port: 53 }).verdict, 'allowed');
  assert.equal(eg.evaluateEgress(client, srv, { protocol: 'TCP', port: 53 }).verdict, 'denied');
  assert.equal(eg.evaluateEgress(client, '10.1.2.3', { protocol: 'TCP', port: 8080 }).verdict, 'denied');
  const ing = evaluator([...objs, np('x', 'named-in', { podSelector: { matchLabels: { app: 'srv' } }, ingress: [{ ports: [{ port: 'http' }] }] })]);
  assert.equal(ing.evaluateIngress(podOf(ing, 'x', 'srv'), podOf(ing, 'x', 'client'), { protocol: 'TCP', port: 8080 }).verdict, 'allowed');
  assert.equal(ing.evaluateIngress(podOf(ing, 'x', 'srv'), podOf(ing, 'x', 'client'), { protocol: 'TCP', port: 80 }).verdict, 'denied');
});

test('ipBlock on pod IPs: implementation-defined under the bare spec, matched under the reference reading, not by Cilium', () => {
  const objs = [ns('x'), pod('x', 'client'), pod('x', 'srv', {}, { ip: '10.8.0.5' }), np('x', 'by-ip', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.8.0.0/16' } }] }] })];
  const spec = evaluator(objs, 'kubernetes', { semantics: { ipBlockPodIPs: 'undefined' } });
  const r = spec.evaluateEgress(podOf(spec, 'x', 'client'), podOf(spec, 'x', 'srv'), TCP80);
  assert.equal(r.verdict, 'implementation-defined');
  assert.match(r.uncertainties[0].reason, /ipBlock 10.8.0.0\/16 on a pod IP/);
  const ref = evaluator(objs, 'kubernetes', { semantics: REFERENCE_SEMANTICS });
  assert.equal(ref.evaluateEgress(podOf(ref, 'x', 'client'), podOf(ref, 'x', 'srv'), TCP80).verdict, 'allowed');
  const cil = evaluator(objs, 'cilium');
  assert.equal(cil.evaluateEgress(podOf(cil, 'x', 'client'), podOf(cil, 'x', 'srv'), TCP80).verdict, 'denied');
  // An address that is a loaded pod's IP resolves to that pod.
  assert.equal(ref.evaluateEgress(podOf(ref, 'x', 'client'), '10.8.0.5', TCP80).decidedBy[0].policy.name, 'by-ip');
});

test('ipBlock except and IPv6: the except carves out, families never cross', () => {
  const ev = evaluator([ns('x'), pod('x', 'p'), np('x', 'v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: 'fd00:ec2::/64', except: ['fd00:ec2::254/128'] } }] }] })]);
  const p = podOf(ev, 'x', 'p');
  assert.equal(ev.evaluateEgress(p, 'fd00:ec2::254', TCP80).verdict, 'denied');
  assert.equal(ev.evaluateEgress(p, 'fd00:ec2::23', TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, '[fd00:ec2:0:0::23]', TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, '169.254.170.23', TCP80).verdict, 'denied');
});

test('unknown namespace labels make namespaceSelector verdicts "unknown", except on kubernetes.io/metadata.name', () => {
  const objs = [pod('x', 'p'), pod('y', 'srv')];
  const byLabel = evaluator([...objs, np('x', 'ns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] })]);
  const r = byLabel.evaluateEgress(podOf(byLabel, 'x', 'p'), podOf(byLabel, 'y', 'srv'), TCP80);
  assert.equal(r.verdict, 'unknown');
  assert.match(r.uncertainties[0].reason, /labels of namespace y are unknown/);
  const byName = evaluator([...objs, np('x', 'ns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] })]);
  assert.equal(byName.evaluateEgress(podOf(byName, 'x', 'p'), podOf(byName, 'y', 'srv'), TCP80).verdict, 'allowed');
});

test('ANP: priority order, first matching rule wins, Pass hands over to NetworkPolicy then BANP', () => {
  const objs = [ns('x', { env: 'prod' }), ns('y', { env: 'dev' }), pod('x', 'srv', { app: 'srv' }), pod('y', 'client'), pod('x', 'client')];
  const low = anp('low', { priority: 20, subject: { namespaces: {} }, ingress: [{ name: 'allow-all', action: 'Allow', from: [{ namespaces: {} }] }] });
  const high = anp('high', { priority: 5, subject: { namespaces: { matchLabels: { env: 'prod' } } }, ingress: [{ name: 'pass-dev', action: 'Pass', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }, { name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }] });
  const ev = evaluator([...objs, low, high, np('x', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] })]);
  const srv = podOf(ev, 'x', 'srv');
  const fromDev = ev.evaluateIngress(srv, podOf(ev, 'y', 'client'), TCP80);
  assert.equal(fromDev.verdict, 'denied');
  assert.deepEqual(fromDev.decidedBy.map((d) => `${d.policy.name}:${d.effect}`), ['high:pass', 'deny-in:isolate']);
  const fromProd = ev.evaluateIngress(srv, podOf(ev, 'x', 'client'), TCP80);
  assert.equal(fromProd.verdict, 'denied');
  assert.deepEqual(fromProd.decidedBy.map((d) => `${d.policy.name}:${d.ruleName}`), ['high:deny-all']);
});

test('ANP: equal priorities with different actions are implementation-defined', () => {
  const a = anp('a', { priority: 7, subject: { namespaces: {} }, egress: [{ action: 'Allow', to: [{ networks: ['0.0.0.0/0'] }] }] });
  const b = anp('b', { priority: 7, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['169.254.0.0/16'] }] }] });
  const ev = evaluator([ns('x'), pod('x', 'p'), a, b]);
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'implementation-defined');
  assert.match(r.uncertainties.map((u) => u.reason).join(), /equal precedence/);
});

test('ANP: hostNetwork pods are neither subjects nor namespaces/pods peers; networks peers match pod IPs', () => {
  const deny = anp('deny', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }] }, { action: 'Deny', to: [{ namespaces: {} }] }] });
  const ev = evaluator([ns('x'), pod('x', 'h', {}, { hostNetwork: true }), pod('x', 'p'), pod('x', 'q', {}, { ip: '10.1.1.1' }), deny]);
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'h'), '10.0.0.1', TCP80).verdict, 'allowed');
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), podOf(ev, 'x', 'q'), TCP80);
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy[0].rule, 0);
});

test('ANP v1alpha1 ports: portNumber, portRange, namedPort; fail-closed peers', () => {
  const objs = [ns('x'), pod('x', 'p'), pod('x', 'srv', {}, { ports: web })];
  const rules = anp('ports', { priority: 1, subject: { namespaces: {} }, egress: [
    { name: 'range', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portRange: { protocol: 'TCP', start: 70, end: 90 } }] },
    { name: 'named', action: 'Deny', to: [{ pods: { namespaceSelector: {}, podSelector: {} } }], ports: [{ namedPort: 'http' }] },
    { name: 'unknown-peer', action: 'Deny', to: [{ someFutureField: {} }], ports: [{ portNumber: { protocol: 'UDP', port: 5353 } }] },
  ] });
  const ev = evaluator([...objs, rules]);
  const p = podOf(ev, 'x', 'p');
  assert.equal(ev.evaluateEgress(p, IMDS, TCP80).decidedBy[0].ruleName, 'range');
  assert.equal(ev.evaluateEgress(p, IMDS, { protocol: 'TCP', port: 443 }).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, podOf(ev, 'x', 'srv'), { protocol: 'TCP', port: 8080 }).decidedBy[0].ruleName, 'named');
  assert.equal(ev.evaluateEgress(p, '1.1.1.1', { protocol: 'UDP', port: 5353 }).decidedBy[0].ruleName, 'unknown-peer');
});

test('ClusterNetworkPolicy: Admin Pass -> NetworkPolicy -> Baseline; protocols with ranges (conformance api_integration, by hand)', () => {
  const objs = [ns('g', { house: 'g' }), ns('s', { house: 's' }), pod('g', 'harry', { house: 'g' }, { ports: web }), pod('s', 'draco', { house: 's' }, { ports: web })];
  const admin = (action: string) => cnp('pass-example', { tier: 'Admin', priority: 10, subject: { namespaces: { matchLabels: { house: 'g' } } }, ingress: [{ action, from: [{ namespaces: { matchLabels: { house: 's' } } }] }] });
  const baseline = cnp('default', { tier: 'Baseline', priority: 10, subject: { namespaces: { matchLabels: { house: 'g' } } }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { house: 's' } } }] }] });
  const allowNp = np('g', 'allow-from-s', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { house: 's' } } }] }] });
  const flow = { protocol: 'TCP' as const, port: 8080 };
  let ev = evaluator([...objs, admin('Deny'), baseline, allowNp]);
  assert.equal(ev.evaluateConnection(podOf(ev, 's', 'draco'), podOf(ev, 'g', 'harry'), flow).verdict, 'denied');
  ev = evaluator([...objs, admin('Pass'), baseline, allowNp]);
  assert.equal(ev.evaluateConnection(podOf(ev, 's', 'draco'), podOf(ev, 'g', 'harry'), flow).verdict, 'allowed');
  ev = evaluator([...objs, admin('Pass'), baseline]);
  const r = ev.evaluateIngress(podOf(ev, 'g', 'harry'), podOf(ev, 's', 'draco'), flow);
  assert.equal(r.verdict, 'denied');
  assert.deepEqual(r.decidedBy.map((d) => `${d.policy.tier}/${d.policy.name}:${d.effect}`), ['Admin/pass-example:pass', 'Baseline/default:deny']);
  const ranges = cnp('r', { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }], protocols: [{ tcp: { destinationPort: { range: { start: 79, end: 81 } } } }, { udp: {} }] }] });
  ev = evaluator([...objs, ranges]);
  const h = podOf(ev, 'g', 'harry');
  assert.equal(ev.evaluateEgress(h, IMDS, TCP80).verdict, 'denied');
  assert.equal(ev.evaluateEgress(h, IMDS, { protocol: 'UDP', port: 9 }).verdict, 'denied');
  assert.equal(ev.evaluateEgress(h, IMDS, { protocol: 'TCP', port: 82 }).verdict, 'allowed');
});

test('legacy v1alpha1 NamespacedPeer shape (policy-assistant walkthrough): namespaceSelector and sameLabels', () => {
  const objs = [ns('a', { tenant: 't1' }), ns('b', { tenant: 't1' }), ns('c', { tenant: 't2' }), pod('a', 'srv'), pod('b', 'cl'), pod('c', 'cl')];
  const same = anp('tenancy', { priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Allow', from: [{ namespaces: { sameLabels: ['tenant'] } }] }, { action: 'Deny', from: [{ namespaces: { namespaceSelector: {} } }] }] });
  const ev = evaluator([...objs, same]);
  assert.equal(ev.evaluateIngress(podOf(ev, 'a', 'srv'), podOf(ev, 'b', 'cl'), TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateIngress(podOf(ev, 'a', 'srv'), podOf(ev, 'c', 'cl'), TCP80).verdict, 'denied');
});

test('legacy v1alpha1 notSameLabels / empty sameLabels (v0.1.1 API, policy-assistant; found by e2e/anp-differential)', () => {
  // a: team=t1 env=prod (the subject); b: team=t1 env=dev; c: team=t2 (no env); d: no labels.
  const objs = [ns('a', { team: 't1', env: 'prod' }), ns('b', { team: 't1', env: 'dev' }), ns('c', { team: 't2' }), ns('d'), pod('a', 'srv'), pod('b', 'cl'), pod('c', 'cl'), pod('d', 'cl')];
  const deny = (peer: object) => anp('n', { priority: 1, subject: { namespaces: { matchLabels: { team: 't1', env: 'prod' } } }, ingress: [{ action: 'Deny', from: [{ namespaces: peer }] }] });
  const denied = (peer: object, from: string): boolean => {
    const ev = evaluator([...objs, deny(peer)]);
    return ev.evaluateIngress(podOf(ev, 'a', 'srv'), podOf(ev, from, 'cl'), TCP80).verdict === 'denied';
  };
  // notSameLabels: the peer namespace has every label, and at least one value differs (not all).
  assert.equal(denied({ notSameLabels: ['team', 'env'] }, 'b'), true);
  assert.equal(denied({ notSameLabels: ['team', 'env'] }, 'c'), false); // c has no env
  assert.equal(denied({ notSameLabels: ['team'] }, 'c'), true);
  assert.equal(denied({ notSameLabels: ['team'] }, 'd'), false);
  // an empty list selects nothing.
  assert.equal(denied({ notSameLabels: [] }, 'b'), false);
  assert.equal(denied({ sameLabels: [] }, 'b'), false);
  assert.equal(denied({ sameLabels: ['team'] }, 'b'), true);
});

test('cyclonus traffic item 3 by hand: egress from a pod isolated by deny-all-egress is denied even when ingress allows', () => {
  const objs = [ns('y', { ns: 'y' }), pod('y', 'c', { app: 'c' }), pod('y', 'b', { pod: 'b' }, { ports: [{ name: 'serve-80-tcp', containerPort: 80 }] }),
    np('y', 'deny-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] }),
    np('y', 'allow-all-for-label', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Ingress'], ingress: [{}] })];
  const ev = evaluator(objs);
  const c = ev.evaluateConnection(podOf(ev, 'y', 'c'), podOf(ev, 'y', 'b'), TCP80);
  assert.equal(c.verdict, 'denied');
  assert.equal(c.egress.verdict, 'denied');
  assert.equal(c.ingress!.verdict, 'allowed');
});

test('BANP allow is final; NetworkPolicy isolation overrides BANP', () => {
  const b = banp({ subject: { namespaces: {} }, egress: [{ name: 'allow-dns', action: 'Allow', to: [{ networks: ['0.0.0.0/0'] }], ports: [{ portNumber: { protocol: 'UDP', port: 53 } }] }, { name: 'deny-rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] });
  const ev = evaluator([ns('x'), pod('x', 'p'), pod('x', 'q', { iso: 'yes' }), b, np('x', 'q-open', { podSelector: { matchLabels: { iso: 'yes' } }, policyTypes: ['Egress'], egress: [{}] })]);
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), '8.8.8.8', { protocol: 'UDP', port: 53 }).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80).verdict, 'denied');
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'q'), IMDS, TCP80).verdict, 'allowed');
});
