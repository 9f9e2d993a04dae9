// kubeward audit serve behind a real kube-apiserver: the apiserver runs with the generated
// recommended audit policy and the webhook config written by `--print-webhook-config` (self-signed
// CA, bearer token), batches of 1 s; real API calls (privileged pod, exec attempt, binding to
// cluster-admin, a forbidden and an anonymous request) must arrive in the store (SQLite, then
// PostgreSQL from scripts/testenv/postgres.sh) and fire detections, printed on stdout as JSON lines.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertTestenvBinaries, freePort, startTestCluster, type TestCluster } from '../test/helpers/testenv.js';
import { openStore } from '../src/audit/server/store/index.js';
import type { StoredEvent } from '../src/audit/server/store/types.js';
import { kubewardSync, startPostgres, startServe, type Postgres, type ServeProcess } from './helpers/audit-serve.js';

const NS = 'audit-serve-e2e';
const TOKEN = 'kubeward-e2e-' + 'x'.repeat(8) + Date.now().toString(36) + Math.random().toString(36).slice(2);

function anonymousGet(c: TestCluster, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(p, c.url);
    const req = https.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'GET', ca: c.caPem }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function allEvents(store: string): Promise<StoredEvent[]> {
  const s = await openStore(store, { readonly: true });
  try {
    const out: StoredEvent[] = [];
    for await (const e of s.events({})) out.push(e);
    return out;
  } finally {
    await s.close();
  }
}

