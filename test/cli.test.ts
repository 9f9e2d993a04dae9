// End-to-end behaviour of the kubeward command line: help, usage errors, inputs and formats,
// positions of findings, snapshots, exit codes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { kubeward, runBin, tempDir, pod, lineOf, hasStackTrace, STABLE_RULES } from './helpers/cli.js';
import { fromRoot } from './helpers/paths.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Line of `privileged: true` in pod(name, { privileged: true }). */
const PRIV = lineOf(pod('x', { privileged: true }), 'privileged');
const VERSION = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

/** "rule@file:line:col" for every finding of a JSON report, sorted. */
function places(report: Json): string[] {
  return report.findings.map((f: Json) => `${f.ruleId}@${f.location.file}:${f.location.line}:${f.location.column}`).sort();
}

describe('help, version and usage errors', () => {
  test('kubeward --help lists the commands and exits 0', async () => {
    const r = await kubeward(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: kubeward /);
    for (const c of ['scan', 'rules']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
    assert.equal(r.stderr, '');
  });

  test('kubeward scan --help documents inputs, options and exit codes', async () => {
    const r = await kubeward(['scan', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: kubeward scan /);
    for (const opt of ['--file', '--format', '--fail-on', '--config', '--ignore-file', '--baseline', '--write-baseline', '--exclude-namespace', '--max-file-size', '--rule']) {
      assert.ok(r.stdout.includes(opt), `scan --help mentions ${opt}`);
    }
    assert.match(r.stdout, /Exit codes: 0 .*1 .*2 /s);
    assert.equal(r.stderr, '');
  });

  test('kubeward rules --help and help scan exit 0', async () => {
    const r = await kubeward(['rules', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: kubeward rules /);
    const h = await kubeward(['help', 'scan']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: kubeward scan /);
  });

  test('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await kubeward([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${VERSION}\n`);
    }
  });

  test('no arguments: usage on stderr, exit 2', async () => {
    const r = await kubeward([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Usage: kubeward/);
  });

  const oneLine = [
    { argv: ['bogus'], re: /^kubeward: unknown command 'bogus'/ },
    { argv: ['help', 'bogus'], re: /^kubeward: unknown command 'bogus'/ },
    { argv: ['scan', '--bogus', 'x.yaml'], re: /^kubeward: unknown option '--bogus'.*kubeward scan --help/ },
    { argv: ['--bogus'], re: /^kubeward: unknown option '--bogus'/ },
    { argv: ['scan', '--fail-on', 'severe', 'x.yaml'], re: /^kubeward: .*'severe' is invalid.*critical, high, medium, low, info, none/ },
    { argv: ['scan', '--format', 'xml', 'x.yaml'], re: /^kubeward: .*'xml' is invalid/ },
    { argv: ['scan', '--fail-on'], re: /^kubeward: option '--fail-on <severity>' argument missing/ },
    { argv: ['scan'], re: /^kubeward: no input/ },
    { argv: ['scan', '--rule', 'no-such-rule', 'x.yaml'], re: /^kubeward: unknown rule "no-such-rule"/ },
    { argv: ['scan', '--max-file-size', 'big', 'x.yaml'], re: /^kubeward: --max-file-size must be a positive number/ },
    { argv: ['rules', 'show', 'no-such-rule'], re: /^kubeward: unknown rule "no-such-rule"/ },
  ];
  for (const { argv, re } of oneLine) {
    test(`usage error is one line and exit 2: kubeward ${argv.join(' ')}`, async () => {
      const r = await kubeward(argv, { files: { 'x.yaml': pod('x') } });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.equal(r.errLines().length, 1, `exactly one line on stderr:\n${r.stderr}`);
      assert.match(r.stderr, re);
      assert.ok(!hasStackTrace(r.stderr));
    });
  }

  test('a real process: exit status and no stack trace for a usage error', async () => {
    const r = await runBin(['scan', '--nope']);
    assert.equal(r.code, 2);
    assert.equal(r.errLines().length, 1, r.stderr);
    const ok = await runBin(['--version']);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout.trim(), VERSION);
  });
});

describe('inputs', () => {
  test('files and folders (recursive), -f repeatable, only manifest extensions, node_modules skipped', async () => {
    const dir = tempDir({
      'a.yaml': pod('a', { hostNetwork: true }),
      'deep/er/b.yml': pod('b', { hostNetwork: true }),
      'deep/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { hostNetwork: true, containers: [{ name: 'x', image: 'y' }] } }),
      'deep/notes.txt': 'not scanned: wrong extension',
      'deep/README.md': '# not scanned',
      'node_modules/pkg/d.yaml': pod('d', { hostNetwork: true }),
      'other/e.yaml': pod('e', { hostNetwork: true }),
      'f.yaml': pod('f', { hostNetwork: true }),
    });
    const r = await kubeward(['scan', '.', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const names = r.json().findings.map((f: Json) => f.resource.name).sort();
    assert.deepEqual(names, ['a', 'b', 'c', 'e', 'f']);
    assert.equal(r.json().summary.files, 5);

    const r2 = await kubeward(['scan', '-f', 'a.yaml', '-f', 'deep', '--file', 'other/e.yaml', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.deepEqual(r2.json().findings.map((f: Json) => f.resource.name).sort(), ['a', 'b', 'c', 'e']);
    // an explicit file is read whatever its extension
    const r3 = await kubeward(['scan', 'deep/notes.txt', '--format', 'json'], { cwd: dir });
    assert.equal(r3.code, 2);
  });

  test('a file named twice, or reached twice through a folder, is read once', async () => {
    const dir = tempDir({ 'k8s/a.yaml': pod('a', { hostNetwork: true }) });
    const r = await kubeward(['scan', 'k8s', 'k8s/a.yaml', './k8s/a.yaml', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json().findings.length, 1);
    assert.deepEqual(r.json().errors, []);
  });

  test('- reads stdin, alone or with files', async () => {
    const dir = tempDir({ 'a.yaml': pod('a', { hostNetwork: true }) });
    const r = await kubeward(['scan', '-', ...STABLE_RULES, '--format', 'json'], { cwd: dir, stdin: pod('from-stdin', { privileged: true }) });
    assert.equal(r.code, 1);
    assert.deepEqual(places(r.json()), [`privileged-container@<stdin>:${PRIV}:7`]);
    const both = await kubeward(['scan', 'a.yaml', '-', ...STABLE_RULES, '--format', 'json'], { cwd: dir, stdin: pod('s', { hostNetwork: true }) });
    assert.deepEqual(both.json().findings.map((f: Json) => f.location.file).sort(), ['<stdin>', 'a.yaml']);
  });

  test('stdin through a real pipe (helm template | kubeward scan -)', async () => {
    const dir = tempDir({ 'p.yaml': pod('p', { privileged: true }) });
    const r = await runBin([], { cwd: dir, shell: `cat p.yaml | $KUBEWARD scan - --rule privileged-container --format json` });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(places(r.json()), [`privileged-container@<stdin>:${PRIV}:7`]);
  });

  test('YAML multi-document: every document, positions per document', async () => {
    const text = `${pod('one', { hostNetwork: true })}---\n${pod('two', { privileged: true })}---\n${pod('three', { hostNetwork: true, privileged: true })}`;
    const r = await kubeward(['scan', 'm.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'm.yaml': text } });
    const second = lineOf(text, 'name: two');
    const third = lineOf(text, 'name: three');
    assert.deepEqual(places(r.json()), [
      `host-network@m.yaml:${lineOf(text, 'hostNetwork')}:3`,
      `host-network@m.yaml:${lineOf(text, 'hostNetwork', third)}:3`,
      `privileged-container@m.yaml:${lineOf(text, 'privileged', second)}:7`,
      `privileged-container@m.yaml:${lineOf(text, 'privileged', third)}:7`,
    ].sort());
  });

  test('JSON object and JSON array', async () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } };
    const text = JSON.stringify({ ...obj, metadata: { name: 'o' } }, null, 2);
    const arr = JSON.stringify([obj, { ...obj, metadata: { name: 'k' } }], null, 2);
    const r = await kubeward(['scan', 'o.json', 'a.json', ...STABLE_RULES, '--format', 'json'], { files: { 'o.json': text, 'a.json': arr } });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(places(r.json()), [
      `host-network@a.json:${lineOf(arr, 'hostNetwork')}:7`,
      `host-network@a.json:${lineOf(arr, 'hostNetwork', lineOf(arr, '"k"'))}:7`,
      `host-network@o.json:${lineOf(text, 'hostNetwork')}:5`,
    ].sort());
  });

  test('kind: List from kubectl get -o yaml', async () => {
    const text = `apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
  spec:
    containers:
    - image: nginx:1.25
      name: web
      securityContext:
        privileged: true
    hostNetwork: true
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: web
    namespace: shop
kind: List
metadata:
  resourceVersion: ""
`;
    const r = await kubeward(['scan', 'list.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'list.yaml': text } });
    assert.deepEqual(places(r.json()), ['host-network@list.yaml:14:5', 'privileged-container@list.yaml:13:9']);
    assert.equal(r.json().summary.objects, 2);
  });

  test('kind: List from kubectl get -o json', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'shop' } },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'web', image: 'nginx', securityContext: { privileged: true } }] } } },
        },
      ],
      metadata: { resourceVersion: '' },
    };
    const text = JSON.stringify(list, null, 4);
    const r = await kubeward(['scan', 'list.json', ...STABLE_RULES, '--format', 'json'], { files: { 'list.json': text } });
    assert.deepEqual(places(r.json()), [`host-network@list.json:${lineOf(text, 'hostNetwork')}:25`, `privileged-container@list.json:${lineOf(text, '"privileged"')}:37`]);
  });

  test('Helm output: # Source comments, empty documents between ---', async () => {
    const text = `---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: shop
---
# Source: shop/templates/empty.yaml
---
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    helm.sh/chart: shop-0.1.0
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: shop
          image: "shop:1.0"
          securityContext:
            privileged: true
---
# Source: shop/templates/tests/test.yaml

`;
    const r = await kubeward(['scan', '-', ...STABLE_RULES, '--format', 'json'], { stdin: text });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.json().errors, []);
    assert.deepEqual(places(r.json()), ['host-network@<stdin>:21:7', 'privileged-container@<stdin>:26:13']);
    assert.equal(r.json().summary.objects, 2);
  });

  test('Kustomize output (kustomize build / kubectl kustomize)', async () => {
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: prod-web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.25
        name: web
        securityContext:
          privileged: true
      hostNetwork: true
`;
    const r = await kubeward(['scan', 'out.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'out.yaml': text, 'kustomization.yaml': 'resources:\n- out.yaml\n' } });
    assert.deepEqual(places(r.json()), ['host-network@out.yaml:28:7', 'privileged-container@out.yaml:27:11']);
    assert.equal(r.json().findings[0].resource.namespace, 'shop');
  });

  test('a folder with non-Kubernetes YAML (Chart.yaml, values.yaml, kustomization.yaml, CI) scans cleanly', async () => {
    const dir = tempDir({
      'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
      'values.yaml': 'replicaCount: 1\nimage:\n  repository: nginx\n',
      'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- pod.yaml\n',
      '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n',
      'pod.yaml': pod('p', { hostNetwork: true }),
    });
    const r = await kubeward(['scan', '.', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.deepEqual(r.json().errors, []);
    assert.equal(r.code, 1);
    assert.equal(r.json().findings.length, 1);
    // named explicitly, a file without Kubernetes objects is an input error
    const e = await kubeward(['scan', 'values.yaml', '--format', 'json'], { cwd: dir });
    assert.equal(e.code, 2);
    assert.match(e.stderr, /values\.yaml:1:1: document has no kind/);
  });

  test('unknown kinds and custom resources are kept, not errors', async () => {
    const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: shop
spec:
  hostNetwork: true
  privileged: true
---
apiVersion: future.k8s.io/v9
kind: Gadget
metadata:
  name: g
`;
    const r = await kubeward(['scan', 'crd.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'crd.yaml': text } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json().errors, []);
    assert.equal(r.json().summary.objects, 3);
  });

  test('CRLF line endings and a UTF-8 byte-order mark keep positions right', async () => {
    const text = '\ufeff' + pod('w', { privileged: true }).replace(/\n/g, '\r\n');
    const r = await kubeward(['scan', 'w.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'w.yaml': text } });
    assert.deepEqual(places(r.json()), [`privileged-container@w.yaml:${PRIV}:7`]);
  });

  test('UTF-16 files (PowerShell redirection) are read', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pod('le', { privileged: true }), 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(pod('be', { privileged: true }), 'utf16le').swap16()]);
    const r = await kubeward(['scan', 'le.yaml', 'be.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'le.yaml': le, 'be.yaml': be } });
    assert.deepEqual(r.json().errors, []);
    assert.deepEqual(places(r.json()), [`privileged-container@be.yaml:${PRIV}:7`, `privileged-container@le.yaml:${PRIV}:7`]);
  });

  test('text report shows file:line:column under each finding', async () => {
    const text = pod('t', { hostNetwork: true });
    const r = await kubeward(['scan', 't.yaml', ...STABLE_RULES], { files: { 't.yaml': text } });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /host-network {2}Pod default\/t: .*\n {6}t\.yaml:6:3\n/);
    assert.match(r.stdout, /1 finding \(1 high\)/);
  });

  test('-o writes the report to a file (relative to the working directory), stdout stays empty', async () => {
    const dir = tempDir({ 't.yaml': pod('t', { hostNetwork: true }) });
    const r = await kubeward(['scan', 't.yaml', ...STABLE_RULES, '--format', 'json', '-o', 'out/report.json'], { cwd: dir, files: { 'out/.keep': '' } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const report = JSON.parse(readFileSync(path.join(dir, 'out/report.json'), 'utf8')) as Json;
    assert.equal(report.findings.length, 1);
    const bad = await kubeward(['scan', 't.yaml', '-o', 'no/such/dir/r.txt'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^kubeward: cannot write no\/such\/dir\/r\.txt/);
  });
});

describe('kubeward snapshots', () => {
  const snapshot = {
    apiVersion: 'kubeward.io/v1',
    kind: 'ClusterSnapshot',
    metadata: { createdAt: '2025-01-01T00:00:00Z', createdBy: 'kubeward 0.1.0', source: 'live', context: 'prod', server: 'https://example' },
    notAssessed: [
      { what: 'rbac.authorization.k8s.io/ClusterRole', reason: 'forbidden: the reader cannot list clusterroles' },
      { what: 'Secret', reason: 'forbidden', rules: ['privileged-container'] },
    ],
    errors: [],
    items: [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } },
    ],
  };

  test('scanning a snapshot reports its findings and its not-assessed entries (JSON and text)', async () => {
    const text = JSON.stringify(snapshot, null, 2);
    const r = await kubeward(['scan', 'cluster.json', ...STABLE_RULES, '--format', 'json'], { files: { 'cluster.json': text } });
    assert.equal(r.code, 1, r.stderr);
    const rep = r.json();
    // A snapshot is machine-written: findings in it are placed by JSON path, not by line.
    assert.deepEqual(places(rep), ['host-network@cluster.json:0:0']);
    assert.match(rep.findings[0].path, /^spec\.hostNetwork$/);
    assert.ok(text.split('\n').length > lineOf(text, 'hostNetwork'), 'the file has lines; they are just not used');
    assert.deepEqual(
      rep.notAssessed.map((n: Json) => n.what),
      ['rbac.authorization.k8s.io/ClusterRole', 'Secret'],
    );
    assert.equal(rep.summary.objects, 2);
    const t = await kubeward(['scan', 'cluster.json', ...STABLE_RULES], { cwd: r.cwd });
    assert.match(t.stdout, /Not assessed \(2\)\n {4}rbac\.authorization\.k8s\.io\/ClusterRole: forbidden: the reader cannot list clusterroles/);
  });

  test('a snapshot in YAML works too; collection errors recorded in it are input errors (exit 2)', async () => {
    const withErr = { ...snapshot, errors: [{ file: 'cluster:prod', message: 'list pods: timeout' }] };
    const r = await kubeward(['scan', '-', ...STABLE_RULES, '--format', 'json'], { stdin: JSON.stringify(withErr) });
    assert.equal(r.code, 2);
    assert.deepEqual(r.json().errors, [{ file: 'cluster:prod', message: 'list pods: timeout' }]);
  });

  test('malformed notAssessed entries are reported, not crashed on', async () => {
    const bad = { ...snapshot, notAssessed: [{ what: 'x' }, 'y', { what: 'ok', reason: 'fine', rules: 'nope' }] };
    const r = await kubeward(['scan', '-', ...STABLE_RULES, '--format', 'json'], { stdin: JSON.stringify(bad, null, 1) });
    assert.equal(r.code, 2);
    assert.deepEqual(r.json().notAssessed, [{ what: 'ok', reason: 'fine' }]);
    assert.equal(r.json().errors.length, 2);
    assert.match(r.json().errors[0].message, /notAssessed\[0\] is malformed/);
  });

  test('docs/snapshot-format.md exists and its example scans', async () => {
    const doc = readFileSync(fromRoot('docs/snapshot-format.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the doc has a JSON example');
    const r = await kubeward(['scan', '-', '--format', 'json', '--fail-on', 'none'], { stdin: example });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.json().summary.objects > 0);
    assert.ok(r.json().notAssessed.length > 0);
  });
});

describe('exit codes', () => {
  const files = {
    'high.yaml': pod('h', { hostNetwork: true }), // host-network: high
    'critical.yaml': pod('c', { privileged: true }), // privileged-container: critical
    'clean.yaml': pod('ok'),
    'broken.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "x\n',
  };
  const cases: Array<{ args: string[]; code: number; why: string }> = [
    { args: ['clean.yaml'], code: 0, why: 'no findings' },
    { args: ['high.yaml'], code: 1, why: 'default threshold is high' },
    { args: ['high.yaml', '--fail-on', 'critical'], code: 0, why: 'high is below critical' },
    { args: ['critical.yaml', '--fail-on', 'critical'], code: 1, why: 'critical at critical' },
    { args: ['high.yaml', '--fail-on', 'medium'], code: 1, why: 'high is above medium' },
    { args: ['high.yaml', 'critical.yaml', '--fail-on', 'none'], code: 0, why: 'none never fails' },
    { args: ['high.yaml', 'broken.yaml'], code: 2, why: 'input error wins over findings' },
    { args: ['clean.yaml', 'broken.yaml', '--fail-on', 'none'], code: 2, why: 'input error even with --fail-on none' },
  ];
  for (const c of cases) {
    test(`exit ${c.code}: ${c.why} (scan ${c.args.join(' ')})`, async () => {
      const r = await kubeward(['scan', ...c.args, ...STABLE_RULES], { files });
      assert.equal(r.code, c.code, r.stdout + r.stderr);
    });
  }

  test('with an input error the report is still written, with the other files scanned', async () => {
    const r = await kubeward(['scan', 'high.yaml', 'broken.yaml', 'missing.yaml', ...STABLE_RULES, '--format', 'json'], { files });
    assert.equal(r.code, 2);
    assert.equal(r.json().findings.length, 1);
    assert.deepEqual(
      r.errLines().map((l) => l.replace(/^(kubeward: \S+?): .*/, '$1')),
      ['kubeward: broken.yaml:4:9', 'kubeward: missing.yaml'],
    );
  });

  test('the text summary says PASS or FAIL against the threshold', async () => {
    const pass = await kubeward(['scan', 'high.yaml', '--fail-on', 'critical', ...STABLE_RULES], { files });
    assert.match(pass.stdout, /PASS \(nothing at or above critical\)/);
    const fail = await kubeward(['scan', 'high.yaml', ...STABLE_RULES], { cwd: pass.cwd });
    assert.match(fail.stdout, /FAIL \(findings at or above high\)/);
  });

  test('a real process exits with the same codes', async () => {
    const dir = tempDir(files);
    assert.equal((await runBin(['scan', 'clean.yaml', ...STABLE_RULES], { cwd: dir })).code, 0);
    assert.equal((await runBin(['scan', 'high.yaml', ...STABLE_RULES], { cwd: dir })).code, 1);
    const bad = await runBin(['scan', 'high.yaml', 'broken.yaml', ...STABLE_RULES], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.ok(!hasStackTrace(bad.stderr), bad.stderr);
  });

  test('output cut short by a closed pipe (kubeward scan | head -1) ends quietly', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => pod(`p${i}`, { hostNetwork: true })).join('---\n');
    const dir = tempDir({ 'many.yaml': many });
    const r = await runBin([], { cwd: dir, shell: `$KUBEWARD scan many.yaml --rule host-network | head -1; echo "status=\${PIPESTATUS:-}"` });
    assert.equal(r.stdout.split('\n')[0], 'Workload hardening (3000)');
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  });
});

