// Reads audit-log inputs as streams: gzip is recognised by its magic bytes (anywhere: whole files,
// base64 payloads inside records), JSON lines are handled line by line, whole JSON documents
// (arrays, EventList, {"Records": [...]}, {"records": [...]}, {"events": [...]}) are split into
// records as they stream in. Memory stays flat whatever the input size.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Dispatcher } from './dispatch.js';
import { CONTAINER_KEYS } from './formats/index.js';
import { JsonSplitter } from './json-splitter.js';

export interface AuditInput {
  /** Name used in messages (file path as the user gave it, "<stdin>"). */
  name: string;
  open(): AsyncIterable<Buffer | Uint8Array | string>;
}

export function fileInput(path: string, name: string = path): AuditInput {
  return { name, open: () => createReadStream(path, { highWaterMark: 1 << 20 }) };
}

export function bufferInput(name: string, data: Buffer | string): AuditInput {
  return {
    name,
    open: async function* () {
      const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let i = 0; i < b.length; i += 1 << 20) yield b.subarray(i, i + (1 << 20));
    },
  };
}

export interface InputReport {
  file: string;
  gzip: boolean;
  /** How the input was read: line by line, or as JSON document(s) split into records. */
  mode: 'json-lines' | 'json-document' | 'empty';
  /** Container keys split out of a JSON document ({"Records": [...]} -> ["Records"]). */
  containers?: string[];
  records: number;
  events: number;
  error?: string;
}

export interface ReadOptions {
  /** Longest JSON line or document record kept in memory, in characters (default 128 Mi). */
  maxRecordChars?: number;
}

const SNIFF_CHARS = 1 << 20;
const SNIFF_LINES = 6;
/** CloudWatch Logs S3 exports prefix each message with its timestamp. */
const TS_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z? (?=[{[])/;

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield toBuffer(r.value);
  }
}

function toBuffer(c: Buffer | Uint8Array | string): Buffer {
  return typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/** Decoded text chunks of the input, gunzipped when it starts with the gzip magic bytes. */
async function* textChunks(input: AuditInput, onGzip: () => void): AsyncGenerator<string> {
  const it = input.open()[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    const b = toBuffer(r.value);
    if (b.length === 0) continue;
    first = b;
    break;
  }
  let bytes: AsyncIterable<Buffer> = prepend(first, it);
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
    onGzip();
    bytes = Readable.from(bytes).pipe(createGunzip()) as AsyncIterable<Buffer>;
  }
  const dec = new StringDecoder('utf8');
  let start = true;
  for await (const b of bytes) {
    let s = dec.write(b);
    if (start && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      start = false;
    }
    if (s.length > 0) yield s;
  }
  const tail = dec.end();
  if (tail) yield tail;
}

