// deploy/kubeward-reader.yaml grants exactly what the live collector lists, read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { CATALOGUE } from '../../src/loaders/live/catalogue.js';
import { fromRoot } from '../helpers/paths.js';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const docs = parseAllDocuments(readFileSync(fromRoot('deploy/kubeward-reader.yaml'), 'utf8')).map((d) => d.toJS());
const role = docs.find((d) => d.kind === 'ClusterRole') as { rules: PolicyRule[] };

test('the reader role is list-only, with no wildcard, subresource or non-resource grant', () => {
  assert.ok(role, 'ClusterRole present');
  for (const r of role.rules) {
    assert.deepEqual(r.verbs, ['list']);
    assert.equal(r.nonResourceURLs, undefined);
    assert.equal(r.resourceNames, undefined);
    for (const g of r.apiGroups ?? []) assert.notEqual(g, '*');
    for (const res of r.resources ?? []) {
      assert.notEqual(res, '*');
      assert.ok(!res.includes('/'), `no subresource (${res})`);
    }
  }
});

test('the reader role grants exactly the catalogue', () => {
  const granted = new Set<string>();
  for (const r of role.rules) for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) granted.add(`${g}/${res}`);
  const needed = new Set(CATALOGUE.map((e) => `${e.group}/${e.resource}`));
  assert.deepEqual([...granted].sort(), [...needed].sort());
});

test('the CronJob runs as the reader service account, non-root and read-only', () => {
  const cj = parseAllDocuments(readFileSync(fromRoot('deploy/kubeward-cronjob.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d.kind === 'CronJob');
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
  const pod = cj.spec.jobTemplate.spec.template.spec;
  assert.equal(pod.serviceAccountName, binding.subjects[0].name);
  assert.equal(cj.metadata.namespace, binding.subjects[0].namespace);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
  assert.match(pod.containers[0].args[0], /--in-cluster/);
});
