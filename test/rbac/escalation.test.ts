// Escalation paths to cluster-admin (src/analysis/rbac/escalation.ts): each technique's edge, the
// shortest path, and what is not a path.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFromObjects, escalationFor, describePath, stepCount, type EscalationStep } from '../../src/analysis/rbac/index.js';
import type { KubeObject } from '../../src/core/types.js';
import { clusterRole, clusterRoleBinding, group, namespace, role, roleBinding, rule, sa, saUser, serviceAccount, user } from '../helpers/rbac.js';

const R = 'rbac.authorization.k8s.io';
const admin = clusterRole('cluster-admin', [rule(['*'], ['*'], ['*'])]);

function graph(objects: KubeObject[]) {
  return escalationFor(evaluateFromObjects(objects));
}
const actions = (steps: readonly EscalationStep[] | undefined) => (steps ?? []).map((s) => s.action);
const pod = (ns: string, name: string, saName: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { serviceAccountName: saName, containers: [{ name: 'c', image: 'x' }], ...extra },
});

describe('escalation edges', () => {
  const deployer = [admin, serviceAccount('ci', 'deployer'), clusterRoleBinding('deployer', 'cluster-admin', [sa('deployer', 'ci')])];

  test('create pods in a namespace -> any ServiceAccount of it -> its grants', () => {
    const g = graph([...deployer, role('ci', 'pods', [rule(['create'], [''], ['pods'])]), roleBinding('ci', 'b', { kind: 'Role', name: 'pods' }, [user('builder')])]);
    const steps = g.pathFrom('u:builder')!;
    assert.equal(stepCount(steps), 2);
    assert.deepEqual(steps.map((s) => s.to), ['anysa:ci', `u:${saUser('ci', 'deployer')}`, 'admin']);
    assert.equal(
      describePath('User builder', steps, 'u:builder'),
      'User builder => create pods in ci (a pod may run as any ServiceAccount of its namespace) [RoleBinding ci/b -> Role ci/pods] => ServiceAccount ci/deployer => holds * on * cluster-wide [ClusterRoleBinding deployer -> ClusterRole cluster-admin] => cluster-admin',
    );
    // in another namespace there is nobody to become
    const g2 = graph([...deployer, role('web', 'pods', [rule(['create'], [''], ['pods'])]), roleBinding('web', 'b', { kind: 'Role', name: 'pods' }, [user('builder')])]);
    assert.equal(g2.pathFrom('u:builder'), undefined);
  });

  test('updating a Deployment (even one named) is as good as creating pods', () => {
    const g = graph([...deployer, role('ci', 'one', [rule(['patch'], ['apps'], ['deployments'], { resourceNames: ['web'] })]), roleBinding('ci', 'b', { kind: 'Role', name: 'one' }, [user('u')])]);
    assert.equal(stepCount(g.pathFrom('u:u')!), 2);
  });

  test('token minting: named service accounts only when restricted', () => {
    const mk = (names?: string[]) =>
      graph([
        ...deployer,
        serviceAccount('ci', 'other'),
        role('ci', 't', [rule(['create'], [''], ['serviceaccounts/token'], names ? { resourceNames: names } : {})]),
        roleBinding('ci', 'b', { kind: 'Role', name: 't' }, [user('u')]),
      ]);
    assert.deepEqual(actions(mk().pathFrom('u:u')).slice(0, 1), ['create serviceaccounts/token in ci (a token for any ServiceAccount)']);
    assert.deepEqual(actions(mk(['deployer']).pathFrom('u:u')).slice(0, 1), ['create a token for ServiceAccount ci/deployer']);
    assert.equal(mk(['other']).pathFrom('u:u'), undefined);
  });

  test('exec into a pod that mounts a powerful token; not when the token is not mounted', () => {
    const base = [...deployer, role('ci', 'x', [rule(['create'], [''], ['pods/exec'])]), roleBinding('ci', 'b', { kind: 'Role', name: 'x' }, [user('u')])];
    const steps = graph([...base, pod('ci', 'deploy-job', 'deployer')]).pathFrom('u:u')!;
    assert.deepEqual(steps.map((s) => s.to), ['exec:ci', `u:${saUser('ci', 'deployer')}`, 'admin']);
    assert.deepEqual(steps[1].objects, ['Pod/ci/deploy-job']);
    assert.equal(graph([...base, pod('ci', 'deploy-job', 'deployer', { automountServiceAccountToken: false })]).pathFrom('u:u'), undefined);
    assert.equal(graph(base).pathFrom('u:u'), undefined, 'no pod runs as the deployer');
    // port-forward reaches ports, not code
    const pf = [...deployer, pod('ci', 'deploy-job', 'deployer'), role('ci', 'pf', [rule(['create'], [''], ['pods/portforward'])]), roleBinding('ci', 'b', { kind: 'Role', name: 'pf' }, [user('u')])];
    assert.equal(graph(pf).pathFrom('u:u'), undefined);
  });

  test('reading secrets reaches the service accounts of legacy token Secrets', () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'tok', namespace: 'ci', annotations: { 'kubernetes.io/service-account.name': 'deployer' } } };
    const base = [...deployer, role('ci', 'r', [rule(['list'], [''], ['secrets'])]), roleBinding('ci', 'b', { kind: 'Role', name: 'r' }, [user('u')])];
    const steps = graph([...base, secret]).pathFrom('u:u')!;
    assert.deepEqual(steps[1].objects, ['Secret/ci/tok']);
    assert.equal(graph(base).pathFrom('u:u'), undefined);
  });

  test('impersonation: groups -> system:masters; users -> a powerful user; service accounts', () => {
    const g = graph([
      admin,
      clusterRoleBinding('root', 'cluster-admin', [user('root')]),
      clusterRole('ig', [rule(['impersonate'], [''], ['groups'])]),
      clusterRole('iu', [rule(['impersonate'], [''], ['users'], { resourceNames: ['root'] })]),
      clusterRole('iu-other', [rule(['impersonate'], [''], ['users'], { resourceNames: ['nobody'] })]),
      clusterRoleBinding('ig', 'ig', [user('a')]),
      clusterRoleBinding('iu', 'iu', [user('b')]),
      clusterRoleBinding('iu-other', 'iu-other', [user('c')]),
    ]);
    assert.deepEqual(actions(g.pathFrom('u:a')), ['impersonate group system:masters']);
    assert.deepEqual(actions(g.pathFrom('u:b')), ['impersonate User root', 'holds * on * cluster-wide']);
    assert.equal(g.pathFrom('u:c'), undefined);
  });

  test('bind: unrestricted -> cluster-admin; restricted to view -> nothing; escalate on a bound role', () => {
    const g = graph([
      admin,
      clusterRole('view', [rule(['get'], [''], ['pods'])]),
      clusterRole('binder', [rule(['create'], [R], ['clusterrolebindings']), rule(['bind'], [R], ['clusterroles'])]),
      clusterRole('view-binder', [rule(['create'], [R], ['clusterrolebindings']), rule(['bind'], [R], ['clusterroles'], { resourceNames: ['view'] })]),
      clusterRole('self-editor', [rule(['escalate', 'update'], [R], ['clusterroles'], { resourceNames: ['self-editor'] })]),
      clusterRoleBinding('binder', 'binder', [user('a')]),
      clusterRoleBinding('view-binder', 'view-binder', [user('b')]),
      clusterRoleBinding('self-editor', 'self-editor', [user('c')]),
    ]);
    assert.deepEqual(actions(g.pathFrom('u:a')), ['bind ClusterRole cluster-admin with a ClusterRoleBinding']);
    assert.equal(g.pathFrom('u:b'), undefined);
    assert.deepEqual(actions(g.pathFrom('u:c')), ['escalate and rewrite ClusterRole self-editor, bound to it by ClusterRoleBinding self-editor']);
  });

  test('bind in a namespace -> full control of it -> its service accounts', () => {
    const g = graph([
      ...deployer,
      clusterRole('rb-binder', [rule(['create'], [R], ['rolebindings']), rule(['bind'], [R], ['clusterroles'])]),
      roleBinding('ci', 'b', { kind: 'ClusterRole', name: 'rb-binder' }, [user('u')]),
    ]);
    assert.deepEqual(g.pathFrom('u:u')!.map((s) => s.to), ['nsadmin:ci', 'anysa:ci', `u:${saUser('ci', 'deployer')}`, 'admin']);
  });

  test('nodes/proxy and mutating webhooks reach every pod; validating webhooks do not', () => {
    const base = [...deployer, pod('ci', 'job', 'deployer')];
    const np = graph([...base, clusterRole('np', [rule(['get'], [''], ['nodes/proxy'])]), clusterRoleBinding('np', 'np', [user('u')])]);
    assert.deepEqual(np.pathFrom('u:u')!.map((s) => s.to), ['exec:*', 'exec:ci', `u:${saUser('ci', 'deployer')}`, 'admin']);
    const mw = graph([...base, clusterRole('mw', [rule(['create'], ['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'])]), clusterRoleBinding('mw', 'mw', [user('u')])]);
    assert.equal(stepCount(mw.pathFrom('u:u')!), 3);
    const vw = graph([...base, clusterRole('vw', [rule(['create'], ['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'])]), clusterRoleBinding('vw', 'vw', [user('u')])]);
    assert.equal(vw.pathFrom('u:u'), undefined);
  });

  test('aws-auth leads to cluster-admin only when the input is an EKS cluster', () => {
    const objs = [clusterRole('cm', [rule(['patch'], [''], ['configmaps'])]), roleBinding('kube-system', 'cm', { kind: 'ClusterRole', name: 'cm' }, [user('u')])];
    assert.equal(graph(objs).pathFrom('u:u'), undefined);
    const awsAuth: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: {} };
    assert.equal(stepCount(graph([...objs, awsAuth]).pathFrom('u:u')!), 1);
  });

  test('CSR approval for kube-apiserver-client signers; not for another signer', () => {
    const c = 'certificates.k8s.io';
    const mk = (signer: string) =>
      graph([
        clusterRole('csr', [rule(['create'], [c], ['certificatesigningrequests']), rule(['update'], [c], ['certificatesigningrequests/approval']), rule(['approve'], [c], ['signers'], { resourceNames: [signer] })]),
        clusterRoleBinding('csr', 'csr', [user('u')]),
      ]);
    assert.equal(stepCount(mk('kubernetes.io/kube-apiserver-client').pathFrom('u:u')!), 1);
    assert.equal(mk('example.com/my-signer').pathFrom('u:u'), undefined);
  });
});

