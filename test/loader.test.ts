// The manifest loader below the CLI: document splitting, positions (YAML, JSON, large JSON, large
// YAML), snapshots, stdin and size limits, UTF-8 validation.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import jsyaml from 'js-yaml';
import { parseManifestText, MAX_ALIAS_COUNT } from '../src/loaders/manifest.js';
import { loadPaths, firstInvalidUtf8, joinNormalized, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_YAML_SIZE } from '../src/loaders/files.js';
import { tempDir, pod, lineOf } from './helpers/cli.js';

function at(text: string, file = 'f.yaml') {
  const r = parseManifestText(text, file);
  return { ...r, loc: (i: number, p: Array<string | number>) => r.objects[i].locate(p) };
}

describe('positions', () => {
  test('locate() finds keys and sequence items, and falls back to the nearest ancestor', () => {
    const text = pod('p', { privileged: true });
    const r = at(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.loc(0, ['spec', 'containers', 0, 'securityContext', 'privileged']), { file: 'f.yaml', line: lineOf(text, 'privileged'), column: 7 });
    assert.deepEqual(r.loc(0, ['spec', 'containers', 0]), { file: 'f.yaml', line: lineOf(text, '- name: app'), column: 5 });
    assert.deepEqual(r.loc(0, ['spec', 'containers', 0, 'securityContext', 'runAsUser']), { file: 'f.yaml', line: lineOf(text, 'securityContext'), column: 5 }, 'missing field: its parent');
    assert.deepEqual(r.objects[0].source, { file: 'f.yaml', line: 1, column: 1 });
  });

  test('a --- inside an indented block scalar does not split the document', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: embedded\ndata:\n  manifests.yaml: |\n    ---\n    apiVersion: v1\n    kind: Pod\n---\n${pod('after', { hostNetwork: true })}`;
    const r = at(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.objects.map((o) => o.ref.name), ['embedded', 'after']);
    assert.equal(r.loc(1, ['spec', 'hostNetwork'])?.line, lineOf(text, 'hostNetwork'));
  });

  test('what separates documents: --- at a line start, then a blank, a tab, a line end or the end of the text', () => {
    const sa = (n: string): string => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${n}\n`;
    // Each separator case between two objects; a broken first document shows whether the second
    // was split off (it is then read) or not (both are lost in one error).
    // (an unclosed quote, which the YAML lexer would carry on to the end of the text)
    const broken = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "x\n';
    for (const [sep, splits] of [
      ['---\n', true],
      ['---\r\n', true],
      ['--- \n', true],
      ['---\t# c\n', true],
      ['----\n', false],
      ['---x\n', false],
      [' ---\n', false],
      ['a: ---\n', false],
    ] as const) {
      const r = at(`${broken}${sep}${sa('b')}`);
      assert.deepEqual(r.objects.map((o) => o.ref.name), splits ? ['b'] : [], JSON.stringify(sep));
      assert.equal(r.errors.length, 1, JSON.stringify(sep));
    }
    // A separator as the last line, and one at the very start.
    assert.deepEqual(at(`---\n${sa('a')}---`).objects.map((o) => o.ref.name), ['a']);
    assert.deepEqual(at(`${sa('a')}---\n---\n${sa('b')}`).objects.map((o) => o.ref.name), ['a', 'b']);
  });

  test('content on the --- line, and --- followed by a comment', () => {
    const text = `--- {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}\n--- # second\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n`;
    const r = at(text);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.objects.map((o) => [o.ref.name, o.source?.line]), [['a', 1], ['b', 3]]);
  });

  test('a broken document does not shift positions or swallow the next one', () => {
    const text = `${pod('a')}---\nkind: [\n---\n${pod('b', { privileged: true })}`;
    const r = at(text);
    assert.equal(r.errors.length, 1);
    assert.equal(r.syntaxErrors, 1);
    assert.deepEqual(r.objects.map((o) => o.ref.name), ['a', 'b']);
    assert.equal(r.loc(1, ['spec', 'containers', 0, 'securityContext', 'privileged'])?.line, lineOf(text, 'privileged'));
  });

  test('small JSON: exact positions through the YAML parser', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { hostNetwork: true } }, null, 2);
    const r = at(text, 'j.json');
    assert.deepEqual(r.loc(0, ['spec', 'hostNetwork']), { file: 'j.json', line: lineOf(text, 'hostNetwork'), column: 5 });
  });

  test('large JSON (over 4 MiB, parsed with JSON.parse): positions of List and array items; snapshots have none', () => {
    const filler = Array.from({ length: 2200 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { v: `{"not": [a structure]} \\" ${'x'.repeat(2000)}` } }));
    const target = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target' }, spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } };
    for (const [shape, wrap, prefix] of [
      ['List', (items: unknown[]) => ({ apiVersion: 'v1', kind: 'List', items }), ['items']],
      ['array', (items: unknown[]) => items, []],
    ] as const) {
      const text = JSON.stringify(wrap([...filler, target]), null, 2);
      assert.ok(text.length > 4 * 1024 * 1024, `${shape} is over the 4 MiB JSON threshold`);
      const r = at(text, 'big.json');
      assert.deepEqual(r.errors, [], shape);
      const i = r.objects.findIndex((o) => o.ref.name === 'target');
      const line = lineOf(text, '"privileged"');
      const col = text.split('\n')[line - 1].indexOf('"privileged"') + 1;
      assert.deepEqual(r.loc(i, ['spec', 'containers', 0, 'securityContext', 'privileged']), { file: 'big.json', line, column: col }, shape);
      assert.equal(r.objects[i].source?.line, lineOf(text, '"name": "target"') - 4, `${shape}: object start`);
      void prefix;
    }
    // A kubeward snapshot is machine-written: no positions (findings carry the JSON path instead).
    const snap = JSON.stringify({ apiVersion: 'kubeward.io/v1', kind: 'ClusterSnapshot', metadata: {}, notAssessed: [], errors: [], items: [target] }, null, 2);
    const r = at(snap, 'cluster.json');
    assert.deepEqual(r.errors, []);
    assert.equal(r.objects.length, 1);
    assert.equal(r.loc(0, ['spec', 'containers', 0, 'securityContext', 'privileged']), undefined);
    assert.equal(r.objects[0].source, undefined);
  });

  test('large YAML (over 8 MiB): documents are not kept, positions are still exact', () => {
    const docs: string[] = [];
    for (let i = 0; i < 4000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  v: ${'q'.repeat(2200)}\n`);
    docs.push(pod('target', { privileged: true }));
    const text = docs.join('---\n');
    assert.ok(text.length > 8 * 1024 * 1024);
    const r = at(text);
    const t = r.objects.length - 1;
    assert.equal(r.objects[t].ref.name, 'target');
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(r.loc(t, ['spec', 'containers', 0, 'securityContext', 'privileged']), { file: 'f.yaml', line: lineOf(text, 'privileged'), column: 7 });
    }
    assert.equal(r.loc(5, ['data', 'v'])?.line, 1 + 7 * 5 + 5, 'an early document too');
  });
});

describe('what counts as an object', () => {
  test('PodList and other *List kinds with items are expanded', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } }] });
    assert.deepEqual(at(text).objects.map((o) => `${o.ref.kind} ${o.ref.namespace}/${o.ref.name}`), ['Pod x/a']);
  });

  test('generateName objects are kept under "<prefix>*"', () => {
    const r = at('apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n');
    assert.equal(r.objects[0].ref.name, 'migrate-*');
  });

  test('a kustomization.yaml (no name) is passed over without an error', () => {
    const r = at('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.objects, []);
  });

  test(`alias expansion is capped at ${MAX_ALIAS_COUNT}`, () => {
    assert.equal(MAX_ALIAS_COUNT, 1000);
    const few = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {x: y}\n  annotations: *l\n`;
    assert.deepEqual(at(few).errors, []);
    const rows = ['a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'];
    for (let i = 1; i < 6; i++) rows.push(`${'abcdef'[i]}: &${'abcdef'[i]} [${Array(10).fill('*' + 'abcdef'[i - 1]).join(', ')}]`);
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  ${rows.join('\n  ')}\n`;
    const t0 = Date.now();
    const r = at(bomb);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(r.objects.length, 0);
    assert.match(r.errors[0].message, /aliases expand to too many nodes/);
  });

  test('sawKind tells Kubernetes-looking files from other YAML', () => {
    assert.equal(at('replicaCount: 1\n').sawKind, undefined);
    assert.equal(at('kind: Pod\n').sawKind, true);
  });
});

describe('loadPaths', () => {
  test('relative paths resolve against opts.cwd and keep their spelling in findings', async () => {
    const dir = tempDir({ 'k8s/a.yaml': pod('a') });
    const r = await loadPaths(['k8s'], { cwd: dir });
    assert.deepEqual(r.errors, []);
    assert.equal(r.objects[0].file, 'k8s/a.yaml');
    assert.equal(r.files, 1);
  });

  test('stdin larger than the limit is refused without reading it all', async () => {
    let chunks = 0;
    async function* endless() {
      const block = Buffer.from('# comment line\n'.repeat(4096));
      for (;;) {
        chunks++;
        yield block;
      }
    }
    const r = await loadPaths(['-'], { stdin: endless, maxFileSize: 1024 * 1024 });
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /^input is larger than 1 MiB, over the 1 MiB limit; skipped/);
    assert.ok(chunks < 40, `stopped after ${chunks} chunks`);
  });

  test('binary stdin is refused; stdin read once even when - is given twice', async () => {
    const bin = await loadPaths(['-'], { stdin: async function* () { yield Buffer.from([1, 0, 2]); } });
    assert.deepEqual(bin.errors, [{ file: '<stdin>', message: 'binary data, not YAML or JSON; skipped' }]);
    let reads = 0;
    const twice = await loadPaths(['-', '-'], { stdin: async function* () { reads++; yield pod('s'); } });
    assert.equal(reads, 1);
    assert.equal(twice.objects.length, 1);
  });

  test('text encodings: ASCII, UTF-8 with and without a byte-order mark, invalid UTF-8 (read, with a warning)', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\n  annotations:\n    note: "${v}"\n`;
    const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
    const badHead = `${cm('x').split('"x"')[0]}"a`;
    const dir = tempDir({
      'ascii.yaml': cm('plain'),
      'utf8.yaml': cm('café ✓'),
      'bom.yaml': Buffer.concat([BOM, Buffer.from(cm('naïve'))]),
      'bom-ascii.yaml': Buffer.concat([BOM, Buffer.from(cm('plain'))]),
      'bad.yaml': Buffer.concat([Buffer.from(badHead), Buffer.from([0xff]), Buffer.from('b"\n')]),
    });
    const notes = async (f: string) => {
      const r = await loadPaths([f], { cwd: dir });
      return { note: (r.objects[0]?.obj.metadata?.annotations as Record<string, string> | undefined)?.note, line: r.objects[0]?.source?.line, errors: r.errors.map((e) => e.message) };
    };
    assert.deepEqual(await notes('ascii.yaml'), { note: 'plain', line: 1, errors: [] });
    assert.deepEqual(await notes('utf8.yaml'), { note: 'café ✓', line: 1, errors: [] });
    assert.deepEqual(await notes('bom.yaml'), { note: 'naïve', line: 1, errors: [] });
    assert.deepEqual(await notes('bom-ascii.yaml'), { note: 'plain', line: 1, errors: [] });
    const bad = await notes('bad.yaml');
    assert.equal(bad.note, 'a\ufffdb');
    assert.deepEqual(bad.errors, [`invalid UTF-8 (byte offset ${badHead.length}); the bad bytes were read as U+FFFD and the file was still scanned`]);
  });

  test('default limits: 500 MiB for JSON (V8 strings stop near 512 MiB), 64 MiB for YAML', () => {
    assert.equal(DEFAULT_MAX_FILE_SIZE, 500 * 1024 * 1024);
    assert.equal(DEFAULT_MAX_YAML_SIZE, 64 * 1024 * 1024);
  });
});

