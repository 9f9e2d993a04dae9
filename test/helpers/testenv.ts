/**
 * A real, throwaway Kubernetes control plane for live-cluster tests: etcd + kube-apiserver
 * (+ optionally kube-controller-manager), built by `bash scripts/testenv/setup.sh`.
 *
 *   const cluster = await startTestCluster();
 *   const res = await cluster.request('admin', 'GET', '/api/v1/namespaces');
 *   // new KubeConfig().loadFromFile(cluster.kubeconfigPath('reader'))
 *   await cluster.stop();
 *
 * What is NOT there without the controller manager (`controllerManager: true`): default
 * ServiceAccounts in namespaces (so bare Pods are rejected by the ServiceAccount admission plugin
 * until the test creates `default`), kube-root-ca.crt ConfigMaps, namespace deletion (namespaces
 * stay Terminating), ReplicaSets/Pods from Deployments, garbage collection, legacy SA token
 * Secrets. There is never a scheduler or a kubelet: Pods stay Pending.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from './paths.js';

export type TestUser = 'admin' | 'reader' | 'no-rbac-reader';

/** Static token users (from --token-auth-file). `system:authenticated` is added by the apiserver. */
export const TEST_USERS: Record<TestUser, { groups: string[] }> = {
  admin: { groups: ['system:masters'] },
  reader: { groups: ['kubeward:readers'] },
  'no-rbac-reader': { groups: ['kubeward:no-rbac'] },
};

export interface StartOptions {
  /** Extra kube-apiserver flags, e.g. ['--audit-policy-file=...', '--audit-log-path=...']. */
  apiserverArgs?: string[];
  /** Extra etcd flags. */
  etcdArgs?: string[];
  /** Also start kube-controller-manager (namespace, serviceaccount, deployment... controllers). */
  controllerManager?: boolean;
  /** Extra kube-controller-manager flags. */
  controllerManagerArgs?: string[];
  /** Keep the temp dir after stop() (also with KUBEWARD_TESTENV_KEEP=1). */
  keepDir?: boolean;
  /** Milliseconds to wait for readiness (default 120 s: a cold start on 2 busy cores is slow). */
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

export interface TestCluster {
  /** https://127.0.0.1:<port> */
  url: string;
  /** A kubeconfig (token auth, CA data) for one user; its current context is that user. */
  kubeconfigPath(user: TestUser): string;
  tokens: Record<TestUser, string>;
  /** PEM of the CA that signed the apiserver's serving certificate (also in <dataDir>/ca.crt). */
  caPem: string;
  /** An HTTPS request to the apiserver as `user` (body objects are sent as JSON). */
  request(user: TestUser, method: string, apiPath: string, body?: unknown, contentType?: string): Promise<HttpResult>;
  /** The temp dir: certs, keys, etcd data, kubeconfigs, logs. */
  dataDir: string;
  logs: { etcd: string; apiserver: string; controllerManager?: string; tail(lines?: number): string };
  stop(): Promise<void>;
}

/** Where setup.sh puts the binaries: ${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/testenv/<k8s version>/. */
export function testenvVersions(): Record<string, string> {
  const env: Record<string, string> = {};
  const text = fs.readFileSync(fromRoot('scripts/testenv/versions.env'), 'utf8');
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

export function testenvBinDir(): string {
  if (process.env.KUBEWARD_TESTENV_BIN) return process.env.KUBEWARD_TESTENV_BIN;
  const cache = process.env.KUBEWARD_CACHE || path.join(os.homedir(), '.cache', 'kubeward');
  return path.join(cache, 'testenv', testenvVersions().K8S_VERSION);
}

function binary(name: string): string {
  const p = path.join(testenvBinDir(), name);
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    throw new Error(
      `test environment binary ${name} not found at ${p}: run \`bash scripts/testenv/setup.sh\` first ` +
        `(builds etcd, kube-apiserver and kube-controller-manager from the Go module proxy; first build 15-30 min)`,
    );
  }
  return p;
}

/** Throws (naming scripts/testenv/setup.sh) when a binary the test environment needs is missing. */
export function assertTestenvBinaries(opts: { controllerManager?: boolean } = {}): void {
  binary('etcd');
  binary('kube-apiserver');
  if (opts.controllerManager) binary('kube-controller-manager');
}

/** A free TCP port on 127.0.0.1 (bound then released: a tiny race, acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tailFile(file: string, lines: number): string {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  exitCode(): number | null | undefined;
}

function startProcess(name: string, bin: string, args: string[], logFile: string): Proc {
  const fd = fs.openSync(logFile, 'a');
  fs.writeSync(fd, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (c, sig) => {
      code = c ?? (sig ? -1 : null);
      resolve(code);
    });
    child.on('error', () => {
      code = -1;
      resolve(-1);
    });
  });
  return { name, child, exited, exitCode: () => code };
}

async function stopProcess(p: Proc | undefined, graceMs = 10_000): Promise<void> {
  if (!p || p.exitCode() !== undefined) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}

// Clusters not stopped yet: their processes are killed (and temp dirs removed) when this process
// exits, however it exits: the 'exit' handler covers normal exits, a watchdog shell covers a
// SIGKILL of the test process (e.g. a test-runner timeout).
interface Live {
  procs: Proc[];
  dir: string;
  keep: boolean;
}
const liveClusters = new Set<Live>();
let exitHookInstalled = false;
function track(c: Live): void {
  liveClusters.add(c);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const l of liveClusters) {
        for (const p of l.procs) if (p.exitCode() === undefined) p.child.kill('SIGKILL');
        if (!l.keep) fs.rmSync(l.dir, { recursive: true, force: true });
      }
    });
  }
}

function startWatchdog(c: Live): ChildProcess {
  const script =
    'parent=$1; dir=$2; shift 2; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; ' +
    'kill -9 "$@" 2>/dev/null; sleep 1; if [ -n "$dir" ]; then rm -rf "$dir"; fi';
  const pids = c.procs.map((p) => p.child.pid).filter((pid): pid is number => pid !== undefined);
  const w = spawn(
    'sh',
    ['-c', script, 'kubeward-testenv-watchdog', String(process.pid), c.keep ? '' : c.dir, ...pids.map(String)],
    { stdio: 'ignore', detached: true },
  );
  w.unref();
  return w;
}

/** The CA certificate(s) of a PEM bundle (apiserver.crt holds the serving leaf, then its CA). */
function caCertificates(bundle: string): string {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const cas = blocks.filter((b) => new X509Certificate(b).ca);
  return cas.length ? cas.join('\n') + '\n' : bundle;
}

function kubeconfig(url: string, caPem: string, user: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testenv',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${user}@testenv`,
    '  context:',
    '    cluster: testenv',
    `    user: ${user}`,
    '    namespace: default',
    `current-context: ${user}@testenv`,
    '',
  ].join('\n');
}

