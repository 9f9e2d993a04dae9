// `kubeward audit analyze` as a library: inputs -> format readers -> normalised events -> detections.
// Streams: events are checked as they are read and never collected.
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { Dispatcher, emptyStats, ProblemLog, type AuditProblem, type AuditStats } from './dispatch.js';
import { DetectionEngine, sortDetections, type AuditDetection, type EngineOptions } from './engine.js';
import { allDetections } from './detections/index.js';
import type { AnyDetection } from './detections/types.js';
import type { AuditEvent } from './event.js';
import { readInput, type AuditInput, type InputReport, type ReadOptions } from './reader.js';

export const AUDIT_SCHEMA_VERSION = '1.0.0';

export interface AnalyzeOptions extends EngineOptions, ReadOptions {
  /** Detections to choose from (default: the registry). */
  detections?: readonly AnyDetection[];
  /** Problems kept per kind in the report (counts are always complete). */
  maxProblemsPerKind?: number;
  /** Also given every event (who-did-what summaries, workload policy checks). */
  observers?: ReadonlyArray<(ev: AuditEvent) => void>;
}

export interface AnalyzeStats extends AuditStats {
  detections: number;
  bySeverity: Record<Severity, number>;
}

export interface AnalyzeResult {
  schemaVersion: string;
  tool: { name: string; version: string };
  stats: AnalyzeStats;
  detections: AuditDetection[];
  inputs: InputReport[];
  problems: AuditProblem[];
  /** Detections run, and the allow-list in force. */
  config: { detections: string[]; platformAllowList: boolean; allowUsers: string[] };
}

/** Feeds events to detections; use `read` for inputs and `record` for already parsed values. */
export class AuditAnalyzer {
  readonly stats = emptyStats();
  readonly problems: ProblemLog;
  readonly engine: DetectionEngine;
  readonly inputs: InputReport[] = [];
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: AnalyzeOptions = {}) {
    this.problems = new ProblemLog(opts.maxProblemsPerKind ?? 50);
    this.engine = new DetectionEngine(opts.detections ?? allDetections, opts);
    const engine = this.engine;
    const observers = opts.observers ?? [];
    const sink =
      observers.length === 0
        ? (ev: AuditEvent) => engine.push(ev)
        : (ev: AuditEvent) => {
            engine.push(ev);
            for (const o of observers) o(ev);
          };
    this.dispatcher = new Dispatcher(sink, this.stats, this.problems);
  }

  async read(input: AuditInput): Promise<InputReport> {
    const r = await readInput(input, this.dispatcher, this.opts);
    this.inputs.push(r);
    return r;
  }

  /** One parsed record (any supported shape), as if read from `file` at `line`. */
  record(value: unknown, file = '<record>', line = 1): void {
    this.dispatcher.top(value, file, line);
  }

  result(): AnalyzeResult {
    const detections = sortDetections(this.engine.results);
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const d of detections) bySeverity[d.severity]++;
    return {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      tool: { name: 'kubeward', version: VERSION },
      stats: { ...this.stats, detections: detections.length, bySeverity },
      detections,
      inputs: this.inputs,
      problems: this.problems.items,
      config: {
        detections: this.engine.active.map((d) => d.meta.id),
        platformAllowList: this.opts.platformAllowList !== false,
        allowUsers: [...(this.opts.allowUsers ?? [])],
      },
    };
  }

  /** Input errors: unreadable inputs and malformed records. */
  get inputErrors(): number {
    return this.problems.errors;
  }
}

export async function analyzeAudit(inputs: readonly AuditInput[], opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const a = new AuditAnalyzer(opts);
  for (const i of inputs) await a.read(i);
  return a.result();
}

export function atOrAbove(ds: readonly AuditDetection[], threshold: Severity | 'none'): AuditDetection[] {
  if (threshold === 'none') return [];
  return ds.filter((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[threshold]);
}
