// Reads manifest files and folders (recursively) and stdin. The only file reading for manifests.
import { closeSync, createReadStream, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import * as path from 'node:path';
import type { InputError, LoadedObject, NotAssessed } from '../core/types.js';
import { parseManifestText, type ParsedText } from './manifest.js';
import { SnapshotStream } from './snapshot-stream.js';
import { groupKind } from '../model/kinds.js';

export interface LoadOptions {
  /** Files larger than this are refused with an error (bytes). Default: 256 MiB for JSON, 64 MiB for YAML. */
  maxFileSize?: number;
  /** Stdin as a stream of bytes, read when a path is "-". */
  stdin?: () => AsyncIterable<Uint8Array | string>;
  /** Directory that relative paths are resolved against (default: the process's). */
  cwd?: string;
  /** Told the size of each input before it is read (stdin and pipes: after). */
  onSize?: (bytes: number) => void;
}

export interface LoadResult {
  objects: LoadedObject[];
  errors: InputError[];
  notAssessed: NotAssessed[];
  files: number;
  /** True when at least one input was a kubeward snapshot. */
  fromSnapshot: boolean;
  snapshotMetadata: Array<Record<string, unknown>>;
}

const MiB = 1024 * 1024;
/** Default limit for JSON files (parsed at ~100 MiB/s). */
/** V8 strings stop at about 512 MiB, so JSON larger than this could not be read anyway. */
export const DEFAULT_MAX_FILE_SIZE = 500 * MiB;
/** Default limit for YAML files: YAML parses ~50 times slower than JSON (a 64 MiB file takes ~30 s). */
export const DEFAULT_MAX_YAML_SIZE = 64 * MiB;
const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['node_modules', '.git', '.svn', '.hg']);
/** Bytes looked at to tell text from binary and JSON from YAML. */
const HEAD_SIZE = 8192;
export const STDIN_NAME = '<stdin>';

interface Input {
  /** As given by the user (or joined from a folder given by the user): used in messages and findings. */
  name: string;
  abs: string;
  /** Found by walking a folder rather than named explicitly. */
  implicit: boolean;
}

export async function loadPaths(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const res: LoadResult = { objects: [], errors: [], notAssessed: [], files: 0, fromSnapshot: false, snapshotMetadata: [] };
  const cwd = opts.cwd ?? process.cwd();
  const seen = new Set<string>(); // real paths of files and folders already taken
  let stdinTaken = false;
  // One path at a time, so that errors come in the order the inputs were given.
  for (const p of paths) {
    const inputs: Input[] = [];
    if (p === '-') {
      if (!stdinTaken) inputs.push({ name: STDIN_NAME, abs: '-', implicit: false });
      stdinTaken = true;
    } else {
      expand({ name: p, abs: path.resolve(cwd, p), implicit: false }, inputs, res.errors, seen);
    }
    // Files are read (regular files at once, pipes a few ahead of parsing) and parsed in order.
    const reads: Array<Promise<ReadResult> | undefined> = [];
    let next = 0;
    for (let i = 0; i < inputs.length; i++) {
      for (; next < inputs.length && next <= i + MAX_AHEAD_FILES && (inputs[next].abs !== '-' || next === i); next++) reads[next] = prepare(inputs[next], opts);
      const read = await reads[i]!;
      reads[i] = undefined;
      if ('error' in read) {
        res.errors.push({ file: inputs[i].name, ...(read.line ? { line: read.line } : {}), message: read.error });
        continue;
      }
      addText(read, inputs[i], res);
    }
  }
  dedupe(res);
  return res;
}

interface Text {
  text: string;
  /** A problem with the bytes that did not stop the scan (e.g. invalid UTF-8). */
  warning?: InputError;
}
/** A file parsed while it was read (a large kubeward snapshot, see SnapshotStream). */
interface Parsed {
  parsed: ParsedText;
  warning?: undefined;
}
type ReadResult = Text | Parsed | { error: string; line?: number };

/** How far reading runs ahead of parsing (only pipes and stdin are read while parsing goes on). */
const MAX_AHEAD_FILES = 4;

/** Reads an input: a regular file before returning, a pipe or stdin as it comes. */
function prepare(input: Input, opts: LoadOptions): Promise<ReadResult> {
  if (input.abs === '-') return readStdin(opts);
  return Promise.resolve(readFileNow(input, opts.maxFileSize, opts.onSize) ?? readStream(input, opts.maxFileSize, opts.onSize));
}

