// The technique catalogue evaluated with exact semantics (src/analysis/rbac/techniques.ts, risk.ts):
// which subject holds which risky permission, where, and through what.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateFromObjects,
  riskFor,
  matchAtoms,
  ruleAllows,
  ATOMS,
  TECHNIQUES,
  scopeText,
  actionText,
  holdingSeverity,
  holdingChain,
  coveredByFull,
  platformOfUser,
  platformOfName,
  BOOTSTRAP_CLUSTER_ROLES,
  type Holding,
  type PolicyRule,
} from '../../src/analysis/rbac/index.js';
import type { KubeObject } from '../../src/core/types.js';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, saUser, user } from '../helpers/rbac.js';
import { mulberry32 } from '../helpers/prng.js';

const R = 'rbac.authorization.k8s.io';
const pr = (p: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...p });
const atomIds = (r: PolicyRule) => matchAtoms(r).map((m) => ATOMS[m.atom].id);

/** "technique@scope" of what a user holds through its own bindings. */
function held(objects: KubeObject[], key: string, opts: { builtinRoles?: boolean } = {}): string[] {
  const risk = riskFor(evaluateFromObjects(objects, opts));
  return risk.directHoldings(key).map((h) => `${h.technique.id}@${h.scope || '*'}`);
}

describe('atoms: exact rule matching', () => {
  test('pods/* is not a pattern; */exec and * are', () => {
    assert.ok(!atomIds(pr({ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] })).includes('exec-attach'));
    assert.ok(!atomIds(pr({ verbs: ['*'], apiGroups: [''], resources: ['pods'] })).includes('exec-attach'));
    assert.ok(atomIds(pr({ verbs: ['create'], apiGroups: [''], resources: ['*/exec'] })).includes('exec-attach'));
    assert.ok(atomIds(pr({ verbs: ['create'], apiGroups: [''], resources: ['*'] })).includes('exec-attach'));
  });

  test('API groups are compared: deployments in the core group create nothing', () => {
    assert.ok(!atomIds(pr({ verbs: ['create'], apiGroups: [''], resources: ['deployments'] })).includes('create-controllers'));
    assert.ok(atomIds(pr({ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] })).includes('create-controllers'));
    assert.ok(atomIds(pr({ verbs: ['create'], apiGroups: ['*'], resources: ['deployments'] })).includes('create-controllers'));
  });

  test('resourceNames: create and list never match; named grants are kept with their names', () => {
    assert.deepEqual(atomIds(pr({ verbs: ['create'], apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['x'] })), []);
    assert.ok(!atomIds(pr({ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] })).includes('read-secrets'));
    const exec = matchAtoms(pr({ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'], resourceNames: ['web-0'] }));
    assert.deepEqual(exec.map((m) => [ATOMS[m.atom].id, m.names]), [['exec-attach', ['web-0']]]);
    // A named atom (aws-auth) matches a rule naming it, or a rule without names; not another name.
    assert.ok(atomIds(pr({ verbs: ['patch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['aws-auth'] })).includes('update-aws-auth'));
    assert.ok(!atomIds(pr({ verbs: ['patch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['coredns'] })).includes('update-aws-auth'));
  });

  test('matchAtoms grants exactly what the authorizer (ruleAllows) allows, for random rules', () => {
    // matchAtoms checks each atom's verbs and targets without making a request per pair: it must
    // stay the same answer as ruleAllows on those requests.
    const r = mulberry32(11);
    const some = <T>(xs: readonly T[]): T[] => xs.filter(() => r() < 0.25);
    const verbs = [...new Set(ATOMS.flatMap((a) => a.verbs)), '*', 'list', 'watch', 'GET'];
    const groups = [...new Set(ATOMS.flatMap((a) => a.targets.map((t) => t.apiGroup))), '*', 'extensions'];
    const resources = [...new Set(ATOMS.flatMap((a) => a.targets.map((t) => (t.subresource ? `${t.resource}/${t.subresource}` : t.resource)))), '*', '*/exec', '*/status', 'pods/*', 'configmaps'];
    const names = ['aws-auth', 'web-0', 'coredns', ''];
    let granted = 0;
    for (let n = 0; n < 3000; n++) {
      const rule = pr({ verbs: some(verbs), apiGroups: some(groups), resources: some(resources), resourceNames: r() < 0.3 ? some(names) : [] });
      const got = new Map(matchAtoms(rule).map((m) => [m.atom, m]));
      ATOMS.forEach((a, i) => {
        const restricted = rule.resourceNames.length > 0;
        const name = a.mode === 'named' ? a.name! : a.mode === 'any-name' && restricted ? rule.resourceNames[0] : '';
        const allowed =
          a.mode === 'unnamed' && restricted
            ? 0
            : a.verbs.flatMap((verb) => a.targets.map((t) => ({ verb, apiGroup: t.apiGroup, resource: t.resource, subresource: t.subresource, name }))).filter((req) => ruleAllows(req, rule)).length;
        assert.equal(got.get(i)?.matched.length ?? 0, allowed, `${a.id} for ${JSON.stringify(rule)}`);
        if (allowed > 0) granted++;
      });
    }
    assert.ok(granted > 1000, `${granted} grants compared`);
  });

  test('verbs are case-sensitive; * on * on * is the full atom only without resourceNames', () => {
    assert.deepEqual(atomIds(pr({ verbs: ['GET', 'LIST'], apiGroups: [''], resources: ['secrets'] })), []);
    assert.ok(atomIds(pr({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).includes('full'));
    assert.ok(!atomIds(pr({ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: ['a'] })).includes('full'));
    assert.ok(!atomIds(pr({ verbs: ['*'], apiGroups: [''], resources: ['*'] })).includes('full'));
  });

  test('every technique variant names existing atoms, and every technique has a rule id', () => {
    const ids = new Set(ATOMS.map((a) => a.id));
    for (const t of TECHNIQUES) {
      assert.match(t.ruleId, /^rbac-[a-z-]+$/);
      for (const v of t.variants) for (const a of v.atoms) assert.ok(ids.has(a.atom), `${t.id}: ${a.atom}`);
    }
  });
});

describe('holdings: scopes and bindings', () => {
  test('a RoleBinding grants only in its namespace; a ClusterRoleBinding everywhere', () => {
    const objs = [
      clusterRole('reader', [rule(['list'], [''], ['secrets'])]),
      roleBinding('ns1', 'rb', { kind: 'ClusterRole', name: 'reader' }, [user('alice')]),
      clusterRoleBinding('crb', 'reader', [user('bob')]),
    ];
    assert.deepEqual(held(objs, 'u:alice'), ['read-secrets@ns1']);
    assert.deepEqual(held(objs, 'u:bob'), ['read-secrets@*']);
  });

  test('cluster-scoped resources are never granted through a RoleBinding (nodes/proxy, PVs, webhooks, impersonating users)', () => {
    const objs = [
      clusterRole('all-cluster', [
        rule(['get'], [''], ['nodes/proxy']),
        rule(['create'], [''], ['persistentvolumes']),
        rule(['create'], ['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations']),
        rule(['impersonate'], [''], ['users', 'groups']),
      ]),
      roleBinding('ns1', 'rb', { kind: 'ClusterRole', name: 'all-cluster' }, [user('alice')]),
      clusterRoleBinding('crb', 'all-cluster', [user('bob')]),
    ];
    assert.deepEqual(held(objs, 'u:alice'), []);
    assert.deepEqual(held(objs, 'u:bob').sort(), ['impersonate@*', 'nodes-proxy@*', 'pv-create@*', 'webhook-config@*']);
  });

  test('impersonating service accounts is namespaced: a RoleBinding grants it there', () => {
    const objs = [role('ns1', 'imp', [rule(['impersonate'], [''], ['serviceaccounts'])]), roleBinding('ns1', 'rb', { kind: 'Role', name: 'imp' }, [user('alice')])];
    assert.deepEqual(held(objs, 'u:alice'), ['impersonate@ns1']);
  });

  test('combinations across bindings: delete pods in a namespace + patch nodes cluster-wide', () => {
    const objs = [
      role('ns1', 'killer', [rule(['delete'], [''], ['pods'])]),
      roleBinding('ns1', 'killer', { kind: 'Role', name: 'killer' }, [user('alice')]),
      clusterRole('cordon', [rule(['patch'], [''], ['nodes'])]),
      clusterRoleBinding('cordon', 'cordon', [user('alice')]),
    ];
    const risk = riskFor(evaluateFromObjects(objs));
    const h = risk.directHoldings('u:alice').find((x) => x.technique.id === 'pod-theft')!;
    assert.equal(h.scope, 'ns1');
    assert.equal(holdingChain(h, 'u:alice'), 'RoleBinding ns1/killer -> Role ns1/killer, ClusterRoleBinding cordon -> ClusterRole cordon');
    // patch nodes through a RoleBinding is inert: no theft
    const inert = [objs[0], objs[1], objs[2], roleBinding('ns1', 'cordon', { kind: 'ClusterRole', name: 'cordon' }, [user('alice')])];
    assert.ok(!held(inert, 'u:alice').some((x) => x.startsWith('pod-theft')));
  });

  test('bind needs create/update of bindings too; the bind check of a RoleBinding is made in its namespace', () => {
    const bindOnly = [clusterRole('b', [rule(['bind'], [R], ['clusterroles'])]), clusterRoleBinding('b', 'b', [user('u')])];
    assert.deepEqual(held(bindOnly, 'u:u'), []);
    const rbWriter = [
      clusterRole('b', [rule(['bind'], [R], ['clusterroles']), rule(['create'], [R], ['rolebindings'])]),
      roleBinding('ns1', 'b', { kind: 'ClusterRole', name: 'b' }, [user('u')]),
    ];
    assert.deepEqual(held(rbWriter, 'u:u'), ['bind-escalate@ns1']);
    const createOnly = [clusterRole('c', [rule(['create', 'update'], [R], ['rolebindings', 'clusterrolebindings'])]), clusterRoleBinding('c', 'c', [user('u')])];
    assert.deepEqual(held(createOnly, 'u:u'), []);
  });

  test('aws-auth and coredns are kube-system only, and honour resourceNames', () => {
    const objs = [
      clusterRole('cm', [rule(['patch'], [''], ['configmaps'], { resourceNames: ['aws-auth'] })]),
      roleBinding('default', 'cm', { kind: 'ClusterRole', name: 'cm' }, [user('in-default')]),
      roleBinding('kube-system', 'cm', { kind: 'ClusterRole', name: 'cm' }, [user('in-ks')]),
    ];
    assert.deepEqual(held(objs, 'u:in-default'), []);
    assert.deepEqual(held(objs, 'u:in-ks'), ['aws-auth@kube-system']);
  });

  test('CSR approval needs all three permissions', () => {
    const c = 'certificates.k8s.io';
    const two = [clusterRole('x', [rule(['create'], [c], ['certificatesigningrequests']), rule(['update'], [c], ['certificatesigningrequests/approval'])]), clusterRoleBinding('x', 'x', [user('u')])];
    assert.deepEqual(held(two, 'u:u'), []);
    const three = [clusterRole('x', [rule(['create'], [c], ['certificatesigningrequests']), rule(['update'], [c], ['certificatesigningrequests/approval']), rule(['approve'], [c], ['signers'], { resourceNames: ['kubernetes.io/kube-apiserver-client'] })]), clusterRoleBinding('x', 'x', [user('u')])];
    const risk = riskFor(evaluateFromObjects(three));
    const h = risk.directHoldings('u:u')[0];
    assert.equal(h.technique.id, 'csr-approve');
    assert.equal(h.restricted, true);
    assert.equal(holdingSeverity(h), 'critical', 'a signer restriction does not lower CSR approval');
  });

  test('service accounts hold their groups\' grants (effective), not only their own (direct)', () => {
    const objs = [
      clusterRole('reader', [rule(['list'], [''], ['secrets'])]),
      roleBinding('ns1', 'all-sas', { kind: 'ClusterRole', name: 'reader' }, [group('system:serviceaccounts:ns1')]),
    ];
    const risk = riskFor(evaluateFromObjects(objs));
    assert.deepEqual(risk.directHoldings(`u:${saUser('ns1', 'app')}`), []);
    const eff = risk.effective(saUser('ns1', 'app')).holdings;
    assert.deepEqual(eff.map((h) => `${h.technique.id}@${h.scope}`), ['read-secrets@ns1']);
    assert.match(holdingChain(eff[0], `u:${saUser('ns1', 'app')}`), /as member of Group system:serviceaccounts:ns1/);
    assert.deepEqual(risk.effective(saUser('ns2', 'app')).holdings, []);
  });

  test('severity: cluster-wide > namespace > name-restricted; kube-system counts as cluster-wide; platform is info', () => {
    const objs = [
      clusterRole('reader', [rule(['list'], [''], ['secrets'])]),
      clusterRole('exec-one', [rule(['create'], [''], ['pods/exec'], { resourceNames: ['web-0'] })]),
      clusterRoleBinding('c', 'reader', [user('cw')]),
      roleBinding('ns1', 'n', { kind: 'ClusterRole', name: 'reader' }, [user('ns')]),
      roleBinding('kube-system', 'k', { kind: 'ClusterRole', name: 'reader' }, [user('ks')]),
      roleBinding('ns1', 'e', { kind: 'ClusterRole', name: 'exec-one' }, [user('one')]),
      clusterRoleBinding('eks:reader', 'reader', [user('eks:addon')]),
    ];
    const risk = riskFor(evaluateFromObjects(objs));
    const sev = (k: string) => risk.directHoldings(k).map(holdingSeverity);
    assert.deepEqual(sev('u:cw'), ['critical']);
    assert.deepEqual(sev('u:ns'), ['high']);
    assert.deepEqual(sev('u:ks'), ['critical']);
    assert.deepEqual(sev('u:one'), ['low'], 'pod-exec is high; one step lower in a namespace, one more for named pods only');
    assert.deepEqual(sev('u:eks:addon'), ['info']);
  });

  test('messages: scope and restriction texts', () => {
    const objs = [
      clusterRole('exec-one', [rule(['create'], [''], ['pods/exec'], { resourceNames: ['web-0', 'api-0'] })]),
      clusterRoleBinding('e', 'exec-one', [user('u')]),
      clusterRole('imp', [rule(['impersonate'], [''], ['groups'])]),
      clusterRoleBinding('i', 'imp', [user('u')]),
    ];
    const hs = riskFor(evaluateFromObjects(objs)).directHoldings('u:u');
    const text = (h: Holding) => `${actionText(h)}${scopeText(h)}`;
    assert.deepEqual(hs.map(text), ['impersonate other identities cluster-wide', 'run commands in pods (exec, attach, ephemeral containers, port-forward) (only "api-0", "web-0") in every namespace']);
  });

  test('* on * makes the other techniques of its scope redundant (coveredByFull)', () => {
    const objs = [
      role('ns1', 'all', [rule(['*'], ['*'], ['*'])]),
      roleBinding('ns1', 'all', { kind: 'Role', name: 'all' }, [user('u')]),
      clusterRole('pv', [rule(['create'], [''], ['persistentvolumes'])]),
      clusterRoleBinding('pv', 'pv', [user('u')]),
    ];
    const hs = riskFor(evaluateFromObjects(objs)).directHoldings('u:u');
    assert.deepEqual(hs.filter((h) => !coveredByFull(h, hs)).map((h) => `${h.technique.id}@${h.scope || '*'}`), ['cluster-admin@ns1', 'pv-create@*']);
  });
});

describe('bootstrap ClusterRoles', () => {
  test('a RoleBinding to the built-in edit reads secrets and execs (aggregated from system:aggregate-to-edit)', () => {
    const objs = [roleBinding('dev', 'bob', { kind: 'ClusterRole', name: 'edit' }, [user('bob')])];
    assert.deepEqual(held(objs, 'u:bob'), [], 'without builtinRoles the role is missing');
    const got = held(objs, 'u:bob', { builtinRoles: true });
    for (const t of ['read-secrets@dev', 'create-workloads@dev', 'token-create@dev', 'pod-exec@dev', 'impersonate@dev']) assert.ok(got.includes(t), `${t} in ${got}`);
    assert.ok(!got.includes('bind-escalate@dev'), 'edit does not manage RBAC');
    const admin = held([roleBinding('dev', 'a', { kind: 'ClusterRole', name: 'admin' }, [user('a')])], 'u:a', { builtinRoles: true });
    assert.ok(admin.includes('read-secrets@dev'));
    assert.ok(!admin.includes('bind-escalate@dev'), 'admin creates RoleBindings but holds neither bind nor escalate: it can only hand out what it has');
  });

  test('the input wins over the built-in definition; user roles aggregate into edit', () => {
    const objs = [
      clusterRole('widgets-edit', [rule(['create'], [''], ['pods'])], { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }),
      roleBinding('dev', 'v', { kind: 'ClusterRole', name: 'view' }, [user('v')]),
    ];
    assert.deepEqual(held(objs, 'u:v', { builtinRoles: true }), ['create-workloads@dev'], 'view aggregates the labelled role');
    const mine = [clusterRole('cluster-admin', [rule(['get'], [''], ['pods'])]), clusterRoleBinding('x', 'cluster-admin', [user('x')])];
    assert.deepEqual(held(mine, 'u:x', { builtinRoles: true }), []);
    assert.ok(BOOTSTRAP_CLUSTER_ROLES.some((r) => r.name === 'system:aggregate-to-edit'));
  });
});

describe('platform identities', () => {
  test('names of EKS, GKE, AKS and upstream identities', () => {
    for (const n of ['eks:addon-manager', 'system:gke-common-webhooks', 'gke-managed', 'aksService', 'aks-service', 'system:controller:deployment-controller', 'system:kube-scheduler', 'system:node:ip-10-0-0-1', 'system:nodes']) {
      assert.ok(platformOfName(n), n);
    }
    for (const n of ['alice', 'system:masters', 'system:authenticated', 'kube-admins', 'nodes-team']) assert.equal(platformOfName(n), undefined, n);
    assert.equal(platformOfUser(saUser('kube-system', 'replicaset-controller')), 'kubernetes');
    assert.equal(platformOfUser(saUser('kube-system', 'aws-node')), 'kubernetes');
    assert.equal(platformOfUser(saUser('kube-system', 'my-app')), undefined);
    assert.equal(platformOfUser(saUser('default', 'aws-node')), undefined);
  });

  test('a full wildcard given to a platform identity by a binding the platform did not make is not platform', () => {
    const objs = [
      clusterRole('all', [rule(['*'], ['*'], ['*'])]),
      clusterRole('pods', [rule(['create'], [''], ['pods'])]),
      clusterRoleBinding('backdoor', 'all', [group('system:nodes')]),
      clusterRoleBinding('nodes-pods', 'pods', [group('system:nodes')]),
    ];
    const hs = riskFor(evaluateFromObjects(objs)).directHoldings('g:system:nodes');
    assert.deepEqual(hs.map((h) => [h.technique.id, h.platform]).slice(0, 1), [['cluster-admin', false]]);
    const pods = riskFor(evaluateFromObjects([objs[1], objs[3]])).directHoldings('g:system:nodes');
    assert.deepEqual(pods.map((h) => [h.technique.id, h.platform]), [['create-workloads', true]]);
  });
});

describe('pods and tokens', () => {
  const deploy = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } } },
  });

  test('the token is mounted unless the pod (which wins) or its ServiceAccount opts out; projected tokens count', () => {
    const objs: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'off', namespace: 'a' }, automountServiceAccountToken: false },
      deploy('a', 'default-sa', {}),
      deploy('a', 'sa-off', { serviceAccountName: 'off' }),
      deploy('a', 'sa-off-pod-on', { serviceAccountName: 'off', automountServiceAccountToken: true }),
      deploy('a', 'pod-off', { serviceAccountName: 'x', automountServiceAccountToken: false }),
      deploy('a', 'projected', { serviceAccount: 'legacy', automountServiceAccountToken: false, volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] }),
    ];
    const risk = riskFor(evaluateFromObjects(objs));
    assert.deepEqual(
      risk.pods().map((p) => [p.pod.owner.ref.name, p.serviceAccount, p.tokenMounted]),
      [
        ['default-sa', 'default', true],
        ['sa-off', 'off', false],
        ['sa-off-pod-on', 'off', true],
        ['pod-off', 'x', false],
        ['projected', 'legacy', true],
      ],
    );
  });

  test('subjects are resolved: ServiceAccount subjects without namespace take the RoleBinding\'s', () => {
    const objs = [role('ns1', 'r', [rule(['get'], [''], ['pods'])]), roleBinding('ns1', 'b', { kind: 'Role', name: 'r' }, [sa('app'), user('u'), group('g')])];
    const risk = riskFor(evaluateFromObjects(objs));
    assert.deepEqual(
      risk.subjects().map((s) => [s.kind, s.namespace ?? '', s.name]),
      [
        ['User', '', 'u'],
        ['Group', '', 'g'],
        ['ServiceAccount', 'ns1', 'app'],
      ],
    );
  });
});
