// Live scans against a real kube-apiserver (test/helpers/testenv.ts): the shop example is created in
// the cluster, then scanned live as cluster-admin, as the shipped least-privilege reader role, and
// as a user who cannot list RoleBindings; the results are compared with a snapshot and with the same
// manifests scanned offline. Faults: bad token, unreachable server, TLS name mismatch, unknown
// context, garbage kubeconfig, and the server dying in the middle of a collection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { parseAllDocuments } from 'yaml';
import { assertTestenvBinaries, freePort, startTestCluster, type TestCluster } from '../test/helpers/testenv.js';
import { fromRoot } from '../test/helpers/paths.js';
import { allRules } from '../src/rules/index.js';
import { applyAll, readManifests } from './helpers/apply.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubeward(args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fromRoot('bin/kubeward.js'), ...args], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? -1) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

interface Report {
  findings: Array<{ ruleId: string; resource: { kind: string; namespace?: string; name: string }; message: string; severity: string }>;
  notAssessed: Array<{ what: string; reason: string; rules?: string[] }>;
  errors: Array<{ file: string; message: string }>;
  summary: { objects: number };
}

/** Gaps in what was read from the cluster (the cloud context is a separate input, not given here). */
function clusterGaps(r: Report): Report['notAssessed'] {
  return r.notAssessed.filter((n) => !n.what.startsWith('cloud context'));
}

/** Findings as comparable strings: everything but where the input came from. */
function keys(r: Report): string[] {
  return r.findings.map((f) => `${f.ruleId} | ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name} | ${f.severity} | ${f.message}`).sort();
}

function parseReport(run: Run): Report {
  try {
    return JSON.parse(run.stdout) as Report;
  } catch {
    throw new Error(`not a JSON report (exit ${run.code}): ${run.stdout.slice(0, 300)} / ${run.stderr.slice(0, 500)}`);
  }
}

const EXAMPLE = fromRoot('examples/shop');
const EXTRA = fromRoot('e2e/fixtures/live-extra.yaml');
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'CustomResourceDefinition', 'ClusterRole', 'Role'];

function exampleObjects() {
  const files = readdirSync(EXAMPLE)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(EXAMPLE, f));
  const objs = readManifests(...files, EXTRA);
  const rank = (k: string) => (KIND_ORDER.indexOf(k) < 0 ? KIND_ORDER.length : KIND_ORDER.indexOf(k));
  return objs.sort((a, b) => rank(a.kind) - rank(b.kind));
}

/** The shipped reader role, bound to a group; optionally without some resources. */
function readerRole(name: string, group: string, without: string[] = []) {
  const docs = parseAllDocuments(readFileSync(fromRoot('deploy/kubeward-reader.yaml'), 'utf8')).map((d) => d.toJS());
  const role = docs.find((d) => d.kind === 'ClusterRole');
  role.metadata.name = name;
  role.rules = role.rules
    .map((r: { resources: string[] }) => ({ ...r, resources: r.resources.filter((x) => !without.includes(x)) }))
    .filter((r: { resources: string[] }) => r.resources.length > 0);
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'Group', name: group, apiGroup: 'rbac.authorization.k8s.io' }],
  };
  return [role, binding];
}

it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

