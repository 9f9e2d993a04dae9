// Edge cases of the RBAC evaluator beyond the guide, each following kubernetes/kubernetes source.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFromObjects, buildRbac, describeRef, withImpliedGroups, splitServiceAccountUsername, type ResourceRequest } from '../../src/analysis/rbac/index.js';
import { parseManifestText } from '../../src/loaders/manifest.js';
import { ClusterState } from '../../src/model/cluster-state.js';
import { clusterRole, clusterRoleBinding, group, namespace, role, roleBinding, rule, sa, saUser, serviceAccount, urlRule, user } from '../helpers/rbac.js';

const R = 'rbac.authorization.k8s.io';
const res = (u: string, verb: string, apiGroup: string, resource: string, more: Partial<ResourceRequest> = {}): ResourceRequest => ({ user: u, verb, apiGroup, resource, ...more });
function granted(...rules: object[]) {
  return evaluateFromObjects([clusterRole('r', rules as never), clusterRoleBinding('b', 'r', [user('u')])]);
}

describe('rule matching (evaluation_helpers.go)', () => {
  test('a trailing * URL is a prefix of the text before all trailing stars: /foo* matches /foo and /foobar', () => {
    const e = granted(urlRule(['get'], ['/foo*', '/bar/**']));
    const ok = (p: string) => e.authorize({ user: 'u', verb: 'get', path: p }).allowed;
    assert.deepEqual(['/foo', '/foobar', '/fo', '/bar/', '/bar/x', '/bar'].map(ok), [true, true, false, true, true, false]);
  });

  test('*/* is not "any subresource": it only matches a subresource literally named *', () => {
    const e = granted(rule(['create'], [''], ['*/*']));
    assert.equal(e.authorize(res('u', 'create', '', 'pods', { subresource: 'exec', namespace: 'x' })).allowed, false);
  });

  test('*/scale does not match a request without subresource', () => {
    const e = granted(rule(['get'], ['*'], ['*/scale']));
    assert.equal(e.authorize(res('u', 'get', 'apps', 'scale')).allowed, false);
  });

  test('resourceNames [""] matches unnamed requests (ResourceNameMatches compares strings)', () => {
    const e = granted(rule(['list'], [''], ['pods'], { resourceNames: [''] }));
    assert.equal(e.authorize(res('u', 'list', '', 'pods', { namespace: 'x' })).allowed, true);
  });

  test('the resource field is taken literally: "pods/exec" as a resource is not a subresource', () => {
    const e = granted(rule(['create'], [''], ['*/exec']));
    assert.equal(e.authorize(res('u', 'create', '', 'pods/exec', { namespace: 'x' })).allowed, false);
    assert.equal(e.authorize(res('u', 'create', '', 'pods', { subresource: 'exec', namespace: 'x' })).allowed, true);
  });

  test('a rule without apiGroups grants no resource; a rule without verbs grants nothing', () => {
    const e = granted({ verbs: ['get'], resources: ['pods'] }, { apiGroups: [''], resources: ['secrets'] });
    assert.equal(e.authorize(res('u', 'get', '', 'pods')).allowed, false);
    assert.equal(e.authorize(res('u', 'get', '', 'secrets')).allowed, false);
  });

  test('the authorizer does not know scopes: a RoleBinding applies to any request carrying its namespace, even for nodes', () => {
    const e = evaluateFromObjects([clusterRole('n', [rule(['get'], [''], ['nodes'])]), roleBinding('ns1', 'b', { kind: 'ClusterRole', name: 'n' }, [user('u')])]);
    assert.equal(e.authorize(res('u', 'get', '', 'nodes', { namespace: 'ns1' })).allowed, true);
    assert.equal(e.authorize(res('u', 'get', '', 'nodes')).allowed, false);
  });

  test('a ClusterRoleBinding grants namespaced resources in every namespace and at cluster scope', () => {
    const e = evaluateFromObjects([clusterRole('r', [rule(['list'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [user('u')])]);
    for (const ns of ['a', 'kube-system', undefined]) assert.equal(e.authorize(res('u', 'list', '', 'pods', { namespace: ns })).allowed, true);
  });
});

describe('subjects and identities', () => {
  test('implied groups: authenticated users, service accounts, anonymous', () => {
    assert.deepEqual(withImpliedGroups({ user: 'alice', groups: ['dev'] }).groups, ['dev', 'system:authenticated']);
    assert.deepEqual(withImpliedGroups({ user: saUser('ns', 'x') }).groups, ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated']);
    assert.deepEqual(withImpliedGroups({ user: 'system:anonymous' }).groups, ['system:unauthenticated']);
    assert.deepEqual(withImpliedGroups({ user: 'bob', groups: ['system:unauthenticated'] }).groups, ['system:unauthenticated']);
    assert.equal(splitServiceAccountUsername('system:serviceaccount:ns:a:b'), undefined);
    assert.deepEqual(splitServiceAccountUsername('system:serviceaccount:ns:a'), { namespace: 'ns', name: 'a' });
  });

  test('exactGroups evaluates the groups as given (SubjectAccessReview semantics)', () => {
    const e = evaluateFromObjects([clusterRole('r', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [group('system:authenticated')])]);
    assert.equal(e.authorize(res('alice', 'get', '', 'pods')).allowed, true);
    assert.equal(e.authorize(res('alice', 'get', '', 'pods'), { exactGroups: true }).allowed, false);
    assert.equal(e.authorize({ ...res('alice', 'get', '', 'pods'), groups: ['system:authenticated'] }, { exactGroups: true }).allowed, true);
  });

  test('subject kinds are case-sensitive; subject apiGroup is not checked', () => {
    const e = evaluateFromObjects([
      clusterRole('r', [rule(['get'], [''], ['pods'])]),
      clusterRoleBinding('lower', 'r', [{ kind: 'user', name: 'alice' }]),
      clusterRoleBinding('odd-group', 'r', [{ kind: 'User', apiGroup: 'example.com', name: 'bob' }]),
    ]);
    assert.equal(e.authorize(res('alice', 'get', '', 'pods')).allowed, false);
    assert.equal(e.authorize(res('bob', 'get', '', 'pods')).allowed, true);
    assert.ok(e.problems().some((p) => p.code === 'unknown-subject-kind'));
  });

  test('a User subject spelled as a service-account username matches that service account', () => {
    const e = evaluateFromObjects([clusterRole('r', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [user(saUser('ns', 'x'))])]);
    assert.equal(e.authorize(res(saUser('ns', 'x'), 'get', '', 'pods')).allowed, true);
  });

  test('the reason names the first grant as kube-apiserver does', () => {
    const e = evaluateFromObjects([
      clusterRole('r', [rule(['get'], [''], ['pods'])]),
      roleBinding('ns1', 'rb', { kind: 'ClusterRole', name: 'r' }, [sa('x')]),
      clusterRoleBinding('crb', 'r', [group('devs')]),
    ]);
    assert.equal(e.authorize(res(saUser('ns1', 'x'), 'get', '', 'pods', { namespace: 'ns1' })).reason, 'RBAC: allowed by RoleBinding "rb/ns1" of ClusterRole "r" to ServiceAccount "x/ns1"');
    const d = e.authorize({ ...res(saUser('ns1', 'x'), 'get', '', 'pods', { namespace: 'ns1' }), groups: ['devs'] });
    assert.equal(d.reason, 'RBAC: allowed by ClusterRoleBinding "crb" of ClusterRole "r" to Group "devs"');
    assert.deepEqual(d.via.map((g) => g.binding.kind), ['ClusterRoleBinding', 'RoleBinding']);
  });
});

describe('bindings and roles that are odd', () => {
  test('a ClusterRoleBinding to a Role grants nothing and is reported', () => {
    const e = evaluateFromObjects([role('default', 'r', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [user('u')], 'Role')]);
    const d = e.authorize(res('u', 'get', '', 'pods', { namespace: 'default' }));
    assert.equal(d.allowed, false);
    assert.deepEqual(d.errors, [`role.${R} "r" not found`]);
    assert.ok(e.problems().some((p) => p.code === 'invalid-role-ref'));
  });

  test('a Role rule with nonResourceURLs never grants the URL and is reported', () => {
    const e = evaluateFromObjects([role('ns1', 'r', [urlRule(['get'], ['/healthz'])]), roleBinding('ns1', 'b', { kind: 'Role', name: 'r' }, [user('u')])]);
    assert.equal(e.authorize({ user: 'u', verb: 'get', path: '/healthz' }).allowed, false);
    assert.ok(e.problems().some((p) => p.code === 'namespaced-non-resource-rule'));
    const rf = e.rulesFor({ kind: 'User', name: 'u' });
    assert.match(rf.namespaces.ns1[0].inert ?? '', /never granted through a RoleBinding/);
  });

  test('malformed objects are tolerated and reported, never thrown', () => {
    const e = evaluateFromObjects([
      { apiVersion: `${R}/v1`, kind: 'ClusterRole', metadata: { name: 'bad-rules' }, rules: 'nope' },
      { apiVersion: `${R}/v1`, kind: 'ClusterRole', metadata: { name: 'bad-items' }, rules: [null, { verbs: 'get', apiGroups: [''], resources: ['pods', 7] }] },
      { apiVersion: `${R}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'no-ref' }, subjects: [{ kind: 'User', name: 'u' }] },
      { apiVersion: `${R}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'bad-subjects' }, roleRef: { apiGroup: R, kind: 'ClusterRole', name: 'bad-items' }, subjects: [null, { kind: 'User' }, { kind: 'User', name: 'u' }] },
      { apiVersion: `${R}/v1`, kind: 'RoleBinding', metadata: { name: 'subjects-map', namespace: 'x' }, roleRef: { apiGroup: R, kind: 'Banana', name: 'r' }, subjects: { kind: 'User' } },
      { apiVersion: `${R}/v1`, kind: 'RoleBinding', metadata: { name: 'no-subjects', namespace: 'x' }, roleRef: { apiGroup: 'wrong', kind: 'ClusterRole', name: 'bad-items' } },
    ]);
    assert.equal(e.authorize(res('u', 'get', '', 'pods')).allowed, false, 'verbs: "get" is not a list: no verb');
    const codes = new Set(e.problems().map((p) => p.code));
    for (const c of ['malformed-object', 'invalid-role-ref'] as const) assert.ok(codes.has(c), c);
    assert.deepEqual(e.whoCan({ verb: 'get', apiGroup: '', resource: 'pods' }).subjects.map((s) => s.name), ['system:masters']);
  });

  test('duplicates: the first definition wins and the duplicate is reported', () => {
    const e = evaluateFromObjects([
      clusterRole('r', [rule(['get'], [''], ['pods'])]),
      clusterRole('r', [rule(['*'], ['*'], ['*'])]),
      clusterRoleBinding('b', 'r', [user('u')]),
      clusterRoleBinding('b', 'r', [user('v')]),
    ]);
    assert.equal(e.authorize(res('u', 'delete', '', 'nodes')).allowed, false);
    assert.equal(e.authorize(res('v', 'get', '', 'pods')).allowed, false);
    assert.equal(e.problems().filter((p) => p.code === 'duplicate-object').length, 2);
  });

  test('manifests without namespace put Roles and RoleBindings in "default" (as kubectl apply does)', () => {
    const text = [
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: Role', 'metadata: {name: r}', 'rules: [{verbs: [get], apiGroups: [""], resources: [pods]}]', '---',
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: RoleBinding', 'metadata: {name: b}', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}',
      'subjects: [{kind: ServiceAccount, name: app}]',
    ].join('\n');
    const parsed = parseManifestText(text, 'm.yaml');
    const e = buildRbac(new ClusterState({ objects: parsed.objects }));
    assert.equal(e.authorize(res(saUser('default', 'app'), 'get', '', 'pods', { namespace: 'default' })).allowed, true);
    assert.equal(e.bindings()[0].object.source?.line, 6);
  });
});

describe('aggregation', () => {
  const agg = (name: string, label: string, rules: object[] | null = [], labels?: Record<string, string>) =>
    clusterRole(name, rules as never, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: 'true' } }] }, labels });

  test('nested and cyclic aggregation reach a fixpoint', () => {
    const e = evaluateFromObjects([
      agg('top', 'to-top'),
      agg('mid', 'to-mid', [], { 'to-top': 'true' }),
      clusterRole('leaf', [rule(['get'], [''], ['secrets'])], { labels: { 'to-mid': 'true' } }),
      agg('cyc-a', 'to-a', [], { 'to-b': 'true' }),
      agg('cyc-b', 'to-b', [rule(['list'], [''], ['pods'])], { 'to-a': 'true' }),
    ]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'top' })!.rules.map((r) => r.resources), [['secrets']]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'top' })!.origins, [{ kind: 'ClusterRole', name: 'leaf', ruleIndex: 0 }]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'cyc-a' })!.rules.map((r) => r.verbs), [['list']]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'cyc-b' })!.rules.map((r) => r.verbs), [['list']]);
  });

  test('declared rules of an aggregated role: kept in union mode, replaced in controller mode, reported', () => {
    const objs = [agg('a', 'to-a', [rule(['delete'], [''], ['pods'])]), clusterRole('x', [rule(['get'], [''], ['pods'])], { labels: { 'to-a': 'true' } })];
    const union = evaluateFromObjects(objs);
    assert.deepEqual(union.role({ kind: 'ClusterRole', name: 'a' })!.rules.map((r) => r.verbs[0]), ['delete', 'get']);
    assert.ok(union.problems().some((p) => p.code === 'aggregated-role-declares-rules'));
    const ctrl = evaluateFromObjects(objs, { aggregation: 'controller' });
    assert.deepEqual(ctrl.role({ kind: 'ClusterRole', name: 'a' })!.rules.map((r) => r.verbs[0]), ['get']);
  });

  test('an empty selector selects every other ClusterRole; duplicates are folded; self is excluded', () => {
    const e = evaluateFromObjects([
      clusterRole('all', [rule(['get'], [''], ['pods'])], { aggregationRule: { clusterRoleSelectors: [{}] } }),
      clusterRole('p', [rule(['get'], [''], ['pods'])]),
      clusterRole('q', [rule(['list'], [''], ['nodes'])]),
    ]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'all' })!.rules.map((r) => r.verbs[0]), ['get', 'list']);
  });

  test('an invalid selector stops aggregation (the controller errors) and is reported', () => {
    const e = evaluateFromObjects([
      clusterRole('a', [rule(['get'], [''], ['pods'])], { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'k', operator: 'in', values: ['v'] }] }] } }),
      clusterRole('x', [rule(['*'], ['*'], ['*'])], { labels: { k: 'v' } }),
    ]);
    assert.deepEqual(e.role({ kind: 'ClusterRole', name: 'a' })!.rules.map((r) => r.verbs[0]), ['get']);
    assert.ok(e.problems().some((p) => p.code === 'invalid-aggregation-selector'));
  });
});