describe('firstInvalidUtf8', () => {
  const cases: Array<[string, number[], number]> = [
    ['ASCII', [0x61, 0x62], -1],
    ['2-, 3- and 4-byte sequences', [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
    ['Latin-1 byte', [0x61, 0xe9, 0x62], 1],
    ['overlong encoding', [0xc0, 0xaf], 0],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf], 0],
    ['UTF-16 surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['truncated at the end', [0x61, 0xe2, 0x82], 1],
    ['stray continuation byte', [0x80], 0],
  ];
  for (const [what, bytes, want] of cases) {
    test(what, () => {
      assert.equal(firstInvalidUtf8(Uint8Array.from(bytes)), want);
      let native = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
      } catch {
        native = false;
      }
      assert.equal(native, want === -1, 'agrees with the platform decoder');
    });
  }
});

test('folder walks name files as path.join would, however the folder was written', async () => {
  const dir = tempDir({ 'k8s/a.yaml': pod('a'), 'k8s/sub/b.yaml': pod('b'), 'k8s/sub/deeper/c.yml': pod('c') });
  const rel = path.relative(process.cwd(), dir);
  for (const given of [dir, `${dir}/`, `${dir}//k8s/../k8s/`, path.join(rel, 'k8s'), `${rel}/./k8s/`]) {
    const r = await loadPaths([given]);
    assert.deepEqual(r.errors, []);
    const want = ['a.yaml', 'sub/b.yaml', 'sub/deeper/c.yml'].map((f) => path.join(given, ...(given.includes('k8s') ? [] : ['k8s']), f));
    assert.deepEqual(r.objects.map((o) => o.file).sort(), want.sort(), given);
  }
  for (const [d, n] of [['.', 'x'], ['./', 'x'], ['/', 'x'], ['a/', 'x'], ['../a', 'x'], ['/a/b', 'x']]) assert.equal(joinNormalized(path.normalize(d), n), path.join(d, n));
});