/** Decides between JSON lines and JSON document(s) from the beginning of the text. */
export function sniffMode(head: string, complete: boolean): 'json-lines' | 'json-document' {
  let i = 0;
  while (i < head.length && head.charCodeAt(i) <= 32) i++;
  const c = head.charCodeAt(i);
  if (c === 91 /* [ */) return 'json-document';
  if (c !== 123 /* { */) return 'json-lines';
  const lines: string[] = [];
  let pos = i;
  while (lines.length < SNIFF_LINES) {
    const nl = head.indexOf('\n', pos);
    if (nl < 0) {
      if (complete && pos < head.length) lines.push(head.slice(pos));
      break;
    }
    lines.push(head.slice(pos, nl));
    pos = nl + 1;
  }
  if (lines.length === 0) return 'json-document'; // first line longer than the sniff window: stream it
  const parses = (l: string): boolean => {
    try {
      JSON.parse(l);
      return true;
    } catch {
      return false;
    }
  };
  if (parses(lines[0])) return 'json-lines';
  // A first line that does not parse: a pretty-printed document ("{", '{"Records": [') or a broken
  // first record of JSON lines. Several complete records on the next lines decide for JSON lines.
  const records = lines.slice(1).filter((l) => l.startsWith('{') && parses(l)).length;
  if (records >= 2) return 'json-lines';
  if (/[{[,:]$/.test(lines[0].trimEnd())) return 'json-document';
  return 'json-lines';
}

/** Reads one input through the dispatcher. Never throws for input problems: they are counted. */
export async function readInput(input: AuditInput, d: Dispatcher, opts: ReadOptions = {}): Promise<InputReport> {
  const maxChars = opts.maxRecordChars ?? 128 * 1024 * 1024;
  const file = input.name;
  const report: InputReport = { file, gzip: false, mode: 'empty', records: 0, events: 0 };
  const read0 = d.stats.read;
  const parsed0 = d.stats.parsed;
  d.stats.files++;
  const chunks = textChunks(input, () => (report.gzip = true));
  try {
    // Sniff: gather up to SNIFF_CHARS or SNIFF_LINES lines.
    let head = '';
    let done = false;
    for (;;) {
      const r = await chunks.next();
      if (r.done) {
        done = true;
        break;
      }
      head += r.value;
      if (head.length >= SNIFF_CHARS || countNewlines(head, SNIFF_LINES + 1) > SNIFF_LINES) break;
    }
    if (head.trim() === '') {
      report.mode = 'empty';
    } else {
      report.mode = sniffMode(head, done);
      const rest = done ? emptyGen() : chunks;
      if (report.mode === 'json-lines') await readLines(head, rest, file, d, maxChars);
      else report.containers = await readDocument(head, rest, file, d, maxChars);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.code === 'EISDIR'
            ? 'is a directory'
            : err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || err.code === 'ERR_PADDING_1'
              ? `corrupt gzip data (${err.message})`
              : err.message;
    report.error = msg;
    d.problems.add({ kind: 'error', file, message: `cannot read: ${msg}` });
  }
  report.records = d.stats.read - read0;
  report.events = d.stats.parsed - parsed0;
  return report;
}

async function* emptyGen(): AsyncGenerator<string> {
  /* nothing */
}

function countNewlines(s: string, stopAt: number): number {
  let n = 0;
  let p = -1;
  while (n < stopAt && (p = s.indexOf('\n', p + 1)) >= 0) n++;
  return n;
}

async function readLines(head: string, rest: AsyncIterator<string> | AsyncGenerator<string>, file: string, d: Dispatcher, maxChars: number): Promise<void> {
  let lineNo = 1;
  let pending = head;
  let discarding = false; // inside an over-long line being skipped
  const handle = (text: string, s: number, e: number): void => {
    // Trim trailing \r and surrounding blanks cheaply.
    while (e > s && text.charCodeAt(e - 1) <= 32) e--;
    while (s < e && text.charCodeAt(s) <= 32) s++;
    if (s === e) return;
    if (e - s > maxChars) {
      d.readFailure('malformed', `line longer than ${maxChars >= 1048576 ? Math.round(maxChars / 1048576) + ' MiB' : maxChars + ' characters'} skipped`, file, lineNo);
      return;
    }
    const c = text.charCodeAt(s);
    const line = text.slice(s, e);
    if (c === 123 || c === 91) {
      d.topText(line, file, lineNo);
      return;
    }
    const m = TS_PREFIX.exec(line);
    if (m) {
      d.topText(line.slice(m[0].length), file, lineNo);
      return;
    }
    if (line.startsWith('H4sI') || line.startsWith('ey')) {
      d.topEncoded(line, file, lineNo);
      return;
    }
    d.readFailure('malformed', `not JSON: ${JSON.stringify(line.slice(0, 60))}${line.length > 60 ? '...' : ''}`, file, lineNo);
  };
  const tooLong = (): void => d.readFailure('malformed', `line longer than ${maxChars >= 1048576 ? Math.round(maxChars / 1048576) + ' MiB' : maxChars + ' characters'} skipped`, file, lineNo);
  const process = (text: string): string => {
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      handle(text, start, nl);
      start = nl + 1;
      lineNo++;
    }
    return start === 0 ? text : text.slice(start);
  };
  // The unfinished last line is kept as pieces, so that a long line costs O(length), not O(length^2).
  let parts: string[] = [];
  let partLen = 0;
  pending = process(pending);
  if (pending.length > 0) {
    parts = [pending];
    partLen = pending.length;
  }
  for (;;) {
    const r = await rest.next();
    if (r.done) break;
    const chunk = r.value;
    const nl = chunk.indexOf('\n');
    if (nl < 0) {
      if (discarding) continue;
      parts.push(chunk);
      partLen += chunk.length;
      if (partLen > maxChars) {
        tooLong();
        parts = [];
        partLen = 0;
        discarding = true;
      }
      continue;
    }
    if (discarding) discarding = false;
    else if (parts.length > 0) {
      parts.push(chunk.slice(0, nl));
      const line = parts.join('');
      handle(line, 0, line.length);
    } else handle(chunk, 0, nl);
    lineNo++;
    const left = process(chunk.slice(nl + 1));
    parts = left.length > 0 ? [left] : [];
    partLen = left.length;
  }
  pending = parts.join('');
  if (pending.length > 0 && !discarding) handle(pending, 0, pending.length);
}

async function readDocument(head: string, rest: AsyncIterator<string> | AsyncGenerator<string>, file: string, d: Dispatcher, maxChars: number): Promise<string[] | undefined> {
  const containers = new Set<string>();
  const splitter = new JsonSplitter(
    {
      record: (text, line) => d.topText(text, file, line),
      wrapper: (_text, _line, keys) => keys.forEach((k) => containers.add(k)),
      error: (message, line) => d.readFailure('malformed', message, file, line),
    },
    { containers: CONTAINER_KEYS, maxRecordChars: maxChars },
  );
  splitter.push(head);
  for (;;) {
    const r = await rest.next();
    if (r.done) break;
    splitter.push(r.value);
  }
  splitter.end();
  return containers.size > 0 ? [...containers] : undefined;
}
