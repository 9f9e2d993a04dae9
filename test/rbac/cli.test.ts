// `kubeward rbac can-i | who-can | explain | paths`, end to end in-process, on the shop example
// and on small inputs written for the test.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { kubeward, hasStackTrace } from '../helpers/cli.js';
import { fromRoot } from '../helpers/paths.js';
import { parseSubject } from '../../src/cli/commands/rbac.js';

const SHOP = fromRoot('examples/shop');
const STOREFRONT = 'system:serviceaccount:shop:storefront';

const RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: node-reader, namespace: ns1}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: node-reader}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics}
rules:
  - nonResourceURLs: ["/metrics", "/apis/*"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: metrics}
subjects: [{kind: ServiceAccount, name: prom, namespace: monitoring}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pods, namespace: ci}
rules: [{apiGroups: [""], resources: ["pods"], verbs: ["create"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builder, namespace: ci}
subjects: [{kind: ServiceAccount, name: builder}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods}
`;
const files = { 'rbac.yaml': RBAC };

describe('rbac can-i', () => {
  test('yes / no with exit 0 / 1, like kubectl auth can-i', async () => {
    const yes = await kubeward(['rbac', 'can-i', 'create', 'pods', '-n', 'shop', '--as', STOREFRONT, '-f', SHOP]);
    assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n']);
    const no = await kubeward(['rbac', 'can-i', 'create', 'pods', '-n', 'payments', '--as', STOREFRONT, '-f', SHOP]);
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
  });

  test('-v names the granting binding and role, or says why not', async () => {
    const yes = await kubeward(['rbac', 'can-i', 'get', 'secrets', '-n', 'shop', '--as', 'system:serviceaccount:tools:ci-deployer', '-v', '-f', SHOP]);
    assert.equal(yes.code, 0);
    assert.match(yes.stdout, /allowed by ClusterRoleBinding ci-deployer-admin -> ClusterRole cluster-admin rules\[0\] \* on \* in \*/);
    assert.match(yes.stdout, /groups "system:serviceaccounts", "system:serviceaccounts:tools", "system:authenticated"/);
    const no = await kubeward(['rbac', 'can-i', 'get', 'nodes', '--as', 'alice', '-v'], { files: { ...files } });
    assert.equal(no.code, 2, 'no -f: usage error');
    const no2 = await kubeward(['rbac', 'can-i', 'get', 'nodes', '--as', 'alice', '-v', '-f', 'rbac.yaml'], { files });
    assert.equal(no2.code, 1);
    assert.match(no2.stdout, /^no\n/);
    assert.match(no2.stdout, /a request without a namespace is granted only by ClusterRoleBindings/);
  });

  test('cluster-scoped resources are asked without a namespace: a RoleBinding does not grant nodes, -n or not', async () => {
    const alice = await kubeward(['rbac', 'can-i', 'get', 'nodes', '-n', 'ns1', '--as', 'alice', '-f', 'rbac.yaml'], { files });
    assert.equal(alice.stdout, 'no\n');
    const ops = await kubeward(['rbac', 'can-i', 'get', 'nodes', '--as', 'bob', '--as-group', 'ops', '-f', 'rbac.yaml'], { files });
    assert.equal(ops.stdout, 'yes\n');
  });

  test('non-resource URLs, with * prefixes; -A asks without a namespace', async () => {
    const prom = 'system:serviceaccount:monitoring:prom';
    const run = (...a: string[]) => kubeward(['rbac', 'can-i', ...a, '-f', 'rbac.yaml'], { files });
    assert.equal((await run('get', '/metrics', '--as', prom)).stdout, 'yes\n');
    assert.equal((await run('get', '/apis/apps/v1', '--as', prom)).stdout, 'yes\n');
    assert.equal((await run('get', '/apis', '--as', prom)).stdout, 'no\n');
    assert.equal((await run('post', '/metrics', '--as', prom)).stdout, 'no\n');
    assert.equal((await run('create', 'pods', '-n', 'ci', '--as', 'system:serviceaccount:ci:builder')).stdout, 'yes\n');
    assert.equal((await run('create', 'pods', '-A', '--as', 'system:serviceaccount:ci:builder')).stdout, 'no\n');
  });

  test('user errors are one line, exit 2', async () => {
    for (const argv of [
      ['rbac', 'can-i', 'get', 'pods', '-f', 'rbac.yaml'],
      ['rbac', 'can-i', 'get', '/metrics', 'name', '--as', 'x', '-f', 'rbac.yaml'],
      ['rbac', 'can-i', 'get', 'pods', '-n', 'a', '-A', '--as', 'x', '-f', 'rbac.yaml'],
      ['rbac', 'can-i', 'get', 'pods', '--as', 'x', '-f', 'missing.yaml'],
    ]) {
      const r = await kubeward(argv, { files });
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.ok(r.errLines().length >= 1 && r.errLines()[0].startsWith('kubeward: '), r.stderr);
    }
  });
});

describe('rbac who-can', () => {
  test('--format json is {subjects: [{kind, name, namespace?, via: [{binding, role}]}]}', async () => {
    const r = await kubeward(['rbac', 'who-can', 'get', 'secrets', '-n', 'shop', '--format', 'json', '-f', SHOP]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json(), {
      subjects: [
        { kind: 'Group', name: 'system:masters', via: [] },
        { kind: 'ServiceAccount', name: 'storefront', namespace: 'shop', via: [{ binding: 'RoleBinding/shop/storefront-everything', role: 'Role/shop/everything' }] },
        { kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'tools', via: [{ binding: 'ClusterRoleBinding/ci-deployer-admin', role: 'ClusterRole/cluster-admin' }] },
      ],
    });
  });

  test('text table; -A counts RoleBindings of every namespace', async () => {
    const r = await kubeward(['rbac', 'who-can', 'get', 'nodes', '-f', 'rbac.yaml'], { files });
    assert.match(r.stdout, /^SUBJECT\s+VIA\n/);
    assert.match(r.stdout, /Group ops\s+ClusterRoleBinding node-reader -> ClusterRole node-reader/);
    assert.doesNotMatch(r.stdout, /alice/, 'nodes are cluster-scoped: the RoleBinding does not count');
    const all = await kubeward(['rbac', 'who-can', 'create', 'pods', '-A', '--format', 'json', '-f', 'rbac.yaml'], { files });
    const names = all.json().subjects.map((s: { kind: string; name: string }) => `${s.kind}:${s.name}`);
    assert.ok(names.includes('ServiceAccount:builder') && names.includes('ServiceAccount:deployer'), names.join(','));
  });
});

describe('rbac explain', () => {
  test('text: identity, risks first with provenance, escalation path, all permissions', async () => {
    const r = await kubeward(['rbac', 'explain', 'sa:ci/builder', 'rbac.yaml'], { files });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ServiceAccount ci\/builder\n/);
    assert.match(r.stdout, /\[high\] create or change workloads in ci\n.*\n\s+via RoleBinding ci\/builder -> Role ci\/pods/);
    assert.match(r.stdout, /Escalation path to cluster-admin \(2 steps\):\n\s+ServiceAccount ci\/builder => create pods in ci .* => ServiceAccount ci\/deployer => holds \* on \* cluster-wide/);
    assert.match(r.stdout, /namespace ci \(RoleBindings\):\n\s+RoleBinding ci\/builder -> Role ci\/pods\n\s+create on pods in core/);
  });

  test('json, and the subject forms', async () => {
    const r = await kubeward(['rbac', 'explain', 'system:serviceaccount:tools:ci-deployer', '--format', 'json', '-f', SHOP]);
    const j = r.json();
    assert.deepEqual(j.subject, { kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'tools' });
    assert.equal(j.risks[0].technique, 'cluster-admin');
    assert.equal(j.risks[0].severity, 'critical');
    assert.equal(j.rules.clusterWide[0].role, 'ClusterRole/cluster-admin');
    assert.deepEqual(parseSubject('group:ops'), { kind: 'Group', name: 'ops' });
    assert.deepEqual(parseSubject('alice@example.com'), { kind: 'User', name: 'alice@example.com' });
    assert.deepEqual(parseSubject('user:group:odd'), { kind: 'User', name: 'group:odd' });
    assert.deepEqual(parseSubject('sa:ci/builder'), { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' });
    assert.throws(() => parseSubject('sa:builder'), /sa:NAMESPACE\/NAME/);
    assert.throws(() => parseSubject('system:serviceaccount:ci'), /not a service-account username/);
  });
});

describe('rbac paths', () => {
  test('text and json; --subject', async () => {
    const t = await kubeward(['rbac', 'paths', 'rbac.yaml'], { files });
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^ServiceAccount ci\/builder: 2 steps to cluster-admin\n {2}1\. create pods in ci/);
    const j = await kubeward(['rbac', 'paths', '--format', 'json', '-f', 'rbac.yaml'], { files });
    const p = j.json().paths;
    assert.equal(p.length, 1);
    assert.deepEqual(p[0].subject, { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' });
    assert.deepEqual(p[0].steps[0].via, [{ binding: 'RoleBinding/ci/builder', role: 'Role/ci/pods' }]);
    const none = await kubeward(['rbac', 'paths', '--subject', 'alice', '-f', 'rbac.yaml'], { files });
    assert.equal(none.stdout, 'User alice has no path to cluster-admin in this input.\n');
  });

  test('the shop example: nobody escalates further than what they are bound to', async () => {
    const r = await kubeward(['rbac', 'paths', SHOP]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /No subject can reach cluster-admin/);
  });

  test('warns when the input has no RBAC objects', async () => {
    const r = await kubeward(['rbac', 'paths', 'pod.yaml'], { files: { 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n' } });
    assert.match(r.stderr, /no Role, ClusterRole, RoleBinding or ClusterRoleBinding/);
  });
});
