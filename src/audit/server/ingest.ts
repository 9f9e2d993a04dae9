// From accepted batches to durable rows, detections and alerts. Batches are queued and written by
// one loop: batches that arrive while a commit is running are committed together (group commit),
// so small batches from many senders still cost one fsync per commit. Detections (the audit-analyze
// engine) and workload policy checks run on the rows that are new, inside the same transaction, so
// a retried batch never alerts twice and an acknowledged one never lacks its detections.
import { fromK8sEvent } from '../formats/kubernetes.js';
import type { AuditEvent } from '../event.js';
import type { AuditDetection, DetectionEngine } from '../engine.js';
import type { PolicyViolation, WorkloadPolicyChecker } from '../workload-check.js';
import type { RawEvent } from './body.js';
import type { AuditStore, DetectionRow, EventRow } from './store/types.js';

export interface BatchResult {
  received: number;
  stored: number;
  duplicates: number;
  detections: number;
}

/** An alert: a detection of the engine or a workload policy violation, as stored and sent. */
export type Alert = ({ type: 'detection' } & Omit<AuditDetection, 'file' | 'line'>) | ({ type: 'policy-violation' } & PolicyViolation);

export interface IngestorOptions {
  store: AuditStore;
  /** Makes a detection engine (again after a failed transaction: its state may hold rolled-back events). */
  engine: () => DetectionEngine;
  checker?: WorkloadPolicyChecker;
  /** Called after the commit with each new detection / violation, as JSON text. */
  onAlert: (json: string, row: DetectionRow) => void;
  /** Most events committed in one transaction (default 20,000). */
  maxGroupEvents?: number;
}

interface Pending {
  events: RawEvent[];
  resolve(r: BatchResult): void;
  reject(e: unknown): void;
}

export function toAuditEvent(raw: RawEvent, index: number): AuditEvent {
  const ev = fromK8sEvent(raw.obj, 'kubernetes', 'k8s-event', 'webhook', index + 1);
  if (!ev.auditID) ev.auditID = raw.auditId;
  return ev;
}

export function toRow(raw: RawEvent, ev: AuditEvent, receivedMs: number): EventRow {
  const ref = ev.objectRef;
  const ms = ev.time ? Date.parse(ev.time) : NaN;
  return {
    auditId: raw.auditId,
    stage: raw.stage,
    eventTime: ev.time,
    eventMs: Number.isFinite(ms) ? ms : null,
    receivedMs,
    level: ev.level ?? null,
    verb: ev.verb,
    username: ev.user.username,
    impersonated: ev.impersonatedUser?.username || null,
    sourceIp: ev.sourceIPs[0] ?? null,
    userAgent: ev.userAgent ?? null,
    apiGroup: ref ? ref.apiGroup : null,
    resource: ref?.resource ?? null,
    subresource: ref?.subresource ?? null,
    namespace: ref?.namespace ?? null,
    name: ref?.name ?? null,
    requestUri: ev.requestURI ?? null,
    code: ev.code ?? null,
    decision: ev.decision ?? null,
    bodiesOmitted: raw.bodiesOmitted,
    event: raw.json,
  };
}

function detectionRow(d: AuditDetection): DetectionRow {
  const { file: _f, line: _l, ...rest } = d;
  const alert: Alert = { type: 'detection', ...rest };
  const ms = d.time ? Date.parse(d.time) : NaN;
  return {
    detectionId: d.id,
    auditId: d.auditID,
    detail: '',
    severity: d.severity,
    eventTime: d.time,
    eventMs: Number.isFinite(ms) ? ms : null,
    username: d.user,
    resource: d.resource || null,
    namespace: d.namespace ?? null,
    name: d.name ?? null,
    message: d.message,
    json: JSON.stringify(alert),
  };
}

function violationRow(v: PolicyViolation): DetectionRow {
  const alert: Alert = { type: 'policy-violation', ...v };
  const ms = v.time ? Date.parse(v.time) : NaN;
  return {
    detectionId: v.id,
    auditId: v.auditID,
    detail: `${v.path ?? ''}|${v.message}`,
    severity: v.severity,
    eventTime: v.time,
    eventMs: Number.isFinite(ms) ? ms : null,
    username: v.user,
    resource: v.kind,
    namespace: v.namespace ?? null,
    name: v.name,
    message: `${v.kind} ${v.namespace ? v.namespace + '/' : ''}${v.name}: ${v.message}`,
    json: JSON.stringify(alert),
  };
}

export class Ingestor {
  private readonly queue: Pending[] = [];
  private running = false;
  private engine: DetectionEngine;
  private idle: Array<() => void> = [];

  constructor(private readonly o: IngestorOptions) {
    this.engine = o.engine();
  }

  /** Resolves once the batch is durably stored (or rejects when the store fails). */
  submit(events: RawEvent[]): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.running) void this.loop();
    });
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Waits until every submitted batch is written (or failed). */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const max = this.o.maxGroupEvents ?? 20_000;
        const group: Pending[] = [this.queue.shift()!];
        let n = group[0].events.length;
        while (this.queue.length > 0 && n + this.queue[0].events.length <= max) {
          const p = this.queue.shift()!;
          n += p.events.length;
          group.push(p);
        }
        try {
          const results = await this.write(group.flatMap((p) => p.events), group.map((p) => p.events.length));
          group.forEach((p, i) => p.resolve(results[i]));
        } catch (e) {
          if (group.length === 1) group[0].reject(e);
          else {
            // One bad batch must not fail the others: write them one by one.
            for (const p of group) {
              try {
                p.resolve((await this.write(p.events, [p.events.length]))[0]);
              } catch (e2) {
                p.reject(e2);
              }
            }
          }
        }
      }
    } finally {
      this.running = false;
      for (const f of this.idle.splice(0)) f();
    }
  }

  private async write(raws: RawEvent[], sizes: number[]): Promise<BatchResult[]> {
    const now = Date.now();
    const events = raws.map((r, i) => toAuditEvent(r, i));
    const rows = raws.map((r, i) => toRow(r, events[i], now));
    const engine = this.engine;
    const checker = this.o.checker;
    let outcome;
    try {
      outcome = await this.o.store.write(rows, (_rows, idx) => {
        const found: DetectionRow[] = [];
        const fresh: AuditEvent[] = [];
        for (const i of idx) {
          engine.push(events[i]);
          fresh.push(events[i]);
        }
        for (const d of engine.results.splice(0)) found.push(detectionRow(d));
        if (checker) for (const v of checker.check(fresh)) found.push(violationRow(v));
        return found;
      });
    } catch (e) {
      this.engine = this.o.engine();
      throw e;
    }
    for (const d of outcome.detections) this.o.onAlert(d.json, d);
    // Per batch of the group: counts of its own rows.
    const storedSet = new Set(outcome.stored);
    const results: BatchResult[] = [];
    let start = 0;
    for (const size of sizes) {
      let stored = 0;
      for (let i = start; i < start + size; i++) if (storedSet.has(i)) stored++;
      results.push({ received: size, stored, duplicates: size - stored, detections: 0 });
      start += size;
    }
    if (results.length > 0) results[0].detections = outcome.detections.length;
    return results;
  }
}
