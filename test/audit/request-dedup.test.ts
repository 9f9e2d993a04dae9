// One report per detection and request (src/audit/request-dedup.ts): the stages of a request and
// re-deliveries of a record give one detection; what is remembered depends on the requests in flight
// and an hour of log time, not on the length of the log.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditAnalyzer } from '../../src/audit/analyze.js';
import { RequestDedup } from '../../src/audit/request-dedup.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MIN = 60_000;

function exec(auditID: string, stage: string, atMs: number): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage,
    verb: 'create',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
    requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh',
    responseStatus: { code: 101 },
    stageTimestamp: new Date(atMs).toISOString(),
  };
}

function execDetections(records: Array<Record<string, unknown>>): number {
  const a = new AuditAnalyzer({ only: ['pod-exec'], spill: false });
  for (const r of records) a.record(r);
  return a.result().detections.length;
}

describe('audit: one report per detection and request', () => {
  test('an exec session logged at ResponseStarted and, three hours later, at ResponseComplete is one detection', () => {
    assert.equal(execDetections([exec('a', 'ResponseStarted', T0), exec('b', 'ResponseComplete', T0 + 60 * MIN), exec('a', 'ResponseComplete', T0 + 180 * MIN)]), 2);
  });

  test('a record delivered twice is one detection; the same request ID hours apart in log time is two', () => {
    assert.equal(execDetections([exec('a', 'ResponseComplete', T0), exec('a', 'ResponseComplete', T0)]), 1);
    assert.equal(execDetections([exec('a', 'ResponseComplete', T0), exec('x', 'ResponseComplete', T0 + 50 * MIN), exec('a', 'ResponseComplete', T0 + 59 * MIN)]), 2);
    // Log time moves on by more than two windows (each key is kept at least one window): reported again.
    assert.equal(execDetections([exec('a', 'ResponseComplete', T0), exec('x', 'ResponseComplete', T0 + 61 * MIN), exec('y', 'ResponseComplete', T0 + 122 * MIN), exec('a', 'ResponseComplete', T0 + 123 * MIN)]), 4);
  });

  test('RequestDedup: a key is kept at least one window of log time, at most two, then forgotten', () => {
    const d = new RequestDedup(10 * MIN, 1000);
    assert.equal(d.first('k', 'ResponseComplete', T0 + 9 * MIN), true);
    assert.equal(d.first('k', 'ResponseComplete', T0 + 18 * MIN), false); // 9 min later
    assert.equal(d.first('other', undefined, T0 + 25 * MIN), true);
    assert.equal(d.first('k', 'ResponseComplete', T0 + 29 * MIN), false); // 20 min after: still kept (at most two windows)
    assert.equal(d.first('k', 'ResponseComplete', T0 + 36 * MIN), true); // 27 min after: forgotten
    // Log time going backwards (merged files) forgets nothing.
    assert.equal(d.first('k', 'ResponseComplete', T0), false);
  });

  test('RequestDedup: keys in flight wait for their last stage however long it takes', () => {
    const d = new RequestDedup(10 * MIN, 1000);
    assert.equal(d.first('exec', 'ResponseStarted', T0), true);
    for (let i = 1; i <= 100; i++) assert.equal(d.first(`other-${i}`, 'ResponseComplete', T0 + i * MIN), true);
    assert.equal(d.first('exec', 'ResponseComplete', T0 + 101 * MIN), false);
    assert.equal(d.first('exec', 'ResponseComplete', T0 + 102 * MIN), false); // a re-delivery of the last stage
  });

  test('RequestDedup: memory follows the rate of detections, not the length of the log', () => {
    const d = new RequestDedup(60 * MIN, 50_000);
    let max = 0;
    // 24 hours of log at 10 detections a minute: 14,400 keys seen, at most two hours' worth kept.
    for (let i = 0; i < 24 * 60 * 10; i++) {
      assert.equal(d.first(`k${i}`, 'ResponseComplete', T0 + i * 6000), true);
      max = Math.max(max, d.size);
    }
    assert.ok(max <= 2 * 60 * 10 + 1, `kept ${max}`);
    // Without times, the count bound still holds.
    const n = new RequestDedup(60 * MIN, 100);
    for (let i = 0; i < 10_000; i++) n.first(`k${i}`, undefined, NaN);
    assert.ok(n.size <= 200, `kept ${n.size}`);
    for (let i = 0; i < 10_000; i++) n.first(`s${i}`, 'ResponseStarted', NaN);
    assert.ok(n.size <= 400, `kept ${n.size}`);
  });
});
