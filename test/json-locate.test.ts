// The JSON locator (positions read off the text of strict JSON) must give what the parser-based
// locator gives, for every path into a document and for paths that go past what exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLocatedDocument, parseManifestText } from '../src/loaders/manifest.js';
import type { ObjPath } from '../src/core/types.js';
import { mulberry32 } from './helpers/prng.js';

/** Every path to every node of a value, plus a missing key and a missing index below each. */
function paths(v: unknown, prefix: ObjPath = [], out: ObjPath[] = []): ObjPath[] {
  out.push(prefix);
  if (Array.isArray(v)) {
    out.push([...prefix, v.length], [...prefix, 'x']);
    v.forEach((x, i) => paths(x, [...prefix, i], out));
  } else if (v && typeof v === 'object') {
    out.push([...prefix, 'no-such-key'], [...prefix, 0]);
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  } else {
    out.push([...prefix, 'below-a-scalar']);
  }
  return out;
}

function agree(text: string, what: string): number {
  const ref = parseLocatedDocument(text, 'x.json');
  assert.ok('data' in ref, `${what}: the parser reads it`);
  const parsed = parseManifestText(text, 'x.json');
  const objects = parsed.objects;
  assert.ok(objects.length > 0, `${what}: objects`);
  let n = 0;
  // parseManifestText places objects of a List under ['items', i]; the locator of each object takes
  // paths relative to it, so compare through the object's own base path.
  const data = ref.data as Record<string, unknown>;
  const isList = !Array.isArray(data) && Array.isArray(data.items) && typeof data.kind === 'string' && data.kind.endsWith('List');
  objects.forEach((o, i) => {
    const base: ObjPath = Array.isArray(data) ? [i] : isList ? ['items', i] : [];
    for (const p of paths(o.obj)) {
      assert.deepEqual(o.locate(p), ref.locate([...base, ...p]), `${what}: ${JSON.stringify([...base, ...p])}`);
      n++;
    }
  });
  return n;
}

/** A random JSON value: nested objects and arrays, escapes, unicode, numbers, odd spacing. */
function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 4 || r < 0.3) {
    const s = rnd();
    if (s < 0.2) return Math.floor(rnd() * 1e6) / (rnd() < 0.5 ? 1 : 7);
    if (s < 0.3) return rnd() < 0.5;
    if (s < 0.35) return null;
    return ['plain', 'with "quotes"', 'back\\slash\\', 'tab\tnew\nline', 'ünïcødé ✓', '}{][,:', ''][Math.floor(rnd() * 7)];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rnd() * 5); i > 0; i--) o[['name', 'a"b', 'c\\d', 'spec', '0', 'é', `k${i}`][Math.floor(rnd() * 7)]] = randomValue(rnd, depth + 1);
  return o;
}

test('json locate: agrees with the parser on random documents, compact and indented', () => {
  const rnd = mulberry32(7);
  let checked = 0;
  for (let i = 0; i < 150; i++) {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m${i}` }, data: randomValue(rnd, 0) };
    for (const text of [JSON.stringify(obj), JSON.stringify(obj, null, 2), JSON.stringify(obj, null, '\t').replace(/\n/g, '\r\n'), ` \n${JSON.stringify(obj, null, 1)}\n`]) {
      checked += agree(text, `doc ${i}`);
    }
  }
  assert.ok(checked > 10000, `${checked} paths`);
});

test('json locate: a List, an array of objects, duplicate keys (the first is located, as by the parser)', () => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [0, 1, 2].map((i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: i === 1 } }] } })) }, null, 2);
  assert.ok(agree(list, 'List') > 50);
  assert.ok(agree(JSON.stringify(JSON.parse(list).items, null, 2), 'array') > 50);
  const dup = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"metadata":{"name":"b"},"spec":{}}';
  const o = parseManifestText(dup, 'x.json').objects[0];
  assert.equal(o.ref.name, 'b', 'values as JSON.parse gives them: the last');
  assert.deepEqual(o.locate(['metadata']), { file: 'x.json', line: 1, column: 33 }, 'located at the first, like the parser');
  assert.deepEqual(o.locate(['metadata']), parseLocatedDocument(dup, 'x.json') && (parseLocatedDocument(dup, 'x.json') as { locate: (p: ObjPath) => unknown }).locate(['metadata']));
});

test('json locate: text JSON.parse refuses still goes to the YAML parser, with its message', () => {
  const r = parseManifestText('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},}', 'bad.json');
  assert.equal(r.objects.length, 1, 'a trailing comma is YAML flow style: read');
  const broken = parseManifestText('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}', 'bad.json');
  assert.equal(broken.objects.length, 0);
  assert.match(broken.errors[0].message, /^invalid JSON: /);
  assert.deepEqual(parseManifestText('null', 'n.json'), { objects: [], errors: [] });
});