function httpsRequest(
  url: string,
  ca: string | undefined,
  token: string,
  method: string,
  apiPath: string,
  body?: unknown,
  contentType?: string,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = https.request(
      new URL(apiPath, url),
      {
        method,
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload !== undefined
            ? { 'content-type': contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${apiPath}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Polls `check` until it returns true; fails early when one of `procs` exits. */
async function waitFor(what: string, deadline: number, procs: Proc[], check: () => Promise<boolean>): Promise<void> {
  let lastErr = '';
  while (Date.now() < deadline) {
    for (const p of procs) {
      if (p.exitCode() !== undefined) throw new Error(`${p.name} exited (code ${p.exitCode()}) while waiting for ${what}`);
    }
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = (e as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${lastErr})` : ''}`);
}

export async function startTestCluster(opts: StartOptions = {}): Promise<TestCluster> {
  const etcdBin = binary('etcd');
  const apiserverBin = binary('kube-apiserver');
  const kcmBin = opts.controllerManager ? binary('kube-controller-manager') : undefined;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeward-testenv-'));
  const certDir = path.join(dir, 'certs');
  fs.mkdirSync(certDir, { mode: 0o700 });
  const logs = {
    etcd: path.join(dir, 'etcd.log'),
    apiserver: path.join(dir, 'kube-apiserver.log'),
    ...(kcmBin ? { controllerManager: path.join(dir, 'kube-controller-manager.log') } : {}),
    tail(lines = 40): string {
      const parts = [`--- etcd (${this.etcd}) ---\n${tailFile(this.etcd, lines)}`];
      parts.push(`--- kube-apiserver (${this.apiserver}) ---\n${tailFile(this.apiserver, lines)}`);
      if (this.controllerManager) {
        parts.push(`--- kube-controller-manager (${this.controllerManager}) ---\n${tailFile(this.controllerManager, lines)}`);
      }
      return parts.join('\n');
    },
  };

  // Service-account signing key pair (RSA, PEM; kube-apiserver accepts PKCS#8 / SPKI).
  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saKey = path.join(dir, 'sa.key');
  const saPub = path.join(dir, 'sa.pub');
  fs.writeFileSync(saKey, sa.privateKey, { mode: 0o600 });
  fs.writeFileSync(saPub, sa.publicKey);

  // Static tokens: token,user,uid,"group1,group2"
  const tokens = {} as Record<TestUser, string>;
  const rows: string[] = [];
  for (const [user, { groups }] of Object.entries(TEST_USERS) as [TestUser, { groups: string[] }][]) {
    tokens[user] = `kubeward-${user}-${randomBytes(16).toString('hex')}`;
    rows.push(`${tokens[user]},${user},uid-${user},"${groups.join(',')}"`);
  }
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokenFile, rows.join('\n') + '\n', { mode: 0o600 });

  const procs: Proc[] = [];
  const keep = Boolean(opts.keepDir) || process.env.KUBEWARD_TESTENV_KEEP === '1';
  const live: Live = { procs, dir, keep };
  track(live);
  let watchdog: ChildProcess | undefined;
  const rewatch = () => {
    if (watchdog && watchdog.exitCode === null) watchdog.kill('SIGKILL');
    watchdog = startWatchdog(live);
  };
  const stopAll = async (removeDir: boolean) => {
    for (const p of [...procs].reverse()) await stopProcess(p);
    if (watchdog && watchdog.exitCode === null) watchdog.kill('SIGKILL');
    liveClusters.delete(live);
    if (removeDir && !keep) fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // etcd
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = startProcess(
      'etcd',
      etcdBin,
      [
        '--name=testenv',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=testenv=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
        ...(opts.etcdArgs ?? []),
      ],
      logs.etcd,
    );
    procs.push(etcd);
    rewatch();
    await waitFor('etcd /health', deadline, procs, async () => {
      const r = await httpGet(`${etcdUrl}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    });

    // kube-apiserver. Its serving cert is self-generated into --cert-dir: apiserver.crt holds the
    // leaf (127.0.0.1, localhost, kubernetes.default.svc...) then its self-signed CA, which we
    // extract into ca.crt.
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const apiserver = startProcess(
      'kube-apiserver',
      apiserverBin,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // The lease endpoint reconciler refuses a loopback advertise address (since v1.37);
        // without a reconciler the default/kubernetes Service simply has no endpoints.
        '--endpoint-reconciler-type=none',
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=Node,RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=true',
        '--profiling=false',
        ...(opts.apiserverArgs ?? []),
      ],
      logs.apiserver,
    );
    procs.push(apiserver);
    rewatch();

    const certFile = path.join(certDir, 'apiserver.crt');
    const caFile = path.join(dir, 'ca.crt');
    let caPem = '';
    await waitFor('kube-apiserver /readyz', deadline, procs, async () => {
      if (!caPem) {
        if (!fs.existsSync(certFile)) return false;
        const bundle = fs.readFileSync(certFile, 'utf8');
        if (!/-----END CERTIFICATE-----\s*$/.test(bundle)) return false; // still being written
        caPem = caCertificates(bundle);
        fs.writeFileSync(caFile, caPem);
      }
      const r = await httpsRequest(url, caPem, tokens.admin, 'GET', '/readyz');
      return r.status === 200;
    });

    const kubeconfigs = {} as Record<TestUser, string>;
    for (const user of Object.keys(TEST_USERS) as TestUser[]) {
      kubeconfigs[user] = path.join(dir, `kubeconfig-${user}.yaml`);
      fs.writeFileSync(kubeconfigs[user], kubeconfig(url, caPem, user, tokens[user]), { mode: 0o600 });
    }

    if (kcmBin) {
      const kcm = startProcess(
        'kube-controller-manager',
        kcmBin,
        [
          `--kubeconfig=${kubeconfigs.admin}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--secure-port=0',
          `--service-account-private-key-file=${saKey}`,
          `--root-ca-file=${caFile}`,
          '--use-service-account-credentials=false',
          '--service-cluster-ip-range=10.96.0.0/16',
          '--controllers=*',
          ...(opts.controllerManagerArgs ?? []),
        ],
        logs.controllerManager!,
      );
      procs.push(kcm);
      rewatch();
      // Ready enough when the serviceaccount controller has made default/default.
      await waitFor('kube-controller-manager (default ServiceAccount)', deadline, procs, async () => {
        const r = await httpsRequest(url, caPem, tokens.admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
        return r.status === 200;
      });
    }

    let stopped = false;
    return {
      url,
      tokens,
      caPem,
      dataDir: dir,
      logs,
      kubeconfigPath: (user) => kubeconfigs[user],
      request: (user, method, apiPath, body, contentType) =>
        httpsRequest(url, caPem, tokens[user], method, apiPath, body, contentType),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll(true);
      },
    };
  } catch (e) {
    const tail = logs.tail(40);
    await stopAll(false);
    throw new Error(`startTestCluster failed: ${(e as Error).message}\n(temp dir kept: ${dir})\n${tail}`);
  }
}