test('plain scalars read as js-yaml core schema with YAML 1.1 booleans and merge keys reads them', () => {
  // The reference: the library's own core schema, extended as the loader's schema is described.
  const yaml11 = new jsyaml.Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (d: string | null) => d !== null && /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON|n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(d),
    construct: (d: string) => /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(d),
  });
  const reference = jsyaml.CORE_SCHEMA.extend({ implicit: [yaml11, (jsyaml as unknown as { types: { merge: InstanceType<typeof jsyaml.Type> } }).types.merge] });
  const scalars = [
    '0', '-0', '+0', '12', '-12', '+12', '0x1F', '-0x1f', '0o17', '0b101', '0777', '1_000', '0x_1F', '1e3', '1.5e-3', '-1.5E+3', '.5', '-.5', '+.5', '5.',
    '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'inf', 'nan', '1:30', '1.2.3', '0.0.0.0/0', '10.0.0.1', '-1-2', '+', '.', '-a', '+x', '.x', '1a', '0x', '0b', '0o',
    'y', 'Y', 'yes', 'No', 'ON', 'off', 'true', 'False', 'TRUE', 'tRue', 'null', 'Null', 'NULL', '~', '', 'nginx:1.25', '"12"', "'0x1F'", '!!str 12', '!!int "12"', '!!float 1',
  ];
  const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scalars\ndata:\n${scalars.map((s, i) => `  k${i}: ${s}`).join('\n')}\n`;
  const want = jsyaml.load(doc, { schema: reference, json: true }) as { data: Record<string, unknown> };
  const r = parseManifestText(doc, 'scalars.yaml');
  assert.deepEqual(r.errors, []);
  const got = (r.objects[0].obj as unknown as { data: Record<string, unknown> }).data;
  scalars.forEach((s, i) => assert.ok(Object.is(got[`k${i}`], want.data[`k${i}`]), `${s}: ${String(got[`k${i}`])} vs ${String(want.data[`k${i}`])}`));
});
