// Smoke test of the live-cluster test environment (test/helpers/testenv.ts): a real etcd and
// kube-apiserver. Run with `npm run test:e2e` after `bash scripts/testenv/setup.sh`.
// Without the binaries this test FAILS (it does not skip): the error names the setup script.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assertTestenvBinaries, startTestCluster, testenvVersions, type TestCluster } from '../test/helpers/testenv.js';

const NS = 'kubeward-e2e';

// A plain failure (not only cancelled subtests) when the binaries are missing.
it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

describe('testenv: etcd + kube-apiserver', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startTestCluster();
  });

  after(async () => {
    await cluster?.stop();
  });

  it('serves the pinned Kubernetes version over TLS verified by the cert-dir CA', async () => {
    const r = await cluster.request('admin', 'GET', '/version');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.gitVersion, testenvVersions().K8S_VERSION);
    assert.match(cluster.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('authenticates static-token users with their groups', async () => {
    const r = await cluster.request('reader', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.status.userInfo.username, 'reader');
    assert.deepEqual([...r.json.status.userInfo.groups].sort(), ['kubeward:readers', 'system:authenticated']);
    const admin = await cluster.request('admin', 'GET', '/api/v1/namespaces');
    assert.equal(admin.status, 200);
  });

  it('writes one kubeconfig per user with the server URL, CA data and token', () => {
    for (const user of ['admin', 'reader', 'no-rbac-reader'] as const) {
      const text = fs.readFileSync(cluster.kubeconfigPath(user), 'utf8');
      assert.ok(text.includes(`server: ${cluster.url}`));
      assert.ok(text.includes(`token: ${cluster.tokens[user]}`));
      assert.ok(text.includes(`certificate-authority-data: ${Buffer.from(cluster.caPem).toString('base64')}`));
      assert.ok(text.includes(`current-context: ${user}@testenv`));
    }
  });

  it('creates a namespace, a Deployment, a Role and a RoleBinding as admin and lists them back', async () => {
    let r = await cluster.request('admin', 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    assert.equal(r.status, 201, r.body);

    r = await cluster.request('admin', 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: true } }] },
        },
      },
    });
    assert.equal(r.status, 201, r.body);

    r = await cluster.request('admin', 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    });
    assert.equal(r.status, 201, r.body);

    r = await cluster.request('admin', 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader-pod-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'reader' }],
    });
    assert.equal(r.status, 201, r.body);

    const deps = await cluster.request('admin', 'GET', `/apis/apps/v1/namespaces/${NS}/deployments`);
    assert.equal(deps.status, 200);
    assert.deepEqual(deps.json.items.map((d: any) => d.metadata.name), ['web']);
    assert.equal(deps.json.items[0].spec.template.spec.containers[0].securityContext.privileged, true);
    const roles = await cluster.request('admin', 'GET', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`);
    assert.deepEqual(roles.json.items.map((x: any) => x.metadata.name), ['pod-reader']);
    const rbs = await cluster.request('admin', 'GET', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`);
    assert.deepEqual(rbs.json.items.map((x: any) => x.metadata.name), ['reader-pod-reader']);
    // The RBAC bootstrap policy is there without a controller manager.
    const crs = await cluster.request('admin', 'GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin');
    assert.equal(crs.status, 200);
  });

  it('enforces RBAC: reader may list pods in the namespace, not secrets; no-rbac-reader may not list pods', async () => {
    const pods = await cluster.request('reader', 'GET', `/api/v1/namespaces/${NS}/pods`);
    assert.equal(pods.status, 200, pods.body);
    const secrets = await cluster.request('reader', 'GET', `/api/v1/namespaces/${NS}/secrets`);
    assert.equal(secrets.status, 403, secrets.body);
    assert.equal(secrets.json.reason, 'Forbidden');
    const elsewhere = await cluster.request('reader', 'GET', '/api/v1/namespaces/default/pods');
    assert.equal(elsewhere.status, 403);
    const none = await cluster.request('no-rbac-reader', 'GET', `/api/v1/namespaces/${NS}/pods`);
    assert.equal(none.status, 403);
  });

  it('answers SubjectAccessReviews posted by admin', async () => {
    const sar = async (user: string, groups: string[], resource: string) => {
      const r = await cluster.request('admin', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user, groups, resourceAttributes: { namespace: NS, verb: 'list', resource } },
      });
      assert.equal(r.status, 201, r.body);
      return r.json.status as { allowed: boolean; reason?: string };
    };
    const podsAllowed = await sar('reader', ['kubeward:readers', 'system:authenticated'], 'pods');
    assert.equal(podsAllowed.allowed, true);
    assert.match(podsAllowed.reason ?? '', /RoleBinding "reader-pod-reader"/);
    assert.equal((await sar('reader', ['kubeward:readers', 'system:authenticated'], 'secrets')).allowed, false);
    assert.equal((await sar('no-rbac-reader', ['kubeward:no-rbac', 'system:authenticated'], 'pods')).allowed, false);
  });

  it('stop() ends etcd and kube-apiserver', async () => {
    const url = cluster.url;
    const dir = cluster.dataDir;
    await cluster.stop();
    await assert.rejects(cluster.request('admin', 'GET', '/readyz'));
    assert.ok(!fs.existsSync(dir) || process.env.KUBEWARD_TESTENV_KEEP === '1', `${dir} removed`);
    assert.ok(url);
  });
});
