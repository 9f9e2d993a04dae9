// The generic, data-driven rule test runner: walks every registered rule's fixtures.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../src/rules/index.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import { parseFixtureAnnotations } from '../src/core/fixtures.js';
import { fromRoot } from './helpers/paths.js';

function fixtureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function runOn(file: string, ruleIndex: number) {
  const text = readFileSync(file, 'utf8');
  const parsed = parseManifestText(text, file);
  assert.deepEqual(parsed.errors, [], `fixture ${file} must parse cleanly`);
  const state = new ClusterState({ objects: parsed.objects });
  const { findings, ruleErrors } = runRules(state, [allRules[ruleIndex]]);
  assert.deepEqual(ruleErrors, [], 'rule must not throw');
  return { text, findings };
}

for (const [i, rule] of allRules.entries()) {
  const id = rule.meta.id;
  const dir = fromRoot('src/rules', rule.meta.pillar, id, 'fixtures');
  describe(`rule ${id}`, () => {
    for (const file of fixtureFiles(path.join(dir, 'fire'))) {
      test(`fires where annotated: fire/${path.basename(file)}`, () => {
        const { text, findings } = runOn(file, i);
        const expected = (parseFixtureAnnotations(text).fire.get(id) ?? []).sort((a, b) => a - b);
        assert.ok(expected.length > 0, `fire fixture ${file} has no "# ruleid: ${id}" annotation`);
        const actual = findings.map((f) => f.location?.line ?? 0).sort((a, b) => a - b);
        assert.deepEqual(actual, expected, `lines reported by ${id} in ${file}\n${findings.map((f) => `  ${f.location?.line}: ${f.message}`).join('\n')}`);
        for (const f of findings) {
          assert.ok(f.message.length > 0 && !/\{\w+\}/.test(f.message), `message has unfilled placeholders: ${f.message}`);
        }
      });
    }
    for (const file of fixtureFiles(path.join(dir, 'pass'))) {
      test(`stays silent: pass/${path.basename(file)}`, () => {
        const { findings } = runOn(file, i);
        assert.deepEqual(
          findings.map((f) => `${f.location?.line}: ${f.message}`),
          [],
          `${id} must not fire on ${file}`,
        );
      });
    }
  });
}