function addText(read: Text | Parsed, input: Input, res: LoadResult): void {
  let parsed: ParsedText;
  if ('parsed' in read) {
    parsed = read.parsed;
  } else {
    let text = read.text;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    parsed = parseManifestText(text, input.name);
  }
  // A folder may hold YAML that is not Kubernetes at all (Chart.yaml, values.yaml, CI workflows):
  // skip such files quietly; a file named explicitly is always reported on.
  if (input.implicit && !parsed.sawKind && parsed.objects.length === 0 && !parsed.syntaxErrors) return;
  res.files++;
  if (read.warning) res.errors.push({ ...read.warning, file: input.name });
  for (const o of parsed.objects) res.objects.push(o);
  for (const e of parsed.errors) res.errors.push(e);
  if (parsed.snapshot) {
    res.fromSnapshot = true;
    for (const n of parsed.snapshot.notAssessed) res.notAssessed.push(n);
    for (const e of parsed.snapshot.errors) res.errors.push(e);
    res.snapshotMetadata.push(parsed.snapshot.metadata);
  }
}

/** Lists the files of an input (synchronously, like the reads: a walk of local folders waits on nothing else). */
function expand(input: Input, out: Input[], errors: InputError[], seen: Set<string>): void {
  let st;
  try {
    st = statSync(input.abs);
  } catch (e) {
    errors.push({ file: input.name, message: ioMessage(e) });
    return;
  }
  // The same file or folder reached twice (named twice, or through a symlink) is read once;
  // this also stops symlink loops.
  let real = input.abs;
  try {
    real = realpathSync.native(input.abs);
  } catch {
    /* keep the path as given */
  }
  if (seen.has(real)) return;
  seen.add(real);
  if (!st.isDirectory()) {
    if (!input.implicit || MANIFEST_EXT.has(path.extname(input.abs).toLowerCase())) out.push(input);
    return;
  }
  // Names below are joined to this one as path.join would (it is normalized once here).
  walk({ ...input, name: path.normalize(input.name), abs: path.normalize(input.abs) }, real, out, errors, seen);
}

/**
 * The files of a folder whose real path is known. Entries that are plain files or folders need no
 * stat or realpath (their real path is the folder's plus their name, so they cannot be reached twice
 * except through a symlink, which takes the full path through expand), and their names are joined by
 * concatenation to the folder's normalized ones.
 */