describe('rulesFor, missing subjects', () => {
  test('rulesFor a service account includes grants to its implied groups, with provenance', () => {
    const e = evaluateFromObjects([
      clusterRole('view', [rule(['get'], [''], ['pods'])]),
      clusterRole('disco', [urlRule(['get'], ['/api', '/api/*'])]),
      clusterRoleBinding('disco', 'disco', [group('system:authenticated')]),
      roleBinding('app', 'view', { kind: 'ClusterRole', name: 'view' }, [sa('runner')]),
      roleBinding('other', 'view', { kind: 'ClusterRole', name: 'view' }, [group('system:serviceaccounts:app')]),
    ]);
    const rf = e.rulesFor({ kind: 'ServiceAccount', namespace: 'app', name: 'runner' });
    assert.deepEqual(rf.clusterWide.map((g) => [g.binding.name, g.subject.name]), [['disco', 'system:authenticated']]);
    assert.deepEqual(Object.keys(rf.namespaces), ['app', 'other']);
    assert.equal(rf.namespaces.app[0].subject.kind, 'ServiceAccount');
    assert.equal(rf.superuser, false);
  });

  test('missingSubjects lists service accounts absent from the input; "default" in a known namespace is auto-created', () => {
    const e = evaluateFromObjects([
      namespace('app'),
      serviceAccount('app', 'present'),
      clusterRole('r', [rule(['get'], [''], ['pods'])]),
      roleBinding('app', 'b', { kind: 'ClusterRole', name: 'r' }, [sa('present'), sa('gone'), sa('default'), sa('x', 'elsewhere')]),
    ]);
    assert.deepEqual(
      e.missingSubjects().map((m) => [m.subject.namespace, m.subject.name, m.namespaceKnown, m.autoCreated]),
      [['app', 'gone', true, false], ['app', 'default', true, true], ['elsewhere', 'x', false, false]],
    );
  });

  test('describeRef', () => {
    assert.equal(describeRef({ kind: 'Role', namespace: 'a', name: 'r' }), 'Role a/r');
  });
});

