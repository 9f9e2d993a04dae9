// kubeward audit serve: receive kube-apiserver's audit webhook batches, store them durably (SQLite
// or PostgreSQL), run the detections live and print alerts as JSON lines.
import { Command, Option } from 'commander';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { CommandEnv } from '../main.js';
import { UserError } from '../../core/types.js';
import { loadConfig } from '../../loaders/config.js';
import { allRules } from '../../rules/index.js';
import { engineOptions } from '../../audit/config.js';
import { detections } from '../../audit/detections/index.js';
import { POLICY_RULE_SETS, policyRules, type PolicyRuleSet } from '../../audit/workload-check.js';

interface Opts {
  store: string;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  selfSigned?: boolean;
  certDir: string;
  san: string[];
  insecureHttp?: boolean;
  tokenFile?: string;
  clientCa?: string;
  maxRequestBytes: string;
  maxEventBytes: string;
  maxInflight: string;
  alertWebhook?: string;
  alertWebhookCa?: string;
  printWebhookConfig?: string | boolean;
  webhookUrl?: string;
  webhookCa?: string;
  webhookClientCert?: string;
  webhookClientKey?: string;
  policyRules: string;
  config?: string;
  allowUser: string[];
  platformAllowList: boolean;
  only: string[];
  disable: string[];
  retention?: string;
  maxEvents?: string;
  pruneInterval: string;
  watchCerts: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export const DEFAULT_LISTEN = '127.0.0.1:9443';

export function parseListen(s: string): { host: string; port: number } {
  let host: string;
  let port: string;
  const m6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (m6) [host, port] = [m6[1], m6[2]];
  else if (/^\d+$/.test(s)) [host, port] = ['127.0.0.1', s];
  else {
    const i = s.lastIndexOf(':');
    if (i < 0) throw new UserError(`--listen ${s}: expected host:port (e.g. 127.0.0.1:9443)`);
    [host, port] = [s.slice(0, i) || '0.0.0.0', s.slice(i + 1)];
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new UserError(`--listen ${s}: invalid port`);
  return { host, port: n };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

function bytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(|k|ki|kib|m|mi|mib|g|gi|gib|b)$/i.exec(v.trim());
  if (!m) throw new UserError(`${flag} ${v}: expected a size such as 262144, 256Ki or 12Mi`);
  const unit = m[2].toLowerCase();
  const mul = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const n = Math.floor(Number(m[1]) * mul);
  if (n <= 0) throw new UserError(`${flag} must be positive`);
  return n;
}

/** "30d", "12h", "90m", "45s", "2w" to milliseconds. */
export function parseDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(v.trim());
  if (!m) throw new UserError(`${flag} ${v}: expected a duration such as 30d, 12h, 90m or 45s`);
  const ms = Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 's'];
  if (!(ms > 0)) throw new UserError(`${flag} must be positive`);
  return ms;
}

function positiveInt(v: string, flag: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) <= 0 || !Number.isSafeInteger(Number(v))) throw new UserError(`${flag} ${v}: expected a positive whole number`);
  return Number(v);
}

