// Reading a webhook request: bounded body (compressed and decompressed), gzip, and the three shapes
// kube-apiserver and other senders use (EventList, one Event, a JSON array of Events). Nothing is
// buffered past the limits; every rejection has an HTTP status and a one-line reason.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';
import { isAuditApiVersion } from '../formats/kubernetes.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Metrics label of the rejection. */
    readonly reason: string,
  ) {
    super(message);
  }
}

export interface BodyLimits {
  /** Largest request body, compressed or not, in bytes. */
  maxRequestBytes: number;
  /** Largest single event (its JSON), in bytes. */
  maxEventBytes: number;
}

export const DEFAULT_LIMITS: BodyLimits = { maxRequestBytes: 12 * 1024 * 1024, maxEventBytes: 256 * 1024 };

/**
 * The body as bytes. 413 as soon as Content-Length or the bytes received (or, for gzip, the bytes
 * decompressed) pass the limit; 415 for an encoding other than gzip/identity.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const max = limits.maxRequestBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    return Promise.reject(new HttpError(413, `request body of ${declared} bytes (Content-Length) is over the limit of ${max} bytes (--max-request-bytes)`, 'too_large'));
  }
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc !== 'identity' && enc !== 'gzip' && enc !== '') {
    return Promise.reject(new HttpError(415, `unsupported Content-Encoding "${enc}" (gzip or none)`, 'unsupported_encoding'));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let size = 0;
    let done = false;
    let gunzip: Gunzip | undefined;
    const fail = (e: HttpError): void => {
      if (done) return;
      done = true;
      if (gunzip) gunzip.destroy();
      req.unpipe();
      reject(e);
    };
    const collect = (c: Buffer): void => {
      if (done) return;
      size += c.length;
      if (size > max) {
        fail(new HttpError(413, `request body is over the limit of ${max} bytes${gunzip ? ' once decompressed' : ''} (--max-request-bytes)`, 'too_large'));
        return;
      }
      chunks.push(c);
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    req.on('data', (c: Buffer) => {
      raw += c.length;
      if (raw > max && !done) fail(new HttpError(413, `request body is over the limit of ${max} bytes (--max-request-bytes)`, 'too_large'));
    });
    req.on('error', (e) => fail(new HttpError(400, `reading the request failed: ${e.message}`, 'read_error')));
    req.on('aborted', () => fail(new HttpError(400, 'the client aborted the request', 'aborted')));
    if (enc === 'gzip') {
      gunzip = createGunzip();
      gunzip.on('data', collect);
      gunzip.on('end', finish);
      gunzip.on('error', (e) => fail(new HttpError(400, `invalid gzip body: ${e.message}`, 'malformed')));
      req.pipe(gunzip);
    } else {
      req.on('data', collect);
      req.on('end', finish);
    }
  });
}

/** One event of a batch, as it will be stored. */
export interface RawEvent {
  /** The parsed event (bodies included, for detections). */
  obj: Record<string, unknown>;
  /** Its JSON as stored (bodies dropped when over the event limit). */
  json: string;
  auditId: string;
  stage: string;
  bodiesOmitted: boolean;
  /** Size of the event's JSON before any bodies were dropped. */
  bytes: number;
}

