// Bad input: each case gives one clear line naming the file (and line where known), the rest is
// still scanned, the exit code is 2 and no stack trace reaches the user.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, symlinkSync, chmodSync, writeFileSync, ftruncateSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { kubeward, runBin, tempDir, pod, lineOf, hasStackTrace, canRunAsNobody, STABLE_RULES, type CliRun } from './helpers/cli.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const GOOD = pod('good', { hostNetwork: true });
const GOOD_LINE = lineOf(GOOD, 'hostNetwork');

/** Scans good.yaml plus the bad input, JSON report on stdout, errors on stderr. */
async function scanWith(bad: string[], files: Record<string, string | Buffer>, extra: string[] = []): Promise<CliRun> {
  return kubeward(['scan', 'good.yaml', ...bad, ...STABLE_RULES, '--format', 'json', ...extra], { files: { 'good.yaml': GOOD, ...files } });
}

/** Exit 2, exactly one error line matching `re`, good.yaml still scanned, no stack trace. */
function expectOneError(r: CliRun, re: RegExp): void {
  assert.ok(!hasStackTrace(r.stderr), `no stack trace:\n${r.stderr}`);
  assert.equal(r.code, 2, `exit 2\n${r.stderr}`);
  const lines = r.errLines();
  assert.equal(lines.length, 1, `exactly one error line:\n${r.stderr}`);
  assert.match(lines[0], re);
  const report = r.json();
  assert.equal(report.errors.length, 1);
  assert.ok(
    report.findings.some((f: Json) => f.location.file === 'good.yaml' && f.location.line === GOOD_LINE),
    'the good file is still scanned',
  );
}

function names(r: CliRun): string[] {
  return r.json().findings.map((f: Json) => f.resource.name).sort();
}

