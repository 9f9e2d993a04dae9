// Collects the cluster state from a live API server: discovery decides what exists, then each kind
// is listed with pagination and bounded concurrency. A kind the cluster lacks is "absent"; a kind it
// refuses is "not assessed" with the missing permission named; nothing is ever silently skipped.
import type { InputError, KubeObject, NotAssessed } from '../../core/types.js';
import { UserError } from '../../core/types.js';
import { CATALOGUE, groupKindOf, type CatalogueEntry } from './catalogue.js';
import { LiveClient, TransportError } from './client.js';
import { slimLoadedObject } from '../slim.js';

export interface CollectOptions {
  concurrency?: number;
  pageSize?: number;
  /** Overall deadline in ms; kinds not listed by then are "not assessed". */
  timeoutMs?: number;
  catalogue?: readonly CatalogueEntry[];
  onProgress?: (p: { done: number; total: number; objects: number; current?: string }) => void;
}

export interface CollectStats {
  requests: number;
  retries: number;
  ms: number;
  kinds: number;
  objects: number;
}

export interface CollectResult {
  objects: KubeObject[];
  notAssessed: NotAssessed[];
  /** Kinds the server does not serve (no CRD installed, old version): not a gap. */
  absent: string[];
  errors: InputError[];
  partial: boolean;
  serverVersion?: string;
  stats: CollectStats;
}

interface Resolved {
  entry: CatalogueEntry;
  groupVersion: string;
  namespaced: boolean;
  verbs: string[];
}

const STRIP_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export async function collectLive(client: LiveClient, source: string, opts: CollectOptions = {}): Promise<CollectResult> {
  const t0 = Date.now();
  const catalogue = opts.catalogue ?? CATALOGUE;
  const res: CollectResult = {
    objects: [],
    notAssessed: [],
    absent: [],
    errors: [],
    partial: false,
    stats: { requests: 0, retries: 0, ms: 0, kinds: 0, objects: 0 },
  };
  const deadline = t0 + (opts.timeoutMs ?? 300_000);

  // 1. Can we talk to it at all, and are we who we think?
  let version;
  try {
    version = await client.get('/version', 'application/json', 1);
  } catch (e) {
    if (e instanceof TransportError) throw new UserError(e.message);
    throw e;
  }
  if (version.status === 401) throw new UserError(`the API server rejected the credentials of ${source} (401 Unauthorized): the token or certificate is invalid or expired`);
  if (version.status >= 400 && version.status !== 403) throw new UserError(`the API server answered ${version.status} to /version: ${serverMessage(version.body, version.text)}`);
  res.serverVersion = (version.body as { gitVersion?: string } | undefined)?.gitVersion;

  // 2. Discovery.
  const resolved: Resolved[] = [];
  const groups = new Map<string, string>(); // group -> preferred groupVersion
  const core = await client.get('/api/v1');
  if (core.status === 401) throw new UserError(`the API server rejected the credentials of ${source} (401 Unauthorized)`);
  const apis = await client.get('/apis');
  for (const g of ((apis.body as { groups?: Array<{ name: string; preferredVersion?: { groupVersion: string } }> })?.groups ?? [])) {
    if (g.preferredVersion) groups.set(g.name, g.preferredVersion.groupVersion);
  }
  const discovered = new Map<string, Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>>();
  discovered.set('', (core.body as { resources?: [] })?.resources ?? []);
  const neededGroups = [...new Set(catalogue.map((c) => c.group).filter((g) => g !== ''))];
  const discoveryFailed = new Map<string, string>();
  await pool(neededGroups, 4, async (g) => {
    const gv = groups.get(g);
    if (!gv) return;
    const r = await client.get(`/apis/${gv}`);
    if (r.status === 200) discovered.set(g, (r.body as { resources?: [] })?.resources ?? []);
    else discoveryFailed.set(g, `discovery of ${gv} failed (${r.status}): ${serverMessage(r.body, r.text)}`);
  });
  for (const entry of catalogue) {
    const failed = discoveryFailed.get(entry.group);
    if (failed) {
      res.notAssessed.push({ what: groupKindOf(entry), reason: failed });
      continue;
    }
    const list = discovered.get(entry.group);
    const found = list?.find((x) => x.name === entry.resource);
    if (!found) {
      res.absent.push(groupKindOf(entry));
      continue;
    }
    resolved.push({ entry, groupVersion: entry.group === '' ? 'v1' : groups.get(entry.group)!, namespaced: found.namespaced, verbs: found.verbs ?? [] });
  }

  // 3. List every kind, a few at a time. Objects are kept per kind and joined in catalogue order at
  // the end, so the result (and a snapshot) does not depend on which list finished first.
  const listed = new Map<Resolved, KubeObject[]>();
  let listedCount = 0;
  let done = 0;
  let serverDown: string | undefined;
  opts.onProgress?.({ done, total: resolved.length, objects: 0 });
  await pool(resolved, opts.concurrency ?? 4, async (r) => {
    const gk = groupKindOf(r.entry);
    opts.onProgress?.({ done, total: resolved.length, objects: listedCount, current: gk });
    if (serverDown) {
      res.notAssessed.push({ what: gk, reason: `not listed: ${serverDown}` });
      res.partial = true;
    } else if (Date.now() > deadline) {
      res.notAssessed.push({ what: gk, reason: 'not listed: the collection timed out (raise --timeout)' });
      res.partial = true;
    } else {
      try {
        const items = await listAll(client, r, opts.pageSize ?? 500, deadline);
        if ('forbidden' in items) {
          res.notAssessed.push({ what: gk, reason: items.forbidden });
        } else if ('failed' in items) {
          res.notAssessed.push({ what: gk, reason: items.failed });
          res.partial = true;
        } else {
          listed.set(r, items.objects);
          listedCount += items.objects.length;
          res.stats.kinds++;
        }
      } catch (e) {
        if (e instanceof TransportError) {
          serverDown = e.message;
          res.notAssessed.push({ what: gk, reason: `not listed: ${e.message}` });
          res.errors.push({ file: source, message: `collection interrupted: ${e.message}; results are partial` });
          res.partial = true;
        } else throw e;
      }
    }
    done++;
    opts.onProgress?.({ done, total: resolved.length, objects: listedCount });
  });
  for (const r of resolved) for (const o of listed.get(r) ?? []) res.objects.push(o);
  res.stats.requests = client.requests;
  res.stats.retries = client.retriesDone;
  res.stats.ms = Date.now() - t0;
  res.stats.objects = res.objects.length;
  res.notAssessed.sort((a, b) => (a.what < b.what ? -1 : a.what > b.what ? 1 : 0));
  res.absent.sort();
  return res;
}

