// Per-pod metadata verdicts: the network layer joined with the node layer (issue 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podMetadataExposure, clusterProvider } from '../../src/analysis/metadata/pod-exposure.js';
import { np, ns, pod, stateOf } from '../network/helpers.js';
import { main } from '../../src/cli/main.js';

const L = { 'cloud.kubeward.io/provider': 'aws', 'cloud.kubeward.io/cluster': 'shop' };
function awsNodes(mo: Record<string, unknown>, extra: Array<Record<string, unknown>> = []) {
  return [
    { apiVersion: 'cloud.kubeward.io/v1', kind: 'EKSNodegroup', metadata: { name: 'general', labels: L }, spec: { nodegroupName: 'general', clusterName: 'shop', nodeRole: 'arn:aws:iam::111122223333:role/shop-node', launchTemplate: { id: 'lt-1', version: '1' } } },
    { apiVersion: 'cloud.kubeward.io/v1', kind: 'EC2LaunchTemplateVersion', metadata: { name: 'lt-1:1', labels: L }, spec: { LaunchTemplateId: 'lt-1', VersionNumber: 1, LaunchTemplateData: { MetadataOptions: mo } } },
    ...extra,
  ];
}
const vpcCniEnforcing = { apiVersion: 'cloud.kubeward.io/v1', kind: 'EKSAddon', metadata: { name: 'vpc-cni', labels: L }, spec: { addonName: 'vpc-cni', configurationValues: '{"enableNetworkPolicy":"true"}' } };
const adminRole = { apiVersion: 'cloud.kubeward.io/v1', kind: 'IAMRole', metadata: { name: 'shop-node', labels: L }, spec: { RoleName: 'shop-node', Arn: 'arn:aws:iam::111122223333:role/shop-node', attachedPolicies: [], inlinePolicies: [{ PolicyName: 'all', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] } };

function one(objects: Array<Record<string, unknown>>, name = 'p') {
  const st = stateOf([ns('x'), ...objects]);
  const r = podMetadataExposure(st, 'aws').find((p) => p.name === name);
  assert.ok(r, `pod ${name}`);
  return r;
}

test('IMDSv2 required + hop limit 1: a non-hostNetwork pod is blocked by the node even though the network allows it', () => {
  const r = one([pod('x', 'p'), ...awsNodes({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 })]);
  assert.equal(r.network, 'allowed');
  assert.equal(r.verdict, 'blocked');
  assert.equal(r.blockedBy, 'node');
  assert.ok(r.reasons.some((x) => /blocked-by-node/.test(x)));
});

test('hostNetwork pod bypasses the hop limit and a default-deny egress policy', () => {
  const r = one([pod('x', 'p', {}, { hostNetwork: true }), np('x', 'deny', { podSelector: {}, policyTypes: ['Egress'], egress: [] }), vpcCniEnforcing, ...awsNodes({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 })]);
  assert.equal(r.verdict, 'reachable');
  assert.deepEqual(r.endpoints[0].by, ['hostNetwork']);
});

test('IMDSv1 open with hop limit 1: reachable (hop limits only apply to the IMDSv2 token)', () => {
  const r = one([pod('x', 'p'), ...awsNodes({ HttpTokens: 'optional', HttpPutResponseHopLimit: 1 })]);
  assert.equal(r.verdict, 'reachable');
  assert.equal(r.exposure?.imdsv1, true);
});

test('hop limit 2: reachable; the node role and its over-broad permissions are named', () => {
  const r = one([pod('x', 'p'), ...awsNodes({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 }, [adminRole])]);
  assert.equal(r.verdict, 'reachable');
  assert.equal(r.exposure?.identities[0].name, 'arn:aws:iam::111122223333:role/shop-node');
  assert.equal(r.exposure?.overBroad, true);
});

test('network denies with an enforcing CNI: blocked by network; without known enforcement: unknown', () => {
  const deny = np('x', 'deny', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }] });
  const nodes = awsNodes({ HttpTokens: 'optional', HttpPutResponseHopLimit: 2 });
  const a = one([pod('x', 'p'), deny, vpcCniEnforcing, ...nodes]);
  assert.equal(a.verdict, 'blocked');
  assert.equal(a.blockedBy, 'network');
  const b = one([pod('x', 'p'), deny, ...nodes]);
  assert.equal(b.verdict, 'unknown');
});

test('no node group in the cloud context: unknown with the reason, never a pass', () => {
  const r = one([pod('x', 'p')]);
  assert.equal(r.verdict, 'unknown');
  assert.ok(r.reasons.some((x) => /node settings unknown/.test(x)));
});

