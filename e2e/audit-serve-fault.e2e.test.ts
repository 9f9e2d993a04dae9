// Fault test of `kubeward audit serve`: sustained load of EventList batches from a client that, like
// kube-apiserver, retries every batch not acknowledged; `kill -9` of the receiver mid-load; restart
// on the same store. Every batch acknowledged before the kill must be in the store, and once every
// batch is acknowledged each sent event must be there exactly once. For SQLite (file) and
// PostgreSQL (scripts/testenv/postgres.sh). Loopback only, bounded in count and time.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../test/helpers/testenv.js';
import { openStore } from '../src/audit/server/store/index.js';
import { post, startPostgres, startServe, syntheticEvent, type Postgres, type ServeProcess } from './helpers/audit-serve.js';

const TOKEN = 'fault-test-token-0123456789abcdef';
const BATCHES = 300;
const PER_BATCH = 100;
const WORKERS = 6;
const TIME_LIMIT_MS = 180_000;

const batchBody = (b: number, run: string): string =>
  JSON.stringify({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    metadata: {},
    items: Array.from({ length: PER_BATCH }, (_, i) => syntheticEvent(`${run}-${b}-${i}`, b * PER_BATCH + i)),
  });

async function storedIds(store: string): Promise<Map<string, number>> {
  const s = await openStore(store, { readonly: true });
  const m = new Map<string, number>();
  try {
    for await (const e of s.events({})) m.set(e.auditId, (m.get(e.auditId) ?? 0) + 1);
  } finally {
    await s.close();
  }
  return m;
}

for (const kind of ['sqlite', 'postgresql'] as const) {
  describe(`audit serve survives kill -9 under load (${kind})`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeward-fault-'));
    let pg: Postgres | undefined;
    let serve: ServeProcess | undefined;

    after(async () => {
      if (serve) await serve.kill9();
      pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('acknowledged batches are durable; after retries every event is stored exactly once', async () => {
      let store: string;
      if (kind === 'postgresql') {
        pg = startPostgres();
        store = pg.url;
      } else store = path.join(dir, 'audit.db');
      fs.writeFileSync(path.join(dir, 'token'), TOKEN + '\n', { mode: 0o600 });
      const port = await freePort();
      const args = ['--insecure-http', '--token-file', 'token', '--listen', `127.0.0.1:${port}`, '--store', store, '--max-inflight', '64'];
      serve = await startServe(args, dir);
      const url = serve.url;
      const run = kind + Date.now().toString(36);
      const bodies = Array.from({ length: BATCHES }, (_, b) => batchBody(b, run));
      const acked = new Set<number>();
      let next = 0;
      let attempts = 0;
      let failures = 0;
      let killed = false;
      let ackedAtKill: number[] = [];
      const deadline = Date.now() + TIME_LIMIT_MS;
      const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });

      const worker = async (): Promise<void> => {
        while (next < BATCHES && Date.now() < deadline) {
          const b = next++;
          // Like kube-apiserver: retry the batch until it is acknowledged (short backoff here).
          for (let delay = 50; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
            attempts++;
            const r = await post(url, bodies[b], TOKEN, agent);
            if (r.status === 200) {
              acked.add(b);
              // Every tenth batch is sent again after its acknowledgement (a lost answer, retried).
              if (b % 10 === 0) {
                const again = await post(url, bodies[b], TOKEN, agent);
                if (again.status === 200) assert.equal(JSON.parse(again.body).stored, 0, 'a resent batch stores nothing');
              }
              break;
            }
            failures++;
            await new Promise((res) => setTimeout(res, delay));
          }
        }
      };

      const killer = (async () => {
        while (acked.size < BATCHES * 0.3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        await serve!.kill9();
        killed = true;
        ackedAtKill = [...acked];
        await new Promise((r) => setTimeout(r, 700)); // down for a while: senders see refused connections
        serve = await startServe(args, dir);
        // Every batch acknowledged before the kill is there, complete, right after the restart.
        const ids = await storedIds(store);
        for (const b of ackedAtKill) {
          for (let i = 0; i < PER_BATCH; i++) assert.equal(ids.get(`${run}-${b}-${i}`), 1, `event ${i} of batch ${b}, acknowledged before the kill`);
        }
      })();

      await Promise.all([...Array.from({ length: WORKERS }, worker), killer]);
      agent.destroy();
      assert.ok(killed, 'the receiver was killed mid-load');
      assert.ok(ackedAtKill.length < BATCHES, 'killed before the end of the load');
      assert.equal(acked.size, BATCHES, `every batch acknowledged in the end (${acked.size}/${BATCHES}, ${failures} failed attempts)`);
      assert.ok(failures > 0, 'the kill made some sends fail (retried)');

      const ids = await storedIds(store);
      let missing = 0;
      let doubled = 0;
      for (let b = 0; b < BATCHES; b++) {
        for (let i = 0; i < PER_BATCH; i++) {
          const n = ids.get(`${run}-${b}-${i}`) ?? 0;
          if (n === 0) missing++;
          if (n > 1) doubled++;
        }
      }
      assert.equal(missing, 0, 'no sent event missing');
      assert.equal(doubled, 0, 'no event stored twice');
      assert.equal(ids.size, BATCHES * PER_BATCH, 'nothing else stored');
      if (kind === 'sqlite') {
        const { default: Database } = (await import('better-sqlite3' as string)) as { default: new (f: string, o: object) => { pragma(s: string, o: object): unknown; close(): void } };
        const db = new Database(store, { readonly: true });
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        db.close();
      }
      const m = await fetchMetrics(serve!.url.replace(/\/audit\/webhook$/, '/metrics'));
      assert.match(m, /^kubeward_audit_events_duplicate_total [1-9]/m, 'the restarted receiver saw retried (duplicate) events');
      assert.equal(await serve!.stop(), 0);
      serve = undefined;
      console.log(`# ${kind}: ${BATCHES * PER_BATCH} events in ${BATCHES} batches, killed after ${ackedAtKill.length} acknowledged, ${attempts} attempts, ${failures} failed and retried`);
    });
  });
}

function fetchMetrics(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
}
