// metadata-api-reachable reports on the workload that controls the pods, like every pod rule, and on
// each controlled ReplicaSet and Pod only with includeControlled (--include-controlled).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import rule from '../src/rules/metadata-api/metadata-api-reachable/rule.js';

const yaml = `
apiVersion: v1
kind: Node
metadata:
  name: ip-10-0-1-10.eu-west-1.compute.internal
  labels: { eks.amazonaws.com/nodegroup: general }
spec: { providerID: aws:///eu-west-1a/i-0abc }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop, uid: d-1 }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: api, image: nginx:1.27 }]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: api-5d8f
  namespace: shop
  uid: rs-1
  ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: api, uid: d-1, controller: true }]
spec:
  selector: { matchLabels: { app: api, pod-template-hash: 5d8f } }
  template:
    metadata: { labels: { app: api, pod-template-hash: 5d8f } }
    spec:
      containers: [{ name: api, image: nginx:1.27 }]
---
apiVersion: v1
kind: Pod
metadata:
  name: api-5d8f-x1
  namespace: shop
  labels: { app: api, pod-template-hash: 5d8f }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f, uid: rs-1, controller: true }]
spec:
  nodeName: ip-10-0-1-10.eu-west-1.compute.internal
  containers: [{ name: api, image: nginx:1.27 }]
---
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: shop }
spec:
  containers: [{ name: sh, image: busybox:1.36 }]
`;

const objects = parseManifestText(yaml, 'controlled.yaml').objects;

function reported(includeControlled: boolean): string[] {
  const { findings, ruleErrors } = runRules(new ClusterState({ objects }), [rule], { includeControlled });
  assert.deepEqual(ruleErrors, []);
  return findings.map((f) => `${f.resource.kind}/${f.resource.name}`).sort();
}

test('metadata-api-reachable: the controller carries the finding of its ReplicaSets and pods', () => {
  assert.deepEqual(reported(false), ['Deployment/api', 'Pod/debug']);
});

test('metadata-api-reachable: --include-controlled also reports each controlled ReplicaSet and pod', () => {
  assert.deepEqual(reported(true), ['Deployment/api', 'Pod/api-5d8f-x1', 'Pod/debug', 'ReplicaSet/api-5d8f']);
});
