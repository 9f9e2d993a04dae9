// Suppression: ignore file (selectors with globs, reasons, expiry), annotations, --exclude-namespace,
// baselines. Suppressed findings are listed as suppressed (text and JSON), never dropped, never fail.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { kubeward, tempDir, pod, hasStackTrace, STABLE_RULES } from './helpers/cli.js';
import { applySuppressions, globMatch, selectorMatches, fingerprint, type IgnoreEntry } from '../src/core/suppress.js';
import type { Finding } from '../src/core/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const files = {
  'k8s/web.yaml': pod('web', { namespace: 'team-a', hostNetwork: true, privileged: true }),
  'k8s/batch.yaml': pod('batch-1', { namespace: 'team-b', hostNetwork: true }),
  'k8s/agent.yaml': pod('agent', { namespace: 'kube-system', hostNetwork: true, privileged: true }),
};

function state(r: { json(): Json }): string[] {
  return r
    .json()
    .findings.map((f: Json) => `${f.ruleId}:${f.resource.name}${f.suppressed ? ` [${f.suppressed.by}: ${f.suppressed.reason}]` : ''}`)
    .sort();
}

async function scan(extraFiles: Record<string, string>, args: string[] = [], opts: { cwd?: string } = {}) {
  return kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json', ...args], { files: opts.cwd ? extraFiles : { ...files, ...extraFiles }, cwd: opts.cwd });
}

