// The generic, data-driven runner for audit-log detections: every registered detection's fixtures.
// fixtures/fire/*: the set of reported records must equal the records annotated "_expect": "<id>"
// (by line). fixtures/pass/*: nothing reported. A first line {"_fixture": {...}} sets engine
// options for that file (allowUsers, platformAllowList, options).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AuditAnalyzer } from '../../src/audit/analyze.js';
import { bufferInput } from '../../src/audit/reader.js';
import { detections, allDetections } from '../../src/audit/detections/index.js';
import { isSeverity } from '../../src/core/types.js';
import { fromRoot } from '../helpers/paths.js';
import { AUDIT_DOC, expectedAuditDoc } from '../../scripts/gen-audit-docs.js';

const DIR = fromRoot('src/audit/detections');
/** Values planted in fixtures that must never appear in a report. */
const SECRET_CANARIES = ['s3cr3t', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'BEGIN PRIVATE KEY', 'eyJhbGciOiJSUzI1NiJ9', '9f8e7d6c5b4a39281706f5e4', 'LS0tLS1CRUdJTi'];

function fixtureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(jsonl|json)(\.gz)?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

async function run(id: string, file: string) {
  const raw = readFileSync(file, 'utf8');
  const lines = raw.split('\n');
  let fixtureOpts: Record<string, unknown> = {};
  if (lines[0]?.includes('"_fixture"')) {
    fixtureOpts = (JSON.parse(lines[0]) as { _fixture: Record<string, unknown> })._fixture;
    lines[0] = '';
  }
  const expected: number[] = [];
  lines.forEach((l, i) => {
    const m = /"_expect"\s*:\s*"([^"]+)"/.exec(l);
    if (m && m[1] === id) expected.push(i + 1);
  });
  const a = new AuditAnalyzer({ only: [id], ...(fixtureOpts as object) });
  await a.read(bufferInput(path.basename(file), lines.join('\n')));
  const r = a.result();
  assert.equal(r.stats.malformed, 0, `fixture ${file} has malformed records: ${JSON.stringify(r.problems)}`);
  assert.ok(r.stats.parsed > 0, `fixture ${file} yields no event`);
  return { r, expected };
}

function checkReports(r: Awaited<ReturnType<typeof run>>['r']): void {
  const text = JSON.stringify(r.detections);
  for (const c of SECRET_CANARIES) assert.ok(!text.includes(c), `a report contains the secret value ${c}: ${text.slice(0, 400)}`);
  for (const d of r.detections) {
    assert.ok(d.message.length > 10 && !/undefined|\[object Object\]|\bnull\b/.test(d.message), `bad message: ${d.message}`);
    assert.ok(isSeverity(d.severity));
  }
}

for (const det of allDetections) {
  const id = det.meta.id;
  const fdir = path.join(DIR, id, 'fixtures');
  describe(`audit detection ${id}`, () => {
    for (const file of fixtureFiles(path.join(fdir, 'fire'))) {
      test(`reports what is annotated: fire/${path.basename(file)}`, async () => {
        const { r, expected } = await run(id, file);
        assert.ok(expected.length > 0, `fire fixture ${file} has no "_expect": "${id}" record`);
        const actual = r.detections.map((d) => d.line).sort((x, y) => x - y);
        assert.deepEqual(actual, expected, `lines reported by ${id} in ${file}:\n${r.detections.map((d) => `  ${d.line}: ${d.message}`).join('\n')}`);
        checkReports(r);
      });
    }
    for (const file of fixtureFiles(path.join(fdir, 'pass'))) {
      test(`stays silent: pass/${path.basename(file)}`, async () => {
        const { r } = await run(id, file);
        assert.deepEqual(
          r.detections.map((d) => `${d.line}: ${d.message}`),
          [],
          `${id} must not report on ${file}`,
        );
      });
    }
  });
}

test('every detection folder is registered under its id, complete, with both kinds of fixture', () => {
  const folders = readdirSync(DIR).filter((f) => !f.startsWith('_') && statSync(path.join(DIR, f)).isDirectory());
  assert.deepEqual(Object.keys(detections).sort(), folders.sort());
  for (const [key, d] of Object.entries(detections)) {
    const m = d.meta;
    assert.equal(m.id, key, `registry key ${key} != meta.id`);
    assert.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(isSeverity(m.severity));
    assert.ok(m.title.length > 10 && m.description.length > 60, `${key}: title and description are written`);
    assert.ok(m.mitre.length > 0 && m.mitre.every((t) => /^T\d{4}(\.\d{3})?$/.test(t)), `${key}: MITRE ATT&CK technique ids`);
    assert.ok(['platform', 'user', 'none'].includes(m.allowList));
    assert.ok(d.on.all || (d.on.resources?.length ?? 0) > 0 || (d.on.cloudtrail?.length ?? 0) > 0, `${key}: selects events`);
    for (const kind of ['fire', 'pass']) assert.ok(fixtureFiles(path.join(DIR, key, 'fixtures', kind)).length > 0, `${key}: has fixtures/${kind}`);
  }
});

test('fixtures exercise every provider shape somewhere', async () => {
  const providers = new Set<string>();
  for (const det of allDetections) {
    for (const kind of ['fire', 'pass']) {
      for (const file of fixtureFiles(path.join(DIR, det.meta.id, 'fixtures', kind))) {
        const a = new AuditAnalyzer({ only: [det.meta.id] });
        await a.read(bufferInput(file, readFileSync(file)));
        for (const p of Object.keys(a.result().stats.byProvider)) providers.add(p);
      }
    }
  }
  assert.deepEqual([...providers].sort(), ['aks', 'cloudtrail', 'gke', 'kubernetes']);
});

test('docs/audit-analyze.md is generated from the registries (node dist/scripts/gen-audit-docs.js)', () => {
  const p = fromRoot(AUDIT_DOC);
  assert.ok(existsSync(p), `${AUDIT_DOC} missing`);
  assert.equal(readFileSync(p, 'utf8'), expectedAuditDoc(), `${AUDIT_DOC} is out of date: run node dist/scripts/gen-audit-docs.js`);
});