type ListOutcome = { objects: KubeObject[] } | { forbidden: string } | { failed: string };

async function listAll(client: LiveClient, r: Resolved, pageSize: number, deadline: number): Promise<ListOutcome> {
  const { entry } = r;
  const base = entry.group === '' ? `/api/v1/${entry.resource}` : `/apis/${r.groupVersion}/${entry.resource}`;
  const table = entry.mode === 'metadata';
  const accept = table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
  let restarted = false;
  for (;;) {
    const objects: KubeObject[] = [];
    let cont: string | undefined;
    let expired = false;
    do {
      if (Date.now() > deadline) return { failed: 'not completely listed: the collection timed out (raise --timeout)' };
      const q = new URLSearchParams({ limit: String(pageSize) });
      if (cont) q.set('continue', cont);
      if (table) q.set('includeObject', 'Metadata');
      const resp = await client.get(`${base}?${q}`, accept, undefined, { dropManagedFields: true });
      if (resp.status === 403) {
        return { forbidden: `forbidden: ${serverMessage(resp.body, resp.text)} — grant "list" on ${entry.resource}${entry.group ? `.${entry.group}` : ''} (see deploy/kubeward-reader.yaml)` };
      }
      if (resp.status === 410 && cont && !restarted) {
        expired = true; // continue token expired: list again from the start, once
        break;
      }
      if (resp.status !== 200) return { failed: `listing failed (${resp.status}): ${serverMessage(resp.body, resp.text)}` };
      const body = resp.body as { items?: KubeObject[]; rows?: TableRow[]; columnDefinitions?: Array<{ name: string }>; metadata?: { continue?: string } };
      if (table) {
        const typeCol = (body.columnDefinitions ?? []).findIndex((c) => c.name === 'Type');
        for (const row of body.rows ?? []) {
          const meta = (row.object?.metadata ?? {}) as KubeObject['metadata'];
          const o: KubeObject = { apiVersion: r.groupVersion, kind: entry.kind, metadata: meta };
          if (typeCol >= 0 && typeof row.cells?.[typeCol] === 'string') o.type = row.cells[typeCol];
          objects.push(strip(o));
        }
      } else {
        for (const item of body.items ?? []) {
          item.apiVersion = r.groupVersion;
          item.kind = entry.kind;
          objects.push(strip(item));
        }
      }
      cont = body.metadata?.continue || undefined;
    } while (cont);
    if (!expired) return { objects };
    restarted = true;
  }
}

interface TableRow {
  cells?: unknown[];
  object?: { metadata?: Record<string, unknown> };
}

function strip(o: KubeObject): KubeObject {
  const m = o.metadata;
  if (m) {
    delete m.managedFields;
    if (m.annotations) for (const a of STRIP_ANNOTATIONS) delete m.annotations[a];
  }
  slimLoadedObject(o);
  return o;
}

function serverMessage(body: unknown, text: string): string {
  const m = (body as { message?: unknown } | undefined)?.message;
  if (typeof m === 'string' && m) return m;
  return text.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no details';
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) {
      const item = items[i++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}