describe('escalation checks', () => {
  test('escalate on roles: update of the named role is allowed, create is not (the name is empty on create)', () => {
    const e = evaluateFromObjects([
      role('ns1', 'esc', [rule(['create', 'update'], [R], ['roles']), rule(['escalate'], [R], ['roles'], { resourceNames: ['target'] })]),
      roleBinding('ns1', 'esc', { kind: 'Role', name: 'esc' }, [user('u')]),
    ]);
    const big = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] }];
    const upd = e.canWriteRole({ user: 'u' }, { kind: 'Role', namespace: 'ns1', name: 'target', rules: big }, 'update');
    assert.deepEqual([upd.allowed, upd.reason], [true, 'escalate']);
    const cre = e.canWriteRole({ user: 'u' }, { kind: 'Role', namespace: 'ns1', name: 'target', rules: big }, 'create');
    assert.deepEqual([cre.allowed, cre.reason], [false, 'escalation']);
    assert.match(cre.message, /attempting to grant RBAC permissions not currently held/);
  });

  test('an aggregationRule needs full authority even with no rules', () => {
    const e = evaluateFromObjects([
      clusterRole('maker', [rule(['create'], [R], ['clusterroles'])]),
      clusterRoleBinding('maker', 'maker', [user('u')]),
    ]);
    const c = e.canWriteRole({ user: 'u' }, { kind: 'ClusterRole', name: 'x', rules: [], aggregationRule: true });
    assert.deepEqual([c.allowed, c.message], [false, 'must have cluster-admin privileges to use the aggregationRule']);
    assert.equal(e.canWriteRole({ user: 'u' }, { kind: 'ClusterRole', name: 'x', rules: [] }).allowed, true);
  });

  test('coverage counts every rule RulesFor returns, even non-resource rules granted by a RoleBinding (which never authorize)', () => {
    const e = evaluateFromObjects([
      clusterRole('health', [urlRule(['get'], ['/healthz'])]),
      role('ns1', 'binder', [rule(['create'], [R], ['rolebindings'])]),
      roleBinding('ns1', 'binder', { kind: 'Role', name: 'binder' }, [user('u')]),
      roleBinding('ns1', 'health', { kind: 'ClusterRole', name: 'health' }, [user('u')]),
    ]);
    assert.equal(e.authorize({ user: 'u', verb: 'get', path: '/healthz' }).allowed, false);
    const c = e.canWriteBinding({ user: 'u' }, { kind: 'RoleBinding', namespace: 'ns1', roleRef: { apiGroup: R, kind: 'ClusterRole', name: 'health' } });
    assert.deepEqual([c.allowed, c.reason], [true, 'covered']);
  });

  test('a binding to a missing role is refused unless bind is held', () => {
    const e = evaluateFromObjects([
      clusterRole('binder', [rule(['create'], [R], ['clusterrolebindings'])]),
      clusterRoleBinding('binder', 'binder', [user('u')]),
    ]);
    const c = e.canWriteBinding({ user: 'u' }, { kind: 'ClusterRoleBinding', roleRef: { apiGroup: R, kind: 'ClusterRole', name: 'ghost' } });
    assert.deepEqual([c.allowed, c.reason], [false, 'role-not-found']);
  });
});
