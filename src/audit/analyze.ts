// `kubeward audit analyze` as a library: inputs -> format readers -> normalised events -> detections.
// Streams: events are checked as they are read and never collected; the detections found wait for
// the report in bounded memory (spilled to a temporary file past a few thousand: spill.ts).
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { Dispatcher, emptyStats, ProblemLog, type AuditProblem, type AuditStats } from './dispatch.js';
import { DetectionEngine, type AuditDetection, type EngineOptions } from './engine.js';
import { DetectionSpill, type SpillOptions } from './spill.js';
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
  /**
   * Where the detections wait for the report: in memory up to `runSize` (default 4,096), then in
   * sorted runs in a temporary file (the default), or all in memory (false). The engine's `sink` is
   * the analyzer's own.
   */
  spill?: SpillOptions | false;
}

export interface AnalyzeStats extends AuditStats {
  /** Detections found (listed or not: see capped). */
  detections: number;
  /** Of all detections found. */
  bySeverity: Record<Severity, number>;
  /**
   * Present when bounded state dropped something: detections found past `maxPerDetection` of their
   * id (counted above, not listed), per id.
   */
  capped?: { detectionsNotListed: number; byId: Record<string, number>; maxPerDetection: number };
}

/**
 * Default bound on the detections listed per detection id: none (0). Detections past the in-memory
 * buffer are spilled to disk, so listing them all costs disk and report size, not memory.
 */
export const DEFAULT_MAX_PER_DETECTION = 0;

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

/**
 * An AnalyzeResult whose detections are read one at a time, in the report's order, from the
 * temporary file (the whole list never is in memory). Iterable once; the temporary files are
 * removed when the iteration ends, or by AuditAnalyzer.close().
 */
export interface StreamedAnalyzeResult extends Omit<AnalyzeResult, 'detections'> {
  detections: Iterable<AuditDetection>;
}

/** Feeds events to detections; use `read` for inputs and `record` for already parsed values. */
export class AuditAnalyzer {
  readonly stats = emptyStats();
  readonly problems: ProblemLog;
  readonly engine: DetectionEngine;
  readonly inputs: InputReport[] = [];
  private readonly dispatcher: Dispatcher;
  private readonly spill: DetectionSpill;
  /** Detections kept (listed), per severity. */
  private readonly listed = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

  constructor(private readonly opts: AnalyzeOptions = {}) {
    this.problems = new ProblemLog(opts.maxProblemsPerKind ?? 50);
    const spill = (this.spill = new DetectionSpill(opts.spill === false ? { runSize: Infinity } : opts.spill ?? {}));
    const listed = this.listed;
    const keep = (d: AuditDetection): void => {
      listed[d.severity]++;
      spill.push(d);
    };
    this.engine = new DetectionEngine(opts.detections ?? allDetections, { ...opts, maxPerDetection: opts.maxPerDetection ?? DEFAULT_MAX_PER_DETECTION, sink: keep });
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

  /**
   * The result with every detection in memory (small inputs, tests, other commands). Spilled
   * detections are read back and their temporary files removed; the analyzer can go on reading.
   */
  result(): AnalyzeResult {
    return this.assemble(this.spill.all());
  }

  /**
   * The result with the detections streamed from the temporary file (audit analyze's reports):
   * iterate `detections` once; the detections are then gone (the stats still count them), so this
   * ends the analysis. Call close() if it is not iterated to the end.
   */
  stream(): StreamedAnalyzeResult {
    return this.assemble(this.spill.sorted());
  }

  /** Removes the temporary files of spilled detections (also done at process exit). */
  close(): void {
    this.spill.close();
  }

  /** The temporary directory of spilled detections, while there is one. */
  get spillDirectory(): string | undefined {
    return this.spill.directory;
  }

  private assemble<D extends Iterable<AuditDetection>>(detections: D): Omit<AnalyzeResult, 'detections'> & { detections: D } {
    const bySeverity = { ...this.listed };
    let listed = 0;
    for (const s of SEVERITIES) listed += this.listed[s];
    const dropped = this.engine.dropped;
    for (const s of SEVERITIES) bySeverity[s] += dropped.bySeverity[s];
    const capped =
      dropped.total > 0 ? { detectionsNotListed: dropped.total, byId: { ...dropped.byId }, maxPerDetection: this.opts.maxPerDetection ?? DEFAULT_MAX_PER_DETECTION } : undefined;
    return {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      tool: { name: 'kubeward', version: VERSION },
      stats: { ...this.stats, detections: listed + dropped.total, bySeverity, ...(capped ? { capped } : {}) },
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

/** Detections found (listed or not) at or above the threshold, from the complete counts. */
export function countAtOrAbove(stats: Pick<AnalyzeStats, 'bySeverity'>, threshold: Severity | 'none'): number {
  if (threshold === 'none') return 0;
  return SEVERITIES.filter((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[threshold]).reduce((n, s) => n + stats.bySeverity[s], 0);
}

export function atOrAbove(ds: readonly AuditDetection[], threshold: Severity | 'none'): AuditDetection[] {
  if (threshold === 'none') return [];
  return ds.filter((d) => SEVERITY_RANK[d.severity] >= SEVERITY_RANK[threshold]);
}