describe('broken YAML in the middle of a multi-document file', () => {
  // Document 2 of 3 is broken; documents 1 and 3 must be scanned, the error must point at the broken line.
  const doc1 = pod('first', { hostNetwork: true });
  const doc3 = pod('third', { hostNetwork: true });
  const cases: Array<{ what: string; doc2: string; needle: string; column?: number; message: RegExp }> = [
    {
      what: 'bad indentation (over-indented key)',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: second\n   namespace: oops\nspec: {}\n',
      needle: '   namespace: oops',
      column: 4,
      message: /bad indentation/,
    },
    {
      what: 'bad indentation (under-indented key)',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: second\n namespace: oops\nspec: {}\n',
      needle: ' namespace: oops',
      message: /same column|indent/i,
    },
    {
      what: 'a tab used for indentation',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: second\nspec: {}\n',
      needle: '\tname: second',
      message: /[Tt]ab/,
    },
    {
      what: 'an unclosed double quote',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "second\nspec:\n  hostNetwork: true\n',
      needle: 'name: "second',
      column: 9,
      message: /never closed/,
    },
    {
      what: "an unclosed single quote",
      doc2: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: 'second\nspec: {}\n",
      needle: "name: 'second",
      column: 9,
      message: /never closed/,
    },
    {
      what: 'an unclosed flow mapping',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata: {name: second,\n  labels: {a: b}\nspec: {}\n',
      needle: 'metadata: {name',
      column: 11,
      message: /\{ opened here is never closed/,
    },
    {
      what: 'an unclosed flow sequence',
      doc2: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: second\n  labels: [a, b\nspec: {}\n',
      needle: 'labels: [a, b',
      column: 11,
      message: /\[ opened here is never closed/,
    },
  ];
  for (const c of cases) {
    test(c.what, async () => {
      const text = `${doc1}---\n${c.doc2}---\n${doc3}`;
      const start2 = lineOf(text, '---');
      const r = await kubeward(['scan', 'multi.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'multi.yaml': text } });
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.equal(r.code, 2);
      assert.deepEqual(names(r), ['first', 'third'], 'documents before and after the broken one are scanned');
      const third = r.json().findings.find((f: Json) => f.resource.name === 'third');
      assert.equal(third.location.line, lineOf(text, 'hostNetwork', lineOf(text, 'name: third')), 'positions after the broken document are right');
      const errors = r.json().errors;
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0].file, 'multi.yaml');
      assert.equal(errors[0].line, lineOf(text, c.needle, start2), `error line for ${c.what}: ${errors[0].message}`);
      if (c.column) assert.equal(errors[0].column, c.column);
      assert.match(errors[0].message, c.message);
      assert.match(errors[0].message, /document at lines \d+-\d+ skipped/);
      assert.equal(r.errLines().length, 1);
      assert.match(r.errLines()[0], new RegExp(`^kubeward: multi\\.yaml:${errors[0].line}:\\d+: invalid YAML: `));
    });
  }

  test('two broken documents in a row, then a good one', async () => {
    const text = `${doc1}---\nmetadata:\n  name: "x\n---\nkind: Pod\n\tbad: tab\n---\n${doc3}`;
    const r = await kubeward(['scan', 'multi.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'multi.yaml': text } });
    assert.deepEqual(names(r), ['first', 'third']);
    assert.deepEqual(
      r.json().errors.map((e: Json) => e.line),
      [lineOf(text, 'name: "x'), lineOf(text, '\tbad')],
    );
  });

  test('%YAML directives and ... document end markers are understood', async () => {
    const text = `%YAML 1.2\n---\n${doc1}...\n%YAML 1.2\n---\n${doc3}`;
    const r = await kubeward(['scan', 'd.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 'd.yaml': text } });
    assert.deepEqual(r.json().errors, []);
    assert.deepEqual(names(r), ['first', 'third']);
    assert.equal(r.json().findings.find((f: Json) => f.resource.name === 'third').location.line, lineOf(text, 'hostNetwork', lineOf(text, 'third')));
  });

  test('broken JSON: line of the error, other files scanned', async () => {
    const r = await scanWith(['bad.json'], { 'bad.json': '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "x"},,\n}\n' });
    expectOneError(r, /^kubeward: bad\.json:4:\d+: invalid JSON: /);
  });
});

describe('files that are not manifests', () => {
  test('a binary file', async () => {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    const r = await scanWith(['image.yaml'], { 'image.yaml': bin });
    expectOneError(r, /^kubeward: image\.yaml: binary file, not YAML or JSON; skipped$/);
  });

  test('an empty file, and one with only blank lines', async () => {
    const r = await scanWith(['empty.yaml'], { 'empty.yaml': '' });
    expectOneError(r, /^kubeward: empty\.yaml: empty file/);
    const r2 = await scanWith(['blank.yaml'], { 'blank.yaml': '\n   \n\n' });
    expectOneError(r2, /^kubeward: blank\.yaml: empty file/);
  });

  test('a file of only comments (a Helm template that rendered to nothing) is not an error', async () => {
    const r = await scanWith(['c.yaml'], { 'c.yaml': '# Source: chart/templates/hpa.yaml\n---\n# nothing\n' });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.json().errors, []);
  });

  test('invalid UTF-8: reported with its line, the file still scanned', async () => {
    const [before, after] = pod('latin1', { privileged: true }).replace('image: nginx:1.25', 'image: nginx:1.25 # caf|').split('|');
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]); // café in Latin-1
    const text = bytes.toString('latin1');
    const r = await scanWith(['latin1.yaml'], { 'latin1.yaml': bytes });
    expectOneError(r, new RegExp(`^kubeward: latin1\\.yaml:${lineOf(text, '# caf')}: invalid UTF-8 \\(byte offset \\d+\\)`));
    assert.deepEqual(names(r), ['good', 'latin1'], 'the file with the bad byte is scanned too');
  });

  test('a document that is a scalar, and one that is a list of scalars', async () => {
    const text = `${pod('a', { hostNetwork: true })}---\njust a string\n---\n- one\n- two\n- three\n---\n42\n`;
    const r = await kubeward(['scan', 's.yaml', ...STABLE_RULES, '--format', 'json'], { files: { 's.yaml': text } });
    assert.equal(r.code, 2);
    assert.deepEqual(names(r), ['a']);
    assert.deepEqual(
      r.errLines(),
      [
        `kubeward: s.yaml:${lineOf(text, 'just a string')}: document is a string, not a Kubernetes object (expected a mapping with apiVersion and kind); skipped`,
        `kubeward: s.yaml:${lineOf(text, '- one')}: document is a list of 3 scalars, not Kubernetes objects; skipped`,
        `kubeward: s.yaml:${lineOf(text, '42')}: document is a number, not a Kubernetes object (expected a mapping with apiVersion and kind); skipped`,
      ],
    );
  });

  test('a JSON array mixing objects and scalars: the objects are scanned, one error for the rest', async () => {
    const text = JSON.stringify([1, JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { hostNetwork: true } })), 'x'], null, 2);
    const r = await scanWith(['a.json'], { 'a.json': text });
    expectOneError(r, /^kubeward: a\.json:2: 2 items of this list \(first: item 0\), not Kubernetes objects; skipped$/);
    assert.deepEqual(names(r), ['good', 'j']);
  });
});

describe('objects that are not valid Kubernetes objects', () => {
  test('an object without kind', async () => {
    const r = await scanWith(['nokind.yaml'], { 'nokind.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n' });
    expectOneError(r, /^kubeward: nokind\.yaml:1:1: document has no kind; skipped$/);
  });

  test('an object without name', async () => {
    const r = await scanWith(['noname.yaml'], { 'noname.yaml': `${pod('ok')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n` });
    expectOneError(r, /^kubeward: noname\.yaml:\d+:1: ConfigMap document has no metadata\.name; skipped$/);
    assert.equal(r.json().errors[0].line, pod('ok').split('\n').length + 1);
  });

  test('an object without apiVersion', async () => {
    const r = await scanWith(['noapi.yaml'], { 'noapi.yaml': 'kind: Pod\nmetadata:\n  name: x\n' });
    expectOneError(r, /^kubeward: noapi\.yaml:1:1: Pod document has no apiVersion; skipped$/);
  });

  test('an item without kind inside a List: named by its position', async () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  metadata: {name: b}\n';
    const r = await scanWith(['list.yaml'], { 'list.yaml': text });
    expectOneError(r, /^kubeward: list\.yaml:7:3: item items\.1 has no kind; skipped$/);
  });

  test('duplicate objects: reported with both places, both copies scanned', async () => {
    const r = await scanWith(['dup.yaml'], { 'dup.yaml': `${pod('good', { hostNetwork: true })}` });
    expectOneError(r, new RegExp(`^kubeward: dup\\.yaml:1: duplicate Pod default/good \\(first defined at good\\.yaml:1\\); both copies are scanned$`));
    assert.equal(r.json().findings.length, 2);
  });

  test('same name in different namespaces or kinds is not a duplicate', async () => {
    const text = `${pod('x', { namespace: 'a' })}---\n${pod('x', { namespace: 'b' })}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n  namespace: a\n`;
    const r = await kubeward(['scan', 'x.yaml', '--format', 'json', ...STABLE_RULES], { files: { 'x.yaml': text } });
    assert.deepEqual(r.json().errors, []);
    assert.equal(r.code, 0);
  });
});

describe('paths that cannot be read', () => {
  test('a nonexistent path', async () => {
    const r = await scanWith(['missing.yaml'], {});
    expectOneError(r, /^kubeward: missing\.yaml: no such file or directory$/);
    const d = await scanWith(['no/such/dir'], {});
    expectOneError(d, /^kubeward: no\/such\/dir: no such file or directory$/);
  });

  test('a folder and a file without read permission (run without the root permission override)', async (t) => {
    // As root, permissions do not apply: run kubeward without CAP_DAC_OVERRIDE. As another user, run it directly.
    const can = canRunAsNobody();
    const isRoot = process.getuid?.() === 0;
    if (isRoot && !can.ok) {
      t.skip(`running as root and cannot drop privileges: ${can.reason}`);
      return;
    }
    const dir = tempDir({ 'good.yaml': GOOD, 'k8s/ok.yaml': pod('ok', { hostNetwork: true }), 'k8s/locked/hidden.yaml': pod('hidden', { hostNetwork: true }), 'k8s/secret.yaml': pod('s') });
    chmodSync(path.join(dir, 'k8s'), 0o755);
    chmodSync(path.join(dir, 'k8s/locked'), 0o000);
    chmodSync(path.join(dir, 'k8s/secret.yaml'), 0o000);
    const r = await runBin(['scan', 'good.yaml', 'k8s', ...STABLE_RULES, '--format', 'json'], { cwd: dir, asNobody: isRoot });
    chmodSync(path.join(dir, 'k8s/locked'), 0o755);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.errLines().sort(), ['kubeward: k8s/locked: permission denied', 'kubeward: k8s/secret.yaml: permission denied']);
    assert.deepEqual(names(r), ['good', 'ok']);
  });

  test('a symlink loop does not hang; each file is read once', async () => {
    const dir = tempDir({ 'good.yaml': GOOD, 'k8s/sub/a.yaml': pod('a', { hostNetwork: true }) });
    symlinkSync('..', path.join(dir, 'k8s/sub/up'));
    symlinkSync('a.yaml', path.join(dir, 'k8s/sub/alias.yaml'));
    const r = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.json().errors, []);
    assert.deepEqual(names(r), ['a']);
  });

  test('a device or pipe: /dev/zero is refused at once, <(...) process substitution is read', async () => {
    const dir = tempDir({ 'good.yaml': GOOD, 'p.yaml': pod('piped', { hostNetwork: true }) });
    const r = await runBin(['scan', 'good.yaml', '/dev/zero', ...STABLE_RULES, '--format', 'json'], { cwd: dir, timeoutMs: 20000 });
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.errLines(), ['kubeward: /dev/zero: binary data, not YAML or JSON; skipped']);
    const fifo = await runBin([], { cwd: dir, shell: `bash -c '$KUBEWARD scan <(cat p.yaml) --rule host-network --format json'` });
    assert.equal(fifo.code, 1, fifo.stderr);
    assert.deepEqual(names(fifo), ['piped']);
  });
});