describe('ignore file', () => {
  test('.kubeward-ignore.yaml in the working directory: selectors with globs, reasons in the report', async () => {
    const ignore = `ignores:
  - rule: host-network
    resource: {namespace: team-*, name: batch-*}
    reason: batch jobs need the node network
  - rule: privileged-container
    resource: {kind: Pod, namespace: kube-system, name: agent}
    reason: node agent
`;
    const r = await scan({ '.kubeward-ignore.yaml': ignore });
    assert.deepEqual(state(r), [
      'host-network:agent',
      'host-network:batch-1 [ignore-file: batch jobs need the node network]',
      'host-network:web',
      'privileged-container:agent [ignore-file: node agent]',
      'privileged-container:web',
    ]);
    assert.equal(r.json().summary.suppressed, 2);
    assert.equal(r.json().summary.active, 3);
    assert.equal(r.json().summary.total, 5);
  });

  test('rule "*" and an entry without a selector', async () => {
    const r = await scan({ '.kubeward-ignore.yaml': 'ignores:\n  - rule: "*"\n    resource: {namespace: kube-system}\n    reason: system\n  - rule: host-network\n    reason: everywhere\n' });
    assert.deepEqual(state(r), [
      'host-network:agent [ignore-file: system]',
      'host-network:batch-1 [ignore-file: everywhere]',
      'host-network:web [ignore-file: everywhere]',
      'privileged-container:agent [ignore-file: system]',
      'privileged-container:web',
    ]);
  });

  test('--ignore-file FILE', async () => {
    const dir = tempDir({ ...files, 'policy/accepted.yaml': 'ignores:\n  - rule: privileged-container\n    reason: accepted\n' });
    const r = await scan({}, ['--ignore-file', 'policy/accepted.yaml'], { cwd: dir });
    assert.ok(r.json().findings.filter((f: Json) => f.ruleId === 'privileged-container').every((f: Json) => f.suppressed?.by === 'ignore-file'));
  });

  test('expiry: a future date suppresses; a past date does not, and the expired entry is listed', async () => {
    const ignore = `ignores:
  - rule: host-network
    resource: {name: web}
    reason: until the migration
    expires: 2999-12-31
  - rule: privileged-container
    resource: {name: web}
    reason: temporary exception
    expires: 2001-02-03
`;
    const r = await scan({ '.kubeward-ignore.yaml': ignore });
    assert.equal(r.code, 1);
    const web = r.json().findings.filter((f: Json) => f.resource.name === 'web');
    assert.deepEqual(web.find((f: Json) => f.ruleId === 'host-network').suppressed, { by: 'ignore-file', reason: 'until the migration', expires: '2999-12-31' });
    assert.equal(web.find((f: Json) => f.ruleId === 'privileged-container').suppressed, undefined, 'an expired entry stops suppressing');
    assert.deepEqual(r.json().expiredSuppressions, [{ rule: 'privileged-container', reason: 'temporary exception', expires: '2001-02-03', source: '.kubeward-ignore.yaml:6' }]);
    const text = await kubeward(['scan', 'k8s', ...STABLE_RULES], { cwd: r.cwd });
    assert.match(text.stdout, /Expired suppressions \(1\) no longer apply\n {4}privileged-container expired 2001-02-03 \(\.kubeward-ignore\.yaml:6\): temporary exception\n/);
  });

  const errors: Array<{ what: string; ignore: string; line: RegExp }> = [
    { what: 'unknown rule id', ignore: 'ignores:\n  - rule: host-network\n    reason: a\n  - rule: privileged-containers\n    reason: b\n', line: /^kubeward: \.kubeward-ignore\.yaml:4: unknown rule "privileged-containers"/ },
    { what: 'missing reason', ignore: 'ignores:\n  - rule: host-network\n', line: /^kubeward: \.kubeward-ignore\.yaml:2: invalid ignore file at ignores\.0: must have required property 'reason'$/ },
    { what: 'empty reason', ignore: 'ignores:\n  - rule: host-network\n    reason: ""\n', line: /^kubeward: \.kubeward-ignore\.yaml:3: invalid ignore file at ignores\.0\.reason: must NOT have fewer than 1 characters$/ },
    { what: 'date not YYYY-MM-DD', ignore: 'ignores:\n  - rule: host-network\n    reason: a\n    expires: 31/12/2030\n', line: /^kubeward: \.kubeward-ignore\.yaml:4: invalid ignore file at ignores\.0\.expires: must be a date written YYYY-MM-DD$/ },
    { what: 'impossible date', ignore: 'ignores:\n  - rule: host-network\n    reason: a\n    expires: 2030-02-30\n', line: /^kubeward: \.kubeward-ignore\.yaml:4: invalid ignore file at ignores\.0\.expires: 2030-02-30 is not a date$/ },
    { what: 'unknown key', ignore: 'ignores:\n  - rule: host-network\n    reason: a\n    until: 2030-01-01\n', line: /^kubeward: \.kubeward-ignore\.yaml:4: invalid ignore file at ignores\.0\.until: unknown field "until" \(expected one of rule, resource, reason, expires\)$/ },
    { what: 'unknown selector key', ignore: 'ignores:\n  - rule: host-network\n    reason: a\n    resource:\n      labels: {a: b}\n', line: /^kubeward: \.kubeward-ignore\.yaml:5: invalid ignore file at ignores\.0\.resource\.labels: unknown field "labels"/ },
    { what: 'no ignores list', ignore: 'rules: []\n', line: /^kubeward: \.kubeward-ignore\.yaml:1: invalid ignore file at rules: unknown field "rules" \(expected one of ignores\)$/ },
  ];
  for (const e of errors) {
    test(`ignore-file error is one line with file:line: ${e.what}`, async () => {
      const r = await scan({ '.kubeward-ignore.yaml': e.ignore });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.equal(r.errLines().length, 1, r.stderr);
      assert.match(r.errLines()[0], e.line);
    });
  }

  test('an empty ignore file is fine', async () => {
    const r = await scan({ '.kubeward-ignore.yaml': '# nothing accepted yet\n' });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json().summary.suppressed, 0);
  });
});