describe('paths()', () => {
  test('shortest path wins; subjects holding cluster-admin directly and system:masters are not listed', () => {
    const objs: KubeObject[] = [
      admin,
      namespace('ci'),
      serviceAccount('ci', 'deployer'),
      clusterRoleBinding('deployer', 'cluster-admin', [sa('deployer', 'ci')]),
      clusterRoleBinding('masters', 'cluster-admin', [group('system:masters')]),
      role('ci', 'pods', [rule(['create'], [''], ['pods'])]),
      clusterRole('ig', [rule(['impersonate'], [''], ['groups'])]),
      roleBinding('ci', 'b', { kind: 'Role', name: 'pods' }, [user('u')]),
      clusterRoleBinding('ig', 'ig', [user('u')]),
    ];
    const g = graph(objs);
    const paths = g.paths();
    assert.deepEqual(paths.map((p) => `${p.subject.kind}:${p.subject.name}`), ['User:u']);
    assert.deepEqual(actions(paths[0].steps), ['impersonate group system:masters'], 'one step beats two');
  });

  test('a subject the input does not bind is evaluated alone (its groups may lead somewhere)', () => {
    const objs = [
      admin,
      serviceAccount('ci', 'deployer'),
      clusterRoleBinding('deployer', 'cluster-admin', [sa('deployer', 'ci')]),
      role('ci', 'pods', [rule(['create'], [''], ['pods'])]),
      roleBinding('ci', 'all-sas', { kind: 'Role', name: 'pods' }, [group('system:serviceaccounts:ci')]),
    ];
    const g = graph(objs);
    assert.equal(stepCount(g.pathFrom(`u:${saUser('ci', 'never-bound')}`)!), 2);
    assert.equal(g.pathFrom(`u:${saUser('other', 'x')}`), undefined);
  });

  test('scales: 2,000 namespaces with a pod creator and a token reader each, built and searched quickly', () => {
    const objs: KubeObject[] = [admin, role('kube-system', 'pods', [rule(['create'], [''], ['pods'])])];
    for (let i = 0; i < 2000; i++) {
      objs.push(serviceAccount(`ns${i}`, 'app'), role(`ns${i}`, 'pods', [rule(['create'], [''], ['pods'])]), roleBinding(`ns${i}`, 'b', { kind: 'Role', name: 'pods' }, [sa('app', `ns${i}`), user(`dev${i}`)]));
    }
    objs.push(serviceAccount('ns7', 'deployer'), clusterRoleBinding('d', 'cluster-admin', [sa('deployer', 'ns7')]));
    const t = Date.now();
    const g = graph(objs);
    const paths = g.paths();
    assert.deepEqual(paths.map((p) => p.subject.name).sort(), ['app', 'dev7']);
    assert.ok(Date.now() - t < 10_000, `took ${Date.now() - t} ms`);
  });
});
