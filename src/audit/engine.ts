// Runs detections over a stream of events. Each detection only sees the events it asked for (by
// resource, or CloudTrail eventName), so the cost per event stays near that of parsing it.
import { SEVERITY_RANK, type Severity } from '../core/types.js';
import { AllowList, PLATFORM_ALLOW_LIST } from './allow-list.js';
import { effectiveUser, eventTimeMs, resourceLabel, type AuditEvent, type AuditProvider } from './event.js';
import { RequestDedup } from './request-dedup.js';
import type { AnyDetection, DetectionContext, DetectionOptions, DetectionReport } from './detections/types.js';

export interface AuditDetection {
  id: string;
  title: string;
  severity: Severity;
  mitre: readonly string[];
  provider: AuditProvider;
  auditID: string;
  time: string;
  /** Authenticated user. */
  user: string;
  /** Impersonated user, when the request was made as someone else. */
  impersonatedUser?: string;
  sourceIP?: string;
  userAgent?: string;
  verb: string;
  /** "pods/exec", "clusterrolebindings.rbac.authorization.k8s.io", or the CloudTrail eventSource. */
  resource: string;
  namespace?: string;
  name?: string;
  message: string;
  evidence: Record<string, unknown>;
  file: string;
  line: number;
}

export interface EngineOptions {
  /** Detection ids to run (default: all given). */
  only?: readonly string[];
  disabled?: readonly string[];
  severity?: Readonly<Record<string, Severity>>;
  /** Per-detection option overrides (thresholds, windows). */
  options?: Readonly<Record<string, Partial<DetectionOptions>>>;
  /** Extra allowed identities (globs). */
  allowUsers?: readonly string[];
  /** Use the platform allow-list (default true). */
  platformAllowList?: boolean;
  /**
   * Detections kept per detection id in `results` (the first ones); later ones are only counted in
   * `dropped`. Bounds memory on inputs of any size. Default: no bound (audit serve takes the
   * results after every batch).
   */
  maxPerDetection?: number;
  /**
   * Receives the detections kept instead of `results` (audit analyze spills them to a temporary
   * file: src/audit/spill.ts). Default: they are appended to `results`.
   */
  sink?: (d: AuditDetection) => void;
}

/** Detections found but not kept (over EngineOptions.maxPerDetection), per id and per severity. */
export interface DroppedDetections {
  total: number;
  byId: Record<string, number>;
  bySeverity: Record<Severity, number>;
}

interface Runner {
  det: AnyDetection;
  ctx: DetectionContext<DetectionOptions>;
  state: unknown;
}