test('the pod is pinned to a node group by nodeSelector', () => {
  const other = [
    { apiVersion: 'cloud.kubeward.io/v1', kind: 'EKSNodegroup', metadata: { name: 'secure', labels: L }, spec: { nodegroupName: 'secure', clusterName: 'shop', nodeRole: 'arn:aws:iam::111122223333:role/x', launchTemplate: { id: 'lt-2', version: '1' } } },
    { apiVersion: 'cloud.kubeward.io/v1', kind: 'EC2LaunchTemplateVersion', metadata: { name: 'lt-2:1', labels: L }, spec: { LaunchTemplateId: 'lt-2', VersionNumber: 1, LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } } } },
  ];
  const pinned = pod('x', 'p') as { spec: Record<string, unknown> };
  pinned.spec.nodeSelector = { 'eks.amazonaws.com/nodegroup': 'secure' };
  const nodes = awsNodes({ HttpTokens: 'optional' }, other);
  assert.equal(one([pinned, ...nodes]).verdict, 'blocked');
  assert.equal(one([pod('x', 'p'), ...nodes]).verdict, 'reachable'); // may land on "general"
});

test('provider detection: none -> explained, cloud objects -> their provider', () => {
  assert.equal(clusterProvider(stateOf([ns('x')])).provider, undefined);
  assert.equal(clusterProvider(stateOf(awsNodes({}))).provider, 'aws');
});

test('kubeward metadata on examples/shop: JSON shape and exit 1 for reachable pods', async () => {
  let out = '';
  const io = { out: (s: string) => (out += s), err: () => {}, cwd: process.cwd(), errIsTTY: false, outIsTTY: false, stdinStream: () => process.stdin, env: {} };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const code = await main(['metadata', 'examples/shop', '--cloud', 'examples/shop/cloud', '--format', 'json'], io as any);
  assert.equal(code, 1);
  const j = JSON.parse(out);
  const sf = j.pods.find((p: { name: string }) => p.name === 'storefront');
  assert.equal(sf.verdict, 'reachable');
  assert.deepEqual(Object.keys(sf.endpoints[0]).sort(), ['address', 'by', 'label', 'port', 'verdict']);
  assert.ok(sf.node && Array.isArray(sf.reasons) && sf.exposure);
});

test('Karpenter: pods pinned to a NodePool get its EC2NodeClass settings; unpinned pods take the least protected class', () => {
  const nc = (name: string, mo?: Record<string, unknown>) => ({ apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name }, spec: { role: 'KarpenterNodeRole', ...(mo ? { metadataOptions: mo } : {}) } });
  const pool = (name: string, cls: string) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name }, spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: cls } } } } });
  const pinned = { ...pod('x', 'pinned'), spec: { nodeSelector: { 'karpenter.sh/nodepool': 'safe' }, containers: [{ name: 'c', image: 'busybox' }] } };
  const objects = [ns('x'), nc('default'), nc('open', { httpTokens: 'required', httpPutResponseHopLimit: 2 }), pool('safe', 'default'), pool('wide', 'open'), pinned, pod('x', 'free')];
  const st = stateOf(objects);
  const all = podMetadataExposure(st, 'aws');
  const p = all.find((x) => x.name === 'pinned')!;
  assert.equal(p.verdict, 'blocked');
  assert.equal(p.blockedBy, 'node');
  assert.deepEqual(p.nodes.map((n) => n.label), ['Karpenter EC2NodeClass default']);
  const f = all.find((x) => x.name === 'free')!;
  assert.equal(f.verdict, 'reachable');
  assert.ok(f.reasons.some((r) => /Karpenter EC2NodeClass open: IMDSv2 required but hop limit 2/.test(r)), f.reasons.join(' | '));
  assert.equal(clusterProvider(stateOf([nc('default')])).provider, 'aws');
});

test('a pod using EKS Pod Identity behind a default-deny egress policy is told its SDK cannot get credentials', () => {
  const assoc = { apiVersion: 'cloud.kubeward.io/v1', kind: 'EKSPodIdentityAssociation', metadata: { name: 'a-1', labels: L }, spec: { namespace: 'x', serviceAccount: 'app', roleArn: 'arn:aws:iam::111122223333:role/app' } };
  const r = one([pod('x', 'p', {}, { sa: 'app' }), np('x', 'deny', { podSelector: {}, policyTypes: ['Egress'], egress: [] }), vpcCniEnforcing, assoc, ...awsNodes({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 })]);
  assert.equal(r.verdict, 'blocked');
  assert.ok(r.reasons.some((x) => /uses EKS Pod Identity \(arn:aws:iam::111122223333:role\/app\) but its egress to the Pod Identity agent 169\.254\.170\.23:80 is denied/.test(x)), r.reasons.join(' | '));
  const open = one([pod('x', 'p', {}, { sa: 'app' }), vpcCniEnforcing, assoc, ...awsNodes({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 })]);
  assert.equal(open.verdict, 'reachable');
  assert.ok(open.reasons.some((x) => /has its own role through EKS Pod Identity .* yet can also take the node role from IMDS/.test(x)), open.reasons.join(' | '));
  assert.ok(!open.reasons.some((x) => /cannot fetch/.test(x)));
});
