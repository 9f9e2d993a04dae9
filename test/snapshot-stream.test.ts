// Large kubeward snapshots are read piece by piece (src/loaders/snapshot-stream.ts); the result must be
// exactly what parsing the whole text gives, and anything unusual must go back to the ordinary reader.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseManifestText, type ParsedText } from '../src/loaders/manifest.js';
import { SnapshotStream } from '../src/loaders/snapshot-stream.js';
import { loadPaths } from '../src/loaders/files.js';

const FILE = '/snap/cluster.json';

function streamed(text: string | Buffer, piece: number): ParsedText | undefined {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  if (!SnapshotStream.accepts(bytes.subarray(0, 8192))) return undefined;
  const s = new SnapshotStream(FILE);
  for (let i = 0; i < bytes.length; i += piece) if (!s.push(bytes.subarray(i, i + piece))) return undefined;
  return s.end();
}

/** What matters of a ParsedText, comparable with deepEqual. */
function plain(p: ParsedText | undefined) {
  if (!p) return p;
  return {
    objects: p.objects.map((o) => ({ obj: o.obj, ref: o.ref, group: o.group, file: o.file, source: o.source, at: o.locate(['spec']) })),
    errors: p.errors,
    snapshot: p.snapshot,
    sawKind: p.sawKind,
    syntaxErrors: p.syntaxErrors,
  };
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', annotations: { note: 'braces } ] { [ and "quotes" \\ and , commas' } },
  spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
  ...extra,
});

function snapshot(items: unknown[], more: Record<string, unknown> = {}, indent = 2): string {
  return JSON.stringify({ apiVersion: 'kubeward.io/v1', kind: 'ClusterSnapshot', metadata: { generatedBy: 'test' }, items, ...more }, null, indent);
}

const SAME: Array<[string, string]> = [
  ['plain', snapshot([pod('a'), pod('b'), pod('c')])],
  ['compact', snapshot([pod('a'), pod('b')], {}, 0)],
  ['empty items', snapshot([])],
  ['metadata and errors after the items', snapshot([pod('a')], { notAssessed: [{ what: 'Secret', reason: 'forbidden' }, { what: 1 }], errors: [{ message: 'x', file: 'f', line: 2 }, 'bad'] })],
  ['items that are not Kubernetes objects', snapshot([{ kind: 'Pod' }, { apiVersion: 'v1', kind: 'List', items: [pod('in-list')] }, { apiVersion: 'v1', kind: 'Pod', metadata: {} }, pod('ok')])],
  ['unicode (after the first 2 KiB)', snapshot([pod('a'), pod('b'), pod('c'), pod('d'), pod('e'), pod('ünïcödé-名前', { data: { emoji: '🙂', nul: '\u0000' } })])],
  ['nested items keys', snapshot([{ ...pod('n'), items: [1, 2], spec: { items: [{ items: [] }] } }], { other: { items: ['x'] } })],
  ['duplicate object', snapshot([pod('d'), pod('d')])],
];

