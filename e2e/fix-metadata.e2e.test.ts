// `kubeward fix metadata` against a real kube-apiserver (issue 6): the fixture cluster is created,
// the fix is computed from the live cluster, every generated NetworkPolicy is created or replaced
// through the API (the apiserver's validation is the judge of the objects: ipBlock except inside
// cidr, policyTypes, selectors), and a second run on the fixed cluster has nothing left to do.
// Cilium/Calico objects need those CNIs' CRDs or API server, which do not run here: they are
// covered by the unit tests' evaluator proof only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertTestenvBinaries, startTestCluster, type TestCluster } from '../test/helpers/testenv.js';
import { fromRoot } from '../test/helpers/paths.js';
import { applyAll, readManifests } from './helpers/apply.js';

function kubeward(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fromRoot('bin/kubeward.js'), ...args], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? -1) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

const FIXTURE = fromRoot('test/metadata/fixtures/fix-cluster.yaml');

describe('kubeward fix metadata on a real kube-apiserver', () => {
  let cluster: TestCluster | undefined;
  const c = (): TestCluster => {
    if (!cluster) throw new Error('cluster not started');
    return cluster;
  };
  before(async () => {
    assertTestenvBinaries();
    cluster = await startTestCluster();
    // No controller-manager here: the default ServiceAccounts the pods need are created by hand.
    const objs = readManifests(FIXTURE);
    const nss = objs.filter((o) => o.kind === 'Namespace');
    const sas = nss.map((n) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: n.metadata.name } }));
    await applyAll(cluster, [...nss, ...sas, ...objs.filter((o) => o.kind !== 'Namespace')]);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('the generated policies are accepted by the apiserver, and a second run has nothing left to change', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-fix-e2e-'));
    const out = path.join(dir, 'fix.yaml');
    const run = await kubeward(['fix', 'metadata', '--kubeconfig', c().kubeconfigPath('admin'), '--provider', 'aws', '-o', out, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(0, 2000));
    const report = JSON.parse(run.stdout) as { objects: Array<{ action: string }>; proof: { unexpected: unknown[]; imds: { blockedNow: number } } };
    assert.deepEqual(report.proof.unexpected, []);
    assert.ok(report.proof.imds.blockedNow > 0);
    const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS()).filter(Boolean) as Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace: string; resourceVersion?: string } }>;
    assert.equal(docs.length, report.objects.length);
    assert.ok(docs.length >= 4);
    for (const d of docs) {
      const p = `/apis/networking.k8s.io/v1/namespaces/${d.metadata.namespace}/networkpolicies`;
      const existing = await c().request('admin', 'GET', `${p}/${d.metadata.name}`);
      if (existing.status === 200) {
        d.metadata.resourceVersion = existing.json.metadata.resourceVersion;
        const r = await c().request('admin', 'PUT', `${p}/${d.metadata.name}`, d);
        assert.equal(r.status, 200, `replace ${d.metadata.namespace}/${d.metadata.name}: ${r.body.slice(0, 400)}`);
      } else {
        const r = await c().request('admin', 'POST', p, d);
        assert.equal(r.status, 201, `create ${d.metadata.namespace}/${d.metadata.name}: ${r.body.slice(0, 400)}`);
      }
    }
    const again = await kubeward(['fix', 'metadata', '--kubeconfig', c().kubeconfigPath('admin'), '--provider', 'aws', '-o', path.join(dir, 'again.yaml'), '--format', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const j = JSON.parse(again.stdout) as { objects: unknown[]; proof: { imds: { blockedNow: number; alreadyBlocked: number } } };
    assert.deepEqual(j.objects, [], 'the fixed cluster needs no further change');
    assert.equal(j.proof.imds.blockedNow, 0);
    assert.ok(j.proof.imds.alreadyBlocked > 0);
  });
});
