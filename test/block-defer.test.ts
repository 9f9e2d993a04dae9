// Large block scalars are read on first use (src/loaders/block-defer.ts). What must hold: every value,
// once read, is exactly what a full parse gives; keys keep their order; the object serializes the same;
// and the deferral gives up (the section is parsed as written) whenever the layout is not the simple one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsyaml from 'js-yaml';
import { parseManifestText } from '../src/loaders/manifest.js';
import { deferLargeBlockScalars } from '../src/loaders/block-defer.js';

const big = (prefix: string, lines = 400): string => Array.from({ length: lines }, (_, i) => `${prefix}line ${i} {"k": [1, 2], "s": "a: b # c"}`).join('\n');
const indent = (text: string, n: number): string => text.split('\n').map((l) => (l === '' ? '' : ' '.repeat(n) + l)).join('\n');

function full(text: string): unknown[] {
  const docs: unknown[] = [];
  jsyaml.loadAll(text, (d) => docs.push(d), { json: true });
  return docs.filter((d) => d != null);
}

function loaded(text: string): Array<Record<string, unknown>> {
  const r = parseManifestText(text, 'cm.yaml');
  assert.deepEqual(r.errors, []);
  return r.objects.map((o) => o.obj as Record<string, unknown>);
}

const data = (o: Record<string, unknown>) => o.data as Record<string, unknown>;

test('block defer: large |, |-, > and >- values read on first use, equal to a full parse', () => {
  const body = big('') + '\n\n' + indent(big('  deeper '), 2) + '\n# not a comment inside the scalar\n\n';
  const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: dashboards
data:
  a.json: |-
${indent(body, 4)}
  b.json: |
${indent(body, 4)}
  c.txt: >-
${indent(body, 4)}
  d.txt: >
${indent(body, 4)}

  small: |
    not deferred
  after: plain
`;
  for (const t of [text, text.replace(/\n/g, '\r\n')]) {
    const d = deferLargeBlockScalars(t);
    assert.ok(d);
    assert.equal(d.blocks.length, 4);
    const [o] = loaded(t);
    const values = data(o);
    assert.deepEqual(Object.keys(values), ['a.json', 'b.json', 'c.txt', 'd.txt', 'small', 'after'], 'key order kept');
    for (const k of ['a.json', 'b.json', 'c.txt', 'd.txt']) assert.ok(Object.getOwnPropertyDescriptor(values, k)?.get, `${k} is read on first use`);
    assert.ok(!Object.getOwnPropertyDescriptor(values, 'small')?.get, 'small blocks are parsed at once');
    const want = full(t)[0] as Record<string, unknown>;
    assert.equal(JSON.stringify(o), JSON.stringify(want), 'same JSON, key order included');
    assert.deepEqual(o, want);
    assert.ok(!Object.getOwnPropertyDescriptor(values, 'a.json')?.get, 'a value read once stays a plain property');
    values['b.json'] = 'changed';
    assert.equal(values['b.json'], 'changed');
  }
});

test('block defer: gives up on what is not the simple layout, and the section is parsed as written', () => {
  const block = indent(big(''), 4);
  const cases = {
    keep: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: |+\n${block}\n\n\n  b: x\n`,
    indicator: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: |2\n${block}\n`,
    tagged: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: !!str |\n${block}\n`,
    commented: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: | # note\n${block}\n`,
    quotedKey: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  "a": |\n${block}\n`,
    // A CR without LF ends a line for YAML: here it ends the block, and `b` is a key of data.
    loneCR: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  a: |\n${block}\r  b: x\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    assert.equal(deferLargeBlockScalars(text), undefined, name);
    assert.deepEqual(loaded(text), full(text), name);
  }
  assert.deepEqual(Object.keys(data(loaded(cases.loneCR)[0])), ['a', 'b']);
  // Blocks end at the first line indented no deeper than their key, blank lines (spaces, CRs) before
  // it excluded, whatever the nesting and line breaks.
  for (const eol of ['\n', '\r\n']) {
    for (const [keyIndent, tail] of [[2, '  b: x'], [4, '    b: x'], [2, '- item'], [0, 'next: 1'], [2, '']] as const) {
      const head = `${' '.repeat(keyIndent)}a: |-`;
      const lines = [head, indent(big(''), keyIndent + 2), ' '.repeat(keyIndent + 5), '', `${' '.repeat(keyIndent + 1)}#deeper`, '   ', tail];
      const t = lines.join('\n').replace(/\n/g, eol);
      const d = deferLargeBlockScalars(t);
      assert.ok(d, `${keyIndent} ${JSON.stringify(tail)}`);
      const kept = d.blocks[0].source;
      assert.ok(kept.replace(/\r$/, '').endsWith(`${' '.repeat(keyIndent + 1)}#deeper`), `block ends at its last line with content (${JSON.stringify(kept.slice(-20))})`);
      assert.equal(d.text.endsWith(t.slice(t.indexOf(kept) + kept.length)), true);
    }
  }
  // A header inside another block scalar: the marker would land inside a string, so the check after
  // parsing fails and the whole section is parsed.
  // (The outer key is quoted, so only the inner header is taken for one.)
  const nested = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nested}\ndata:\n  "outer": |\n    inner: |\n${indent(big(''), 6)}\n    end\n`;
  assert.equal(deferLargeBlockScalars(nested)?.blocks[0].key, 'inner', 'the inner header looks like one');
  const [o] = loaded(nested);
  assert.ok(!Object.getOwnPropertyDescriptor(data(o), 'outer')?.get);
  assert.deepEqual([o], full(nested));
  assert.match(data(o).outer as string, /^inner: \|\n {2}line 0 /);
  // The marker's own text in the input: nothing deferred.
  const marked = cases.keep.replace('name: cfg', 'name: kubeward.io/deferred-block/0');
  assert.equal(deferLargeBlockScalars(marked), undefined);
});
