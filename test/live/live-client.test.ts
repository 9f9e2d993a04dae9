// The live client's transport details: gzip responses, managedFields dropped from the JSON text
// before parsing (same result as parsing then deleting them); the snapshot text written in pieces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import { LiveClient, TransportError, withoutManagedFields } from '../../src/loaders/live/client.js';
import { buildSnapshot, snapshotJsonChunks, type LiveLoad } from '../../src/loaders/live/index.js';

const entry = (manager: string) => ({
  manager,
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {} } }, 'f:finalizers': { 'v:"a]b\\"c"': {} } } },
});

function dropped(doc: { items: Array<{ metadata: Record<string, unknown> }> }): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  for (const it of copy.items) delete it.metadata.managedFields;
  return copy;
}

test('withoutManagedFields gives what parsing then deleting metadata.managedFields gives', () => {
  const awkward = ['kubectl', 'a]b', 'quote"inside', 'back\\slash', 'brackets[]]', '\u00e9\u4e2d\ud83d\ude00', ']'];
  const doc = {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '1', continue: '' },
    items: awkward.map((m, i) => ({
      // first key, middle key and last key of metadata; empty list; several entries
      metadata:
        i % 3 === 0
          ? { managedFields: [entry(m)], name: `p${i}`, annotations: { note: '"managedFields":[1,2]', [`x${i}`]: ',"managedFields":["y"]' } }
          : i % 3 === 1
            ? { name: `p${i}`, managedFields: i === 1 ? [] : [entry(m), entry(`${m}2`)], namespace: 'ns' }
            : { name: `p${i}`, labels: { a: 'b' }, managedFields: [entry(m)] },
      spec: { containers: [{ name: 'main', image: 'x', args: ['"managedFields":[', ']'] }] },
      data: { managedFields: 'a string value is kept' },
    })),
  };
  assert.deepEqual(JSON.parse(withoutManagedFields(JSON.stringify(doc))), dropped(doc));
  // only the API server's compact JSON is handled; other spacing is left alone (collect deletes the field after parsing)
  const pretty = JSON.stringify(doc, null, 2);
  assert.equal(withoutManagedFields(pretty), pretty);
  assert.equal(withoutManagedFields('{"a":1}'), '{"a":1}');
  assert.equal(withoutManagedFields('{"managedFields":[{"manager":"x"}]}'), '{}');
  // unterminated: the text is left as it is
  assert.equal(withoutManagedFields('{"managedFields":[{"manager":"x"}'), '{"managedFields":[{"manager":"x"}');
});

function kubeconfigFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function serve(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

test('asks for gzip and inflates gzip responses; plain responses still work', async () => {
  const seen: string[] = [];
  const body = JSON.stringify({ items: [{ metadata: { name: 'a', managedFields: [entry('m')] } }] });
  const s = await serve((req, res) => {
    seen.push(String(req.headers['accept-encoding']));
    if (req.url?.startsWith('/gz')) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body));
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    }
  });
  const c = new LiveClient(kubeconfigFor(s.port), { retries: 0 });
  try {
    const gz = await c.get('/gz', 'application/json', undefined, { dropManagedFields: true });
    assert.deepEqual(gz.body, { items: [{ metadata: { name: 'a' } }] });
    const plain = await c.get('/plain');
    assert.deepEqual(plain.body, JSON.parse(body), 'managedFields kept unless asked');
    assert.deepEqual(seen, ['gzip', 'gzip']);
  } finally {
    c.close();
    await s.close();
  }
});

test('a corrupt gzip body is retried, then reported as a transport error', async () => {
  let n = 0;
  const s = await serve((_req, res) => {
    n++;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    res.end(Buffer.from('not gzip at all'));
  });
  const c = new LiveClient(kubeconfigFor(s.port), { retries: 1, backoffMs: 1 });
  try {
    await assert.rejects(c.get('/x'), (e: Error) => e instanceof TransportError && /bad gzip response/.test(e.message));
    assert.equal(n, 2);
  } finally {
    c.close();
    await s.close();
  }
});

test('snapshotJsonChunks joins to exactly the JSON of buildSnapshot', () => {
  const objects = Array.from({ length: 1234 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'n' }, data: { k: `v"${i}\u2028` } }));
  const load = {
    identity: { context: 'ctx', server: 'https://x', user: 'u' },
    collected: { objects, notAssessed: [], absent: ['cilium.io/CiliumNetworkPolicy'], errors: [], partial: false, serverVersion: 'v1.37.2', stats: { requests: 3, retries: 0, ms: 5, kinds: 1, objects: objects.length } },
    objects: [],
    errors: [],
    notAssessed: [{ what: 'Secret', reason: 'forbidden' }],
    source: 'cluster:ctx',
  } as unknown as LiveLoad;
  const now = new Date('2026-01-02T03:04:05Z');
  const whole = JSON.stringify(buildSnapshot(load, now)) + '\n';
  for (const n of [1, 7, 500, 5000]) assert.equal([...snapshotJsonChunks(load, now, n)].join(''), whole);
  const empty = { ...load, collected: { ...load.collected, objects: [] } } as LiveLoad;
  assert.equal([...snapshotJsonChunks(empty, now)].join(''), JSON.stringify(buildSnapshot(empty, now)) + '\n');
});
