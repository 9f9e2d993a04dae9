// Calico tiers and selectors, Cilium policies, enforcement detection, metadata endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEnforcement, metadataEndpoints, NetworkPolicyEvaluator, parseCalicoSelector, podMetadataVerdicts } from '../../src/analysis/network/index.js';
import { anp, calicoGnp, calicoNp, ciliumNp, evaluator, IMDS, np, ns, pod, podOf, stateOf, TCP80, tier } from './helpers.js';

test('Calico selector syntax: ==, !=, has, !, &&, ||, in, not in, contains, starts/ends with, all(), parentheses', () => {
  const l = { app: 'web', tier: 'front', 'k8s-app': 'kube-dns' };
  const t = (s: string) => parseCalicoSelector(s)(l);
  assert.equal(t("app == 'web'"), true);
  assert.equal(t('app == "db"'), false);
  assert.equal(t("missing != 'x'"), true, '!= matches an absent label');
  assert.equal(t("missing not in {'x'}"), true);
  assert.equal(t('has(tier) && !has(missing)'), true);
  assert.equal(t("app in {'db', 'web'} && tier not in {'back'}"), true);
  assert.equal(t("app == 'db' || (tier == 'front' && k8s-app starts with 'kube')"), true);
  assert.equal(t("app contains 'e' && tier ends with 'nt'"), true);
  assert.equal(t('all()'), true);
  assert.equal(t(''), true);
  assert.equal(t("!(app == 'web')"), false);
  assert.throws(() => parseCalicoSelector("app == 'web"), /unterminated/);
  assert.throws(() => parseCalicoSelector('app ==='), /./);
});

test('Calico: tiers in order, first Allow/Deny wins, Pass goes to the next tier, end-of-tier deny when a policy applied', () => {
  const base = [ns('x', { env: 'prod' }), pod('x', 'p', { app: 'p' }), tier('security', 100), tier('platform', 200)];
  const secPass = calicoGnp('security.pass-imds', { tier: 'security', order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow' }] });
  const platDeny = calicoGnp('platform.deny-imds', { tier: 'platform', order: 1, selector: "app == 'p'", types: ['Egress'], egress: [{ action: 'Deny', protocol: 'TCP', destination: { nets: ['169.254.0.0/16'], ports: [80] } }] });
  let ev = evaluator([...base, secPass, platDeny], 'calico');
  let r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'denied');
  assert.deepEqual(r.decidedBy.map((d) => `${d.policy.tier}/${d.policy.name}:${d.effect}`), ['security/security.pass-imds:pass', 'platform/platform.deny-imds:deny']);
  // The platform policy applies but takes no action on 443: end-of-tier deny.
  r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, { protocol: 'TCP', port: 443 });
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy.at(-1)!.effect, 'tier-default-deny');
  // Other destinations: the security tier allows.
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), '8.8.8.8', TCP80).verdict, 'allowed');
  // A tier with defaultAction Pass lets the flow continue; no later tier applies: profile allows.
  ev = evaluator([...base.slice(0, 3), tier('platform', 200, 'Pass'), secPass, platDeny], 'calico');
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, { protocol: 'TCP', port: 443 }).verdict, 'allowed');
});