export class DetectionEngine {
  readonly results: AuditDetection[] = [];
  private readonly all: Runner[] = [];
  private readonly byResource = new Map<string, Runner[]>();
  private readonly byEventName = new Map<string, Runner[]>();
  private readonly dedup = new RequestDedup();
  private readonly kept = new Map<string, number>();
  private readonly maxPerDetection: number;
  private readonly sink: (d: AuditDetection) => void;
  readonly dropped: DroppedDetections = { total: 0, byId: {}, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 } };
  readonly active: readonly AnyDetection[];

  constructor(detections: readonly AnyDetection[], opts: EngineOptions = {}) {
    this.maxPerDetection = opts.maxPerDetection && opts.maxPerDetection > 0 ? opts.maxPerDetection : Infinity;
    this.sink = opts.sink ?? ((d) => this.results.push(d));
    const only = opts.only ? new Set(opts.only) : undefined;
    const disabled = new Set(opts.disabled ?? []);
    const userList = new AllowList(opts.allowUsers ?? []);
    const platformList = new AllowList([...(opts.platformAllowList === false ? [] : PLATFORM_ALLOW_LIST), ...(opts.allowUsers ?? [])]);
    // Many detections ask about the same event in a row: each list answers once per event.
    const memo = (list: AllowList): ((ev: AuditEvent) => boolean) => {
      if (list.empty) return () => false;
      let lastEv: AuditEvent | undefined;
      let last = false;
      return (ev) => {
        if (ev !== lastEv) {
          lastEv = ev;
          last = list.has(ev.user.username, ev.userAgent);
        }
        return last;
      };
    };
    const platformAllowed = memo(platformList);
    const userAllowed = memo(userList);
    const active: AnyDetection[] = [];
    for (const det of detections) {
      const id = det.meta.id;
      if ((only && !only.has(id)) || disabled.has(id)) continue;
      active.push(det);
      const options = Object.freeze({ ...det.options, ...(opts.options?.[id] ?? {}) });
      const list = det.meta.allowList === 'platform' ? platformList : det.meta.allowList === 'user' ? userList : undefined;
      const severityOverride = opts.severity?.[id];
      const ctx: DetectionContext<DetectionOptions> = {
        options,
        allowed: list === platformList ? platformAllowed : list === userList ? userAllowed : () => false,
        report: (ev, r) => this.report(det, ev, r, severityOverride),
      };
      const runner: Runner = { det, ctx, state: det.init(options) };
      if (det.on.all) this.all.push(runner);
      for (const r of det.on.resources ?? []) {
        const l = this.byResource.get(r);
        if (l) l.push(runner);
        else this.byResource.set(r, [runner]);
      }
      for (const n of det.on.cloudtrail ?? []) {
        const l = this.byEventName.get(n);
        if (l) l.push(runner);
        else this.byEventName.set(n, [runner]);
      }
    }
    this.active = active;
  }

  push(ev: AuditEvent): void {
    if (ev.provider === 'cloudtrail') {
      const l = this.byEventName.get(ev.verb);
      if (l) for (const r of l) r.det.check(ev, r.ctx, r.state);
      return;
    }
    for (const r of this.all) r.det.check(ev, r.ctx, r.state);
    const res = ev.objectRef?.resource;
    if (res !== undefined) {
      const l = this.byResource.get(res);
      if (l) for (const r of l) r.det.check(ev, r.ctx, r.state);
    }
  }

  private report(det: AnyDetection, ev: AuditEvent, r: DetectionReport, severityOverride: Severity | undefined): void {
    // One report per detection and request: the apiserver logs long-running requests at two
    // stages (ResponseStarted, ResponseComplete), and log shippers sometimes deliver twice.
    if (ev.auditID && !this.dedup.first(det.meta.id + '\0' + ev.auditID, ev.stage, eventTimeMs(ev))) return;
    const severity = severityOverride ?? r.severity ?? det.meta.severity;
    const id = det.meta.id;
    const n = this.kept.get(id) ?? 0;
    if (n >= this.maxPerDetection) {
      this.dropped.total++;
      this.dropped.byId[id] = (this.dropped.byId[id] ?? 0) + 1;
      this.dropped.bySeverity[severity]++;
      return;
    }
    this.kept.set(id, n + 1);
    const ref = ev.objectRef;
    const eff = effectiveUser(ev);
    this.sink({
      id,
      title: det.meta.title,
      severity,
      mitre: det.meta.mitre,
      provider: ev.provider,
      auditID: ev.auditID,
      time: ev.time,
      user: ev.user.username,
      impersonatedUser: eff !== ev.user ? eff.username : undefined,
      sourceIP: ev.sourceIPs[0],
      userAgent: ev.userAgent,
      verb: ev.verb,
      resource: ev.cloudtrail ? ev.cloudtrail.eventSource : resourceLabel(ref) || ev.requestURI || '',
      namespace: ref?.namespace,
      name: ref?.name,
      message: r.message,
      evidence: { ...(r.evidence ?? {}), ...(ev.envelope ? { provider: compact(ev.envelope) } : {}) },
      file: ev.file,
      line: ev.line,
    });
  }
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The report's order: most severe first, then by time, file and line (0 for equal keys). */
export function compareDetections(a: AuditDetection, b: AuditDetection): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (a.time < b.time ? -1 : a.time > b.time ? 1 : 0) ||
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line
  );
}

/** Most severe first, then by time, file and line; equal keys keep their order (a stable sort). */
export function sortDetections(ds: AuditDetection[]): AuditDetection[] {
  return ds.sort(compareDetections);
}
