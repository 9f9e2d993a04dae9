// Meta-test: every rule folder is registered, documented, has both kinds of fixture, and docs are current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { registry, allRules } from '../src/rules/index.js';
import { PILLARS, isSeverity } from '../src/core/types.js';
import { VERSION } from '../src/core/version.js';
import { expectedDocs } from '../scripts/gen-docs.js';
import { fromRoot } from './helpers/paths.js';

test('every rule folder is registered under its own id and pillar', () => {
  const folders: string[] = [];
  for (const pillar of readdirSync(fromRoot('src/rules'))) {
    const pdir = fromRoot('src/rules', pillar);
    if (!statSync(pdir).isDirectory()) continue;
    assert.ok((PILLARS as readonly string[]).includes(pillar), `src/rules/${pillar} is not a pillar`);
    for (const id of readdirSync(pdir)) {
      if (id.startsWith('_') || !statSync(path.join(pdir, id)).isDirectory()) continue;
      folders.push(`${pillar}/${id}`);
    }
  }
  const registered = allRules.map((r) => `${r.meta.pillar}/${r.meta.id}`);
  assert.deepEqual([...registered].sort(), [...folders].sort());
  for (const [key, rule] of Object.entries(registry)) assert.equal(rule.meta.id, key, `registry key ${key} != meta.id`);
});

for (const rule of allRules) {
  const m = rule.meta;
  test(`rule ${m.id} is complete`, () => {
    assert.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'id is kebab-case');
    assert.ok(isSeverity(m.severity));
    assert.ok(m.title.length > 5 && m.description.length > 20 && m.remediation.length > 10, 'title, description and remediation are written');
    assert.ok(m.references.length > 0, 'has references');
    assert.ok(Object.keys(m.messages).length > 0, 'has messages');
    assert.ok(Object.keys(rule.handlers).length > 0, 'has handlers');
    const dir = fromRoot('src/rules', m.pillar, m.id);
    const prose = path.join(dir, 'rule.md');
    assert.ok(existsSync(prose) && readFileSync(prose, 'utf8').trim().length > 50, 'has rule.md prose');
    for (const kind of ['fire', 'pass']) {
      const fdir = path.join(dir, 'fixtures', kind);
      const files = existsSync(fdir) ? readdirSync(fdir).filter((f) => /\.(ya?ml|json)$/.test(f)) : [];
      assert.ok(files.length > 0, `has fixtures/${kind}`);
    }
  });
}

test('generated rule docs are up to date (npm run docs)', () => {
  for (const [name, content] of expectedDocs()) {
    const p = fromRoot('docs/rules', name);
    assert.ok(existsSync(p), `docs/rules/${name} missing: run npm run docs`);
    assert.equal(readFileSync(p, 'utf8'), content, `docs/rules/${name} is out of date: run npm run docs`);
  }
  const want = new Set(expectedDocs().keys());
  for (const f of readdirSync(fromRoot('docs/rules'))) assert.ok(want.has(f), `docs/rules/${f} belongs to no rule`);
});

test('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});
