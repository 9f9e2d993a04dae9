// HTTP access to a live API server. The only importer of @kubernetes/client-node (for kubeconfig
// parsing and credentials: certificates, tokens, exec plugins, in-cluster config).
import * as https from 'node:https';
import * as http from 'node:http';
import { gunzip } from 'node:zlib';
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../../core/types.js';
import { importPackage } from '../../core/packages.js';

export interface KubeconfigOptions {
  kubeconfig?: string;
  context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST + mounted token). */
  inCluster?: boolean;
}

export interface ClusterIdentity {
  context: string;
  server: string;
  user: string;
}

export async function loadKubeconfig(o: KubeconfigOptions): Promise<{ kc: KubeConfig; identity: ClusterIdentity }> {
  // Imported when a cluster is read: the package is large, and ES-module only (the bundle that
  // bin/kubeward.js runs is a script, which can import() it but not require() it on Node 20).
  const { KubeConfig } = await importPackage<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (o.inCluster) {
      if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
        throw new UserError('--in-cluster: not running in a pod (KUBERNETES_SERVICE_HOST or the service-account token is missing)');
      }
      kc.loadFromCluster();
    } else if (o.kubeconfig) {
      if (!existsSync(o.kubeconfig)) throw new UserError(`kubeconfig ${o.kubeconfig}: no such file`);
      kc.loadFromFile(o.kubeconfig);
    } else {
      const env = process.env.KUBECONFIG;
      const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
      if (!env && !existsSync(`${home}/.kube/config`)) {
        throw new UserError('no kubeconfig found (neither $KUBECONFIG nor ~/.kube/config): pass --kubeconfig FILE, or scan files instead');
      }
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const where = o.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new UserError(`cannot read kubeconfig ${where}: ${firstLine((e as Error).message)}`);
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`context "${o.context}" not found in kubeconfig${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
    kc.setCurrentContext(o.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster || !cluster.server) {
    throw new UserError(
      kc.getContexts().length === 0
        ? `no Kubernetes configuration found (looked at ${o.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}); pass --kubeconfig or scan files instead`
        : `the current context "${kc.getCurrentContext()}" has no cluster server`,
    );
  }
  return {
    kc,
    identity: { context: kc.getCurrentContext() || 'in-cluster', server: cluster.server, user: kc.getCurrentUser()?.name ?? '' },
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export interface ClientOptions {
  /** Per-request timeout in ms. */
  requestTimeoutMs?: number;
  /** Retries on 429, 5xx and connection resets. */
  retries?: number;
  /** Base backoff in ms (doubles per try, with jitter). */
  backoffMs?: number;
}

export interface GetOptions {
  /**
   * Drop every `managedFields` array from the JSON text before parsing it (kubeward never reads
   * them; they are about half of a list page and most of its parsing time).
   */
  dropManagedFields?: boolean;
}

export interface HttpResult {
  status: number;
  body: unknown;
  text: string;
}

/** A network-level failure after retries (server down, TLS, DNS). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export class LiveClient {
  requests = 0;
  retriesDone = 0;
  private agent?: https.Agent | http.Agent;
  private baseOpts?: https.RequestOptions;
  private readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    private readonly opts: ClientOptions = {},
  ) {
    this.server = new URL(kc.getCurrentCluster()!.server);
  }

  private async prepare(): Promise<https.RequestOptions> {
    if (this.baseOpts) return this.baseOpts;
    const o: https.RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(o);
    } catch (e) {
      throw new UserError(`cannot obtain credentials for context "${this.kc.getCurrentContext()}": ${firstLine((e as Error).message)}`);
    }
    const isHttps = this.server.protocol === 'https:';
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 8, ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.baseOpts = o;
    return o;
  }

  /** GET a path (with query) and parse JSON. Retries transient failures; never throws on HTTP status. */
  async get(pathAndQuery: string, accept = 'application/json', retries?: number, opts: GetOptions = {}): Promise<HttpResult> {
    return this.request('GET', pathAndQuery, undefined, accept, retries, opts);
  }

  async post(pathAndQuery: string, body: unknown): Promise<HttpResult> {
    return this.request('POST', pathAndQuery, JSON.stringify(body), 'application/json');
  }

  private async request(method: string, pathAndQuery: string, body: string | undefined, accept: string, retriesOverride?: number, getOpts: GetOptions = {}): Promise<HttpResult> {
    const base = await this.prepare();
    const retries = retriesOverride ?? this.opts.retries ?? 4;
    const backoff = this.opts.backoffMs ?? 250;
    let lastErr: Error | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.retriesDone++;
      try {
        const res = await this.once(method, pathAndQuery, body, accept, base, getOpts);
        if ((res.status === 429 || res.status >= 500) && attempt < retries) {
          const ra = Number((res as HttpResult & { retryAfter?: number }).retryAfter);
          await sleep(Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 10_000) : jitter(backoff * 2 ** attempt));
          continue;
        }
        return res;
      } catch (e) {
        lastErr = e as Error;
        const code = (e as NodeJS.ErrnoException).code;
        // TLS and DNS problems do not heal by retrying.
        if (code && /CERT|SELF_SIGNED|ERR_TLS|ENOTFOUND|HOSTNAME|UNABLE_TO_VERIFY|DEPTH_ZERO/.test(code)) break;
        if (attempt < retries) await sleep(jitter(backoff * 2 ** attempt));
      }
    }
    throw describeTransport(lastErr, this.server.href);
  }

  private once(method: string, pathAndQuery: string, body: string | undefined, accept: string, base: https.RequestOptions, getOpts: GetOptions): Promise<HttpResult & { retryAfter?: number }> {
    this.requests++;
    const url = new URL(pathAndQuery, this.server);
    const prefix = this.server.pathname.replace(/\/$/, '');
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        {
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: prefix + url.pathname + url.search,
          agent: this.agent,
          auth: base.auth,
          // gzip, as client-go (kubectl) asks for it: the API server compresses responses over
          // 128 KiB, and list pages of JSON shrink about tenfold.
          headers: { ...(base.headers as Record<string, string>), Accept: accept, 'Accept-Encoding': 'gzip', 'User-Agent': 'kubeward', ...(body ? { 'Content-Type': 'application/json' } : {}) },
          timeout: this.opts.requestTimeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const done = (raw: Buffer) => {
              const text = raw.toString('utf8');
              let parsed: unknown = undefined;
              try {
                parsed = text ? JSON.parse(getOpts.dropManagedFields ? withoutManagedFields(text) : text) : undefined;
              } catch {
                try {
                  parsed = getOpts.dropManagedFields && text ? JSON.parse(text) : undefined;
                } catch {
                  parsed = undefined;
                }
              }
              resolve({ status: res.statusCode ?? 0, body: parsed, text, retryAfter: Number(res.headers['retry-after']) });
            };
            const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            chunks.length = 0;
            if (/^\s*gzip\s*$/i.test(res.headers['content-encoding'] ?? '')) {
              // inflated off the main thread (libuv pool), in 1 MiB pieces (the default 16 KiB
              // makes the main thread handle a callback per piece: 3x the time); a corrupt stream is
              // retried, then reported
              gunzip(raw, { chunkSize: 1 << 20 }, (err, out) => (err ? reject(Object.assign(new Error(`bad gzip response: ${err.message}`), { code: (err as NodeJS.ErrnoException).code })) : done(out)));
            } else done(raw);
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

const MANAGED_FIELDS = '"managedFields":[';
// The rest of a JSON array up to its closing bracket: any character but a quote or `]`, or a whole
// string (escapes included). managedFields entries hold strings and objects, never arrays, so the
// first `]` outside a string closes the list.
const ARRAY_REST = /(?:[^"\]]|"(?:[^"\\]|\\[\s\S])*")*\]/y;

/**
 * The JSON text without its `"managedFields":[...]` members (with their comma), at any depth: what
 * JSON.parse and then deleting `metadata.managedFields` gives, without building those objects. Only
 * a key (after `{` or `,`, outside any string: a quote inside a string is escaped) whose value is an
 * array is removed; anything unexpected leaves the text as it is.
 */
export function withoutManagedFields(text: string): string {
  let i = text.indexOf(MANAGED_FIELDS);
  if (i < 0) return text;
  const parts: string[] = [];
  let from = 0;
  try {
    while (i >= 0) {
      const prev = text.charCodeAt(i - 1);
      let next = i + 1;
      if (prev === 0x2c /* , */ || prev === 0x7b /* { */) {
        ARRAY_REST.lastIndex = i + MANAGED_FIELDS.length;
        if (ARRAY_REST.test(text)) {
          const end = ARRAY_REST.lastIndex;
          if (prev === 0x2c) {
            parts.push(text.slice(from, i - 1)); // drop the comma before the member
            from = end;
          } else {
            parts.push(text.slice(from, i)); // first member: drop the comma after it
            from = text.charCodeAt(end) === 0x2c ? end + 1 : end;
          }
          next = end;
        }
      }
      i = text.indexOf(MANAGED_FIELDS, next);
    }
  } catch {
    return text; // e.g. the regular expression's backtracking stack overflowed on a huge entry
  }
  parts.push(text.slice(from));
  return parts.join('');
}

function describeTransport(e: Error | undefined, server: string): TransportError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const m = e?.message ?? 'unknown error';
  let msg: string;
  switch (code) {
    case 'ECONNREFUSED':
      msg = `cannot reach the API server ${server}: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      msg = `cannot resolve the API server host of ${server}`;
      break;
    case 'ETIMEDOUT':
      msg = `the API server ${server} did not answer in time`;
      break;
    case 'ECONNRESET':
    case 'EPIPE':
      msg = `the connection to the API server ${server} was closed (${code})`;
      break;
    default:
      if (code && /CERT|SELF_SIGNED|TLS|UNABLE_TO_VERIFY|DEPTH_ZERO|HOSTNAME/.test(code)) {
        msg = `TLS error talking to ${server}: ${m} (${code}); check certificate-authority in the kubeconfig`;
      } else msg = `request to ${server} failed: ${m}${code ? ` (${code})` : ''}`;
  }
  return new TransportError(msg, code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function jitter(ms: number): number {
  return Math.round(ms * (0.5 + Math.random()));
}