function walk(dir: Input, real: string, out: Input[], errors: InputError[], seen: Set<string>): void {
  let entries;
  try {
    entries = readdirSync(dir.abs, { withFileTypes: true });
  } catch (e) {
    errors.push({ file: dir.name, message: ioMessage(e) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const child: Input = { name: joinNormalized(dir.name, ent.name), abs: joinNormalized(dir.abs, ent.name), implicit: true };
    if (ent.isDirectory()) {
      if (SKIP_DIRS.has(ent.name)) continue;
      const key = joinNormalized(real, ent.name);
      if (seen.has(key)) continue;
      seen.add(key);
      walk(child, key, out, errors, seen);
    } else if (ent.isSymbolicLink()) {
      expand(child, out, errors, seen);
    } else if (ent.isFile() && MANIFEST_EXT.has(path.extname(ent.name).toLowerCase())) {
      const key = joinNormalized(real, ent.name);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(child);
      }
    }
  }
}

/** path.join(dir, name) for a normalized `dir` and a directory entry's name (no separator, not `.` or `..`). */
export function joinNormalized(dir: string, name: string): string {
  if (dir === '.' || dir === `.${path.sep}`) return name;
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function sizeLimit(explicit: number | undefined, head: Buffer): { limit: number; what: string } {
  if (explicit !== undefined) return { limit: explicit, what: '' };
  const json = looksLikeJson(head);
  return json ? { limit: DEFAULT_MAX_FILE_SIZE, what: 'JSON ' } : { limit: DEFAULT_MAX_YAML_SIZE, what: 'YAML ' };
}

function overLimit(size: number, limit: { limit: number; what: string }, exact: boolean): string {
  const mib = (n: number) => (n / MiB >= 10 ? (n / MiB).toFixed(0) : (n / MiB).toFixed(1).replace(/\.0$/, ''));
  return (
    `${exact ? `file is ${mib(size)} MiB` : `input is larger than ${mib(limit.limit)} MiB`}, over the ${mib(limit.limit)} MiB ${limit.what}limit; skipped` +
    (limit.what === 'YAML ' ? ' (convert it to JSON, e.g. kubectl get -o json, or raise the limit with --max-file-size)' : ' (raise the limit with --max-file-size)')
  );
}

/** A pipe or device (`kubeward scan <(helm template ...)`): no size up front, read with a bound. */
async function readStream(input: Input, maxFileSize: number | undefined, onSize?: (bytes: number) => void): Promise<ReadResult> {
  try {
    const read = await readBounded(createReadStream(input.abs), maxFileSize);
    if ('text' in read) onSize?.(read.text.length);
    return read;
  } catch (e) {
    return { error: ioMessage(e) };
  }
}

/** A regular file read now, or undefined when it is a pipe or device (read it with readStream). */
function readFileNow(input: Input, maxFileSize: number | undefined, onSize?: (bytes: number) => void): ReadResult | Promise<ReadResult> | undefined {
  let st;
  try {
    st = statSync(input.abs);
  } catch (e) {
    return { error: ioMessage(e) };
  }
  if (st.isDirectory()) return { error: 'is a directory' };
  if (!st.isFile()) return undefined;
  // A regular file is read synchronously: the scan has nothing to do meanwhile, and the thread-pool
  // round trips of reading it asynchronously (open, stat, head, read, close) cost more than the reads
  // themselves: on the 357 files (9 MB) of bench/ perf, 0.05 s of a 0.5 s scan.
  let fd: number | undefined;
  let handedOver = false;
  try {
    fd = openSync(input.abs, 'r');
    const size = st.size;
    onSize?.(size);
    if (size <= SNAPSHOT_STREAM_MIN) {
      // Small enough to read whole at once (one read instead of the head and then the rest).
      const whole = readFileSync(fd);
      const head = whole.subarray(0, HEAD_SIZE);
      const limit = sizeLimit(maxFileSize, head);
      if (whole.length > limit.limit) return { error: overLimit(whole.length, limit, true) };
      return decode(whole);
    }
    const head = Buffer.alloc(Math.min(HEAD_SIZE, size));
    readFully(fd, head, 0);
    const limit = sizeLimit(maxFileSize, head);
    if (size > limit.limit) return { error: overLimit(size, limit, true) };
    const kind = classify(head);
    if (kind === 'binary') return { error: 'binary file, not YAML or JSON; skipped' };
    if (kind === 'utf8' && size > SNAPSHOT_STREAM_MIN && SnapshotStream.accepts(head)) {
      handedOver = true;
      return readSnapshotFile(fd, size, input.name);
    }
    return decode(readFileSync(fd));
  } catch (e) {
    return { error: ioMessage(e) };
  } finally {
    if (fd !== undefined && !handedOver) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* nothing was written: nothing to lose */
  }
}

/** A large kubeward snapshot, parsed as it is read; closes fd. */
async function readSnapshotFile(fd: number, size: number, name: string): Promise<ReadResult> {
  try {
    const parsed = await readSnapshot(fd, size, name);
    if (parsed) return { parsed };
    // Not a plain snapshot after all: read it the ordinary way (which words any error).
    return decode(readFileSync(fd));
  } catch (e) {
    return { error: ioMessage(e) };
  } finally {
    closeQuietly(fd);
  }
}

/** Fills buf from the file at pos (a short read only at the end of the file); returns the bytes read. */
function readFully(fd: number, buf: Buffer, pos: number): number {
  let n = 0;
  while (n < buf.length) {
    const r = readSync(fd, buf, n, buf.length - n, pos + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}

/** Snapshots larger than this are read in pieces (SnapshotStream); smaller ones gain nothing from it. */
const SNAPSHOT_STREAM_MIN = 4 * MiB;
const SNAPSHOT_PIECE = 4 * MiB;

/** A kubeward snapshot read and parsed piece by piece; undefined when it must be read whole after all. */
async function readSnapshot(fd: number, size: number, name: string): Promise<ParsedText | undefined> {
  const stream = new SnapshotStream(name);
  const piece = Buffer.allocUnsafe(Math.min(SNAPSHOT_PIECE, size));
  for (let pos = 0; ; ) {
    const bytesRead = readFully(fd, piece, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    if (!stream.push(piece.subarray(0, bytesRead))) return undefined;
    // Back to the event loop between pieces, as the asynchronous reads before did: V8 runs tasks of
    // its incremental marking there, and a snapshot takes seconds to read. (~70 turns for 280 MB.)
    await new Promise((resolve) => setImmediate(resolve));
  }
  return stream.end();
}

async function readStdin(opts: LoadOptions): Promise<ReadResult> {
  if (!opts.stdin) return { error: 'stdin is not available' };
  try {
    const read = await readBounded(opts.stdin(), opts.maxFileSize);
    if ('text' in read) opts.onSize?.(read.text.length);
    return read;
  } catch (e) {
    return { error: `cannot read stdin: ${ioMessage(e)}` };
  }
}

/** Reads a stream without knowing its size, giving up as soon as it is binary or over the limit. */
async function readBounded(stream: AsyncIterable<Uint8Array | string>, maxFileSize: number | undefined): Promise<ReadResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let limit: { limit: number; what: string } | undefined;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    chunks.push(b);
    size += b.length;
    if (!limit && (size >= HEAD_SIZE || maxFileSize !== undefined)) {
      const head = Buffer.concat(chunks).subarray(0, HEAD_SIZE);
      if (classify(head) === 'binary') return { error: 'binary data, not YAML or JSON; skipped' };
      limit = sizeLimit(maxFileSize, head);
    }
    if (size > (limit?.limit ?? DEFAULT_MAX_FILE_SIZE)) return { error: overLimit(size, limit ?? { limit: DEFAULT_MAX_FILE_SIZE, what: '' }, false) };
  }
  const buf = Buffer.concat(chunks);
  if (!limit) {
    if (classify(buf) === 'binary') return { error: 'binary data, not YAML or JSON; skipped' };
    const l = sizeLimit(maxFileSize, buf);
    if (buf.length > l.limit) return { error: overLimit(buf.length, l, true) };
  }
  return decode(buf);
}

type Encoding = 'utf8' | 'utf16le' | 'utf16be' | 'binary';

function classify(head: Buffer): Encoding {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  return head.subarray(0, HEAD_SIZE).indexOf(0) === -1 ? 'utf8' : 'binary';
}

function looksLikeJson(head: Buffer): boolean {
  const enc = classify(head);
  const step = enc === 'utf16le' || enc === 'utf16be' ? 2 : 1;
  let i = enc === 'utf8' ? (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0) : 2;
  for (; i < head.length; i += step) {
    const c = head[enc === 'utf16be' ? i + 1 : i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7b || c === 0x5b; // { [
  }
  return false;
}

function decode(buf: Buffer): ReadResult {
  const enc = classify(buf.subarray(0, HEAD_SIZE));
  if (enc === 'binary') return { error: 'binary file, not YAML or JSON; skipped' };
  if (enc === 'utf16le') return { text: buf.subarray(2).toString('utf16le') };
  if (enc === 'utf16be') {
    const swapped = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    return { text: swapped.swap16().toString('utf16le') };
  }
  // Most manifests are ASCII, which needs no UTF-8 checking and reads as Latin-1 (the same text).
  if (isAscii(buf)) return { text: buf.toString('latin1') };
  // Valid UTF-8 (checked natively), without a byte-order mark, as TextDecoder reads it.
  if (isUtf8(buf)) return { text: (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf).toString('utf8') };
  // Invalid UTF-8: decode with U+FFFD for the bad bytes and scan anyway, but say where.
  const at = firstInvalidUtf8(buf);
  let line = 1;
  for (let i = 0; i < at; i++) if (buf[i] === 0x0a) line++;
  return {
    text: buf.toString('utf8'),
    warning: { file: '', line, message: `invalid UTF-8 (byte offset ${at}); the bad bytes were read as U+FFFD and the file was still scanned` },
  };
}

/** Offset of the first byte that is not part of a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i; // truncated sequence at the end
    let cp = c & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err.message ?? String(e);
  }
}

/**
 * The same object twice (same group, kind, namespace, name): reported as an input error. Both copies
 * stay in the scan (they may differ, and dropping one would lose findings); lookups by name see the first.
 */
function dedupe(res: LoadResult): void {
  const first = new Map<string, LoadedObject>();
  for (const o of res.objects) {
    if (o.ref.name.endsWith('*')) continue; // generateName: many objects may share it
    const k = `${groupKind(o.group, o.ref.kind)}|${o.ref.namespace ?? ''}|${o.ref.name}`;
    const prev = first.get(k);
    if (prev) {
      const where = prev.source ? `${prev.source.file}:${prev.source.line}` : prev.file;
      res.errors.push({
        file: o.file,
        line: o.source?.line,
        message: `duplicate ${o.ref.kind} ${o.ref.namespace ? o.ref.namespace + '/' : ''}${o.ref.name} (first defined at ${where}); both copies are scanned`,
      });
      continue;
    }
    first.set(k, o);
  }
}
