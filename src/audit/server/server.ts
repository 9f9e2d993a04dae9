// The HTTP(S) receiver for kube-apiserver's audit webhook backend.
//   POST <path>   EventList / Event / JSON array -> 200 once durably stored
//   GET /healthz  liveness (no authentication)
//   GET /metrics  Prometheus text (authenticated like the webhook)
// Every webhook request is authenticated (bearer token and/or client certificate) before its body
// is read; bodies are bounded; the number of requests being read or stored at once is bounded.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { HttpError, parseBatch, readBody, type BodyLimits } from './body.js';
import type { Ingestor } from './ingest.js';
import type { Metrics } from './metrics.js';

export const WEBHOOK_PATH = '/audit/webhook';

export interface ServerOptions {
  host: string;
  port: number;
  /** PEM; absent = plain HTTP (only with --insecure-http, on loopback). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Accepted bearer tokens. */
  tokens: readonly string[];
  limits: BodyLimits;
  /** Requests read or stored at once; more get 429 (the sender retries). */
  maxInflight: number;
  log: (line: string) => void;
}

export interface AuditServer {
  url: string;
  address: AddressInfo;
  /** Stops accepting, lets in-flight batches finish (up to graceMs), then closes connections. */
  close(graceMs?: number): Promise<void>;
  /** Requests being handled now. */
  inflight(): number;
  /** New TLS connections use this certificate, key and client CA (throws when they cannot be used; TLS servers only). */
  setTls(t: { cert: string; key: string; clientCa?: string }): void;
}

const sha = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();

/** Logs at most `burst` lines per reason per 10 s; the rest are counted and summarised. */
function rateLimitedLog(log: (s: string) => void): (reason: string, line: string) => void {
  const state = new Map<string, { start: number; n: number; dropped: number }>();
  return (reason, line) => {
    const now = Date.now();
    let s = state.get(reason);
    if (!s || now - s.start > 10_000) {
      if (s && s.dropped > 0) log(`(${s.dropped} more "${reason}" lines not shown)`);
      s = { start: now, n: 0, dropped: 0 };
      state.set(reason, s);
    }
    if (s.n++ < 10) log(line);
    else s.dropped++;
  };
}