it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`kube-apiserver audit webhook -> kubeward audit serve (${kind})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeward-serve-e2e-'));
    let pg: Postgres | undefined;
    let store = '';
    let serve: ServeProcess | undefined;
    let cluster: TestCluster | undefined;
    let port = 0;

    before(async () => {
      if (kind === 'postgresql') {
        pg = startPostgres();
        store = pg.url;
      } else store = path.join(dir, 'audit.db');
      fs.writeFileSync(path.join(dir, 'token'), TOKEN + '\n', { mode: 0o600 });
      const gen = kubewardSync(['audit', 'policy', 'generate', '--profile', 'recommended', '-o', 'policy.yaml'], dir);
      assert.equal(gen.code, 0, gen.stderr);
      port = await freePort();
      const common = ['--self-signed', '--cert-dir', 'certs', '--token-file', 'token', '--listen', `127.0.0.1:${port}`];
      const cfg = kubewardSync(['audit', 'serve', ...common, '--print-webhook-config', 'webhook.yaml'], dir);
      assert.equal(cfg.code, 0, cfg.stderr);
      serve = await startServe([...common, '--store', store], dir);
    });

    after(async () => {
      await cluster?.stop();
      if (serve) await serve.stop();
      pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the apiserver sends its audit events to the receiver, which stores them', async () => {
      cluster = await startTestCluster({
        apiserverArgs: [
          `--audit-policy-file=${path.join(dir, 'policy.yaml')}`,
          `--audit-webhook-config-file=${path.join(dir, 'webhook.yaml')}`,
          '--audit-webhook-mode=batch',
          '--audit-webhook-batch-max-wait=1s',
          '--audit-webhook-initial-backoff=1s',
        ],
      });
      const c = cluster;
      const ok = (r: { status: number; body: string }, what: string) => assert.ok(r.status < 300, `${what}: ${r.status} ${r.body.slice(0, 200)}`);
      ok(await c.request('admin', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), 'namespace');
      ok(await c.request('admin', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }), 'service account');
      ok(
        await c.request('admin', 'POST', `/api/v1/namespaces/${NS}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'miner' },
          spec: { nodeName: 'node-1', hostPID: true, containers: [{ name: 'x', image: 'busybox:1.36', securityContext: { privileged: true } }] },
        }),
        'privileged pod',
      );
      const exec = await c.request('admin', 'POST', `/api/v1/namespaces/${NS}/pods/miner/exec?command=sh&command=-c&command=id&stdout=true`);
      assert.ok(exec.status >= 400, `no kubelet: the exec attempt fails (${exec.status})`);
      ok(
        await c.request('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'audit-serve-e2e-admin' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }],
        }),
        'clusterrolebinding',
      );
      assert.equal((await c.request('no-rbac-reader', 'GET', `/api/v1/namespaces/${NS}/secrets`)).status, 403);
      assert.ok([401, 403].includes(await anonymousGet(c, '/api/v1/namespaces')), 'anonymous request refused');

      // Batches leave the apiserver at most every second; allow for a slow machine.
      const want = (es: StoredEvent[]) =>
        es.some((e) => e.resource === 'pods' && e.name === 'miner' && e.verb === 'create' && !e.subresource) &&
        es.some((e) => e.resource === 'pods' && e.subresource === 'exec') &&
        es.some((e) => e.resource === 'clusterrolebindings' && e.name === 'audit-serve-e2e-admin') &&
        es.some((e) => e.username === 'no-rbac-reader' && e.code === 403) &&
        es.some((e) => e.username === 'system:anonymous');
      let events: StoredEvent[] = [];
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        events = await allEvents(store);
        if (want(events)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(want(events), `expected events not stored after 60 s (${events.length} stored)\n${serve!.stderr().slice(-2000)}\n${c.logs.tail(20)}`);
      const pod = events.find((e) => e.resource === 'pods' && e.name === 'miner' && e.verb === 'create' && !e.subresource)!;
      assert.equal(pod.username, 'admin');
      assert.equal(pod.code, 201);
      assert.equal(pod.stage, 'ResponseComplete');
      assert.equal(pod.level, 'Request', 'the recommended policy logs writes with their bodies');
      const keys = new Set(events.map((e) => `${e.auditId} ${e.stage}`));
      assert.equal(keys.size, events.length, 'each auditID + stage stored once');
      assert.ok(events.every((e) => e.stage !== 'RequestReceived'), 'the policy omits RequestReceived');
    });

    it('detections fire live and are printed on stdout as JSON lines', async () => {
      const want = ['privileged-pod', 'privileged-role-binding', 'host-namespace-pod', 'policy/privileged-container', 'policy/host-pid'];
      const deadline = Date.now() + 20_000;
      let ids: string[] = [];
      while (Date.now() < deadline) {
        ids = serve!.alerts().map((a) => a.id);
        if (want.every((w) => ids.includes(w))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const w of want) assert.ok(ids.includes(w), `alert ${w} in ${ids.join(', ')}`);
      const crb = serve!.alerts().find((a) => a.id === 'privileged-role-binding')!;
      assert.equal(crb.type, 'detection');
      assert.equal(crb.user, 'admin');
      assert.equal(crb.name, 'audit-serve-e2e-admin');
      const pv = serve!.alerts().find((a) => a.id === 'policy/privileged-container')!;
      assert.equal(pv.type, 'policy-violation');
      assert.deepEqual([pv.user, pv.kind, pv.namespace, pv.name, pv.path], ['admin', 'Pod', NS, 'miner', 'spec.containers[0].securityContext.privileged']);
      assert.match(pv.auditID, /^[0-9a-f-]{36}$/);
      assert.equal(new Set(serve!.alerts().map((a) => `${a.id} ${a.auditID} ${a.path ?? ''}`)).size, serve!.alerts().length, 'no alert twice');
    });

    it('audit query answers from the store: the object history, denied and anonymous requests, detections', () => {
      const hist = kubewardSync(['audit', 'query', '--store', store, '--object', `pod/${NS}/miner`, '--format', 'json'], dir);
      assert.equal(hist.code, 0, hist.stderr);
      const verbs = JSON.parse(hist.stdout).events.map((e: { verb: string; subresource: string | null }) => `${e.verb}${e.subresource ? '/' + e.subresource : ''}`);
      assert.ok(verbs.includes('create') && verbs.includes('create/exec'), verbs.join(', '));
      const denied = kubewardSync(['audit', 'query', '--store', store, '--denied'], dir);
      assert.match(denied.stdout, /no-rbac-reader  list secrets audit-serve-e2e/);
      const anon = kubewardSync(['audit', 'query', '--store', store, '--anonymous', '--format', 'json'], dir);
      assert.ok(JSON.parse(anon.stdout).summary.anonymous.length >= 1);
      const det = kubewardSync(['audit', 'query', '--store', store, '--detection', 'privileged-role-binding', '--format', 'json'], dir);
      assert.equal(JSON.parse(det.stdout).detections.length, 1);
    });

    it('SIGTERM: the receiver stops cleanly (exit 0)', async () => {
      await cluster?.stop(); // no more batches
      cluster = undefined;
      assert.equal(await serve!.stop(), 0, serve!.stderr().slice(-1000));
      assert.match(serve!.stderr(), /SIGTERM: finishing in-flight batches[\s\S]*stopped/);
    });
  });
}
