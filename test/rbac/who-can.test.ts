// who-can: indexed lookups, checked by hand and against authorize() on random clusters.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFromObjects, type ResourceQuery, type SubjectRef } from '../../src/analysis/rbac/index.js';
import type { KubeObject } from '../../src/core/types.js';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, saUser, urlRule, user, type Subj } from '../helpers/rbac.js';
import { mulberry32 } from '../helpers/prng.js';

const names = (r: ReturnType<ReturnType<typeof evaluateFromObjects>['whoCan']>) =>
  r.subjects.map((s) => `${s.kind}:${s.namespace ? `${s.namespace}/` : ''}${s.name}`);

describe('who-can', () => {
  const e = evaluateFromObjects([
    clusterRole('admin', [rule(['*'], ['*'], ['*'])]),
    clusterRole('exec', [rule(['create'], [''], ['pods/exec'])]),
    clusterRole('scale', [rule(['update'], ['*'], ['*/scale'])]),
    clusterRole('one-cm', [rule(['get', 'update'], [''], ['configmaps'], { resourceNames: ['aws-auth'] })]),
    clusterRole('metrics', [urlRule(['get'], ['/metrics'])]),
    role('ns1', 'local', [rule(['create'], [''], ['pods/exec'])]),
    clusterRoleBinding('admins', 'admin', [group('ops'), user('root')]),
    clusterRoleBinding('sa-no-ns', 'exec', [sa('lost')]),
    clusterRoleBinding('metrics', 'metrics', [sa('prom', 'monitoring')]),
    roleBinding('ns1', 'exec', { kind: 'ClusterRole', name: 'exec' }, [sa('debugger'), user('dev')]),
    roleBinding('ns1', 'local', { kind: 'Role', name: 'local' }, [user('dev')]),
    roleBinding('ns2', 'exec', { kind: 'ClusterRole', name: 'exec' }, [user('dev2')]),
    roleBinding('kube-system', 'aws-auth', { kind: 'ClusterRole', name: 'one-cm' }, [group('eks-editors')]),
    roleBinding('ns1', 'scale', { kind: 'ClusterRole', name: 'scale' }, [sa('hpa', 'kube-system')]),
  ]);
  const exec: ResourceQuery = { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec' };

  test('RoleBindings count only in their namespace; ClusterRoleBindings everywhere; system:masters is listed as superuser', () => {
    assert.deepEqual(names(e.whoCan({ ...exec, namespace: 'ns1' })), ['User:dev', 'User:root', 'Group:ops', 'Group:system:masters', 'ServiceAccount:ns1/debugger']);
    assert.deepEqual(names(e.whoCan({ ...exec })), ['User:root', 'Group:ops', 'Group:system:masters']);
    const dev = e.whoCan({ ...exec, namespace: 'ns1' }).subjects.find((s) => s.name === 'dev')!;
    assert.deepEqual(dev.via.map((v) => [v.binding.name, v.role.kind, v.scope]), [['exec', 'ClusterRole', 'ns1'], ['local', 'Role', 'ns1']]);
    const masters = e.whoCan({ ...exec }).subjects.find((s) => s.name === 'system:masters')!;
    assert.equal(masters.superuser, true);
    assert.deepEqual(names(e.whoCan({ ...exec }, { includeSuperuser: false })), ['User:root', 'Group:ops']);
  });

  test('allNamespaces counts every RoleBinding, each via its namespace', () => {
    const r = e.whoCan({ ...exec, allNamespaces: true }, { includeSuperuser: false });
    assert.deepEqual(names(r), ['User:dev', 'User:dev2', 'User:root', 'Group:ops', 'ServiceAccount:ns1/debugger']);
  });

  test('positional form splits resource/subresource', () => {
    assert.deepEqual(names(e.whoCan('create', 'pods/exec', undefined, 'ns2')), ['User:dev2', 'User:root', 'Group:ops', 'Group:system:masters']);
  });

  test('resourceNames: named queries match, unnamed ones do not', () => {
    const q = { verb: 'update', apiGroup: '', resource: 'configmaps', namespace: 'kube-system' };
    assert.ok(names(e.whoCan({ ...q, name: 'aws-auth' })).includes('Group:eks-editors'));
    assert.ok(!names(e.whoCan(q)).includes('Group:eks-editors'));
    assert.ok(!names(e.whoCan({ ...q, name: 'coredns' })).includes('Group:eks-editors'));
  });

  test('*/scale, and service accounts of other namespaces bound in a RoleBinding', () => {
    const r = e.whoCan({ verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns1' }, { includeSuperuser: false });
    assert.deepEqual(names(r), ['User:root', 'Group:ops', 'ServiceAccount:kube-system/hpa']);
  });

  test('non-resource URLs: only nonResourceURLs rules, only through ClusterRoleBindings (resources * does not cover URLs)', () => {
    assert.deepEqual(names(e.whoCan({ verb: 'get', path: '/metrics' }, { includeSuperuser: false })), ['ServiceAccount:monitoring/prom']);
    const e2 = evaluateFromObjects([
      clusterRole('m', [urlRule(['get'], ['/metrics'])]),
      roleBinding('ns1', 'm', { kind: 'ClusterRole', name: 'm' }, [user('in-ns')]),
      clusterRoleBinding('m', 'm', [user('cluster')]),
    ]);
    assert.deepEqual(names(e2.whoCan({ verb: 'get', path: '/metrics' }, { includeSuperuser: false })), ['User:cluster']);
  });

  test('a ServiceAccount subject without namespace in a ClusterRoleBinding is nobody', () => {
    assert.ok(!names(e.whoCan({ ...exec, allNamespaces: true })).some((n) => n.includes('lost')));
  });
});

// ------------------------------------------------------------------ who-can == authorize on random clusters
describe('who-can agrees with authorize', () => {
  test('on 30 random clusters, the subjects who-can lists are exactly those authorize allows', () => {
    const VERBS = ['get', 'list', 'create', 'delete', '*', 'GET'];
    const GROUPS = ['', 'apps', '*', 'batch'];
    const RES = ['pods', 'pods/exec', '*/exec', '*', 'deployments', 'pods/*', 'secrets', '*/scale', 'deployments/scale'];
    const NAMES = ['a', 'b', ''];
    const NSS = ['n1', 'n2', 'n3'];
    const USERS = ['alice', 'bob', '*'];
    const GRPS = ['devs', 'system:authenticated', 'system:serviceaccounts:n1'];
    const SAS = [['n1', 'x'], ['n2', 'x'], ['n1', 'y']];
    let allowedCount = 0;
    let total = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const rnd = mulberry32(seed);
      const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      const some = <T,>(xs: readonly T[], max = 2): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(xs)))];
      const randRule = () => rule(some(VERBS), some(GROUPS), some(RES), rnd() < 0.25 ? { resourceNames: some(NAMES) } : {});
      const randSubj = (): Subj => {
        const k = rnd();
        if (k < 0.3) return user(pick(USERS));
        if (k < 0.6) return group(pick(GRPS));
        const [ns, n] = pick(SAS);
        return rnd() < 0.3 ? sa(n) : sa(n, ns);
      };
      const objs: KubeObject[] = [];
      for (let i = 0; i < 6; i++) objs.push(clusterRole(`cr${i}`, [randRule(), randRule()]));
      for (const ns of NSS) objs.push(role(ns, 'r', [randRule()]));
      for (let i = 0; i < 5; i++) objs.push(clusterRoleBinding(`crb${i}`, `cr${Math.floor(rnd() * 7)}`, some([0, 1, 2].map(randSubj), 2)));
      for (let i = 0; i < 8; i++) {
        const ref = rnd() < 0.5 ? { kind: 'Role', name: 'r' } : { kind: 'ClusterRole', name: `cr${Math.floor(rnd() * 7)}` };
        objs.push(roleBinding(pick(NSS), `rb${i}`, ref, some([0, 1, 2].map(randSubj), 3)));
      }
      const ev = evaluateFromObjects(objs);
      const universe: SubjectRef[] = [
        ...USERS.map((name) => ({ kind: 'User' as const, name })),
        ...GRPS.map((name) => ({ kind: 'Group' as const, name })),
        ...SAS.map(([namespace, name]) => ({ kind: 'ServiceAccount' as const, namespace, name })),
      ];
      for (let qi = 0; qi < 40; qi++) {
        const [resource, subresource] = pick(['pods', 'pods/exec', 'deployments', 'deployments/scale', 'secrets', 'foo/exec']).split('/');
        const q: ResourceQuery = {
          verb: pick(['get', 'list', 'create', 'delete']),
          apiGroup: pick(['', 'apps', 'batch']),
          resource,
          ...(subresource ? { subresource } : {}),
          ...(rnd() < 0.5 ? { name: pick(['a', 'b']) } : {}),
          ...(rnd() < 0.8 ? { namespace: pick(NSS) } : {}),
        };
        const listed = new Set(names(ev.whoCan(q, { includeSuperuser: false })));
        for (const s of universe) {
          const id = s.kind === 'Group' ? { groups: [s.name] } : { user: s.kind === 'User' ? s.name : saUser(s.namespace!, s.name) };
          const allowed = ev.authorize({ ...id, ...q }, { exactGroups: true }).allowed;
          total++;
          if (allowed) allowedCount++;
          const key = `${s.kind}:${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
          assert.equal(listed.has(key), allowed, `seed ${seed} ${JSON.stringify(q)} ${key}`);
        }
      }
    }
    // Not vacuous: a fair share of both answers.
    assert.ok(allowedCount > total * 0.05 && allowedCount < total * 0.95, `${allowedCount} of ${total} allowed`);
  });
});

describe('who-can positional form', () => {
  test('resolves built-in groups like kubectl (deployments -> apps) and res.group/sub', () => {
    const e = evaluateFromObjects([
      clusterRole('d', [rule(['update'], ['apps'], ['deployments', 'deployments/scale'])]),
      clusterRole('w', [rule(['get'], ['example.com'], ['widgets/status'])]),
      clusterRoleBinding('d', 'd', [user('deployer')]),
      clusterRoleBinding('w', 'w', [user('widgeter')]),
    ]);
    assert.deepEqual(names(e.whoCan('update', 'deployments', undefined, undefined, { includeSuperuser: false })), ['User:deployer']);
    assert.deepEqual(names(e.whoCan('update', 'deployments.apps/scale', undefined, 'x', { includeSuperuser: false })), ['User:deployer']);
    assert.deepEqual(names(e.whoCan('get', 'widgets.example.com/status', undefined, undefined, { includeSuperuser: false })), ['User:widgeter']);
  });
});