test('Calico: order inside a tier, Log continues, namespaced policy scope, Kubernetes NetworkPolicy in the default tier', () => {
  const objs = [ns('x', { env: 'prod' }), ns('y'), pod('x', 'p', { app: 'p' }), pod('y', 'p', { app: 'p' })];
  const log = calicoNp('x', 'log', { order: 1, selector: 'all()', egress: [{ action: 'Log' }] });
  const allow = calicoNp('x', 'allow', { order: 5, selector: "app == 'p'", egress: [{ action: 'Allow', destination: { nets: ['169.254.169.254/32'] } }] });
  const deny = calicoNp('x', 'deny', { order: 2, selector: "app == 'p'", egress: [{ action: 'Deny', destination: { nets: ['169.254.0.0/16'] } }] });
  const ev = evaluator([...objs, log, allow, deny], 'calico');
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy[0].policy.name, 'deny');
  assert.equal(ev.evaluateEgress(podOf(ev, 'y', 'p'), IMDS, TCP80).verdict, 'allowed', 'namespaced Calico policies only select their namespace');
  // Kubernetes NetworkPolicy (order 1000) after a Calico policy of order 2 in the default tier.
  const ev2 = evaluator([...objs, calicoNp('x', 'deny', { order: 2, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] }), np('x', 'allow-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })], 'calico');
  assert.equal(ev2.evaluateEgress(podOf(ev2, 'x', 'p'), IMDS, TCP80).verdict, 'denied');
  assert.equal(ev2.evaluateEgress(podOf(ev2, 'x', 'p'), '8.8.8.8', TCP80).verdict, 'allowed');
});

test('Calico GlobalNetworkPolicy: namespaceSelector, notNets, named ports, selector rules across namespaces', () => {
  const objs = [ns('x', { env: 'prod' }), ns('y', { env: 'dev' }), pod('x', 'p'), pod('y', 'p'), pod('y', 'srv', { app: 'srv' }, { ports: [{ name: 'http', containerPort: 8080 }] })];
  const g = calicoGnp('prod-egress', { namespaceSelector: "env == 'prod'", selector: 'all()', types: ['Egress'], egress: [
    { action: 'Allow', protocol: 'TCP', destination: { selector: "app == 'srv'", namespaceSelector: "env == 'dev'", ports: ['http'] } },
    { action: 'Allow', destination: { notNets: ['169.254.0.0/16'] } },
  ] });
  const ev = evaluator([...objs, g], 'calico');
  const p = podOf(ev, 'x', 'p');
  assert.equal(ev.evaluateEgress(p, IMDS, TCP80).verdict, 'denied');
  assert.equal(ev.evaluateEgress(p, '8.8.8.8', TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, podOf(ev, 'y', 'srv'), { protocol: 'TCP', port: 8080 }).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(podOf(ev, 'y', 'p'), IMDS, TCP80).verdict, 'allowed', 'dev is not selected');
});

test('Calico enforces AdminNetworkPolicy in its kube-admin tier (order 1000): after user tiers of lower order, before the others', () => {
  const early = evaluator([ns('x'), pod('x', 'p'), tier('security', 100), calicoGnp('security.allow', { tier: 'security', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] }), anp('deny-imds', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] })], 'calico');
  assert.equal(early.evaluateEgress(podOf(early, 'x', 'p'), IMDS, TCP80).verdict, 'allowed');
  const objs = [ns('x'), pod('x', 'p'), tier('security', 2000), calicoGnp('security.allow', { tier: 'security', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow' }] }), anp('deny-imds', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] })];
  const ev = evaluator(objs, 'calico');
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy[0].policy.kind, 'AdminNetworkPolicy');
});

test('Cilium: default deny once a rule selects; toCIDRSet except; toPorts; entities; empty rule allows nothing', () => {
  const objs = [ns('x'), pod('x', 'p', { app: 'p' }), pod('x', 'db', { app: 'db' }, { ports: [{ name: 'pg', containerPort: 5432 }] })];
  const ev = evaluator([...objs, ciliumNp('x', 'egress', { endpointSelector: { matchLabels: { app: 'p' } }, egress: [
    { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] }] },
    { toEndpoints: [{ matchLabels: { 'k8s:app': 'db' } }], toPorts: [{ ports: [{ port: 'pg', protocol: 'TCP' }] }] },
  ] })], 'cilium');
  const p = podOf(ev, 'x', 'p');
  assert.equal(ev.evaluateEgress(p, IMDS, TCP80).verdict, 'denied');
  assert.equal(ev.evaluateEgress(p, '8.8.8.8', TCP80).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, podOf(ev, 'x', 'db'), { protocol: 'TCP', port: 5432 }).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(p, podOf(ev, 'x', 'db'), TCP80).verdict, 'denied', 'CIDR rules never select pods');
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'db'), IMDS, TCP80).verdict, 'allowed', 'db is not selected');
  const empty = evaluator([...objs, ciliumNp('x', 'deny-all', { endpointSelector: {}, egress: [{}] })], 'cilium');
  assert.equal(empty.evaluateEgress(podOf(empty, 'x', 'p'), IMDS, TCP80).verdict, 'denied');
  const l4 = evaluator([...objs, ciliumNp('x', 'l4', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '443' }] }] }] })], 'cilium');
  assert.equal(l4.evaluateEgress(podOf(l4, 'x', 'p'), IMDS, { protocol: 'TCP', port: 443 }).verdict, 'allowed');
  assert.equal(l4.evaluateEgress(podOf(l4, 'x', 'p'), IMDS, TCP80).verdict, 'denied');
  const optOut = evaluator([...objs, ciliumNp('x', 'deny-only', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egressDeny: [{ toCIDR: ['10.0.0.0/8'] }] })], 'cilium');
  assert.equal(optOut.evaluateEgress(podOf(optOut, 'x', 'p'), IMDS, TCP80).verdict, 'allowed');
  assert.equal(optOut.evaluateEgress(podOf(optOut, 'x', 'p'), '10.1.1.1', TCP80).verdict, 'denied');
  const denyOnly = evaluator([...objs, ciliumNp('x', 'deny-only', { endpointSelector: {}, egressDeny: [{ toCIDR: ['10.0.0.0/8'] }] })], 'cilium');
  assert.equal(denyOnly.evaluateEgress(podOf(denyOnly, 'x', 'p'), IMDS, TCP80).verdict, 'denied', 'egressDeny alone enables default deny');
});

