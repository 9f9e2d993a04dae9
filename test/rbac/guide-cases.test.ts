// The 25 test cases of /work/shared/guide/rbac-semantics.md ("Test cases"), one named test each.
// Where the guide is underspecified the choice is noted in the test.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFromObjects, covers, type PolicyRule, type ResourceRequest, type NonResourceRequest } from '../../src/analysis/rbac/index.js';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, saUser, urlRule, user } from '../helpers/rbac.js';

const R = 'rbac.authorization.k8s.io';
type Req = Omit<ResourceRequest, 'user'> & { user?: string };
const res = (user: string, verb: string, apiGroup: string, resource: string, more: Partial<ResourceRequest> = {}): ResourceRequest => ({ user, verb, apiGroup, resource, ...more });
const url = (user: string, verb: string, path: string): NonResourceRequest => ({ user, verb, path });
const pr = (p: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...p });

/** One ClusterRole with these rules bound to user "u" by a ClusterRoleBinding. */
function granted(...rules: Parameters<typeof clusterRole>[1] & object) {
  return evaluateFromObjects([clusterRole('r', rules), clusterRoleBinding('b', 'r', [user('u')])]);
}
const can = (e: ReturnType<typeof granted>, req: Req) => e.authorize({ user: 'u', ...req } as ResourceRequest).allowed;
const canUrl = (e: ReturnType<typeof granted>, verb: string, path: string) => e.authorize(url('u', verb, path)).allowed;

