// Reports written in pieces (reporter.chunks, used by `kubeward scan` for large reports) must be the
// very bytes of reporter.render.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../src/rules/index.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { scan } from '../src/core/scan.js';
import { reporters } from '../src/reporters/index.js';
import type { LoadedObject } from '../src/core/types.js';
import type { ReporterEntry } from '../src/reporters/types.js';
import { jsonChunks } from '../src/reporters/json-stream.js';
import { coalesce } from '../src/core/chunks.js';
import { fromRoot, ROOT } from './helpers/paths.js';

const join = (it: Iterable<string>) => [...it].join('');

describe('jsonChunks', () => {
  const values: unknown[] = [
    {},
    [],
    null,
    'x',
    42,
    { a: [], b: {}, c: [1, { d: [] }, [2, [3, []]]], e: undefined, f: () => 1, g: 'line\nbreak "q"' },
    [undefined, () => 1, Symbol('s'), { h: undefined }, null],
    { when: new Date(0), nested: { toJSON: (k: string) => ({ key: k, deep: [{ toJSON: () => 'x' }] }) } },
    { findings: Array.from({ length: 3000 }, (_, i) => ({ i, s: 'é'.repeat(i % 7), arr: [i, { k: i }] })) },
    { '': 1, 'a"b': { '\u2028': [] } },
  ];
  for (const [i, v] of values.entries()) {
    test(`same text as JSON.stringify (value ${i})`, () => {
      for (const depth of [0, 1, 2, 4, 10]) {
        assert.equal(join(jsonChunks(v, 2, depth)), JSON.stringify(v, null, 2) + '\n', `depth ${depth}`);
      }
      assert.equal(join(jsonChunks(v, 4, 3)), JSON.stringify(v, null, 4) + '\n');
    });
  }
  test('large values come in several pieces', () => {
    const big = { findings: Array.from({ length: 20000 }, (_, i) => ({ message: `finding ${i} `.repeat(10) })) };
    const parts = [...jsonChunks(big, 2, 2)];
    assert.ok(parts.length > 1);
    assert.equal(parts.join(''), JSON.stringify(big, null, 2) + '\n');
  });
});

describe('reporter chunks equal render', () => {
  // Every rule's firing fixtures: many findings, with paths, evidence and locations.
  const rulesDir = fromRoot('src', 'rules');
  const objects: LoadedObject[] = [];
  for (const pillar of readdirSync(rulesDir, { withFileTypes: true })) {
    if (!pillar.isDirectory()) continue;
    for (const rule of readdirSync(path.join(rulesDir, pillar.name), { withFileTypes: true })) {
      const dir = path.join(rulesDir, pillar.name, rule.name, 'fixtures', 'fire');
      if (!rule.isDirectory() || !existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
        objects.push(...parseManifestText(readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)).objects);
      }
    }
  }
  const result = scan(new ClusterState({ objects }), {
    rules: allRules,
    failOn: 'high',
    inputErrors: [{ file: path.join(rulesDir, 'bad.yaml'), line: 3, message: 'invalid YAML' }],
    suppression: { today: '2026-11-27' },
  });
  const ctx = { color: false, rules: allRules, cwd: ROOT };
  test('there are findings to write', () => assert.ok(result.findings.length > 50));
  for (const [name, r] of Object.entries(reporters) as Array<[string, ReporterEntry]>) {
    const chunks = r.chunks;
    if (!chunks) continue;
    test(name, () => assert.equal(join(chunks(result, ctx)), r.render(result, ctx)));
  }
});

test('coalesce: the same text in pieces of at least the size asked (but the last)', () => {
  const pieces = Array.from({ length: 1000 }, (_, i) => `piece ${i};`);
  const out = [...coalesce(pieces, 100)];
  assert.equal(out.join(''), pieces.join(''));
  assert.ok(out.length > 1 && out.length < 200);
  for (const s of out.slice(0, -1)) assert.ok(s.length >= 100);
  assert.deepEqual([...coalesce([], 100)], []);
  assert.deepEqual([...coalesce(['a', '', 'b'], 100)], ['ab']);
});