describe('size and resource limits', () => {
  /** A file of `size` bytes whose first bytes are `head` (the rest is a hole: no disk used). */
  function sparse(file: string, head: string, size: number): void {
    const fd = openSync(file, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, size);
    closeSync(fd);
  }

  test('a 200 MB file over --max-file-size is refused by its size, at once', async () => {
    const dir = tempDir({ 'good.yaml': GOOD });
    sparse(path.join(dir, 'huge.yaml'), pod('huge') + '# padding\n', 200 * 1024 * 1024);
    const r = await kubeward(['scan', 'good.yaml', 'huge.yaml', ...STABLE_RULES, '--format', 'json', '--max-file-size', '100'], { cwd: dir });
    expectOneError(r, /^kubeward: huge\.yaml: file is 200 MiB, over the 100 MiB limit; skipped \(raise the limit with --max-file-size\)$/);
    assert.ok(r.ms < 3000, `refused in ${r.ms} ms`);
  });

  test('a 200 MB YAML file under the default limits is refused at once (YAML limit 64 MiB)', async () => {
    const dir = tempDir({ 'good.yaml': GOOD });
    sparse(path.join(dir, 'huge.yaml'), pod('huge') + '# padding\n', 200 * 1024 * 1024);
    const r = await kubeward(['scan', 'good.yaml', 'huge.yaml', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    expectOneError(r, /^kubeward: huge\.yaml: file is 200 MiB, over the 64 MiB YAML limit; skipped \(convert it to JSON/);
    assert.ok(r.ms < 3000, `refused in ${r.ms} ms`);
  });

  test('a 200 MB file of zeros (sparse) under --max-file-size 300 is refused as binary at once', async () => {
    const dir = tempDir({ 'good.yaml': GOOD });
    sparse(path.join(dir, 'zeros.json'), '', 200 * 1024 * 1024);
    const r = await kubeward(['scan', 'good.yaml', 'zeros.json', ...STABLE_RULES, '--format', 'json', '--max-file-size', '300'], { cwd: dir });
    expectOneError(r, /^kubeward: zeros\.json: binary file/);
    assert.ok(r.ms < 3000, `refused in ${r.ms} ms`);
  });

  test('a big JSON List (~24 MB, 20 000 objects) is scanned in seconds, with exact positions', async () => {
    const dir = tempDir();
    const items: unknown[] = [];
    for (let i = 0; i < 20000; i++) {
      items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'bulk', labels: { app: 'bulk', idx: String(i) } }, data: { payload: 'x'.repeat(1000) } });
    }
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'last', namespace: 'bulk' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } } } };
    items.push(target);
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1);
    writeFileSync(path.join(dir, 'big.json'), text);
    assert.ok(text.length > 20 * 1024 * 1024);
    const r = await kubeward(['scan', 'big.json', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json().summary.objects, 20001);
    const f = r.json().findings[0];
    assert.deepEqual([f.location.line, f.location.column], [lineOf(text, '"privileged"'), text.split('\n')[lineOf(text, '"privileged"') - 1].indexOf('"privileged"') + 1]);
    assert.ok(r.ms < 30000, `scanned in ${Math.round(r.ms)} ms`);
  });

  test('a big YAML file (~10 MB, 8 000 documents) is scanned with exact positions', async () => {
    const dir = tempDir();
    const docs: string[] = [];
    for (let i = 0; i < 8000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: bulk\ndata:\n  payload: ${'y'.repeat(1200)}\n`);
    docs.push(pod('last', { namespace: 'bulk', privileged: true }));
    const text = docs.join('---\n');
    writeFileSync(path.join(dir, 'big.yaml'), text);
    assert.ok(text.length > 9 * 1024 * 1024);
    const r = await kubeward(['scan', 'big.yaml', ...STABLE_RULES, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json().summary.objects, 8001);
    const f = r.json().findings[0];
    assert.deepEqual([f.location.line, f.location.column], [lineOf(text, 'privileged: true'), 7]);
    assert.ok(r.ms < 60000, `scanned in ${Math.round(r.ms)} ms`);
  });

  test('extremely long lines (a 5 MB value on one line) do not break parsing or positions', async () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\ndata:\n  blob: "${'z'.repeat(5 * 1024 * 1024)}"\n---\n${pod('after', { hostNetwork: true })}`;
    const r = await scanWith(['long.yaml'], { 'long.yaml': text });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.json().errors, []);
    const after = r.json().findings.find((f: Json) => f.resource.name === 'after');
    assert.equal(after.location.line, lineOf(text, 'hostNetwork'));
    assert.ok(r.ms < 20000, `scanned in ${Math.round(r.ms)} ms`);
  });

  test('a YAML alias bomb ("billion laughs") is refused quickly and in little memory; the next document is scanned', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const p = String.fromCharCode(97 + i - 1);
      const n = String.fromCharCode(97 + i);
      levels.push(`${n}: &${n} [${Array(9).fill('*' + p).join(',')}]`);
    }
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  ${levels.join('\n  ')}\n`;
    const text = `${bomb}---\n${pod('after', { hostNetwork: true })}`;
    const dir = tempDir({ 'good.yaml': GOOD, 'bomb.yaml': text });
    // A real process with a small heap: an expansion would exhaust it and crash.
    const r = await runBin(['scan', 'good.yaml', 'bomb.yaml', ...STABLE_RULES, '--format', 'json'], {
      cwd: dir,
      timeoutMs: 30000,
      env: { NODE_OPTIONS: '--max-old-space-size=96' },
    });
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.errLines(), ['kubeward: bomb.yaml:1: YAML aliases expand to too many nodes (over 1000; a "billion laughs" document?); document skipped']);
    assert.deepEqual(names(r), ['after', 'good']);
  });

  test('a few aliases, as real manifests use them, are fine', async () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: anchors\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n        securityContext: &sc\n          privileged: true\n      - name: b\n        image: x\n        securityContext: *sc\n`;
    const r = await kubeward(['scan', 'a.yaml', '--rule', 'privileged-container', '--format', 'json'], { files: { 'a.yaml': text } });
    assert.deepEqual(r.json().errors, []);
    assert.equal(r.json().findings.length, 2);
    // the aliased container's finding points at the alias (best effort), never at nothing
    for (const f of r.json().findings) assert.ok(f.location.line > 0);
  });
});

