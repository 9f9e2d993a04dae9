// Group commit in the receiver's ingest loop: batches of several connections share one store write,
// the loop waits (at most groupWaitMs) for the next batch of the other recently active connections,
// and a sender alone never waits. A fake store records each write; no database, no network.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ingestor } from '../../src/audit/server/ingest.js';
import { parseBatch, DEFAULT_LIMITS, type RawEvent } from '../../src/audit/server/body.js';
import { DetectionEngine } from '../../src/audit/engine.js';
import type { AuditStore, EventRow, WriteOutcome } from '../../src/audit/server/store/types.js';

let seq = 0;
function batch(n: number): RawEvent[] {
  const items = Array.from({ length: n }, () => ({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: `id-${++seq}`,
    stage: 'ResponseComplete',
    verb: 'get',
    user: { username: 'alice@example.com' },
    stageTimestamp: '2026-01-01T00:00:00.000000Z',
  }));
  return parseBatch(Buffer.from(JSON.stringify({ kind: 'EventList', items })), DEFAULT_LIMITS).events;
}

function fakeStore(): { store: AuditStore; writes: number[] } {
  const writes: number[] = [];
  const store = {
    kind: 'fake',
    where: 'memory',
    write: async (rows: readonly EventRow[]): Promise<WriteOutcome> => {
      writes.push(rows.length);
      return { stored: rows.map((_, i) => i), duplicates: 0, detections: [] };
    },
  } as unknown as AuditStore;
  return { store, writes };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('audit serve group commit', () => {
  test('a sender alone never waits for a group', async () => {
    const { store, writes } = fakeStore();
    const ing = new Ingestor({ store, engine: () => new DetectionEngine([]), onAlert: () => undefined, groupWaitMs: 60_000 });
    const a = {};
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      const arrival = ing.arriving(a);
      assert.equal((await ing.submit(batch(2), arrival)).stored, 2);
    }
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(writes, [2, 2, 2]);
  });

  test('the next batch of another active connection joins the group; the wait is bounded', async () => {
    const { store, writes } = fakeStore();
    const ing = new Ingestor({ store, engine: () => new DetectionEngine([]), onAlert: () => undefined, groupWaitMs: 2_000 });
    const a = {};
    const b = {};
    // Both connections become active senders (their first batches are received together: one write).
    const [ra, rb] = [ing.arriving(a), ing.arriving(b)];
    await Promise.all([ing.submit(batch(1), ra), ing.submit(batch(1), rb)]);
    assert.deepEqual(writes, [2]);
    writes.length = 0;
    // a's batch is queued while b's is still being received: the write waits for b.
    const pa = ing.submit(batch(3), ing.arriving(a));
    const arrivalB = ing.arriving(b);
    await sleep(50);
    assert.deepEqual(writes, []);
    const pb = ing.submit(batch(4), arrivalB);
    assert.deepEqual(await Promise.all([pa, pb]).then((r) => r.map((x) => x.stored)), [3, 4]);
    assert.deepEqual(writes, [7]);
    // b sends nothing more: a's next batch waits at most groupWaitMs for it.
    writes.length = 0;
    const t0 = Date.now();
    assert.equal((await ing.submit(batch(5), ing.arriving(a))).stored, 5);
    const waited = Date.now() - t0;
    assert.ok(waited >= 1_500 && waited < 10_000, `waited ${waited} ms`);
    assert.deepEqual(writes, [5]);
  });

  test('a request that fails while the group waits for it holds it no longer than groupWaitMs', async () => {
    const { store, writes } = fakeStore();
    const ing = new Ingestor({ store, engine: () => new DetectionEngine([]), onAlert: () => undefined, groupWaitMs: 300 });
    const a = {};
    const b = {};
    const [ra, rb] = [ing.arriving(a), ing.arriving(b)];
    await Promise.all([ing.submit(batch(1), ra), ing.submit(batch(1), rb)]);
    const arrivalB = ing.arriving(b);
    const pa = ing.submit(batch(2), ing.arriving(a));
    await sleep(20);
    arrivalB.done(); // b's body was rejected (400, 413...)
    arrivalB.done(); // idempotent
    assert.equal((await pa).stored, 2);
    assert.deepEqual(writes.slice(-1), [2]);
    await ing.drain();
  });

  test('a closed connection is not waited for', async () => {
    const { store, writes } = fakeStore();
    const ing = new Ingestor({ store, engine: () => new DetectionEngine([]), onAlert: () => undefined, groupWaitMs: 60_000 });
    const a = {};
    const b = {};
    const [ra, rb] = [ing.arriving(a), ing.arriving(b)];
    await Promise.all([ing.submit(batch(1), ra), ing.submit(batch(1), rb)]);
    const pa = ing.submit(batch(2), ing.arriving(a));
    await sleep(20);
    assert.deepEqual(writes, [2]);
    ing.gone(b);
    assert.equal((await pa).stored, 2);
    assert.deepEqual(writes, [2, 2]);
    // Nor afterwards, even if a request of it was still being read when it closed.
    const late = ing.arriving(b);
    ing.gone(b);
    late.done();
    assert.equal((await ing.submit(batch(3), ing.arriving(a))).stored, 3);
  });
});
