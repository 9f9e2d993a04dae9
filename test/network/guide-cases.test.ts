// The 20 test cases of the metadata-and-netpol guide: pod P in namespace x (not hostNetwork), a
// conformant enforcer, destination 169.254.169.254:80/TCP unless said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podMetadataVerdicts, metadataEndpoints } from '../../src/analysis/network/index.js';
import { anp, banp, ciliumNp, cnp, evaluator, IMDS, np, ns, pod, podOf, stateOf, TCP80 } from './helpers.js';

const base = [ns('x'), pod('x', 'p', { app: 'p' })];

function verdict(objects: object[], dst = IMDS, flow: { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number } = TCP80, engine: 'kubernetes' | 'calico' | 'cilium' = 'kubernetes', semantics = {}) {
  const ev = evaluator([...base, ...(objects as Array<Record<string, unknown>>)], engine, { semantics });
  return ev.evaluateEgress(podOf(ev, 'x', 'p'), dst, flow);
}

const egressOnly = (egress: unknown[]) => ({ podSelector: {}, policyTypes: ['Egress'], egress });

test('guide 1: no policy selects P: allowed', () => {
  const r = verdict([]);
  assert.equal(r.verdict, 'allowed');
  assert.equal(r.decidedBy.length, 0);
});

test('guide 2: podSelector {} with policyTypes [Ingress] only: allowed', () => {
  assert.equal(verdict([np('x', 'ing', { podSelector: {}, policyTypes: ['Ingress'] })]).verdict, 'allowed');
});

test('guide 3: ingress rules, no policyTypes, no egress: allowed', () => {
  assert.equal(verdict([np('x', 'ing', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]).verdict, 'allowed');
});

test('guide 4: policyTypes [Egress], egress []: denied, the policy decides', () => {
  const r = verdict([np('x', 'deny-egress', egressOnly([]))]);
  assert.equal(r.verdict, 'denied');
  assert.deepEqual(r.decidedBy.map((d) => [d.policy.name, d.effect]), [['deny-egress', 'isolate']]);
});

test('guide 5: case 4 plus a policy with egress [{}]: allowed (union)', () => {
  const r = verdict([np('x', 'deny-egress', egressOnly([])), np('x', 'allow-all', { podSelector: {}, egress: [{}] })]);
  assert.equal(r.verdict, 'allowed');
  assert.deepEqual(r.decidedBy.map((d) => d.policy.name), ['allow-all']);
});

test('guide 6: 0.0.0.0/0 except 169.254.169.254/32: denied; 169.254.169.253 allowed', () => {
  const pol = [np('x', 'no-imds', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }]))];
  assert.equal(verdict(pol).verdict, 'denied');
  assert.equal(verdict(pol, '169.254.169.253').verdict, 'allowed');
});

test('guide 7: case 6 plus another rule allowing 169.254.169.254/32: allowed', () => {
  const pol = [np('x', 'no-imds', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }, { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] }]))];
  const r = verdict(pol);
  assert.equal(r.verdict, 'allowed');
  assert.equal(r.decidedBy[0].rule, 1);
});

test('guide 8: 0.0.0.0/0 except 169.254.0.0/16: denied, and EKS Pod Identity 169.254.170.23:80 too', () => {
  const pol = [np('x', 'no-link-local', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }] }]))];
  assert.equal(verdict(pol).verdict, 'denied');
  const podIdentity = metadataEndpoints('aws').find((e) => e.id === 'eks-pod-identity')!;
  assert.equal(podIdentity.ip, '169.254.170.23');
  assert.equal(verdict(pol, podIdentity.ip).verdict, 'denied');
});

test('guide 9: allow 169.254.169.254/32 on port 443 only: denied on 80', () => {
  assert.equal(verdict([np('x', 'p443', egressOnly([{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 443 }] }]))]).verdict, 'denied');
});

test('guide 10: allow protocol UDP port 80 only: TCP 80 denied', () => {
  const pol = [np('x', 'udp80', egressOnly([{ ports: [{ protocol: 'UDP', port: 80 }] }]))];
  assert.equal(verdict(pol).verdict, 'denied');
  assert.equal(verdict(pol, IMDS, { protocol: 'UDP', port: 80 }).verdict, 'allowed');
});

test('guide 11: allow only protocol SCTP: TCP denied', () => {
  assert.equal(verdict([np('x', 'sctp', egressOnly([{ ports: [{ protocol: 'SCTP' }] }]))]).verdict, 'denied');
});

test('guide 12: ipBlock 169.254.169.254/32 with named port http: denied (named ports resolve on pods only)', () => {
  assert.equal(verdict([np('x', 'named', egressOnly([{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 'http' }] }]))]).verdict, 'denied');
});

test('guide 13: ipBlock 169.254.169.1/24 (host bits set): allowed', () => {
  assert.equal(verdict([np('x', 'slash24', egressOnly([{ to: [{ ipBlock: { cidr: '169.254.169.1/24' } }] }]))]).verdict, 'allowed');
});