describe('annotations', () => {
  test('ignore.kubeward.io/<rule-id> suppresses that rule on that object only', async () => {
    const annotated = pod('web', { namespace: 'team-a', hostNetwork: true, privileged: true, annotations: { 'ignore.kubeward.io/host-network': 'ingress controller on the node network' } });
    const r = await scan({ 'k8s/web.yaml': annotated });
    assert.deepEqual(state(r), [
      'host-network:agent',
      'host-network:batch-1',
      'host-network:web [annotation: ingress controller on the node network]',
      'privileged-container:agent',
      'privileged-container:web',
    ]);
  });

  test('on a Deployment, and with an empty reason', async () => {
    const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    ignore.kubeward.io/privileged-container: ""
spec:
  template:
    spec:
      containers:
      - name: c
        image: i
        securityContext:
          privileged: true
`;
    const r = await kubeward(['scan', 'd.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'd.yaml': deploy } });
    assert.equal(r.code, 0);
    assert.deepEqual(r.json().findings[0].suppressed, { by: 'annotation', reason: 'annotation ignore.kubeward.io/privileged-container' });
  });
});

describe('--exclude-namespace', () => {
  test('repeatable and comma-separated; suppressed, not dropped', async () => {
    const r = await scan({}, ['--exclude-namespace', 'kube-system', '--exclude-namespace', 'team-b,other']);
    assert.deepEqual(state(r), [
      'host-network:agent [config: namespace kube-system is excluded in the configuration]',
      'host-network:batch-1 [config: namespace team-b is excluded in the configuration]',
      'host-network:web',
      'privileged-container:agent [config: namespace kube-system is excluded in the configuration]',
      'privileged-container:web',
    ]);
  });

  test('suppressed findings never fail the scan, even with --fail-on info', async () => {
    const r = await scan({}, ['--exclude-namespace', 'kube-system,team-a,team-b', '--fail-on', 'info']);
    assert.equal(r.code, 0);
    assert.equal(r.json().summary.active, 0);
    assert.equal(r.json().summary.suppressed, 5);
    assert.equal(r.json().summary.failed, false);
  });
});

describe('text report', () => {
  test('suppressed findings are listed in their own section with who suppressed them and why', async () => {
    const r = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--exclude-namespace', 'kube-system'], { files });
    assert.match(r.stdout, /Suppressed \(2\)\n/);
    assert.match(r.stdout, / {4}host-network {2}Pod kube-system\/agent: .*\[config: namespace kube-system is excluded in the configuration\]/);
    assert.match(r.stdout, /3 findings \(1 critical, 2 high\), 2 suppressed/);
  });
});

describe('baseline', () => {
  test('--write-baseline then --baseline: only new findings are active and fail; line moves do not matter', async () => {
    const dir = tempDir(files);
    const first = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--write-baseline', 'baseline.json', '--fail-on', 'none'], { cwd: dir });
    assert.equal(first.code, 0);
    const written = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as Json;
    assert.equal(written.findings.length, 5);

    // same findings, shifted down by comments: nothing new
    const shifted = { 'k8s/web.yaml': `# a comment\n# another\n${files['k8s/web.yaml']}` };
    const again = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--baseline', 'baseline.json', '--format', 'json'], { cwd: dir, files: shifted });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json().summary.suppressed, 5);
    assert.ok(again.json().findings.every((f: Json) => f.suppressed?.by === 'baseline'));

    // a new privileged pod: active, fails
    const newer = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--baseline', 'baseline.json', '--format', 'json'], {
      cwd: dir,
      files: { 'k8s/new.yaml': pod('newcomer', { namespace: 'team-a', privileged: true }) },
    });
    assert.equal(newer.code, 1);
    assert.deepEqual(
      newer.json().findings.filter((f: Json) => !f.suppressed).map((f: Json) => f.resource.name),
      ['newcomer'],
    );
  });

  test('baseline from the config file; a baseline that is not a report is one clear error', async () => {
    const dir = tempDir({ ...files, 'kubeward.yaml': 'baseline: old.json\n', 'old.json': '{"findings": []}\n' });
    const ok = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(ok.code, 1);
    const bad = await kubeward(['scan', 'k8s', '--baseline', 'kubeward.yaml'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.equal(bad.errLines().length, 1);
    assert.match(bad.errLines()[0], /^kubeward: kubeward\.yaml: not a kubeward JSON report/);
    const missing = await kubeward(['scan', 'k8s', '--baseline', 'gone.json'], { cwd: dir });
    assert.deepEqual(missing.errLines(), ['kubeward: gone.json: cannot read: no such file']);
  });
});