function readTokens(file: string, log: (s: string) => void): string[] {
  let text: string;
  let st: fs.Stats;
  try {
    text = fs.readFileSync(file, 'utf8');
    st = fs.statSync(file);
  } catch (e) {
    throw new UserError(`cannot read --token-file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (tokens.length === 0) throw new UserError(`--token-file ${file} holds no token (one token per line)`);
  for (const t of tokens) {
    if (/\s/.test(t)) throw new UserError(`--token-file ${file}: a token contains white space`);
    if (t.length < 16) throw new UserError(`--token-file ${file}: a token is shorter than 16 characters (make one with: head -c 32 /dev/urandom | base64)`);
  }
  if ((st.mode & 0o077) !== 0) log(`kubeward audit serve: warning: --token-file ${file} is readable by other users (chmod 600 it)`);
  return tokens;
}

export function registerAuditServe(audit: Command, env: CommandEnv): void {
  audit
    .command('serve')
    .description('receive kube-apiserver audit webhook batches: store them (SQLite or PostgreSQL), run the detections live, print alerts as JSON lines')
    .option('--store <path|url>', 'SQLite file, or postgresql://user@host/db', 'kubeward-audit.db')
    .option('--listen <host:port>', `address to listen on (default ${DEFAULT_LISTEN}; a non-loopback address only when given here)`)
    .option('--tls-cert <file>', 'serving certificate (PEM, chain allowed)')
    .option('--tls-key <file>', 'its private key (PEM)')
    .option('--self-signed', 'make (once) and use a private CA, serving and client certificates in --cert-dir (development; needs openssl)')
    .option('--cert-dir <dir>', 'where --self-signed keeps its files', 'kubeward-audit-certs')
    .option('--san <name>', 'extra DNS name or IP for the --self-signed serving certificate (repeatable)', collect, [])
    .option('--insecure-http', 'plain HTTP, without TLS (loopback addresses only)')
    .option('--token-file <file>', 'accepted bearer tokens, one per line (the webhook config carries the first)')
    .option('--client-ca <file>', 'accept client certificates signed by this CA (mTLS)')
    .option('--max-request-bytes <size>', 'largest request body, compressed or not (413 above)', '12Mi')
    .option('--max-event-bytes <size>', 'largest event; larger ones are stored without requestObject/responseObject', '256Ki')
    .option('--max-inflight <n>', 'requests read or stored at once (429 above; the sender retries)', '16')
    .option('--alert-webhook <url>', 'also POST each alert (JSON) here; retried with backoff, never delays ingestion')
    .option('--alert-webhook-ca <file>', 'CA certificate (PEM) to trust for an https --alert-webhook')
    .option('--print-webhook-config [file]', 'write the kube-apiserver --audit-webhook-config-file (to file, or stdout) and exit')
    .option('--webhook-url <url>', 'receiver URL as kube-apiserver reaches it (default: from --listen)')
    .option('--webhook-ca <file>', 'CA certificate to put in the webhook config (default: the --self-signed CA, or a self-signed --tls-cert)')
    .option('--webhook-client-cert <file>', 'client certificate to put in the webhook config (default with --self-signed and --client-ca of the same CA: the generated one)')
    .option('--webhook-client-key <file>', 'its private key')
    .option('--retention <duration>', 'delete stored events (and their detections) older than this, e.g. 30d, 12h; at start and every --prune-interval')
    .option('--max-events <n>', 'keep at most this many stored events (the oldest go first, and detections older than the oldest kept event)')
    .option('--prune-interval <duration>', 'how often --retention / --max-events run', '10m')
    .option('--no-watch-certs', 'do not reload --tls-cert/--tls-key/--client-ca when the files change (SIGHUP still reloads them)')
    .option('--policy-rules <set|ids>', `workload rules run on objects created or changed in the log: ${POLICY_RULE_SETS.join(', ')}, or rule ids (comma-separated)`, 'baseline')
    .option('-c, --config <file>', 'configuration file (default: ./kubeward.yaml if present; section audit:)')
    .option('--allow-user <glob>', 'do not report actions of this identity (repeatable, comma-separated)', collect, [])
    .option('--no-platform-allow-list', "also report the platform's own identities")
    .option('--only <ids>', 'run only these detections (comma-separated)', collect, [])
    .option('--disable <ids>', 'do not run these detections (comma-separated)', collect, [])
    .addHelpText(
      'after',
      `
Stdout carries only alerts, one JSON object per line (detections: "type":"detection"; workload rule
violations: "type":"policy-violation"); logs go to stderr. A batch is answered 200 only after it
is committed (SQLite: WAL, synchronous=FULL). Events are stored once per auditID and stage: a batch
kube-apiserver retries is not stored or alerted twice. SIGTERM/SIGINT: stop accepting, finish the
batches in flight, exit 0. SIGHUP (and a change of the files, unless --no-watch-certs): read the
certificate, key and client CA again and use them for new connections; a set that cannot be used
is logged and the current one kept. Retention deletes in batches of 2,000 rows between ingestion
transactions; deleted counts are in /metrics (kubeward_audit_pruned_events_total).
Endpoints: POST /audit/webhook, GET /metrics (authenticated), GET /healthz.

Example (see docs/audit-serve.md):
  head -c 32 /dev/urandom | base64 > token && chmod 600 token
  kubeward audit serve --self-signed --token-file token --print-webhook-config webhook.yaml
  kubeward audit serve --self-signed --token-file token --store audit.db --retention 30d
  kube-apiserver ... --audit-policy-file=policy.yaml --audit-webhook-config-file=webhook.yaml`,
    )
    .action(async (opts: Opts) => {
      const io = env.io;
      const log = (s: string): void => io.err(`${new Date().toISOString()} ${s}\n`);
      const { host, port } = parseListen(opts.listen ?? DEFAULT_LISTEN);
      if (opts.insecureHttp && (opts.tlsCert || opts.tlsKey || opts.selfSigned)) throw new UserError('--insecure-http cannot be combined with --tls-cert/--tls-key or --self-signed');
      if (opts.insecureHttp && !isLoopback(host)) throw new UserError(`--insecure-http only on a loopback address (127.0.0.1, ::1), not ${host}: audit events carry credentials and personal data`);
      if (!opts.insecureHttp && !opts.selfSigned && !(opts.tlsCert && opts.tlsKey)) throw new UserError('TLS needs --tls-cert and --tls-key, or --self-signed (development); plain HTTP only with --insecure-http on loopback');
      if (opts.selfSigned && (opts.tlsCert || opts.tlsKey)) throw new UserError('--self-signed cannot be combined with --tls-cert/--tls-key');
      if (!opts.tokenFile && !opts.clientCa) throw new UserError('no client authentication: give --token-file (bearer tokens) and/or --client-ca (client certificates)');
      if (opts.clientCa && opts.insecureHttp) throw new UserError('--client-ca needs TLS');
      if (opts.listen === undefined && !isLoopback(host)) throw new UserError('internal: default listen address must be loopback');

      const { readPem, ensureSelfSigned } = await import('../../audit/server/tls.js');
      const tokens = opts.tokenFile ? readTokens(path.resolve(io.cwd, opts.tokenFile), log) : [];
      let tls: { cert: string; key: string; clientCa?: string } | undefined;
      let tlsFiles: { cert: string; key: string; clientCa?: string } | undefined;
      let caForConfig: string | undefined;
      let selfClient: { cert: string; key: string } | undefined;
      let selfCaFile: string | undefined;
      if (opts.selfSigned) {
        const names = new Set(['127.0.0.1', '::1', 'localhost', ...opts.san]);
        if (host !== '0.0.0.0' && host !== '::') names.add(host);
        const ss = ensureSelfSigned(path.resolve(io.cwd, opts.certDir), [...names]);
        if (ss.created) log(`kubeward audit serve: made a private CA and certificates in ${ss.dir} (names: ${ss.names.join(', ')})`);
        tls = { cert: readPem(ss.cert, 'certificate'), key: readPem(ss.key, 'private key') };
        caForConfig = readPem(ss.caCert, 'CA certificate');
        selfClient = { cert: readPem(ss.clientCert, 'client certificate'), key: readPem(ss.clientKey, 'client key') };
        selfCaFile = ss.caCert;
        tlsFiles = { cert: ss.cert, key: ss.key };
      } else if (opts.tlsCert && opts.tlsKey) {
        tls = { cert: readPem(path.resolve(io.cwd, opts.tlsCert), '--tls-cert'), key: readPem(path.resolve(io.cwd, opts.tlsKey), '--tls-key') };
        tlsFiles = { cert: path.resolve(io.cwd, opts.tlsCert), key: path.resolve(io.cwd, opts.tlsKey) };
        try {
          const c = new X509Certificate(tls.cert);
          if (c.issuer === c.subject) caForConfig = tls.cert;
        } catch (e) {
          throw new UserError(`--tls-cert ${opts.tlsCert}: not a certificate: ${(e as Error).message}`);
        }
      }
      if (opts.clientCa && tls) {
        tls.clientCa = readPem(path.resolve(io.cwd, opts.clientCa), '--client-ca');
        if (tlsFiles) tlsFiles.clientCa = path.resolve(io.cwd, opts.clientCa);
      }

      if (opts.printWebhookConfig !== undefined) {
        const { webhookKubeconfig } = await import('../../audit/server/webhook-config.js');
        const { WEBHOOK_PATH } = await import('../../audit/server/server.js');
        let server = opts.webhookUrl;
        if (!server) {
          if (host === '0.0.0.0' || host === '::') throw new UserError(`--listen ${opts.listen} is every address: give --webhook-url with the address kube-apiserver uses`);
          if (port === 0) throw new UserError('--listen with port 0: give a fixed port (or --webhook-url)');
          server = `${tls ? 'https' : 'http'}://${net.isIPv6(host) ? `[${host}]` : host}:${port}${WEBHOOK_PATH}`;
        }
        if (opts.webhookCa) caForConfig = readPem(path.resolve(io.cwd, opts.webhookCa), '--webhook-ca');
        let client: { cert: string; key: string } | undefined;
        if (opts.webhookClientCert || opts.webhookClientKey) {
          if (!opts.webhookClientCert || !opts.webhookClientKey) throw new UserError('--webhook-client-cert and --webhook-client-key go together');
          client = { cert: readPem(path.resolve(io.cwd, opts.webhookClientCert), '--webhook-client-cert'), key: readPem(path.resolve(io.cwd, opts.webhookClientKey), '--webhook-client-key') };
        } else if (opts.clientCa && selfClient && selfCaFile && path.resolve(io.cwd, opts.clientCa) === selfCaFile) {
          client = selfClient;
        } else if (opts.clientCa && tokens.length === 0) {
          throw new UserError('--client-ca without --token-file: give --webhook-client-cert/--webhook-client-key for the webhook config');
        }
        const text = webhookKubeconfig({ server, caPem: tls ? caForConfig : undefined, token: tokens[0], clientCertPem: client?.cert, clientKeyPem: client?.key });
        if (typeof opts.printWebhookConfig === 'string') {
          const file = path.resolve(io.cwd, opts.printWebhookConfig);
          try {
            fs.writeFileSync(file, text, { mode: 0o600 });
            fs.chmodSync(file, 0o600);
          } catch (e) {
            throw new UserError(`cannot write ${opts.printWebhookConfig}: ${(e as Error).message}`);
          }
          log(`kubeward audit serve: wrote ${opts.printWebhookConfig} (server ${server}); use it with kube-apiserver --audit-webhook-config-file`);
        } else io.out(text);
        return;
      }

      const cfg = await loadConfig(opts.config, io.cwd, new Set(allRules.map((r) => r.meta.id)));
      const engine = engineOptions(cfg.audit, { allowUser: opts.allowUser, platformAllowList: opts.platformAllowList, only: opts.only, disable: opts.disable }, detections, cfg.source ?? 'configuration');
      const rulesSpec = (POLICY_RULE_SETS as readonly string[]).includes(opts.policyRules) ? (opts.policyRules as PolicyRuleSet) : collect(opts.policyRules, []);
      const pr = policyRules(rulesSpec);
      if (pr.unknown.length) throw new UserError(`--policy-rules: unknown or not per-pod workload rule(s): ${pr.unknown.join(', ')}`);
      let alertWebhook: { url: string; ca?: string } | undefined;
      if (opts.alertWebhook) {
        try {
          const u = new URL(opts.alertWebhook);
          if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
        } catch {
          throw new UserError(`--alert-webhook ${opts.alertWebhook}: expected an http:// or https:// URL`);
        }
        alertWebhook = { url: opts.alertWebhook, ...(opts.alertWebhookCa ? { ca: readPem(path.resolve(io.cwd, opts.alertWebhookCa), '--alert-webhook-ca') } : {}) };
      }
      const retention = {
        ...(opts.retention !== undefined ? { maxAgeMs: parseDuration(opts.retention, '--retention') } : {}),
        ...(opts.maxEvents !== undefined ? { maxEvents: positiveInt(opts.maxEvents, '--max-events') } : {}),
        intervalMs: parseDuration(opts.pruneInterval, '--prune-interval'),
      };
      const { startService } = await import('../../audit/server/index.js');
      const { storeKind } = await import('../../audit/server/store/index.js');
      const storeSpec = storeKind(opts.store) === 'sqlite' ? path.resolve(io.cwd, opts.store) : opts.store;
      let service;
      try {
        service = await startService({
          store: storeSpec,
          host,
          port,
          tls,
          tlsFiles,
          watchTls: opts.watchCerts,
          retention,
          tokens,
          limits: { maxRequestBytes: bytes(opts.maxRequestBytes, '--max-request-bytes'), maxEventBytes: bytes(opts.maxEventBytes, '--max-event-bytes') },
          maxInflight: Math.max(1, Number(opts.maxInflight) || 16),
          engine,
          policyRules: pr.rules,
          alertWebhook,
          onAlert: (line) => io.out(line + '\n'),
          log,
        });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') throw new UserError(`cannot listen on ${host}:${port}: address in use`);
        if (err.code === 'EACCES') throw new UserError(`cannot listen on ${host}:${port}: permission denied`);
        if (err.code === 'EADDRNOTAVAIL') throw new UserError(`cannot listen on ${host}:${port}: no such local address`);
        throw e;
      }
      const auth = [tokens.length ? `bearer token${tokens.length > 1 ? 's' : ''}` : '', tls?.clientCa ? 'client certificates' : ''].filter(Boolean).join(' or ');
      const keep = [retention.maxAgeMs !== undefined ? `events newer than ${opts.retention}` : '', retention.maxEvents !== undefined ? `at most ${retention.maxEvents} events` : ''].filter(Boolean).join(', ');
      log(`kubeward audit serve: listening on ${service.server.url} (store ${service.store.kind} ${service.store.where}; auth: ${auth}; detections: ${(engine.only ?? Object.keys(detections)).filter((id) => !(engine.disabled ?? []).includes(id)).length}; workload rules: ${pr.rules.length}${keep ? `; retention: ${keep}, every ${opts.pruneInterval}` : ''})`);
      const onHup = (): void => {
        if (service.reloadTls) service.reloadTls();
        else log('kubeward audit serve: SIGHUP: nothing to reload (no TLS certificate files)');
      };
      process.on('SIGHUP', onHup);
      await new Promise<void>((resolve) => {
        const stop = (sig: string): void => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          process.off('SIGHUP', onHup);
          log(`kubeward audit serve: ${sig}: finishing in-flight batches`);
          void service.stop().then(
            () => {
              log('kubeward audit serve: stopped');
              resolve();
            },
            (e) => {
              log(`kubeward audit serve: error while stopping: ${(e as Error).message}`);
              resolve();
            },
          );
        };
        const onTerm = (): void => stop('SIGTERM');
        const onInt = (): void => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
    });
}