test('guide 14: endPort 1-1024: allowed where endPort is supported, otherwise implementation-defined', () => {
  const pol = [np('x', 'range', egressOnly([{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ port: 1, endPort: 1024 }] }]))];
  assert.equal(verdict(pol, IMDS, TCP80, 'kubernetes', { endPort: true }).verdict, 'allowed');
  const unknown = verdict(pol, IMDS, TCP80, 'kubernetes', { endPort: 'undefined' });
  assert.equal(unknown.verdict, 'implementation-defined');
  assert.match(unknown.uncertainties[0].reason, /endPort/);
  assert.equal(verdict(pol, IMDS, TCP80, 'kubernetes', { endPort: false }).verdict, 'denied');
  assert.equal(verdict(pol, IMDS, TCP80, 'calico').verdict, 'allowed');
});

test('guide 15: allow 0.0.0.0/0 only; destination [fd00:ec2::254]:80: denied', () => {
  assert.equal(verdict([np('x', 'v4', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]))], 'fd00:ec2::254').verdict, 'denied');
});

test('guide 16: case 15 plus ::/0: allowed (IPv6 IMDS exists only when enabled on the node)', () => {
  assert.equal(verdict([np('x', 'v4v6', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }] }]))], 'fd00:ec2::254').verdict, 'allowed');
  const v6 = metadataEndpoints('aws').find((e) => e.ip === 'fd00:ec2::254')!;
  assert.match(v6.condition ?? '', /HttpProtocolIpv6/);
});

test('guide 17: hostNetwork P under default-deny egress: allowed, and flagged hostNetwork', () => {
  const objects = [ns('x'), pod('x', 'h', { app: 'h' }, { hostNetwork: true }), np('x', 'deny-egress', egressOnly([]))];
  for (const engine of ['kubernetes', 'calico', 'cilium'] as const) {
    const ev = evaluator(objects, engine);
    assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'h'), IMDS, TCP80).verdict, 'allowed', engine);
  }
  const verdicts = podMetadataVerdicts(stateOf([...objects, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { template: { spec: { containers: [{ name: 'calico-node', image: 'calico/node:v3.30.0' }] } } } }]), 'aws');
  const imds = verdicts.find((v) => v.pod.name === 'h' && v.endpoint.id === 'aws-imds')!;
  assert.equal(imds.verdict, 'allowed');
  assert.equal(imds.hostNetwork, true);
});

test('guide 18: Admin-tier Deny 169.254.169.254/32 + NetworkPolicy allowing 0.0.0.0/0: denied; with Pass: allowed', () => {
  const allowAll = np('x', 'allow-world', egressOnly([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]));
  const admin = (action: string) => anp('imds', { priority: 10, subject: { namespaces: {} }, egress: [{ name: 'imds', action, to: [{ networks: ['169.254.169.254/32'] }] }] });
  const denied = verdict([allowAll, admin('Deny')]);
  assert.equal(denied.verdict, 'denied');
  assert.deepEqual(denied.decidedBy.map((d) => [d.policy.kind, d.policy.name, d.effect, d.policy.priority]), [['AdminNetworkPolicy', 'imds', 'deny', 10]]);
  const passed = verdict([allowAll, admin('Pass')]);
  assert.equal(passed.verdict, 'allowed');
  assert.deepEqual(passed.decidedBy.map((d) => [d.policy.name, d.effect]), [['imds', 'pass'], ['allow-world', 'allow']]);
  // Same with the newer ClusterNetworkPolicy API.
  const cnpAdmin = (action: string) => cnp('imds', { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ action, to: [{ networks: ['169.254.169.254/32'] }] }] });
  assert.equal(verdict([allowAll, cnpAdmin('Deny')]).verdict, 'denied');
  assert.equal(verdict([allowAll, cnpAdmin('Pass')]).verdict, 'allowed');
});

test('guide 19: Baseline Deny 0.0.0.0/0: allowed when a NetworkPolicy selecting P allows IMDS, denied when none selects P', () => {
  const baseline = banp({ subject: { namespaces: {} }, egress: [{ name: 'deny-world', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] });
  const allowImds = np('x', 'allow-imds', egressOnly([{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] }]));
  assert.equal(verdict([baseline, allowImds]).verdict, 'allowed');
  const r = verdict([baseline]);
  assert.equal(r.verdict, 'denied');
  assert.deepEqual(r.decidedBy.map((d) => [d.policy.kind, d.ruleName]), [['BaselineAdminNetworkPolicy', 'deny-world']]);
});

test('guide 20: Cilium toEntities [world] + egressDeny toCIDR 169.254.169.254/32: denied; world alone: allowed', () => {
  const world = { endpointSelector: {}, egress: [{ toEntities: ['world'] }] };
  const r = verdict([ciliumNp('x', 'world', { ...world, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] })], IMDS, TCP80, 'cilium');
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy[0].effect, 'deny');
  assert.equal(verdict([ciliumNp('x', 'world', world)], IMDS, TCP80, 'cilium').verdict, 'allowed');
});
