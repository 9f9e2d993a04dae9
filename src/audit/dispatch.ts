// Routes each parsed record to the format that recognises it, and keeps the counts: read, parsed,
// malformed, truncated, skipped. Malformed input never stops a run; every problem names file:line.
import { gunzipSync } from 'node:zlib';
import type { AuditEvent, AuditProvider, Envelope } from './event.js';
import { formats, FORMAT_NAMES, type FormatName } from './formats/index.js';
import type { AuditFormat, FormatContext } from './formats/types.js';
import { isAuditApiVersion } from './formats/kubernetes.js';
import { splitJsonValues } from './json-splitter.js';

export interface AuditStats {
  /** Input files (or stdin) read. */
  files: number;
  /** Records read: non-empty lines of JSON-lines input, elements of JSON documents. */
  read: number;
  /** Audit events produced (one record may hold many: EventList, Records, subscription payloads). */
  parsed: number;
  /** Invalid JSON, at any nesting level (a line, a CloudWatch message, an AKS properties.log). */
  malformed: number;
  /** Cut by the provider: EKS "[Truncated...]" messages (not analysed), GKE audit.k8s.io/truncated and AKS skipped-too-big-size-object (analysed without bodies). */
  truncated: number;
  /** Not audit events: control messages, other log categories or services, unrecognised records. */
  skipped: number;
  byProvider: Partial<Record<AuditProvider, number>>;
  /** Records handled per format (containers included). */
  byFormat: Partial<Record<FormatName, number>>;
  skippedReasons: Record<string, number>;
}

export type ProblemKind = 'error' | 'malformed' | 'truncated' | 'skipped';

export interface AuditProblem {
  kind: ProblemKind;
  file: string;
  line?: number;
  message: string;
}

export function emptyStats(): AuditStats {
  return { files: 0, read: 0, parsed: 0, malformed: 0, truncated: 0, skipped: 0, byProvider: {}, byFormat: {}, skippedReasons: {} };
}

/** Keeps the first problems of each kind (the counts are in the stats). */
export class ProblemLog {
  readonly items: AuditProblem[] = [];
  private readonly perKind = new Map<ProblemKind, number>();
  /** Input errors: unreadable files, malformed records (they make the exit code 2). */
  errors = 0;
  constructor(private readonly maxPerKind = 50) {}
  add(p: AuditProblem): void {
    if (p.kind === 'error' || p.kind === 'malformed') this.errors++;
    const n = this.perKind.get(p.kind) ?? 0;
    this.perKind.set(p.kind, n + 1);
    if (n < this.maxPerKind) this.items.push(p);
  }
}

const TRUNCATED_RE = /\[Truncated\.\.\.\]\s*$/;
const MAX_NESTING = 12;
const MAX_SKIP_REASONS = 100;

function shortJsonError(e: unknown): string {
  return ((e as Error).message ?? String(e)).replace(/^(Unexpected .*?) in JSON at position (\d+).*$/s, '$1 at position $2').slice(0, 160);
}

/** "auditID":"..." of a truncated message, for the problem report. */
function auditIdOf(text: string): string | undefined {
  return /"auditID"\s*:\s*"([^"]{1,80})"/.exec(text.slice(0, 4096))?.[1];
}

const FORMAT_LIST: ReadonlyArray<readonly [FormatName, AuditFormat]> = FORMAT_NAMES.map((n) => [n, formats[n]] as const);
const NATIVE = formats['k8s-event'];

export class Dispatcher implements FormatContext {
  file = '';
  line = 0;
  hint: AuditProvider | undefined = undefined;
  envelope: Envelope | undefined = undefined;
  private nesting = 0;

  constructor(
    private readonly sink: (ev: AuditEvent) => void,
    readonly stats: AuditStats,
    readonly problems: ProblemLog,
  ) {}

  /** Starts a top-level record: where it was read, and no state left from the previous one. */
  private begin(file: string, line: number): void {
    this.file = file;
    this.line = line;
    this.hint = undefined;
    this.envelope = undefined;
    this.nesting = 0;
    this.stats.read++;
  }

  /** A top-level record read from an input. */
  top(value: unknown, file: string, line: number): void {
    this.begin(file, line);
    this.dispatch(value);
  }

