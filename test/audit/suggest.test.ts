// rbac suggest: minimal Roles from an audit log (audit2rbac-style), and grants never used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { tempDir, kubeward } from '../helpers/cli.js';

const ev = (i: number, over: Record<string, unknown>) =>
  JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${i}`,
    stage: 'ResponseComplete',
    verb: 'list',
    requestURI: '/api/v1/namespaces/ns1/pods',
    user: { username: 'system:admin', groups: ['system:masters'] },
    impersonatedUser: { username: 'alice', groups: ['system:authenticated'] },
    objectRef: { resource: 'pods', namespace: 'ns1', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    stageTimestamp: `2026-01-01T10:00:0${i}Z`,
    ...over,
  });

const LOG = [
  ev(1, {}),
  ev(2, { verb: 'get', objectRef: { resource: 'secrets', namespace: 'ns1', name: 'db', apiVersion: 'v1' } }),
  ev(3, { stage: 'RequestReceived' }), // the same request, another stage: counted once
  ev(4, { verb: 'create', objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'ns2', apiVersion: 'v1' } }),
  ev(5, { verb: 'get', requestURI: '/healthz', objectRef: undefined }),
  ev(6, { impersonatedUser: undefined, user: { username: 'bob' } }), // someone else
].join('\n');

const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: wide, namespace: ns1}
rules:
  - apiGroups: [""]
    resources: [pods, secrets]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [pods]
    verbs: [delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-wide, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: wide}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
`;

test('suggests one Role per namespace and a ClusterRole for non-resource URLs, read verbs expanded', async () => {
  const dir = tempDir({ 'audit.log': LOG });
  const r = await kubeward(['rbac', 'suggest', '--audit-log', 'audit.log', '--subject', 'alice'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const role = (ns: string) => docs.find((d) => d.kind === 'Role' && d.metadata.namespace === ns);
  assert.deepEqual(role('ns1').rules, [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list', 'watch'] }]);
  assert.deepEqual(role('ns2').rules, [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }]);
  const cr = docs.find((d) => d.kind === 'ClusterRole');
  assert.deepEqual(cr.rules, [{ nonResourceURLs: ['/healthz'], verbs: ['get', 'list', 'watch'] }]);
  assert.equal(docs.filter((d) => d.kind === 'RoleBinding').length, 2);
  assert.deepEqual(docs.find((d) => d.kind === 'RoleBinding').subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
  assert.match(r.stdout, /from 4 audit events .*4 distinct requests/);
});

test('with the cluster objects, reports the grants never used', async () => {
  const dir = tempDir({ 'audit.log': LOG, 'rbac.yaml': RBAC });
  const r = await kubeward(['rbac', 'suggest', '--audit-log', 'audit.log', '--subject', 'alice', '-f', 'rbac.yaml'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Grants it holds but did not use in this window \(1\):\n#\s+namespace ns1: delete on pods/);
  const j = await kubeward(['rbac', 'suggest', '--audit-log', 'audit.log', '--subject', 'alice', '-f', 'rbac.yaml', '--format', 'json'], { cwd: dir });
  const out = JSON.parse(j.stdout);
  assert.equal(out.unused.length, 1);
  assert.deepEqual(out.unused[0].rule.verbs, ['delete']);
  void writeFileSync;
  void path;
});

test('a missing audit log is one line, exit 2', async () => {
  const r = await kubeward(['rbac', 'suggest', '--audit-log', 'nope.log', '--subject', 'alice'], { cwd: tempDir({}) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /audit log nope\.log: no such file/);
});