export interface ParsedBatch {
  events: RawEvent[];
  /** What the body was: "EventList", "Event" or "array". */
  shape: string;
  /** Events over the per-event limit, stored without requestObject/responseObject. */
  oversized: Array<{ auditId: string; bytes: number }>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Index just past the string literal whose opening quote is at i (the text is valid JSON). */
function skipString(t: string, i: number): number {
  for (let from = i + 1; ; ) {
    const q = t.indexOf('"', from);
    if (q < 0) return t.length;
    let b = q - 1;
    while (t.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1; // not escaped: an even number of backslashes before it
    from = q + 1;
  }
}

/**
 * Where each event's JSON text is in the body, so that it is stored as sent instead of being
 * serialised again (JSON.stringify was some 5 % of the receiver's CPU per event; this scan costs a
 * third of that). Only for text JSON.parse has accepted, in the shape it was found to have:
 * [start, end) pairs in the order of the events, start -1 for an event with whitespace outside its
 * strings (pretty-printed: stored as JSON.stringify writes it). For an EventList, the events are the
 * elements of the last "items" array of the top-level object, as JSON.parse keeps the last of
 * repeated keys.
 */
function eventSpans(t: string, shape: string): number[] {
  const spans: number[] = [];
  const list = shape === 'EventList';
  // Depth (number of open containers) at which an event's '{' is found; -1: not (yet) in EventList.items.
  let at = shape === 'Event' ? 0 : shape === 'array' ? 1 : -1;
  let depth = 0;
  let start = -1;
  let ws = false;
  let expectKey = false;
  let key = '';
  for (let i = 0; i < t.length; ) {
    const c = t.charCodeAt(i);
    if (c === 0x22) {
      const end = skipString(t, i);
      if (list && depth === 1 && expectKey) {
        const raw = t.slice(i + 1, end - 1);
        key = raw.includes('\\') ? (JSON.parse(t.slice(i, end)) as string) : raw;
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      // { [
      if (depth === at && c === 0x7b) {
        start = i;
        ws = false;
      } else if (list && depth === 1 && c === 0x5b && key === 'items') {
        at = 2;
        spans.length = 0;
      }
      depth++;
      if (depth === 1) expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      // } ]
      depth--;
      if (depth === at && start >= 0) {
        spans.push(ws ? -1 : start, i + 1);
        start = -1;
      } else if (list && depth === 1 && at === 2) at = -1;
    } else if (c === 0x2c) {
      if (depth === 1) expectKey = true;
    } else if (start >= 0 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) ws = true;
    i++;
  }
  return spans;
}

function shortJsonError(e: unknown): string {
  return ((e as Error).message ?? String(e)).replace(/\s+/g, ' ').slice(0, 160);
}

/**
 * The body's events. 400 (one-line reason) when it is not JSON, not one of the accepted shapes, or
 * holds something that is not an audit Event; 413 when an event stays over the per-event limit even
 * without its bodies.
 */
export function parseBatch(body: Buffer, limits: BodyLimits): ParsedBatch {
  if (body.length === 0) throw new HttpError(400, 'empty body: expected an audit EventList, Event or JSON array of Events', 'malformed');
  let v: unknown;
  const text = body.toString('utf8');
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `body is not valid JSON: ${shortJsonError(e)}`, 'malformed');
  }
  let items: unknown[];
  let shape: string;
  if (Array.isArray(v)) {
    items = v;
    shape = 'array';
  } else if (isObj(v) && v.kind === 'EventList') {
    if (v.apiVersion !== undefined && !isAuditApiVersion(v.apiVersion)) throw new HttpError(400, `EventList has apiVersion ${JSON.stringify(v.apiVersion)}, not audit.k8s.io/*`, 'malformed');
    if (v.items === null || v.items === undefined) items = [];
    else if (Array.isArray(v.items)) items = v.items;
    else throw new HttpError(400, 'EventList.items is not an array', 'malformed');
    shape = 'EventList';
  } else if (isObj(v) && (v.kind === 'Event' || (v.kind === undefined && ('auditID' in v || 'stage' in v)))) {
    items = [v];
    shape = 'Event';
  } else {
    const what = isObj(v) ? (typeof v.kind === 'string' ? `an object of kind ${JSON.stringify(v.kind).slice(0, 60)}` : 'an object without kind') : `a ${v === null ? 'null' : typeof v}`;
    throw new HttpError(400, `expected an audit EventList, Event or JSON array of Events, got ${what}`, 'malformed');
  }
  let spans = items.length > 0 ? eventSpans(text, shape) : undefined;
  if (spans && spans.length !== 2 * items.length) spans = undefined; // not expected: serialise them all
  const events: RawEvent[] = [];
  const oversized: ParsedBatch['oversized'] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!isObj(it)) throw new HttpError(400, `item ${i} is not an object`, 'malformed');
    if (it.kind !== undefined && it.kind !== 'Event') throw new HttpError(400, `item ${i} has kind ${JSON.stringify(it.kind).slice(0, 60)}, not Event`, 'malformed');
    if (it.apiVersion !== undefined && !isAuditApiVersion(it.apiVersion)) throw new HttpError(400, `item ${i} has apiVersion ${JSON.stringify(it.apiVersion).slice(0, 60)}, not audit.k8s.io/*`, 'malformed');
    if (typeof it.auditID !== 'string' && typeof it.stage !== 'string' && typeof it.verb !== 'string') {
      throw new HttpError(400, `item ${i} is not an audit Event (no auditID, stage or verb)`, 'malformed');
    }
    // As sent when it is compact JSON: then it differs from JSON.stringify's text at most in
    // escapes (\u003c...), number spellings and repeated keys, the same JSON value.
    const asSent = spans !== undefined && spans[2 * i] >= 0;
    let json = asSent ? text.slice(spans![2 * i], spans![2 * i + 1]) : JSON.stringify(it);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when that bound is over the limit.
    let bytes = json.length * 3 <= limits.maxEventBytes ? json.length : Buffer.byteLength(json);
    if (asSent && bytes > limits.maxEventBytes) {
      // Over the limit as sent: judged (and stored) as JSON.stringify writes it, like any event.
      json = JSON.stringify(it);
      bytes = Buffer.byteLength(json);
    }
    let bodiesOmitted = false;
    if (bytes > limits.maxEventBytes) {
      const { requestObject: _q, responseObject: _r, ...rest } = it;
      json = JSON.stringify(rest);
      bodiesOmitted = true;
      if (Buffer.byteLength(json) > limits.maxEventBytes) {
        throw new HttpError(413, `item ${i} (auditID ${String(it.auditID ?? '?').slice(0, 64)}) is ${bytes} bytes, over the limit of ${limits.maxEventBytes} bytes (--max-event-bytes) even without its request and response bodies`, 'event_too_large');
      }
    }
    // Without an auditID (not from kube-apiserver), the content identifies the event for de-duplication.
    // (The hash is of JSON.stringify's text, so that a copy resent with other spellings matches.)
    const auditId =
      typeof it.auditID === 'string' && it.auditID !== ''
        ? it.auditID
        : 'sha256:' + createHash('sha256').update(asSent && !bodiesOmitted ? JSON.stringify(it) : json).digest('hex');
    if (bodiesOmitted) oversized.push({ auditId, bytes });
    events.push({ obj: it, json, auditId, stage: typeof it.stage === 'string' ? it.stage : '', bodiesOmitted, bytes });
  }
  return { events, shape, oversized };
}