export async function startAuditServer(o: ServerOptions, ingestor: Ingestor, metrics: Metrics): Promise<AuditServer> {
  const tokenHashes = o.tokens.map(sha);
  const logReject = rateLimitedLog(o.log);
  let inflight = 0;
  let closing = false;
  const senderSockets = new WeakSet<object>();

  const authenticated = (req: http.IncomingMessage): boolean => {
    if (o.tls?.clientCa) {
      const s = req.socket as TLSSocket;
      if (s.authorized && s.getPeerCertificate && Object.keys(s.getPeerCertificate() ?? {}).length > 0) return true;
    }
    if (tokenHashes.length > 0) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (m) {
        const h = sha(m[1]);
        let ok = false;
        for (const t of tokenHashes) ok = timingSafeEqual(h, t) || ok;
        if (ok) return true;
      }
    }
    return false;
  };

  const reply = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    metrics.inc('kubeward_audit_requests_total', { code: String(status) });
    const text = typeof body === 'string' ? body : JSON.stringify(body) + '\n';
    if (!res.headersSent) {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    }
    res.end(text);
  };

  const peer = (req: http.IncomingMessage): string => `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;

  const reject = (req: http.IncomingMessage, res: http.ServerResponse, e: HttpError): void => {
    metrics.inc('kubeward_audit_requests_rejected_total', { reason: e.reason });
    logReject(e.reason, `kubeward audit serve: ${e.status} to ${peer(req)}: ${e.message}`);
    const headers: Record<string, string> = {};
    if (e.status === 401) headers['www-authenticate'] = 'Bearer realm="kubeward-audit"';
    if (e.status === 429 || e.status === 503) headers['retry-after'] = '1';
    // The rest of an over-limit body is not read: close the connection after the answer.
    if (e.status === 413 || e.status === 401) headers.connection = 'close';
    reply(res, e.status, { error: e.message }, headers);
    if (headers.connection === 'close') {
      req.resume(); // let the answer go out; the socket closes after it
      const t = setTimeout(() => req.socket.destroy(), 2000);
      t.unref();
    }
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' || url === '/livez' || url === '/readyz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reject(req, res, new HttpError(405, `${req.method} not allowed on ${url}`, 'method'));
      if (closing && url === '/readyz') return reply(res, 503, 'shutting down\n');
      return reply(res, 200, 'ok\n');
    }
    if (url !== WEBHOOK_PATH && url !== '/metrics') return reject(req, res, new HttpError(404, `no such path ${url.slice(0, 100)} (the webhook is POST ${WEBHOOK_PATH})`, 'not_found'));
    if (!authenticated(req)) return reject(req, res, new HttpError(401, 'unauthenticated: a valid bearer token or client certificate is required', 'unauthorized'));
    if (url === '/metrics') {
      if (req.method !== 'GET') return reject(req, res, new HttpError(405, `${req.method} not allowed on /metrics`, 'method'));
      const text = metrics.render();
      metrics.inc('kubeward_audit_requests_total', { code: '200' });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (req.method !== 'POST') return reject(req, res, new HttpError(405, `${req.method} not allowed on ${WEBHOOK_PATH} (POST audit events)`, 'method'));
    if (closing) return reject(req, res, new HttpError(503, 'shutting down', 'shutting_down'));
    if (inflight >= o.maxInflight) return reject(req, res, new HttpError(429, `too many requests in flight (${o.maxInflight}, --max-inflight)`, 'busy'));
    inflight++;
    const t0 = process.hrtime.bigint();
    // The next commit may wait a little for this batch, and for the next one of this connection
    // while it stays open (group commit, see ingest.ts).
    const arrival = ingestor.arriving(req.socket);
    if (!senderSockets.has(req.socket)) {
      senderSockets.add(req.socket);
      const s = req.socket;
      s.once('close', () => ingestor.gone(s));
    }
    try {
      const body = await readBody(req, o.limits);
      const batch = parseBatch(body, o.limits);
      metrics.inc('kubeward_audit_events_received_total', {}, batch.events.length);
      for (const x of batch.oversized) {
        metrics.inc('kubeward_audit_events_bodies_omitted_total');
        logReject('event_over_limit', `kubeward audit serve: event ${x.auditId} from ${peer(req)} is ${x.bytes} bytes, over --max-event-bytes (${o.limits.maxEventBytes}): stored without requestObject/responseObject`);
      }
      let result;
      try {
        result = await ingestor.submit(batch.events, arrival);
      } catch (e) {
        metrics.inc('kubeward_audit_store_errors_total');
        throw new HttpError(503, `the store failed, batch not acknowledged (the sender retries): ${(e as Error).message.split('\n')[0]}`, 'store_error');
      }
      metrics.inc('kubeward_audit_events_stored_total', {}, result.stored);
      metrics.inc('kubeward_audit_events_duplicate_total', {}, result.duplicates);
      metrics.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      reply(res, 200, { stored: result.stored, duplicates: result.duplicates });
    } catch (e) {
      if (e instanceof HttpError) reject(req, res, e);
      else {
        o.log(`kubeward audit serve: internal error on a request from ${peer(req)}: ${(e as Error).stack ?? String(e)}`);
        reply(res, 500, { error: 'internal error' });
      }
    } finally {
      arrival.done();
      inflight--;
    }
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handler(req, res).catch((e) => {
      o.log(`kubeward audit serve: internal error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };

  const server: http.Server = o.tls
    ? https.createServer(
        {
          cert: o.tls.cert,
          key: o.tls.key,
          minVersion: 'TLSv1.2',
          ...(o.tls.clientCa ? { ca: o.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        onRequest,
      )
    : http.createServer(onRequest);
  // A slow or stalled sender must not hold a request slot (and its buffered body) for long.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  server.on('tlsClientError', () => {
    metrics.inc('kubeward_audit_requests_rejected_total', { reason: 'tls_handshake' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${o.tls ? 'https' : 'http'}://${host}:${address.port}${WEBHOOK_PATH}`;

  return {
    url,
    address,
    inflight: () => inflight,
    setTls: (t) => {
      if (!(server instanceof https.Server)) throw new Error('the server does not use TLS');
      // requestCert / rejectUnauthorized are server options and stay; the context carries the rest.
      server.setSecureContext({ cert: t.cert, key: t.key, minVersion: 'TLSv1.2', ...(t.clientCa ? { ca: t.clientCa } : {}) });
    },
    close: async (graceMs = 30_000) => {
      closing = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inflight > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        server.closeIdleConnections();
      }
      await ingestor.drain();
      server.closeAllConnections();
      await closed;
    },
  };
}