const FALLBACK: Array<[string, string | Buffer]> = [
  ['an item that is a string', snapshot([pod('a'), 'x' as unknown])],
  ['an item that is an array', snapshot([[pod('a')]])],
  ['trailing comma', snapshot([pod('a')]).replace(/\}\n  \]/, '},\n  ]')],
  ['missing comma', snapshot([pod('a'), pod('b')]).replace(/\},\n    \{/, '}\n    {')],
  ['double comma', snapshot([pod('a'), pod('b')]).replace(/\},\n    \{/, '},,\n    {')],
  ['leading comma', snapshot([pod('a')]).replace(/\[\n    \{/, '[,\n    {')],
  ['broken element', snapshot([pod('a'), pod('b')]).replace('"nginx"', '"nginx')],
  ['broken skeleton', snapshot([pod('a')]).replace('"generatedBy"', 'generatedBy')],
  ['trailing garbage', snapshot([pod('a')]) + ' x'],
  ['two items keys', snapshot([pod('a')]).replace(/\}$/, `, "items": [${JSON.stringify(pod('b'))}]}`)],
  ['escaped top-level string', snapshot([pod('a')], { metadata: { generatedBy: 'x' }, note: 'a \\ b' })],
  ['escaped second items key', snapshot([pod('a')]).replace(/\}$/, `, "it\\u0065ms": []}`)],
  ['not a snapshot apiVersion', snapshot([pod('a')]).replace('kubeward.io/v1', 'v1')],
  ['byte-order mark', '\ufeff' + snapshot([pod('a')])],
  ['invalid UTF-8', Buffer.concat([Buffer.from(snapshot([pod('a')]).slice(0, -30)), Buffer.from([0xff, 0xfe]), Buffer.from(snapshot([pod('a')]).slice(-30))])],
  ['items not an array', snapshot([]).replace('"items": []', '"items": {}')],
];

describe('SnapshotStream', () => {
  for (const [name, text] of SAME) {
    test(`same as parseManifestText: ${name}`, () => {
      const whole = plain(parseManifestText(text, FILE));
      for (const piece of [1, 2, 7, 64, 1 << 20]) assert.deepEqual(plain(streamed(text, piece)), whole, `pieces of ${piece} bytes`);
    });
  }
  for (const [name, text] of FALLBACK) {
    test(`left to the ordinary reader: ${name}`, () => {
      for (const piece of [1, 5, 1 << 20]) assert.equal(streamed(text, piece), undefined, `pieces of ${piece} bytes`);
    });
  }
  test('only JSON snapshots are taken on', () => {
    assert.equal(SnapshotStream.accepts(Buffer.from('apiVersion: v1\nkind: ClusterSnapshot\n')), false);
    assert.equal(SnapshotStream.accepts(Buffer.from('{"apiVersion": "v1", "kind": "List", "items": []}')), false);
    assert.equal(SnapshotStream.accepts(Buffer.from(snapshot([]))), true);
    // parseManifestText does not see a snapshot when `items` comes first: neither does this reader.
    assert.equal(SnapshotStream.accepts(Buffer.from(`{"items": [], "apiVersion": "kubeward.io/v1", "kind": "ClusterSnapshot"}`)), false);
    assert.equal(SnapshotStream.accepts(Buffer.from(`{"metadata": {"name": "ü"}, "apiVersion": "kubeward.io/v1", "kind": "ClusterSnapshot", "items": []}`)), false);
  });
});

describe('loadPaths reads a large snapshot in pieces', () => {
  test('same objects and errors as parsing the text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubeward-snap-'));
    try {
      const items: unknown[] = [];
      for (let i = 0; i < 9000; i++) items.push(pod(`p${i}`, { status: { podIP: `10.0.${i >> 8}.${i & 255}`, pad: 'x'.repeat(300) } }));
      items.push({ kind: 'Pod' }, pod('p1'));
      const text = snapshot(items, { notAssessed: [{ what: 'Secret', reason: 'forbidden' }] });
      assert.ok(text.length > 5 * 1024 * 1024);
      const file = path.join(dir, 'cluster.json');
      writeFileSync(file, text);
      const loaded = await loadPaths([file]);
      const whole = parseManifestText(text, file);
      assert.equal(loaded.objects.length, 9001);
      assert.deepEqual(
        loaded.objects.map((o) => [o.obj, o.ref, o.source]),
        whole.objects.map((o) => [o.obj, o.ref, o.source]),
      );
      assert.equal(loaded.fromSnapshot, true);
      assert.deepEqual(loaded.notAssessed, whole.snapshot?.notAssessed);
      assert.equal(loaded.errors.length, whole.errors.length + 1); // + the duplicate p1
      assert.deepEqual(loaded.errors.slice(0, whole.errors.length), whole.errors);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
