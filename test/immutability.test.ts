// Rules must not change the objects they are given. The loader does not freeze objects (deep-freezing
// a large snapshot cost about a second); TypeScript's Readonly types and this test keep the rule:
// every rule runs over every rule fixture (fire and pass) and the examples, (1) on plain objects,
// which must be byte-for-byte the same afterwards, and (2) on deep-frozen copies, where a write
// throws (ES modules are strict) and shows up as a rule error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../src/rules/index.js';
import { deepFreeze, parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import type { LoadedObject } from '../src/core/types.js';
import { fromRoot } from './helpers/paths.js';

function yamlFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.(ya?ml|json)$/.test(name) && /[/\\]fixtures[/\\]|[/\\]examples[/\\]/.test(p)) out.push(p);
  }
  return out;
}

const files = [...yamlFiles(fromRoot('src', 'rules')), ...yamlFiles(fromRoot('examples'))];
const objects: LoadedObject[] = files.flatMap((f) => parseManifestText(readFileSync(f, 'utf8'), f).objects);

test('there are fixtures to run over', () => {
  assert.ok(files.length > 100, `${files.length} files`);
  assert.ok(objects.length > 100, `${objects.length} objects`);
});

test('rules leave the objects as they were', () => {
  const before = objects.map((o) => JSON.stringify(o.obj));
  const { ruleErrors } = runRules(new ClusterState({ objects }), allRules, { includeControlled: true });
  assert.deepEqual(ruleErrors, []);
  const changed = objects.filter((o, i) => JSON.stringify(o.obj) !== before[i]).map((o) => `${o.file}: ${o.ref.kind} ${o.ref.name}`);
  assert.deepEqual(changed, []);
});

test('rules do not write to deep-frozen objects', () => {
  const frozen = objects.map((o) => ({ ...o, obj: deepFreeze(structuredClone(o.obj)) }));
  const { findings, ruleErrors } = runRules(new ClusterState({ objects: frozen }), allRules, { includeControlled: true });
  assert.deepEqual(ruleErrors, []);
  const plain = runRules(new ClusterState({ objects }), allRules, { includeControlled: true });
  assert.equal(findings.length, plain.findings.length);
});
