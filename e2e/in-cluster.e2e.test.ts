// kubeward as the shipped CronJob runs it: in-cluster configuration (service-account token, CA and
// KUBERNETES_SERVICE_* env), with the shipped kubeward-reader ClusterRole bound to the shipped
// ServiceAccount, running the CronJob's own command. The service-account files appear at
// /var/run/secrets/kubernetes.io/serviceaccount inside a private mount namespace (unshare -m +
// tmpfs on /run), so nothing on the machine changes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, readdirSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertTestenvBinaries, startTestCluster, type TestCluster } from '../test/helpers/testenv.js';
import { fromRoot } from '../test/helpers/paths.js';
import { applyAll, readManifests } from './helpers/apply.js';

function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('unshare', ['-m', 'sh', '-c', script], { env: { ...process.env, ...env }, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

describe('in-cluster run: the shipped CronJob command with the shipped reader role', () => {
  let cluster: TestCluster | undefined;
  let startError: Error | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubeward-incluster-'));
  const c = (): TestCluster => {
    // A failure while setting the cluster up is the one to report (not what a test trips over after it).
    if (!cluster || startError) throw new Error(`test cluster setup failed: ${startError?.message.split('\n')[0]}`);
    return cluster;
  };

  before(async () => {
    try {
      cluster = await startTestCluster();
      const example = readdirSync(fromRoot('examples/shop'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => fromRoot('examples/shop', f));
      const objs = readManifests(...example, fromRoot('e2e/fixtures/live-extra.yaml'));
      const order = ['Namespace', 'ServiceAccount', 'CustomResourceDefinition'];
      const rank = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
      await applyAll(cluster, objs.sort((a, b) => rank(a.kind) - rank(b.kind)));
      // The shipped manifests, as a user applies them: namespace + service account from the CronJob
      // file, ClusterRole + ClusterRoleBinding from the reader file.
      const cron = readManifests(fromRoot('deploy/kubeward-cronjob.yaml')).filter((o) => o.kind === 'Namespace' || o.kind === 'ServiceAccount');
      await applyAll(cluster, [...cron, ...readManifests(fromRoot('deploy/kubeward-reader.yaml'))]);
    } catch (e) {
      startError = e as Error;
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  it('scans the cluster from inside with only the reader role: complete, with findings', async () => {
    // A real token of the kubeward service account, as the kubelet would mount it.
    const tr = await c().request('admin', 'POST', '/api/v1/namespaces/kubeward/serviceaccounts/kubeward/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 3600 },
    });
    assert.equal(tr.status, 201, tr.body);
    const sa = path.join(tmp, 'sa');
    mkdirSync(sa);
    writeFileSync(path.join(sa, 'token'), tr.json.status.token);
    writeFileSync(path.join(sa, 'ca.crt'), c().caPem);
    writeFileSync(path.join(sa, 'namespace'), 'kubeward');

    // The CronJob's own shell command, with /reports pointed at a temp dir and `kubeward` on PATH.
    const cronjob = parseAllDocuments(readFileSync(fromRoot('deploy/kubeward-cronjob.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .find((d) => d.kind === 'CronJob');
    const container = cronjob.spec.jobTemplate.spec.template.spec.containers[0];
    assert.deepEqual(container.command, ['/bin/sh', '-c']);
    const reports = path.join(tmp, 'reports');
    mkdirSync(reports);
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'kubeward'), `#!/bin/sh\nexec "${process.execPath}" "${fromRoot('bin/kubeward.js')}" "$@"\n`);
    chmodSync(path.join(bin, 'kubeward'), 0o755);
    const jobScript = (container.args[0] as string).replace(/\/reports/g, reports);
    const url = new URL(c().url);
    const script = [
      'set -e',
      'mount -t tmpfs tmpfs /run',
      'mkdir -p /run/secrets/kubernetes.io/serviceaccount',
      `cp ${sa}/* /run/secrets/kubernetes.io/serviceaccount/`,
      'set +e',
      jobScript,
    ].join('\n');
    const r = await sh(script, { PATH: `${bin}:${process.env.PATH}`, KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, HOME: tmp });
    assert.equal(r.code, 0, `the job succeeds (--fail-on none): ${r.stderr}`);
    const written = readdirSync(reports).filter((f) => /^kubeward-\d{8}T\d{6}Z\.json$/.test(f));
    assert.equal(written.length, 1, `one timestamped report in the reports volume: ${readdirSync(reports)}`);
    const report = JSON.parse(readFileSync(path.join(reports, written[0]), 'utf8'));
    assert.deepEqual(JSON.parse(r.stdout), report, 'the job log carries the same report (kubectl logs)');
    const clusterGaps = report.notAssessed.filter((n: { what: string }) => !n.what.startsWith('cloud context'));
    assert.deepEqual(clusterGaps, [], 'nothing read from the cluster is "not assessed" with the shipped role');
    assert.ok(
      report.findings.some((f: { ruleId: string; resource: { name: string } }) => f.ruleId === 'privileged-container' && f.resource.name === 'debug-shell'),
      'the privileged debug pod is found',
    );
    assert.match(report.findings[0].location?.file ?? '', /^cluster:/);
  });
});
