// The JSON text stored for each event of a webhook body: compact events are stored as sent (no
// second serialisation), anything else as JSON.stringify writes it; either way the same JSON value
// as the parsed event, and the same de-duplication key for events without an auditID.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatch, DEFAULT_LIMITS } from '../../src/audit/server/body.js';

const ev = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  auditID: `a-${i}`,
  stage: 'ResponseComplete',
  verb: 'get',
  user: { username: 'alice', groups: ['system:authenticated'] },
  objectRef: { resource: 'pods', namespace: 'ns', name: `p-${i}` },
  ...extra,
});
const parse = (text: string, limits = DEFAULT_LIMITS) => parseBatch(Buffer.from(text), limits);

describe('audit serve: event text as stored', () => {
  test('compact events are stored as sent, escapes included', () => {
    // Go's encoder writes <, > and & as \u003c, \u003e, \u0026.
    const item = JSON.stringify(ev(1, { requestURI: '/api?x=<1>&y' })).replace('<1>&y', '\\u003c1\\u003e\\u0026y');
    const text = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{"items":[{"x":1}]},"items":[${item},${JSON.stringify(ev(2))}]}`;
    const b = parse(text);
    assert.deepEqual(
      b.events.map((e) => e.json),
      [item, JSON.stringify(ev(2))],
    );
    assert.equal((JSON.parse(b.events[0].json) as { requestURI: string }).requestURI, '/api?x=<1>&y');
    // A JSON array and a single Event (surrounded by whitespace) too.
    assert.deepEqual(parse(`[${item}, ${JSON.stringify(ev(2))}]`).events.map((e) => e.json), [item, JSON.stringify(ev(2))]);
    assert.deepEqual(parse(`\n ${item}\n`).events.map((e) => e.json), [item]);
  });

  test('pretty-printed events are stored as JSON.stringify writes them', () => {
    const items = [ev(1), ev(2, { annotations: { 'a b': 'c\nd' } })];
    for (const text of [JSON.stringify({ kind: 'EventList', items }, null, 2), JSON.stringify(items, null, '\t'), JSON.stringify(items[1], null, 1)]) {
      const b = parse(text);
      for (const e of b.events) assert.equal(e.json, JSON.stringify(e.obj));
    }
  });

  test('of repeated "items" keys, the last is used (as JSON.parse does), escaped spelling included', () => {
    const a = JSON.stringify(ev(1));
    const c = JSON.stringify(ev(3));
    const b = parse(`{"kind":"EventList","items":[${a}],"\\u0069tems":[${JSON.stringify(ev(2))}],"items" : [ ${c} ]}`);
    assert.deepEqual(
      b.events.map((e) => e.json),
      [c],
    );
  });

  test('strings holding quotes, backslashes and brackets do not confuse it', () => {
    const items = [ev(1, { requestURI: '\\"}]{[,' }), ev(2, { userAgent: 'x\\\\', annotations: { '"}': '\\' } }), ev(3)];
    const b = parse(JSON.stringify({ kind: 'EventList', items }));
    assert.deepEqual(
      b.events.map((e) => e.json),
      items.map((i) => JSON.stringify(i)),
    );
  });

  test('the per-event limit is judged on JSON.stringify text when the text as sent is over it', () => {
    const big = ev(1, { requestObject: { data: 'x'.repeat(500) } });
    // Pad the event with escapes only: as sent it is over 600 bytes, as JSON.stringify writes it under.
    const asSent = JSON.stringify(big).replace(/x{100}/, '\\u0078'.repeat(100));
    assert.ok(asSent.length > 1000 && JSON.stringify(big).length < 1000);
    const b = parse(`[${asSent}]`, { maxRequestBytes: 1 << 20, maxEventBytes: 1000 });
    assert.equal(b.events[0].bodiesOmitted, false);
    assert.equal(b.events[0].json, JSON.stringify(big));
  });

  test('an event without auditID has one key however it is spelled', () => {
    const { auditID: _a, ...noId } = ev(1);
    const keys = [JSON.stringify(noId), JSON.stringify(noId, null, 2), JSON.stringify(noId).replace('"verb":"get"', '"verb":"g\\u0065t"')].map((t) => parse(t).events[0].auditId);
    assert.match(keys[0], /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(new Set(keys).size, 1);
  });
});
