// Live cluster → LoadedObjects + gaps, and the snapshot document that records the same.
import type { InputError, LoadedObject, NotAssessed } from '../../core/types.js';
import { objectsFromData, SNAPSHOT_API_VERSION, SNAPSHOT_KIND } from '../manifest.js';
import { VERSION } from '../../core/version.js';
import { loadKubeconfig, LiveClient, type KubeconfigOptions, type ClusterIdentity } from './client.js';
import { collectLive, type CollectOptions, type CollectResult } from './collect.js';

export type { KubeconfigOptions, ClusterIdentity } from './client.js';

export interface LiveLoad {
  identity: ClusterIdentity;
  collected: CollectResult;
  objects: LoadedObject[];
  errors: InputError[];
  notAssessed: NotAssessed[];
  source: string;
}

export async function loadLive(k: KubeconfigOptions, opts: CollectOptions & { requestTimeoutMs?: number; retries?: number } = {}): Promise<LiveLoad> {
  const { kc, identity } = await loadKubeconfig(k);
  const client = new LiveClient(kc, { requestTimeoutMs: opts.requestTimeoutMs, retries: opts.retries });
  const source = `cluster:${identity.context}`;
  try {
    const collected = await collectLive(client, source, opts);
    const parsed = objectsFromData(collected.objects, source);
    return {
      identity,
      collected,
      objects: parsed.objects,
      errors: [...collected.errors, ...parsed.errors],
      notAssessed: collected.notAssessed,
      source,
    };
  } finally {
    client.close();
  }
}

/** The snapshot document (docs/snapshot-format.md). `kind` comes first so readers can sniff it. */
export function buildSnapshot(l: LiveLoad, now: Date): Record<string, unknown> {
  return {
    kind: SNAPSHOT_KIND,
    apiVersion: SNAPSHOT_API_VERSION,
    metadata: {
      createdAt: now.toISOString(),
      createdBy: `kubeward ${VERSION}`,
      source: 'live',
      context: l.identity.context,
      server: l.identity.server,
      serverVersion: l.collected.serverVersion,
      partial: l.collected.partial,
      absentKinds: l.collected.absent,
      stats: l.collected.stats,
    },
    notAssessed: l.notAssessed,
    errors: l.errors,
    items: l.collected.objects,
  };
}

/**
 * The snapshot document as JSON text in pieces: the same bytes as
 * `JSON.stringify(buildSnapshot(l, now)) + '\n'`, without ever holding the whole text as one string
 * (at 40,000 objects that string and its copies add about 200 MB to the peak memory of
 * `kubeward snapshot`). `items` is the document's last key.
 */
export function* snapshotJsonChunks(l: LiveLoad, now: Date, itemsPerChunk = 500): Generator<string> {
  const doc = buildSnapshot(l, now);
  const items = doc.items as readonly unknown[];
  const head = JSON.stringify({ ...doc, items: [] });
  yield head.slice(0, -2); // drop the `]}` of `"items":[]}`
  for (let i = 0; i < items.length; i += itemsPerChunk) {
    const part = items.slice(i, i + itemsPerChunk).map((o) => JSON.stringify(o) ?? 'null');
    yield (i > 0 ? ',' : '') + part.join(',');
  }
  yield ']}\n';
}