  /** A top-level record given as text (JSON-lines line, split document element). */
  topText(text: string, file: string, line: number): void {
    this.begin(file, line);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      this.badJson(text, 'line', e);
      return;
    }
    this.dispatch(v);
  }

  /** A top-level base64 (gzip) payload line: Kinesis / Firehose dumps of subscription payloads. */
  topEncoded(text: string, file: string, line: number): void {
    this.begin(file, line);
    if (decodePayload(text) === undefined) this.malformed(`not JSON and not a base64 JSON payload: ${JSON.stringify(text.slice(0, 40))}...`);
    else this.text(text, 'encoded payload');
  }

  /** Counts a record that never became JSON (read but not parseable at top level). */
  readFailure(kind: 'malformed' | 'truncated', message: string, file: string, line: number): void {
    this.stats.read++;
    if (kind === 'malformed') this.stats.malformed++;
    else this.stats.truncated++;
    this.problems.add({ kind, file, line, message });
  }

  private dispatch(v: unknown): void {
    // Fast path: the native event, by far the most common record.
    if (typeof v === 'object' && v !== null) {
      const o = v as { kind?: unknown; apiVersion?: unknown };
      if (o.kind === 'Event' && (o.apiVersion === undefined || isAuditApiVersion(o.apiVersion))) {
        const bf = this.stats.byFormat;
        bf['k8s-event'] = (bf['k8s-event'] ?? 0) + 1;
        NATIVE.parse(v, this);
        return;
      }
    }
    for (const [name, f] of FORMAT_LIST) {
      if (f.detect(v)) {
        const bf = this.stats.byFormat;
        bf[name] = (bf[name] ?? 0) + 1;
        f.parse(v, this);
        return;
      }
    }
    this.skip(typeof v === 'object' && v !== null ? 'unrecognised record (no known audit format)' : `not an object (${v === null ? 'null' : typeof v})`);
  }

  emit(ev: AuditEvent): void {
    this.stats.parsed++;
    const bp = this.stats.byProvider;
    bp[ev.provider] = (bp[ev.provider] ?? 0) + 1;
    this.sink(ev);
  }

  record(value: unknown, hint?: AuditProvider, envelope?: Envelope): void {
    if (this.nesting >= MAX_NESTING) {
      this.malformed('records nested too deeply');
      return;
    }
    const h = this.hint;
    const e = this.envelope;
    if (hint !== undefined) this.hint = hint;
    if (envelope !== undefined) this.envelope = envelope;
    this.nesting++;
    try {
      this.dispatch(value);
    } finally {
      this.nesting--;
      this.hint = h;
      this.envelope = e;
    }
  }

  text(text: string, what: string, hint?: AuditProvider, envelope?: Envelope): void {
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (err) {
        this.badJson(text, what, err);
        return;
      }
      this.record(v, hint, envelope);
      return;
    }
    if (text.startsWith('H4sI', i) || text.startsWith('ey', i) || text.startsWith('W3', i)) {
      const decoded = decodePayload(text.slice(i));
      if (decoded !== undefined) {
        const { values, errors } = splitJsonValues(decoded);
        for (const er of errors) this.malformed(`${what} (decoded): ${er.message}`);
        for (const x of values) {
          let v: unknown;
          try {
            v = JSON.parse(x.text);
          } catch (err) {
            this.badJson(x.text, `${what} (decoded)`, err);
            continue;
          }
          this.record(v, hint, envelope);
        }
        return;
      }
    }
    this.skip(`${what} is not JSON`);
  }

  skip(reason: string): void {
    this.stats.skipped++;
    const r = this.stats.skippedReasons;
    if (reason in r) r[reason]++;
    else if (Object.keys(r).length < MAX_SKIP_REASONS) r[reason] = 1;
    else r['(other reasons)'] = (r['(other reasons)'] ?? 0) + 1;
    this.problems.add({ kind: 'skipped', file: this.file, line: this.line, message: reason });
  }

  malformed(message: string): void {
    this.stats.malformed++;
    this.problems.add({ kind: 'malformed', file: this.file, line: this.line, message });
  }

  partial(message: string): void {
    this.stats.truncated++;
    this.problems.add({ kind: 'truncated', file: this.file, line: this.line, message: message + ' (event analysed without bodies)' });
  }

  private badJson(text: string, what: string, err: unknown): void {
    if (TRUNCATED_RE.test(text)) {
      const id = auditIdOf(text);
      this.stats.truncated++;
      this.problems.add({
        kind: 'truncated',
        file: this.file,
        line: this.line,
        message: `${what} truncated by the provider ("[Truncated...]", ${text.length} characters)${id ? `, auditID ${id}` : ''}: not analysed`,
      });
      return;
    }
    this.malformed(`${what} is not valid JSON: ${shortJsonError(err)}`);
  }
}

/** base64 (optionally gzip-compressed) JSON payload -> text; undefined when it is not one. */
export function decodePayload(s: string): string | undefined {
  const t = s.trim();
  if (t.length < 4 || !/^[A-Za-z0-9+/=_-]+$/.test(t.length > 4096 ? t.slice(0, 4096) : t)) return undefined;
  let buf: Buffer;
  try {
    buf = Buffer.from(t, 'base64');
  } catch {
    return undefined;
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      return undefined;
    }
  }
  const first = buf.subarray(0, 64).toString('utf8').trimStart();
  return first.startsWith('{') || first.startsWith('[') ? buf.toString('utf8') : undefined;
}
