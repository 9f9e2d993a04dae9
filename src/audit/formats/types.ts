// What a provider format normaliser looks like. The registry (./index.ts) holds one per shape.
import type { AuditEvent, AuditProvider, Envelope } from '../event.js';

/** Services a normaliser gets while parsing one record. Implemented by the dispatcher (./dispatch.ts). */
export interface FormatContext {
  /** File and 1-based line of the record being parsed (of the enclosing record for nested ones). */
  readonly file: string;
  readonly line: number;
  /** Provider implied by an enclosing envelope (CloudWatch -> eks, AKS diagnostic record -> aks). */
  readonly hint: AuditProvider | undefined;
  /** Small envelope fields from an enclosing record, to be kept on the events of this record. */
  readonly envelope: Envelope | undefined;
  emit(ev: AuditEvent): void;
  /** Dispatch a nested, already parsed value (container element). */
  record(value: unknown, hint?: AuditProvider, envelope?: Envelope): void;
  /**
   * Dispatch nested JSON text (CloudWatch `message`, AKS `properties.log`, base64+gzip payloads).
   * Counts invalid JSON as malformed, `[Truncated...]` messages as truncated, non-JSON text as skipped.
   */
  text(text: string, what: string, hint?: AuditProvider, envelope?: Envelope): void;
  /** Not an audit record (control message, other log category, other cloud service). */
  skip(reason: string): void;
  malformed(message: string): void;
  /** The event was emitted without its bodies (provider truncation); counted as truncated. */
  partial(message: string): void;
}

export interface AuditFormat {
  title: string;
  /** Cheap structural test on one parsed JSON value; formats are tried in registry order. */
  detect(value: unknown): boolean;
  parse(value: any, ctx: FormatContext): void; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A value that may be a JSON-encoded string (Log Analytics dynamic columns exported as text). */
export function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const c = v.charCodeAt(0);
  if (c !== 123 /* { */ && c !== 91 /* [ */) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