test('--cloud none: rules that need a cloud context are not applicable, not "not assessed"', async () => {
  const { captureIO } = await import('../src/cli/io.js');
  const { main } = await import('../src/cli/main.js');
  const plain = captureIO({ cwd: fromRoot() });
  await main(['scan', 'examples/shop', '--format', 'json'], plain);
  const a = JSON.parse(plain.stdout());
  assert.ok(a.notAssessed.some((n: { what: string }) => n.what === 'cloud context'));
  const none = captureIO({ cwd: fromRoot() });
  const code = await main(['scan', 'examples/shop', '--cloud', 'none', '--format', 'json'], none);
  assert.equal(code, 1, none.stderr());
  const b = JSON.parse(none.stdout());
  assert.ok(!b.notAssessed.some((n: { what: string }) => n.what.startsWith('cloud context')), JSON.stringify(b.notAssessed));
  assert.ok(b.summary.notApplicable > (a.summary.notApplicable ?? 0));
  assert.equal(b.findings.length, a.findings.length, 'same findings: only the cloud rules are set aside');
  const mixed = captureIO({ cwd: fromRoot() });
  assert.equal(await main(['scan', 'examples/shop', '--cloud', 'none', '--cloud', 'examples/shop/cloud'], mixed), 2);
  assert.match(mixed.stderr(), /--cloud none cannot be combined/);
});
