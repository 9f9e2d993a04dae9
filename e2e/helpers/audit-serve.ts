// Helpers for the `kubeward audit serve` e2e tests: the receiver as a real child process
// (node bin/kubeward.js), a throwaway PostgreSQL server (scripts/testenv/postgres.sh), and a
// webhook client that sends EventList batches and retries the unacknowledged ones as
// kube-apiserver does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from '../../test/helpers/paths.js';

export const BIN = fromRoot('bin/kubeward.js');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Alert lines (stdout) so far, parsed. */
  alerts(): Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export function kubewardSync(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `kubeward audit serve <args>` and waits for its "listening on" line. */
export async function startServe(args: string[], cwd: string, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'audit', 'serve', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  exited.then(() => process.off('exit', killOnExit));
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    const m = /listening on (\S+)/.exec(err);
    if (m) url = m[1];
    else if (child.exitCode !== null) throw new Error(`kubeward audit serve exited (${child.exitCode}) before listening:\n${err}`);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kubeward audit serve did not start in ${timeoutMs} ms:\n${err}`);
    } else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    alerts: () =>
      out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l)),
    stderr: () => err,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Postgres {
  url: string;
  dir: string;
  stop(): void;
}

/** A throwaway PostgreSQL server (fails, naming the script, when PostgreSQL is not installed). */
export function startPostgres(): Postgres {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeward-pg-'));
  const script = fromRoot('scripts/testenv/postgres.sh');
  const r = spawnSync('bash', [script, 'start', dir, String(process.pid)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(
      r.status === 3
        ? `PostgreSQL is not installed: run \`bash scripts/testenv/postgres.sh install\` first (apt-get install postgresql)\n${r.stderr}`
        : `scripts/testenv/postgres.sh start failed (${r.status}):\n${r.stderr}${r.stdout}`,
    );
  }
  const url = r.stdout.trim().split('\n').pop()!;
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [script, 'stop', dir], { timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return { url, dir, stop };
}

export interface PostResult {
  status: number;
  body: string;
}

/** One POST (keep-alive agent given by the caller); network errors resolve as status 0. */
export function post(url: string, body: string, token: string, agent: http.Agent | https.Agent | undefined, ca?: string): Promise<PostResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      { method: 'POST', agent, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', (e) => resolve({ status: 0, body: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
    req.end(body);
  });
}

/** A synthetic audit event with a unique auditID (what the load and fault tests send). */
export function syntheticEvent(id: string, i: number): Record<string, unknown> {
  const t = new Date(Date.UTC(2025, 2, 1) + i).toISOString().replace('Z', '000Z');
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: id,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/ns${i % 20}/configmaps/cm${i % 500}`,
    verb: i % 5 === 0 ? 'update' : 'get',
    user: { username: `system:serviceaccount:ns${i % 20}:app`, uid: '7a9e0a1c-0000-0000-0000-000000000000', groups: ['system:serviceaccounts', `system:serviceaccounts:ns${i % 20}`, 'system:authenticated'] },
    sourceIPs: [`10.0.${i % 200}.${i % 250}`],
    userAgent: 'app/v1.2.3 (linux/amd64) kubernetes/abcdef',
    objectRef: { resource: 'configmaps', namespace: `ns${i % 20}`, name: `cm${i % 500}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: t,
    stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "app/ns" of Role "app" to ServiceAccount "app/ns"' },
  };
}
