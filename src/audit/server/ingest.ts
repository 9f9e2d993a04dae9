// From accepted batches to durable rows, detections and alerts. Batches are queued and written by
// one loop: batches that arrive while a commit is running are committed together (group commit),
// so small batches from many senders still cost one fsync per commit. Before a commit starts, the
// loop also waits briefly (groupWaitMs) for the next batch of each connection that sent one in the
// last second and has none queued or being received: a commit rewrites every index page its rows
// touch (auditIDs are random), so bigger groups cost much less CPU per event. A single sender
// never waits. Detections (the audit-analyze
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
  /**
   * Longest wait (ms) before a commit for the batches of other recently active connections to join
   * it (default 5; 0: none).
   */
  groupWaitMs?: number;
}

/** A request whose batch is being received: `done` once it is submitted or has failed (idempotent). */
export interface Arrival {
  done(): void;
}

/** How long a connection that sent a batch counts as a sender whose next batch is worth waiting for. */
const ACTIVE_MS = 1000;

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
  private arrivingCount = 0;
  private queuedEvents = 0;
  private wake?: () => void;
  /** Connection (any object standing for it) -> when it last submitted a batch. */
  private readonly senders = new Map<object, number>();
  /** Connections closed: never waited for again. */
  private readonly departed = new WeakSet<object>();
  private expected = 0;

  constructor(private readonly o: IngestorOptions) {
    this.engine = o.engine();
  }

  /**
   * A request of connection `sender` is being received: the next commit may wait for its batch
   * (groupWaitMs).
   */
  arriving(sender?: object): Arrival {
    this.arrivingCount++;
    let open = true;
    return {
      done: () => {
        if (!open) return;
        open = false;
        this.arrivingCount--;
        if (sender && !this.departed.has(sender)) this.senders.set(sender, Date.now());
        this.poke();
      },
    };
  }

  /** Connection `sender` is closed: no batch of it is waited for any more. */
  gone(sender: object): void {
    this.departed.add(sender);
    if (this.senders.delete(sender) && this.wake) {
      this.expected = Math.max(0, this.expected - 1);
      this.poke();
    }
  }

  /** Resolves once the batch is durably stored (or rejects when the store fails). */
  submit(events: RawEvent[], arrival?: Arrival): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queuedEvents += events.length;
      arrival?.done();
      this.poke();
      if (!this.running) void this.loop();
    });
  }

  /** Whether the next group need not wait: no batch is being received and every recent sender has one queued, or the group is full. */
  private groupReady(): boolean {
    return (this.arrivingCount === 0 && this.queue.length >= this.expected) || this.queuedEvents >= (this.o.maxGroupEvents ?? 20_000);
  }

  private poke(): void {
    if (this.wake && this.groupReady()) this.wake();
  }

  /** Waits (at most groupWaitMs) until the group is ready (see groupReady). */
  private gather(): Promise<void> | undefined {
    const ms = this.o.groupWaitMs ?? 5;
    if (!(ms > 0)) return undefined;
    const since = Date.now() - ACTIVE_MS;
    for (const [k, t] of this.senders) if (t < since) this.senders.delete(k);
    this.expected = this.senders.size;
    if (this.groupReady()) return undefined;
    return new Promise((resolve) => {
      const t = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
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
        const waiting = this.gather();
        if (waiting) await waiting;
        const group: Pending[] = [this.queue.shift()!];
        let n = group[0].events.length;
        while (this.queue.length > 0 && n + this.queue[0].events.length <= max) {
          const p = this.queue.shift()!;
          n += p.events.length;
          group.push(p);
        }
        this.queuedEvents -= n;
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