describe('RBAC guide test cases', () => {
  test('case 01: ClusterRole */*/* bound by a RoleBinding grants only in the binding namespace', () => {
    const e = evaluateFromObjects([
      clusterRole('all', [rule(['*'], ['*'], ['*'])]),
      roleBinding('ns1', 'admins', { kind: 'ClusterRole', name: 'all' }, [user('admin'), group('admins')]),
    ]);
    const joe = e.authorize({ user: 'joe', groups: ['admins'], verb: 'watch', apiGroup: '', resource: 'foobar', namespace: 'ns1' });
    assert.equal(joe.allowed, true);
    assert.deepEqual(joe.via.map((g) => g.binding), [{ kind: 'RoleBinding', namespace: 'ns1', name: 'admins' }]);
    assert.equal(joe.via[0].subject.kind, 'Group');
    assert.equal(e.authorize(res('admin', 'get', '', 'pods', { namespace: 'ns2' })).allowed, false);
    assert.equal(e.authorize(res('admin', 'get', '', 'nodes')).allowed, false, 'cluster-scoped request: RoleBindings are not consulted');
  });

  test('case 02: nonResourceURL /apis is exact: other verbs and other paths are denied', () => {
    const e = granted(urlRule(['get'], ['/apis']));
    assert.equal(canUrl(e, 'get', '/apis'), true);
    assert.equal(canUrl(e, 'watch', '/apis'), false);
    assert.equal(canUrl(e, 'get', '/api/v1'), false);
  });

  test('case 03: nonResourceURL /apis/* is a prefix match that excludes /apis itself', () => {
    const e = granted(urlRule(['get'], ['/apis/*']));
    assert.equal(canUrl(e, 'get', '/apis/v1/foobar'), true);
    assert.equal(canUrl(e, 'get', '/apis'), false);
  });

  test('case 04: nonResourceURL * matches every path for its verbs; an exact URL does not match below it', () => {
    const star = granted(urlRule(['v1'], ['*']));
    assert.equal(canUrl(star, 'v1', '/foo/bar/one'), true);
    assert.equal(canUrl(star, 'v2', '/foo/bar/one'), false);
    const foo = granted(urlRule(['v1'], ['/foo']));
    assert.equal(canUrl(foo, 'v1', '/foo/bar'), false);
  });

  test('case 05: resource pods does not grant the subresource pods/status', () => {
    const e = granted(rule(['*'], [''], ['pods']));
    assert.equal(can(e, { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'status', namespace: 'x' }), false);
    assert.equal(can(e, { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'x' }), true);
  });

  test('case 06: pods/status and */scale grant those subresources only', () => {
    const e = granted(rule(['get'], ['*'], ['pods/status', '*/scale']));
    assert.equal(can(e, { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' }), true);
    assert.equal(can(e, { verb: 'get', apiGroup: 'g', resource: 'anything', subresource: 'scale', namespace: 'x' }), true);
    assert.equal(can(e, { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'status', namespace: 'x' }), true);
    assert.equal(can(e, { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'x' }), false);
  });

  test('case 07: resources pods/* is not a pattern: it does not grant pods/exec', () => {
    const e = granted(rule(['create'], [''], ['pods/*']));
    assert.equal(can(e, { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'x' }), false);
  });

  test('case 08: resources * grants every subresource, e.g. pods/exec', () => {
    const e = granted(rule(['create'], [''], ['*']));
    assert.equal(can(e, { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'x' }), true);
  });

  test('case 09: apiGroups * matches any group but resources still have to match', () => {
    const e = granted(rule(['get'], ['*'], ['r1']));
    assert.equal(can(e, { verb: 'get', apiGroup: 'g2', resource: 'r1' }), true);
    assert.equal(can(e, { verb: 'get', apiGroup: 'g1', resource: 'r2' }), false);
  });

  test('case 10: verbs x apiGroups x resources: every combination is granted', () => {
    const e = granted(rule(['v1', 'v2'], ['g1', 'g2'], ['r1', 'r2']));
    for (const verb of ['v1', 'v2']) for (const g of ['g1', 'g2']) for (const r of ['r1', 'r2']) {
      assert.equal(can(e, { verb, apiGroup: g, resource: r }), true, `${verb} ${g}/${r}`);
    }
  });

  test('case 11: deployments under the core group does not match deployments.apps', () => {
    const e = granted(rule(['create'], [''], ['deployments']));
    assert.equal(can(e, { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'x' }), false);
    assert.equal(can(e, { verb: 'create', apiGroup: '', resource: 'deployments', namespace: 'x' }), true);
  });

  test('case 12: verbs are case-sensitive (GET does not grant get)', () => {
    const e = granted(rule(['GET'], [''], ['pods']));
    assert.equal(can(e, { verb: 'get', apiGroup: '', resource: 'pods' }), false);
  });

  test('case 13: resourceNames never match requests without a name (list, create, deletecollection)', () => {
    // The guide writes the rule as {get, configmaps, resourceNames [a]} yet expects "list name=a" to be
    // allowed, which needs the list verb: the rule here carries every verb asked about.
    const e = granted(rule(['get', 'list', 'watch', 'create', 'deletecollection'], [''], ['configmaps'], { resourceNames: ['a'] }));
    const cm = { apiGroup: '', resource: 'configmaps', namespace: 'x' };
    assert.equal(can(e, { ...cm, verb: 'get', name: 'a' }), true);
    assert.equal(can(e, { ...cm, verb: 'get', name: 'b' }), false);
    assert.equal(can(e, { ...cm, verb: 'list' }), false);
    assert.equal(can(e, { ...cm, verb: 'list', name: 'a' }), true, 'list with fieldSelector metadata.name=a carries name a');
    assert.equal(can(e, { ...cm, verb: 'create' }), false);
    assert.equal(can(e, { ...cm, verb: 'deletecollection' }), false);
    // With the guide's literal rule {get}: list by name is denied by the verb.
    const literal = granted(rule(['get'], [''], ['configmaps'], { resourceNames: ['a'] }));
    assert.equal(can(literal, { ...cm, verb: 'list', name: 'a' }), false);
  });

  test('case 14: a nonResourceURL rule bound only by a RoleBinding grants nothing', () => {
    const e = evaluateFromObjects([clusterRole('health', [urlRule(['get'], ['/healthz'])]), roleBinding('ns1', 'b', { kind: 'ClusterRole', name: 'health' }, [user('u')])]);
    assert.equal(e.authorize(url('u', 'get', '/healthz')).allowed, false);
  });

  test('case 15: roleRef kind Role resolves in the binding namespace only', () => {
    const e = evaluateFromObjects([
      role('ns-a', 'r', [rule(['get'], [''], ['pods'])]),
      role('ns-b', 'r', [rule(['get'], [''], ['secrets'])]),
      roleBinding('ns-a', 'b', { kind: 'Role', name: 'r' }, [user('u')]),
    ]);
    const d = e.authorize(res('u', 'get', '', 'pods', { namespace: 'ns-a' }));
    assert.equal(d.allowed, true);
    assert.deepEqual(d.via[0].role, { kind: 'Role', namespace: 'ns-a', name: 'r' });
    assert.equal(e.authorize(res('u', 'get', '', 'secrets', { namespace: 'ns-a' })).allowed, false);
    assert.equal(e.authorize(res('u', 'get', '', 'secrets', { namespace: 'ns-b' })).allowed, false);
  });

  test('case 16: a roleRef to a missing role grants nothing and is reported as dangling', () => {
    const e = evaluateFromObjects([
      clusterRoleBinding('crb', 'ghost', [user('u')]),
      roleBinding('ns1', 'rb', { kind: 'Role', name: 'missing' }, [user('u')]),
    ]);
    const d = e.authorize(res('u', 'get', '', 'pods', { namespace: 'ns1' }));
    assert.equal(d.allowed, false);
    assert.deepEqual(d.errors, [`clusterrole.${R} "ghost" not found`, `role.${R} "missing" not found`]);
    assert.deepEqual(e.danglingRefs().map((x) => x.missing), [
      { kind: 'ClusterRole', name: 'ghost' },
      { kind: 'Role', namespace: 'ns1', name: 'missing' },
    ]);
    assert.equal(e.problems().filter((p) => p.code === 'dangling-role-ref').length, 2);
  });

  test('case 17: a ServiceAccount subject without namespace is the RoleBinding namespace SA, and nobody in a ClusterRoleBinding', () => {
    const e = evaluateFromObjects([
      clusterRole('reader', [rule(['get'], [''], ['pods'])]),
      roleBinding('ns1', 'rb', { kind: 'ClusterRole', name: 'reader' }, [sa('x')]),
      clusterRole('lister', [rule(['list'], [''], ['pods'])]),
      clusterRoleBinding('crb', 'lister', [sa('x')]),
    ]);
    assert.equal(e.authorize(res(saUser('ns1', 'x'), 'get', '', 'pods', { namespace: 'ns1' })).allowed, true);
    assert.equal(e.authorize(res(saUser('ns2', 'x'), 'get', '', 'pods', { namespace: 'ns2' })).allowed, false);
    for (const ns of ['ns1', 'default', '']) {
      assert.equal(e.authorize(res(saUser(ns || 'default', 'x'), 'list', '', 'pods', { namespace: ns || undefined })).allowed, false);
    }
    assert.ok(e.problems().some((p) => p.code === 'sa-subject-without-namespace'));
  });

  test('case 18: a RoleBinding naming a ServiceAccount of another namespace grants in the binding namespace only', () => {
    const e = evaluateFromObjects([
      clusterRole('reader', [rule(['get'], [''], ['pods'])]),
      roleBinding('default', 'rb', { kind: 'ClusterRole', name: 'reader' }, [sa('default', 'kube-system')]),
    ]);
    const who = saUser('kube-system', 'default');
    assert.equal(e.authorize(res(who, 'get', '', 'pods', { namespace: 'default' })).allowed, true);
    assert.equal(e.authorize(res(who, 'get', '', 'pods', { namespace: 'kube-system' })).allowed, false);
    assert.equal(e.authorize(res(saUser('default', 'default'), 'get', '', 'pods', { namespace: 'default' })).allowed, false);
  });

  test('case 19: a User subject named * is a literal name, not a wildcard', () => {
    const e = evaluateFromObjects([clusterRole('r', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [user('*')])]);
    assert.equal(e.authorize(res('foobar', 'get', '', 'pods')).allowed, false);
    assert.equal(e.authorize(res('*', 'get', '', 'pods')).allowed, true);
  });

  test('case 20: group system:serviceaccounts:qa covers the service accounts of qa only', () => {
    const e = evaluateFromObjects([clusterRole('r', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('b', 'r', [group('system:serviceaccounts:qa')])]);
    assert.equal(e.authorize(res(saUser('qa', 'x'), 'get', '', 'pods', { namespace: 'qa' })).allowed, true);
    assert.equal(e.authorize(res(saUser('dev', 'x'), 'get', '', 'pods', { namespace: 'qa' })).allowed, false);
  });

  test('case 21: system:anonymous is covered by system:unauthenticated, not system:authenticated', () => {
    const e = evaluateFromObjects([
      clusterRole('r', [rule(['get'], [''], ['pods'])]),
      clusterRoleBinding('authn', 'r', [group('system:authenticated')]),
      clusterRoleBinding('unauthn', 'r', [group('system:unauthenticated')]),
    ]);
    const anon = e.authorize(res('system:anonymous', 'get', '', 'pods'));
    assert.equal(anon.allowed, true);
    assert.deepEqual(anon.via.map((g) => g.binding.name), ['unauthn']);
    assert.deepEqual(anon.identity.groups, ['system:unauthenticated']);
    const alice = e.authorize(res('alice', 'get', '', 'pods'));
    assert.deepEqual(alice.via.map((g) => g.binding.name), ['authn']);
  });

  test('case 22: system:masters is allowed everything with no binding and skips the escalation checks', () => {
    const e = evaluateFromObjects([clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])])]);
    const root = { user: 'root', groups: ['system:masters'] };
    for (const req of [
      { ...root, verb: 'delete', apiGroup: '', resource: 'nodes', name: 'n1' },
      { ...root, verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'kube-system', name: 'p' },
      { ...root, verb: 'get', path: '/metrics' },
    ]) {
      const d = e.authorize(req);
      assert.equal(d.allowed, true);
      assert.equal(d.superuser, true);
      assert.deepEqual(d.via, [], 'not an RBAC grant');
      assert.match(d.reason, /system:masters/);
    }
    const r = e.canWriteRole(root, { kind: 'ClusterRole', name: 'x', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] }], aggregationRule: true });
    assert.deepEqual([r.allowed, r.reason], [true, 'superuser']);
    const b = e.canWriteBinding(root, { kind: 'ClusterRoleBinding', roleRef: { apiGroup: R, kind: 'ClusterRole', name: 'cluster-admin' } });
    assert.deepEqual([b.allowed, b.reason], [true, 'superuser']);
  });

  test('case 23: an aggregated ClusterRole with rules: [] gets the union of the selected roles', () => {
    const e = evaluateFromObjects([
      clusterRole('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-agg': 'true' } }] } }),
      clusterRole('cr-a', [rule(['get'], [''], ['pods'])], { labels: { 'rbac.example.com/aggregate-to-agg': 'true' } }),
      clusterRole('cr-b', [rule(['create'], [''], ['pods'])], { labels: { 'rbac.example.com/aggregate-to-agg': 'true' } }),
      clusterRole('cr-c', [rule(['delete'], [''], ['pods'])]),
      clusterRoleBinding('b', 'agg', [user('u')]),
    ]);
    const agg = e.role({ kind: 'ClusterRole', name: 'agg' })!;
    assert.deepEqual(agg.rules.map((r) => r.verbs), [['get'], ['create']]);
    assert.equal(e.authorize(res('u', 'get', '', 'pods')).allowed, true);
    const c = e.authorize(res('u', 'create', '', 'pods'));
    assert.equal(c.allowed, true);
    assert.deepEqual(c.via[0].aggregatedFrom, { kind: 'ClusterRole', name: 'cr-b', ruleIndex: 0 });
    assert.equal(e.authorize(res('u', 'delete', '', 'pods')).allowed, false);
  });

  test('case 24: create rolebindings + bind on clusterroles [view] in ns1 allows binding view in ns1 only', () => {
    const objs = [
      clusterRole('view', [rule(['get', 'list', 'watch'], [''], ['pods', 'configmaps'])]),
      clusterRole('edit', [rule(['*'], [''], ['pods', 'configmaps', 'secrets'])]),
      role('ns1', 'binder', [rule(['create'], [R], ['rolebindings']), rule(['bind'], [R], ['clusterroles'], { resourceNames: ['view'] })]),
      roleBinding('ns1', 'binder', { kind: 'Role', name: 'binder' }, [user('u')]),
    ];
    const e = evaluateFromObjects(objs);
    const to = (name: string, ns: string) => e.canWriteBinding({ user: 'u' }, { kind: 'RoleBinding', namespace: ns, roleRef: { apiGroup: R, kind: 'ClusterRole', name } });
    assert.deepEqual([to('view', 'ns1').allowed, to('view', 'ns1').reason], [true, 'bind']);
    const edit = to('edit', 'ns1');
    assert.deepEqual([edit.allowed, edit.reason], [false, 'escalation']);
    assert.ok(edit.missing.some((m) => m.resources[0] === 'secrets'));
    assert.deepEqual([to('view', 'ns2').allowed, to('view', 'ns2').reason], [false, 'not-authorized']);
    // "unless already covering edit": holding edit's rules in ns1 makes the binding allowed.
    const e2 = evaluateFromObjects([...objs, roleBinding('ns1', 'has-edit', { kind: 'ClusterRole', name: 'edit' }, [user('u')])]);
    const edit2 = e2.canWriteBinding({ user: 'u' }, { kind: 'RoleBinding', namespace: 'ns1', roleRef: { apiGroup: R, kind: 'ClusterRole', name: 'edit' } });
    assert.deepEqual([edit2.allowed, edit2.reason], [true, 'covered']);
  });

  test('case 25: coverage is syntactic (verbs vs *, resourceNames vs unnamed, /apis/* vs /apis, */scale vs foo/scale)', () => {
    const explicitVerbs = pr({ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: [''], resources: ['pods'] });
    assert.equal(covers([explicitVerbs], [pr({ verbs: ['*'], apiGroups: [''], resources: ['pods'] })]).covered, false);
    const named = pr({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['foo', 'bar'] });
    assert.equal(covers([named], [pr({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] })]).covered, false);
    assert.equal(covers([named], [pr({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['foo'] })]).covered, true);
    assert.equal(covers([pr({ verbs: ['get'], nonResourceURLs: ['/apis/*'] })], [pr({ verbs: ['get'], nonResourceURLs: ['/apis'] })]).covered, false);
    assert.equal(covers([pr({ verbs: ['get'], nonResourceURLs: ['/apis/*'] })], [pr({ verbs: ['get'], nonResourceURLs: ['/apis/v1'] })]).covered, true);
    assert.equal(covers([pr({ verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] })], [pr({ verbs: ['get'], apiGroups: ['apps'], resources: ['foo/scale'] })]).covered, true);
  });
});