describe('suppression logic (unit)', () => {
  const finding = (ruleId: string, name: string, namespace = 'ns'): Finding => ({
    ruleId,
    title: 't',
    pillar: 'workload',
    severity: 'high',
    resource: { apiVersion: 'v1', kind: 'Pod', namespace, name },
    messageId: 'm',
    message: `${ruleId} on ${name}`,
    remediation: 'r',
  });
  const entry = (e: Partial<IgnoreEntry>): IgnoreEntry => ({ rule: 'r1', reason: 'why', source: 'f:1', ...e });

  test('globMatch: * only, other characters literal', () => {
    assert.ok(globMatch('team-*', 'team-a'));
    assert.ok(globMatch('*', ''));
    assert.ok(globMatch('*-db-*', 'prod-db-0'));
    assert.ok(!globMatch('team-*', 'xteam-a'));
    assert.ok(!globMatch('a.b', 'axb'), 'dot is literal');
    assert.ok(!globMatch('a?', 'ab'), '? is literal');
    assert.ok(globMatch('a(b)+', 'a(b)+'));
    assert.ok(!globMatch('web', 'web-1'), 'no glob: exact');
  });

  test('selectorMatches: every given field must match', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'api' };
    assert.ok(selectorMatches({}, ref));
    assert.ok(selectorMatches({ kind: 'Deploy*', namespace: 'prod' }, ref));
    assert.ok(!selectorMatches({ kind: 'Deployment', namespace: 'dev' }, ref));
    assert.ok(!selectorMatches({ name: 'api-*' }, ref));
  });

  test('an entry expiring today still applies; yesterday it does not', () => {
    const fs1 = [finding('r1', 'a')];
    const out1 = applySuppressions(fs1, { today: '2030-05-05', ignores: [entry({ expires: '2030-05-05' })] }, () => undefined);
    assert.equal(fs1[0].suppressed?.by, 'ignore-file');
    assert.deepEqual(out1.expired, []);
    const fs2 = [finding('r1', 'a')];
    const out2 = applySuppressions(fs2, { today: '2030-05-06', ignores: [entry({ expires: '2030-05-05' })] }, () => undefined);
    assert.equal(fs2[0].suppressed, undefined);
    assert.equal(out2.expired.length, 1);
  });

  test('precedence: config, then annotation, then ignore file, then baseline', () => {
    const f = () => [finding('r1', 'a', 'sys')];
    const base = new Set([fingerprint(finding('r1', 'a', 'sys'))]);
    const ann = () => ({ 'ignore.kubeward.io/r1': 'annotated' });
    const all = { today: '2030-01-01', excludeNamespaces: ['sys'], ignores: [entry({})], baseline: base };
    let x = f();
    applySuppressions(x, all, ann);
    assert.equal(x[0].suppressed?.by, 'config');
    x = f();
    applySuppressions(x, { ...all, excludeNamespaces: [] }, ann);
    assert.equal(x[0].suppressed?.by, 'annotation');
    x = f();
    applySuppressions(x, { ...all, excludeNamespaces: [] }, () => undefined);
    assert.equal(x[0].suppressed?.by, 'ignore-file');
    x = f();
    applySuppressions(x, { today: '2030-01-01', baseline: base }, () => undefined);
    assert.equal(x[0].suppressed?.by, 'baseline');
  });

  test('an annotation for another rule does not suppress', () => {
    const x = [finding('r1', 'a')];
    applySuppressions(x, { today: '2030-01-01' }, () => ({ 'ignore.kubeward.io/r2': 'other rule' }));
    assert.equal(x[0].suppressed, undefined);
  });
});