describe('many problems at once', () => {
  test('every bad input in one run: one line each, the good file scanned, exit 2', async () => {
    const dir = tempDir({
      'good.yaml': GOOD,
      'bad/empty.yaml': '',
      'bad/nokind.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n',
      'bad/broken.yaml': 'a: "b\n',
      'bad/bin.json': Buffer.from([0x7b, 0x00, 0x01, 0x02]),
    });
    mkdirSync(path.join(dir, 'bad/emptydir'));
    // empty.yaml and nokind.yaml are named: in a folder walk, files with no Kubernetes object in them
    // (values.yaml, Chart.yaml) are passed over quietly
    const r = await runBin(['scan', 'good.yaml', 'bad/empty.yaml', 'bad/nokind.yaml', 'bad', 'nope.yaml', ...STABLE_RULES], { cwd: dir });
    assert.equal(r.code, 2);
    assert.ok(!hasStackTrace(r.stdout + r.stderr));
    // text format: the errors are in the report on stdout
    const section = r.stdout.split('Input errors (5)\n')[1]?.split('\n\n')[0];
    assert.ok(section, r.stdout);
    assert.deepEqual(
      section.split('\n').map((l) => l.trim().replace(/: .*/, '')),
      ['bad/empty.yaml', 'bad/nokind.yaml:1:1', 'bad/bin.json', 'bad/broken.yaml:1:4', 'nope.yaml'],
    );
    assert.match(r.stdout, /host-network {2}Pod default\/good/);
  });
});
