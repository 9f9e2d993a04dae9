// kubeward audit analyze end to end (in-process): outputs, exit codes, allow-list, configuration.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { kubeward } from '../helpers/cli.js';

const ev = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Request',
    auditID: `id-${i}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods',
    verb: 'create',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    objectRef: { resource: 'pods', namespace: 'shop', name: `p${i}`, apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } },
    stageTimestamp: `2025-03-01T10:00:0${i}Z`,
    ...extra,
  });

const exec = (i: number, user = 'bob@example.com') =>
  ev(i, {
    verb: 'create',
    user: { username: user, groups: [] },
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web', subresource: 'exec', apiVersion: 'v1' },
    requestURI: '/api/v1/namespaces/shop/pods/web/exec?command=ls&container=web',
    responseStatus: { code: 101 },
    requestObject: undefined,
  });

describe('kubeward audit analyze', () => {
  test('text report: detections with file:line and MITRE ids, the stats; exit 1 at the default threshold (high)', async () => {
    const r = await kubeward(['audit', 'analyze', 'audit.log'], { files: { 'audit.log': [ev(1), exec(2)].join('\n') + '\n' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /HIGH\s+privileged-pod .* audit\.log:1/);
    assert.match(r.stdout, /MEDIUM\s+pod-exec .* audit\.log:2/);
    assert.match(r.stdout, /\[T1610, T1611\]/);
    assert.match(r.stdout, /Input: read 2, parsed 2, malformed 0, truncated 0, skipped 0/);
  });

  test('JSON report: stats, detections with the agreed fields, problems; -o writes the file', async () => {
    const r = await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '-o', 'out.json', '--fail-on', 'none'], { files: { 'a.log': [ev(1), '{"kind":"Event",', exec(3)].join('\n') } });
    assert.equal(r.code, 2, 'a malformed record is an input error');
    assert.match(r.stderr, /a\.log:2: line is not valid JSON/);
    const j = JSON.parse(readFileSync(path.join(r.cwd, 'out.json'), 'utf8'));
    assert.deepEqual(
      { read: j.stats.read, parsed: j.stats.parsed, malformed: j.stats.malformed, truncated: j.stats.truncated, skipped: j.stats.skipped },
      { read: 3, parsed: 2, malformed: 1, truncated: 0, skipped: 0 },
    );
    const d = j.detections.find((x: { id: string }) => x.id === 'privileged-pod');
    for (const k of ['id', 'severity', 'auditID', 'time', 'user', 'verb', 'resource', 'namespace', 'name', 'message', 'evidence']) assert.ok(k in d, `detection has ${k}`);
    assert.equal(d.auditID, 'id-1');
    assert.equal(d.resource, 'pods');
    assert.deepEqual(j.problems[0], { kind: 'malformed', file: 'a.log', line: 2, message: j.problems[0].message });
  });

  test('--fail-on, --allow-user and --only change what is reported and the exit code', async () => {
    const files = { 'a.log': [ev(1), exec(2), exec(3, 'ci@example.com')].join('\n') };
    assert.equal((await kubeward(['audit', 'analyze', 'a.log', '--fail-on', 'critical'], { files })).code, 0);
    const r = await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '--allow-user', 'alice@*,ci@example.com', '--fail-on', 'medium'], { files });
    assert.equal(r.code, 1);
    assert.deepEqual(r.json().detections.map((d: { id: string; user: string }) => `${d.id} ${d.user}`), ['pod-exec bob@example.com']);
    const only = await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '--only', 'pod-exec'], { files });
    assert.deepEqual(only.json().config.detections, ['pod-exec']);
    assert.equal(only.code, 0, 'pod-exec is medium, below the default high');
  });

  test('the platform allow-list can be switched off', async () => {
    const files = { 'a.log': exec(1, 'eks:node-manager') };
    assert.equal((await kubeward(['audit', 'analyze', 'a.log', '--format', 'json'], { files })).json().detections.length, 0);
    assert.equal((await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '--no-platform-allow-list'], { files })).json().detections.length, 1);
  });

  test('stdin, gzip, directories', async () => {
    const r1 = await kubeward(['audit', 'analyze', '-', '--format', 'json'], { stdin: gzipSync(ev(1)) });
    assert.equal(r1.json().inputs[0].file, '<stdin>');
    assert.equal(r1.json().inputs[0].gzip, true);
    assert.equal(r1.json().stats.detections, 1);
    const r2 = await kubeward(['audit', 'analyze', 'logs', '--format', 'json'], { files: { 'logs/a/1.log': ev(1), 'logs/b/2.json.gz': gzipSync(JSON.stringify({ Records: [] })), 'logs/.hidden': 'x' } });
    assert.deepEqual(r2.json().inputs.map((i: { file: string }) => i.file), [path.join('logs', 'a', '1.log'), path.join('logs', 'b', '2.json.gz')]);
  });

  test('a missing file is reported and the others are still read (exit 2)', async () => {
    const r = await kubeward(['audit', 'analyze', 'nope.log', 'a.log', '--fail-on', 'none'], { files: { 'a.log': ev(1) } });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /nope\.log: error: cannot read: no such file/);
    assert.match(r.stdout, /privileged-pod/);
  });

  test('kubeward.yaml audit section: allow-list, detection severity and options; unknown ids are errors', async () => {
    const cfg = 'audit:\n  failOn: medium\n  allowUsers: ["bob@*"]\n  detections:\n    privileged-pod: low\n    forbidden-burst:\n      threshold: 2\n';
    const r = await kubeward(['audit', 'analyze', 'a.log', '--format', 'json'], { files: { 'kubeward.yaml': cfg, 'a.log': [ev(1), exec(2)].join('\n') } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().detections.map((d: { id: string; severity: string }) => `${d.id} ${d.severity}`), ['privileged-pod low']);
    const bad = await kubeward(['audit', 'analyze', 'a.log'], { files: { 'kubeward.yaml': 'audit:\n  detections:\n    no-such-thing: off\n', 'a.log': ev(1) } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown detection "no-such-thing"/);
    const badOpt = await kubeward(['audit', 'analyze', 'a.log'], { files: { 'kubeward.yaml': 'audit:\n  detections:\n    pod-exec:\n      threshold: 3\n', 'a.log': ev(1) } });
    assert.equal(badOpt.code, 2);
    assert.match(badOpt.stderr, /unknown option "threshold" \(this detection has no options\)/);
  });

  test('--list-detections and --list-formats come from the registries; no input is a usage error', async () => {
    const d = await kubeward(['audit', 'analyze', '--list-detections']);
    assert.equal(d.code, 0);
    assert.match(d.stdout, /^privileged-pod\s+high\s+T1610,T1611/m);
    assert.match(d.stdout, /eks:\*/);
    const f = await kubeward(['audit', 'analyze', '--list-formats']);
    assert.match(f.stdout, /^gke-cloud-audit-log\s/m);
    const none = await kubeward(['audit', 'analyze']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no input/);
  });
});
