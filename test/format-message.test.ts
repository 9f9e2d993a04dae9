// Rule messages: `{name}` placeholders filled from the report's data, the same for every template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage } from '../src/core/rule.js';
import { allRules } from '../src/rules/index.js';

/** The plain definition: each `{word}` replaced by the data's value when the data has that key. */
const reference = (template: string, data: Record<string, string | number | boolean>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in data ? String(data[k]) : m));

test('formatMessage fills placeholders as a plain replace does, for every message of every rule', () => {
  const data = { name: 'web', kind: 'Deployment', count: 3, ok: false, namespace: 'default', extra: 'x{y}' };
  let templates = 0;
  for (const r of allRules) {
    for (const t of Object.values(r.meta.messages)) {
      templates++;
      assert.equal(formatMessage(t, data), reference(t, data), t);
      assert.equal(formatMessage(t, {}), reference(t, {}), t);
      assert.equal(formatMessage(t, undefined), t);
    }
  }
  assert.ok(templates > 100, `${templates} templates`);
  for (const t of ['', '{a}', '{a}{a}', 'x {a} y {b} z', '{a b} {} {a', '{{a}}', 'no placeholders']) {
    assert.equal(formatMessage(t, { a: 'A', b: 2 }), reference(t, { a: 'A', b: 2 }), t);
    assert.equal(formatMessage(t, { a: 'A', b: 2 }), reference(t, { a: 'A', b: 2 }), `${t} (again, from the split kept)`);
  }
});