describe('live scan against a real kube-apiserver', () => {
  let cluster: TestCluster | undefined;
  let startError: Error | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubeward-live-'));
  const c = (): TestCluster => {
    // A failure while setting the cluster up is the one to report (not what a test trips over after it).
    if (!cluster || startError) throw new Error(`test cluster setup failed: ${startError?.message.split('\n')[0]}`);
    return cluster;
  };
  let admin: Report;

  before(async () => {
    try {
      cluster = await startTestCluster();
      await applyAll(cluster, exampleObjects());
      await applyAll(cluster, [...readerRole('kubeward-reader', 'kubeward:readers'), ...readerRole('kubeward-reader-no-rb', 'kubeward:no-rbac', ['rolebindings'])]);
    } catch (e) {
      startError = e as Error;
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  it('scans live as cluster-admin and finds the example problems', async () => {
    const run = await kubeward(['scan', '--kubeconfig', c().kubeconfigPath('admin'), '--format', 'json']);
    admin = parseReport(run);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(admin.errors, []);
    assert.deepEqual(clusterGaps(admin), []);
    const k = keys(admin);
    assert.ok(k.some((x) => x.startsWith('privileged-container | Pod tools/debug-shell')), 'privileged debug pod found');
    assert.ok(k.some((x) => x.startsWith('host-network | DaemonSet tools/log-agent')), 'hostNetwork DaemonSet found');
    assert.ok(admin.summary.objects >= 25, `objects read: ${admin.summary.objects}`);
  });

  it('with only the shipped reader role the scan is complete and identical', async () => {
    const run = await kubeward(['scan', '--kubeconfig', c().kubeconfigPath('reader'), '--format', 'json']);
    const reader = parseReport(run);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(clusterGaps(reader), [], 'nothing read from the cluster is "not assessed" with kubeward-reader');
    assert.deepEqual(keys(reader), keys(admin));
  });

  it('a snapshot gives the same findings offline, and holds no secret data', async () => {
    const snap = path.join(tmp, 'cluster.json');
    const run = await kubeward(['snapshot', '--kubeconfig', c().kubeconfigPath('reader'), '-o', snap]);
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(snap, 'utf8');
    const doc = JSON.parse(text);
    assert.equal(doc.kind, 'ClusterSnapshot');
    assert.equal(doc.metadata.partial, false);
    const secrets = doc.items.filter((o: { kind: string }) => o.kind === 'Secret');
    assert.ok(secrets.length >= 2, 'secrets are listed (metadata)');
    for (const s of secrets) {
      assert.equal(s.data, undefined, 'no data');
      assert.equal(s.stringData, undefined);
      assert.equal(typeof s.type, 'string', 'type is kept');
    }
    assert.ok(!text.includes('czNjcjN0LXZhbHVlLTEyMw') && !text.includes('s3cr3t-value-123'), 'the secret value never reaches the snapshot');
    assert.ok(!text.includes('managedFields'), 'managedFields dropped');
    const offline = parseReport(await kubeward(['scan', snap, '--format', 'json']));
    assert.deepEqual(keys(offline), keys(admin));
  });

  it('the same manifests scanned offline give the same findings as the live cluster', async () => {
    // The live cluster also holds what the API server creates by itself (system namespaces,
    // bootstrap RBAC, the kubernetes Service...). Take those objects from the snapshot, check that
    // they are all of that sort, and add them to the offline input.
    const doc = JSON.parse(readFileSync(path.join(tmp, 'cluster.json'), 'utf8'));
    const mine = new Set(exampleObjects().map((o) => `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`));
    const serverMade = doc.items.filter((o: { kind: string; metadata: { namespace?: string; name: string } }) => {
      const ns = o.metadata.namespace ?? (['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Node'].includes(o.kind) ? '' : 'default');
      return !mine.has(`${o.kind}|${o.kind === 'Namespace' || !o.metadata.namespace ? '' : ns}|${o.metadata.name}`) && !mine.has(`${o.kind}|${ns}|${o.metadata.name}`);
    });
    for (const o of serverMade) {
      const m = o.metadata;
      const systemNs = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
      const ok =
        (o.kind === 'Namespace' && systemNs.includes(m.name)) ||
        m.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults' ||
        (m.namespace && systemNs.includes(m.namespace)) ||
        (o.kind === 'ClusterRole' && m.name.startsWith('kubeward-reader')) ||
        (o.kind === 'ClusterRoleBinding' && m.name.startsWith('kubeward-reader'));
      assert.ok(ok, `unexpected object only in the live cluster: ${o.kind} ${m.namespace ?? ''}/${m.name}`);
    }
    const serverFile = path.join(tmp, 'server-created.json');
    writeFileSync(serverFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: serverMade }));
    const run = await kubeward(['scan', EXAMPLE, EXTRA, serverFile, '--format', 'json']);
    const offline = parseReport(run);
    assert.deepEqual(offline.errors, []);
    // Rules about what is ABSENT (a bound ServiceAccount that does not exist, a service account no
    // pod uses) only trust absence in a complete input (a cluster or a snapshot); manifests are
    // partial by nature, so those rules stay quiet on them by design.
    const completenessRules = ['rbac-missing-subject', 'rbac-unused-service-account', 'rbac-dangling-role-ref'];
    const presence = (k: string[]) => k.filter((x) => !completenessRules.includes(x.split(' | ')[0]));
    assert.deepEqual(presence(keys(offline)), presence(keys(admin)));
  });

  it('a user who cannot list RoleBindings gets a report that says what was not assessed', async () => {
    const run = await kubeward(['scan', '--kubeconfig', c().kubeconfigPath('no-rbac-reader'), '--format', 'json']);
    const r = parseReport(run);
    assert.notEqual(run.code, 2, `not an input error: ${run.stderr}`);
    const na = r.notAssessed.find((n) => n.what === 'rbac.authorization.k8s.io/RoleBinding');
    assert.ok(na, `RoleBindings listed as not assessed: ${JSON.stringify(r.notAssessed)}`);
    assert.match(na.reason, /forbidden/);
    assert.match(na.reason, /rolebindings/);
    const dependent = allRules.filter((x) => x.meta.reads?.includes('rbac.authorization.k8s.io/RoleBinding')).map((x) => x.meta.id);
    assert.deepEqual([...(na.rules ?? [])].sort(), dependent.sort(), 'every rule that reads RoleBindings is named');
    assert.equal(clusterGaps(r).length, 1, 'nothing else is missing');
    // Findings that do not depend on RoleBindings are still there.
    assert.ok(keys(r).some((x) => x.startsWith('privileged-container | Pod tools/debug-shell')));
    const text = await kubeward(['scan', '--kubeconfig', c().kubeconfigPath('no-rbac-reader')]);
    assert.match(text.stdout, /Not assessed \(\d+\)/);
    assert.match(text.stdout, /rbac\.authorization\.k8s\.io\/RoleBinding: forbidden/);
  });

  describe('faults', () => {
    const kubeconfig = (name: string, mutate: (kc: string) => string): string => {
      const p = path.join(tmp, name);
      writeFileSync(p, mutate(readFileSync(c().kubeconfigPath('reader'), 'utf8')));
      return p;
    };
    const noStack = (r: Run) => assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);

    it('a revoked or wrong token: one line, exit 2', async () => {
      const kc = kubeconfig('bad-token.yaml', (s) => s.replace(/token: .*/, 'token: revoked-token-0000'));
      const r = await kubeward(['scan', '--kubeconfig', kc]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /rejected the credentials .*401/);
      noStack(r);
    });

    it('an unreachable server: one line, exit 2', async () => {
      const port = await freePort();
      const kc = kubeconfig('unreachable.yaml', (s) => s.replace(/server: .*/, `server: https://127.0.0.1:${port}`));
      const r = await kubeward(['scan', '--kubeconfig', kc]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot reach the API server https:\/\/127\.0\.0\.1:\d+\/: connection refused/);
      noStack(r);
    });

    it('a TLS error (server name not in the certificate): one line, exit 2', async () => {
      const kc = kubeconfig('tls.yaml', (s) => s.replace(/(\n\s+server: .*)/, '$1\n    tls-server-name: wrong.example.com'));
      const r = await kubeward(['scan', '--kubeconfig', kc]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /TLS error talking to https:\/\/127\.0\.0\.1/);
      noStack(r);
    });

    it('an unknown context and a garbage kubeconfig: one line, exit 2', async () => {
      const r1 = await kubeward(['scan', '--kubeconfig', c().kubeconfigPath('reader'), '--context', 'nope']);
      assert.equal(r1.code, 2);
      assert.match(r1.stderr, /context "nope" not found in kubeconfig/);
      const garbage = path.join(tmp, 'garbage.yaml');
      writeFileSync(garbage, 'clusters: [\n  : : :\n');
      const r2 = await kubeward(['scan', '--kubeconfig', garbage]);
      assert.equal(r2.code, 2);
      assert.match(r2.stderr, /cannot read kubeconfig/);
      for (const r of [r1, r2]) noStack(r);
    });

    it('the server dies mid-collection: exit 2, partial results kept and marked partial', async () => {
      // Enough objects that a one-object-per-request collection takes a while.
      const many = Array.from({ length: 3000 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'shop' }, data: { i: String(i) } }));
      for (let i = 0; i < many.length; i += 50) await Promise.all(many.slice(i, i + 50).map((o) => applyAll(c(), [o])));
      // kubeward talks to the server through a TCP relay that "dies" (closes everything and stops
      // listening) once the collection is well under way: deterministic, however loaded the machine.
      const upstream = new URL(c().url);
      const sockets = new Set<net.Socket>();
      let relayed = 0;
      let dead = false;
      const relay = net.createServer((client) => {
        const up = net.connect(Number(upstream.port), upstream.hostname);
        sockets.add(client).add(up);
        client.pipe(up);
        up.pipe(client);
        up.on('data', (d: Buffer) => {
          relayed += d.length;
          if (!dead && relayed > 600_000) {
            dead = true;
            relay.close();
            for (const x of sockets) x.destroy();
          }
        });
        for (const x of [client, up]) x.on('error', () => undefined);
      });
      await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
      const port = (relay.address() as net.AddressInfo).port;
      const kc = kubeconfig('via-relay.yaml', (t) => t.replace(/server: .*/, `server: https://127.0.0.1:${port}`));
      const out = path.join(tmp, 'partial.json');
      const r = await kubeward(['snapshot', '--kubeconfig', kc, '--chunk-size', '1', '--timeout', '120', '-o', out]);
      relay.close();
      assert.ok(dead, 'the relay was cut during the collection');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /PARTIAL/);
      assert.match(r.stderr, /collection interrupted/);
      noStack(r);
      assert.ok(existsSync(out), 'the partial snapshot is written');
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(doc.metadata.partial, true);
      assert.ok(doc.notAssessed.length > 0, 'the kinds not read are listed');
      assert.ok(doc.items.length > 0, 'what was read is kept');
    });
  });
});
