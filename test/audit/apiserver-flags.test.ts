// apiserver-audit-flags judges self-managed control planes only: on a managed cluster it is not applicable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from '../../src/loaders/manifest.js';
import { ClusterState } from '../../src/model/cluster-state.js';
import { scan } from '../../src/core/scan.js';
import { allRules } from '../../src/rules/index.js';

const APISERVER = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver-cp1, namespace: kube-system}
spec:
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.31.2
      command: [kube-apiserver, --secure-port=6443]
`;
const EKS_NODE = `apiVersion: v1
kind: Node
metadata: {name: n1, labels: {eks.amazonaws.com/nodegroup: general}}
`;

function run(text: string) {
  const parsed = parseManifestText(text, 'in.yaml');
  const rule = allRules.find((r) => r.meta.id === 'apiserver-audit-flags')!;
  return scan(new ClusterState({ objects: parsed.objects }), { rules: [rule], failOn: 'high', suppression: { today: '2026-01-01' } });
}

test('a kube-apiserver without audit flags is reported on a self-managed (or unknown) control plane', () => {
  const r = run(APISERVER);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].messageId, 'noPolicy');
  assert.equal(r.summary.notApplicable ?? 0, 0);
});

test('on a cluster known to be managed (EKS node labels) the rule is not applicable', () => {
  const r = run(`${APISERVER}---\n${EKS_NODE}`);
  assert.equal(r.findings.length, 0);
  assert.equal(r.summary.notApplicable, 1);
  assert.equal(r.summary.rulesRun, 0);
});
