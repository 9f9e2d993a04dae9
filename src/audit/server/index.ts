// `kubeward audit serve` as a library: store + detection engine + workload checks + alerts + the
// HTTP(S) receiver, wired together. The CLI (src/cli/commands/audit-serve.ts) turns flags into
// ServiceOptions and handles signals; tests start services directly.
import { DetectionEngine, type EngineOptions } from '../engine.js';
import { allDetections } from '../detections/index.js';
import { WorkloadPolicyChecker } from '../workload-check.js';
import type { Rule } from '../../core/rule.js';
import { AlertWebhook } from './alerts.js';
import { DEFAULT_LIMITS, type BodyLimits } from './body.js';
import { Ingestor } from './ingest.js';
import { Metrics } from './metrics.js';
import { startAuditServer, type AuditServer } from './server.js';
import { openStore } from './store/index.js';
import { TlsReloader, type ReloadOutcome, type TlsFiles } from './tls-reload.js';
import type { AuditStore, PruneResult } from './store/types.js';

export interface ServiceOptions {
  /** SQLite file or postgresql:// URL. */
  store: string;
  host: string;
  port: number;
  tls?: { cert: string; key: string; clientCa?: string };
  /** The files `tls` came from: reloaded on reloadTls() and (unless watchTls is false) when they change. */
  tlsFiles?: TlsFiles;
  watchTls?: boolean;
  tokens: readonly string[];
  limits?: Partial<BodyLimits>;
  maxInflight?: number;
  engine?: EngineOptions;
  /** Workload rules run on stored objects (empty: none). */
  policyRules?: readonly Rule[];
  alertWebhook?: { url: string; ca?: string; initialBackoffMs?: number; maxAttempts?: number };
  /** Retention: prune at start and then every intervalMs (default 10 minutes). */
  retention?: { maxAgeMs?: number; maxEvents?: number; intervalMs?: number; batchSize?: number };
  /** Each alert as one JSON line (stdout in the CLI). */
  onAlert: (jsonLine: string) => void;
  log: (line: string) => void;
}

export interface Service {
  server: AuditServer;
  store: AuditStore;
  metrics: Metrics;
  /** Graceful stop: in-flight batches are stored and acknowledged, alerts get `alertGraceMs` to go out. */
  stop(opts?: { graceMs?: number; alertGraceMs?: number }): Promise<void>;
  /** Reads the certificate files again (SIGHUP); undefined without tlsFiles. */
  reloadTls?: () => ReloadOutcome;
  /** One retention run now (resolves when done; joins a run in progress). Undefined without retention. */
  prune?: () => Promise<PruneResult | undefined>;
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const store = await openStore(o.store);
  const metrics = new Metrics();
  let webhook: AlertWebhook | undefined;
  let server: AuditServer | undefined;
  try {
    if (o.alertWebhook) {
      webhook = new AlertWebhook({
        url: o.alertWebhook.url,
        ca: o.alertWebhook.ca,
        initialBackoffMs: o.alertWebhook.initialBackoffMs,
        maxAttempts: o.alertWebhook.maxAttempts,
        onResult: (r, detail) => {
          metrics.inc('kubeward_audit_alerts_total', { result: r });
          if (r !== 'sent') o.log(`kubeward audit serve: --alert-webhook: ${detail}`);
        },
      });
    }
    const checker = o.policyRules && o.policyRules.length > 0 ? new WorkloadPolicyChecker({ rules: o.policyRules, allowUsers: o.engine?.allowUsers, platformAllowList: o.engine?.platformAllowList }) : undefined;
    const ingestor = new Ingestor({
      store,
      engine: () => new DetectionEngine(allDetections, o.engine ?? {}),
      checker,
      onAlert: (json, row) => {
        metrics.inc('kubeward_audit_detections_total', { id: row.detectionId, severity: row.severity });
        o.onAlert(json);
        webhook?.enqueue(json);
      },
    });
    metrics.gauge('kubeward_audit_batches_queued', 'Batches waiting for the store.', () => ingestor.queued);
    metrics.gauge('kubeward_audit_requests_inflight', 'Webhook requests being read or stored.', () => server?.inflight() ?? 0);
    if (webhook) {
      const w = webhook;
      metrics.gauge('kubeward_audit_alerts_queued', 'Alerts waiting to be POSTed to --alert-webhook.', () => w.pending);
    }
    server = await startAuditServer(
      {
        host: o.host,
        port: o.port,
        tls: o.tls,
        tokens: o.tokens,
        limits: { ...DEFAULT_LIMITS, ...(o.limits ?? {}) },
        maxInflight: o.maxInflight ?? 16,
        log: o.log,
      },
      ingestor,
      metrics,
    );
    let stopped: Promise<void> | undefined;
    let stopping = false;
    const srv = server;
    const ret = o.retention;
    let prune: (() => Promise<PruneResult | undefined>) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<PruneResult | undefined> | undefined;
    if (ret && (ret.maxAgeMs !== undefined || ret.maxEvents !== undefined)) {
      const once = async (): Promise<PruneResult | undefined> => {
        const t0 = Date.now();
        try {
          const r = await store.prune({
            beforeMs: ret.maxAgeMs !== undefined ? Date.now() - ret.maxAgeMs : undefined,
            maxEvents: ret.maxEvents,
            batchSize: ret.batchSize,
            stop: () => stopping,
          });
          metrics.inc('kubeward_audit_pruned_events_total', {}, r.events);
          metrics.inc('kubeward_audit_pruned_detections_total', {}, r.detections);
          metrics.inc('kubeward_audit_prune_runs_total', { result: 'ok' });
          if (r.events > 0 || r.detections > 0) o.log(`kubeward audit serve: retention: deleted ${r.events} events and ${r.detections} detections in ${Date.now() - t0} ms`);
          return r;
        } catch (e) {
          metrics.inc('kubeward_audit_prune_runs_total', { result: 'error' });
          o.log(`kubeward audit serve: retention run failed (tried again at the next interval): ${(e as Error).message.split('\n')[0]}`);
          return undefined;
        }
      };
      prune = () => (running ??= once().finally(() => (running = undefined)));
      void prune();
      timer = setInterval(() => void prune!(), Math.max(1000, ret.intervalMs ?? 600_000));
      timer.unref();
    }
    let reloader: TlsReloader | undefined;
    if (o.tls && o.tlsFiles) {
      reloader = new TlsReloader({
        files: o.tlsFiles,
        current: o.tls,
        apply: (m) => srv.setTls(m),
        log: o.log,
        onResult: (r) => {
          if (r !== 'unchanged') metrics.inc('kubeward_audit_tls_reloads_total', { result: r === 'reloaded' ? 'ok' : 'error' });
        },
        watch: o.watchTls !== false,
      });
    }
    const rl = reloader;
    return {
      server: srv,
      store,
      metrics,
      prune,
      reloadTls: rl ? () => rl.reload('SIGHUP') : undefined,
      stop: (s = {}) =>
        (stopped ??= (async () => {
          stopping = true;
          rl?.close();
          if (timer) clearInterval(timer);
          await srv.close(s.graceMs ?? 30_000);
          await running;
          if (webhook) await webhook.close(s.alertGraceMs ?? 5_000);
          await store.close();
        })()),
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
