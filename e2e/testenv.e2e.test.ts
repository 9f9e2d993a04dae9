// Smoke test of the live-cluster test environment (test/helpers/testenv.ts): a real etcd and
// kube-apiserver. Run with `npm run test:e2e` after `bash scripts/testenv/setup.sh`.
// Without the binaries this test FAILS (it does not skip): the error names the setup script.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { assertTestenvBinaries, startTestCluster, testenvVersions, type TestCluster } from '../test/helpers/testenv.js';

const NS = 'kubeward-e2e';

// A plain failure (not only cancelled subtests) when the binaries are missing.
it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

describe('testenv: etcd + kube-apiserver', () => {
  let started: TestCluster | undefined;
  let startError: Error | undefined;
  // Every test fails (rather than being cancelled) when the cluster did not start.
  const cluster = new Proxy({} as TestCluster, {
    get(_t, prop) {
      if (!started) throw new Error(`test cluster did not start: ${startError?.message.split('\n')[0]}`);
      return Reflect.get(started, prop);
    },
  });

  before(async () => {
    try {
      started = await startTestCluster();
    } catch (e) {
      startError = e as Error;
    }
  });

  it('starts etcd and kube-apiserver', () => {
    if (startError) throw startError;
    assert.ok(started);
  });

  after(async () => {
    await started?.stop();
  });

  it('serves the pinned Kubernetes version over TLS verified by the cert-dir CA', async () => {
    const r = await cluster.request('admin', 'GET', '/version');
    assert.equal(r.status, 200, r.body);
    const v = testenvVersions().K8S_VERSION;
    assert.equal(r.json.gitVersion, v);
    assert.equal(`v${r.json.major}.${r.json.minor}.`, v.replace(/\d+$/, ''));
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
    assert.match(podsAllowed.reason ?? '', /RoleBinding "reader-pod-reader\/kubeward-e2e" of Role "pod-reader" to User "reader"/);
    assert.equal((await sar('reader', ['kubeward:readers', 'system:authenticated'], 'secrets')).allowed, false);
    assert.equal((await sar('no-rbac-reader', ['kubeward:no-rbac', 'system:authenticated'], 'pods')).allowed, false);
  });

  it('works with @kubernetes/client-node through the written kubeconfigs (TLS verified)', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath('reader'));
    assert.equal(kc.getCurrentCluster()?.skipTLSVerify ?? false, false);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: NS });
    assert.deepEqual(pods.items, []);
    await assert.rejects(core.listNamespacedSecret({ namespace: NS }), (e: any) => e.code === 403);
    const admin = new k8s.KubeConfig();
    admin.loadFromFile(cluster.kubeconfigPath('admin'));
    const apps = await admin.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: NS });
    assert.deepEqual(apps.items.map((d) => d.metadata?.name), ['web']);
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

describe('testenv with kube-controller-manager', () => {
  let cluster: TestCluster | undefined;

  before(async () => {
    cluster = await startTestCluster({ controllerManager: true });
  });

  after(async () => {
    await cluster?.stop();
  });

  it('creates default ServiceAccounts and root CA ConfigMaps in new namespaces, and Pods from Deployments', async () => {
    const c = cluster!;
    const ns = 'kubeward-kcm';
    let r = await c.request('admin', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    assert.equal(r.status, 201, r.body);
    r = await c.request('admin', 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      },
    });
    assert.equal(r.status, 201, r.body);

    const eventually = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((res) => setTimeout(res, 250));
      }
      assert.fail(`timed out waiting for ${what}\n${c.logs.tail(20)}`);
    };
    await eventually('default ServiceAccount', async () =>
      (await c.request('admin', 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200);
    await eventually('kube-root-ca.crt ConfigMap', async () =>
      (await c.request('admin', 'GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).status === 200);
    // Deployment -> ReplicaSet -> Pod (Pending for ever: no scheduler, no kubelet).
    await eventually('a Pod of the Deployment', async () => {
      const pods = await c.request('admin', 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`);
      return pods.status === 200 && pods.json.items.length === 1;
    });
    const pods = await c.request('admin', 'GET', `/api/v1/namespaces/${ns}/pods`);
    const pod = pods.json.items[0];
    assert.equal(pod.spec.serviceAccountName, 'default');
    assert.equal(pod.metadata.ownerReferences[0].kind, 'ReplicaSet');
    assert.equal(pod.status.phase, 'Pending');
    // The ServiceAccount admission plugin mounted a projected token volume.
    assert.ok(pod.spec.volumes.some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken)));
  });
});