test('Cilium also enforces NetworkPolicy: union with CiliumNetworkPolicy, deny wins over both', () => {
  const objs = [ns('x'), pod('x', 'p'), np('x', 'allow-world', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })];
  let ev = evaluator(objs, 'cilium');
  assert.equal(ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80).verdict, 'allowed');
  ev = evaluator([...objs, { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'no-imds' }, spec: { endpointSelector: {}, egressDeny: [{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] } }], 'cilium');
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'denied');
  assert.equal(r.decidedBy[0].policy.kind, 'CiliumClusterwideNetworkPolicy');
});

function ds(name: string, containers: Array<Record<string, unknown>>, namespace = 'kube-system') {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace }, spec: { template: { spec: { containers } } } };
}

test('detectEnforcement: agents, cloud settings, nobody, unknown', () => {
  const calico = detectEnforcement(stateOf([ds('calico-node', [{ name: 'calico-node', image: 'docker.io/calico/node:v3.28.1' }])]));
  assert.equal(calico.status, 'known');
  assert.equal(calico.enforcers[0].id, 'calico');
  assert.deepEqual([...calico.enforcers[0].enforces], ['NetworkPolicy', 'Calico'], 'Calico 3.28 predates ANP support');
  const awsOff = detectEnforcement(stateOf([ds('aws-node', [{ name: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.0' }])]));
  assert.equal(awsOff.status, 'none');
  const awsOn = detectEnforcement(stateOf([ds('aws-node', [{ name: 'aws-node', image: 'x/amazon-k8s-cni:v1.18.0' }, { name: 'aws-eks-nodeagent', image: 'x/aws-network-policy-agent:v1.1.0', args: ['--enable-network-policy=true'] }])]));
  assert.equal(awsOn.enforcers[0].id, 'aws-vpc-cni');
  const aks = detectEnforcement(stateOf([{ apiVersion: 'cloud.kubeward.io/v1', kind: 'AKSCluster', metadata: { name: 'c' }, spec: { networkProfile: { networkPlugin: 'kubenet' } } }]));
  assert.equal(aks.status, 'none');
  const aksCilium = detectEnforcement(stateOf([{ apiVersion: 'cloud.kubeward.io/v1', kind: 'AKSCluster', metadata: { name: 'c' }, spec: { networkProfile: { networkPlugin: 'azure', networkDataplane: 'cilium', networkPolicy: 'cilium' } } }]));
  assert.equal(aksCilium.enforcers[0].engine, 'cilium');
  const gke = detectEnforcement(stateOf([{ apiVersion: 'cloud.kubeward.io/v1', kind: 'GKECluster', metadata: { name: 'c' }, spec: { networkConfig: { datapathProvider: 'ADVANCED_DATAPATH' } } }]));
  assert.equal(gke.enforcers[0].id, 'gke-dataplane-v2');
  const ciliumNever = detectEnforcement(stateOf([ds('cilium', [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' }]), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'enable-policy': 'never' } }]));
  assert.equal(ciliumNever.enforcers[0].cilium?.enforcementMode, 'never');
  assert.equal(detectEnforcement(stateOf([ns('x')])).status, 'unknown');
});

test('unenforced policies protect nothing, and the result says so', () => {
  const objs = [ns('x'), pod('x', 'p'), np('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }), ds('aws-node', [{ name: 'aws-node', image: 'x/amazon-k8s-cni:v1.18.0' }])];
  const ev = new NetworkPolicyEvaluator(stateOf(objs));
  const r = ev.evaluateEgress(podOf(ev, 'x', 'p'), IMDS, TCP80);
  assert.equal(r.verdict, 'allowed');
  assert.equal(r.enforced, false);
  assert.equal(r.asWritten, 'denied');
  assert.deepEqual(r.unenforced?.map((p) => p.name), ['deny-egress']);
  // A Cilium policy on a Calico cluster is reported as unenforced, the Calico verdict stands.
  const mixed = new NetworkPolicyEvaluator(stateOf([ns('x'), pod('x', 'p'), ds('calico-node', [{ name: 'calico-node', image: 'calico/node:v3.30.0' }]), ciliumNp('x', 'deny', { endpointSelector: {}, egress: [{}] })]));
  const m = mixed.evaluateEgress(podOf(mixed, 'x', 'p'), IMDS, TCP80);
  assert.equal(m.verdict, 'allowed');
  assert.equal(m.enforced, true);
  assert.deepEqual(m.unenforced?.map((p) => p.kind), ['CiliumNetworkPolicy']);
  // Unknown enforcement: the policies as written, flagged.
  const unk = new NetworkPolicyEvaluator(stateOf(objs.slice(0, 3)));
  const u = unk.evaluateEgress(podOf(unk, 'x', 'p'), IMDS, TCP80);
  assert.equal(u.verdict, 'denied');
  assert.equal(u.enforced, 'unknown');
});

test('metadataEndpoints per provider and per-template verdicts with interceptors', () => {
  assert.deepEqual(metadataEndpoints('aws').map((e) => e.ip), ['169.254.169.254', 'fd00:ec2::254', '169.254.170.23', 'fd00:ec2::23']);
  assert.deepEqual(metadataEndpoints('gcp').map((e) => [e.ip, e.hostnames[0]]), [['169.254.169.254', 'metadata.google.internal']]);
  assert.equal(metadataEndpoints('azure')[0].ip, '169.254.169.254');
  const objs = [ns('x'), pod('x', 'p'), np('x', 'no-imds', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }] }), ds('calico-node', [{ name: 'calico-node', image: 'calico/node:v3.30.0' }])];
  const v = podMetadataVerdicts(stateOf(objs), 'aws');
  assert.equal(v.find((x) => x.endpoint.id === 'aws-imds')!.verdict, 'denied');
  assert.equal(v.find((x) => x.endpoint.id === 'eks-pod-identity')!.verdict, 'allowed');
  const withKiam = podMetadataVerdicts(stateOf([...objs, ds('kiam-agent', [{ name: 'kiam', image: 'quay.io/uswitch/kiam:v4' }])]), 'aws');
  const k = withKiam.find((x) => x.endpoint.id === 'aws-imds')!;
  assert.equal(k.verdict, 'implementation-defined');
  assert.match(k.path.at(-1)!, /kiam/);
});

test('a hostNetwork server reached as a node: ANP nodes peers, NetworkPolicy selectors do not match it', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }] } };
  const objs = [ns('x'), pod('x', 'p'), pod('x', 'h', { app: 'h' }, { hostNetwork: true, node: 'n1', ports: [{ containerPort: 9100, name: 'metrics' }] }), node,
    anp('nodes', { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }] }] })];
  const ev = evaluator(objs);
  const p = podOf(ev, 'x', 'p');
  assert.equal(ev.evaluateEgress(p, podOf(ev, 'x', 'h'), { protocol: 'TCP', port: 9100 }).verdict, 'denied');
  assert.equal(ev.evaluateEgress(p, '10.0.0.5', { protocol: 'TCP', port: 22 }).verdict, 'denied');
  const ev2 = evaluator([...objs.slice(0, 4), np('x', 'to-h', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'h' } } }] }] })]);
  const r = ev2.evaluateEgress(podOf(ev2, 'x', 'p'), podOf(ev2, 'x', 'h'), { protocol: 'TCP', port: 9100 });
  assert.equal(r.verdict, 'denied', 'conformant implementations (hostNetworkPeers false) do not match hostNetwork pods with selectors');
});
