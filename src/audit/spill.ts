// The detections of `audit analyze`, kept in bounded memory whatever the size of the log: an
// external merge sort. Detections are buffered in memory; when the buffer holds `runSize` of them it
// is sorted (the report's order: compareDetections) and appended to a temporary file as one run of
// JSON lines. The report then reads the runs back through a k-way merge, one detection at a time.
// A small input never touches the disk (everything stays in the buffer).
//
// Equal keys keep the order they were found in (runs are written in that order, each sorted by a
// stable sort, and the merge prefers the earlier run), so the order is exactly that of
// sortDetections over the whole list: the streamed report and the in-memory one are the same bytes.
//
// The temporary directory (os.tmpdir()/kubeward-audit-spill-XXXXXX, mode 0700, files 0600) is removed by
// close(), once a streamed read has ended, and in any case when the process exits or is killed by
// SIGINT/SIGTERM/SIGHUP.
//
// Runs are read synchronously in blocks (not with readline: its async iterator buffers up to 1,024
// lines per open run before pausing, which for 64 runs of ~1.5 KB lines is ~100 MB), which also lets
// the report be an ordinary Iterable<string>.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareDetections, type AuditDetection } from './engine.js';
import { coalesce } from '../core/chunks.js';

export interface SpillOptions {
  /** Detections kept in memory before a sorted run is written to disk (default 4,096). Infinity: never spill. */
  runSize?: number;
  /** Runs merged at once (default 64); more runs are first merged into longer ones, in passes. */
  fanIn?: number;
  /** Parent of the temporary directory (default os.tmpdir()). */
  tmpdir?: string;
  /** Bytes read at a time from each run during the merge (default 64 KiB). */
  blockSize?: number;
}

interface Run {
  file: string;
  start: number;
  end: number;
}

const NEWLINE = 0x0a;

// ---------------------------------------------------------------------------------------------
// Temporary directories still present, removed at exit or on a fatal signal.

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const d of live) fs.rmSync(d, { recursive: true, force: true });
  live.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  removeAll();
  unhook();
  // Nobody else handles it: die of the signal as the process would have without us.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}
function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.removeListener('exit', removeAll);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function makeTempDir(parent: string): string {
  const dir = fs.mkdtempSync(path.join(parent, 'kubeward-audit-spill-'));
  fs.chmodSync(dir, 0o700);
  live.add(dir);
  hook();
  return dir;
}

function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
  if (live.size === 0) unhook();
}

// ---------------------------------------------------------------------------------------------

/** Appends to one file (0600), tracking the byte offset. */
class RunWriter {
  private readonly fd: number;
  offset = 0;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w', 0o600);
  }
  write(s: string): void {
    const b = Buffer.from(s, 'utf8');
    let done = 0;
    while (done < b.length) done += fs.writeSync(this.fd, b, done, b.length - done);
    this.offset += b.length;
  }
  /** Appends the detections as one run of JSON lines. */
  writeRun(ds: Iterable<AuditDetection>): Run {
    const start = this.offset;
    for (const piece of coalesce(lines(ds), 1 << 20)) this.write(piece);
    return { file: this.file, start, end: this.offset };
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

function* lines(ds: Iterable<AuditDetection>): Generator<string> {
  for (const d of ds) yield JSON.stringify(d) + '\n';
}

/** The JSON lines of a run, in order, read in blocks. */
function* readLines(run: Run, blockSize: number): Generator<string> {
  if (run.end <= run.start) return;
  const fd = fs.openSync(run.file, 'r');
  try {
    const block = Buffer.allocUnsafe(blockSize);
    let pos = run.start;
    let carry: Buffer = Buffer.alloc(0);
    while (pos < run.end) {
      const n = fs.readSync(fd, block, 0, Math.min(blockSize, run.end - pos), pos);
      if (n === 0) throw new Error(`${run.file}: unexpected end of a spilled run at byte ${pos}`);
      pos += n;
      const data = carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
      const last = data.lastIndexOf(NEWLINE);
      if (last < 0) {
        carry = Buffer.from(data);
        continue;
      }
      // A newline byte never occurs inside a multi-byte UTF-8 sequence: cutting there is safe.
      const text = data.toString('utf8', 0, last);
      carry = Buffer.from(data.subarray(last + 1));
      for (const line of text.split('\n')) yield line;
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function* parsed(lines: Iterable<string>): Generator<AuditDetection> {
  for (const l of lines) if (l) yield JSON.parse(l) as AuditDetection;
}

/** k-way merge of sorted sources; on equal keys the earlier source comes first (stable). */
function* merge(sources: Array<Iterator<AuditDetection>>): Generator<AuditDetection> {
  // A binary min-heap of [detection, source index].
  const heap: Array<[AuditDetection, number]> = [];
  const less = (a: [AuditDetection, number], b: [AuditDetection, number]): boolean => {
    const c = compareDetections(a[0], b[0]);
    return c < 0 || (c === 0 && a[1] < b[1]);
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  try {
    sources.forEach((s, i) => {
      const x = s.next();
      if (!x.done) {
        heap.push([x.value, i]);
        up(heap.length - 1);
      }
    });
    while (heap.length > 0) {
      const top = heap[0];
      yield top[0];
      const x = sources[top[1]].next();
      if (!x.done) {
        heap[0] = [x.value, top[1]];
      } else {
        const lastItem = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = lastItem;
      }
      down(0);
    }
  } finally {
    for (const s of sources) s.return?.();
  }
}

export class DetectionSpill {
  /** Detections pushed. */
  count = 0;
  private buf: AuditDetection[] = [];
  private runs: Run[] = [];
  private dir?: string;
  private writer?: RunWriter;
  private files = 0;
  private readonly runSize: number;
  private readonly fanIn: number;
  private readonly blockSize: number;

  constructor(private readonly opts: SpillOptions = {}) {
    this.runSize = opts.runSize ?? 4096;
    this.fanIn = Math.max(2, opts.fanIn ?? 64);
    this.blockSize = opts.blockSize ?? 64 * 1024;
  }

  /** The temporary directory, while there is one (undefined when nothing was written to disk). */
  get directory(): string | undefined {
    return this.dir;
  }

  /** Sorted runs on disk. */
  get runsOnDisk(): number {
    return this.runs.length;
  }

  push(d: AuditDetection): void {
    this.buf.push(d);
    this.count++;
    if (this.buf.length >= this.runSize) this.spillBuffer();
  }

  /**
   * Every detection, sorted, in memory (for small inputs and tests). The runs on disk are read back
   * and removed; later pushes go on as before.
   */
  all(): AuditDetection[] {
    const out: AuditDetection[] = [];
    for (const r of this.runs) for (const d of parsed(readLines(r, this.blockSize))) out.push(d);
    for (const d of this.buf) out.push(d);
    // Runs in the order written, then the buffer: a stable sort gives sortDetections' order.
    out.sort(compareDetections);
    this.buf = out;
    this.close();
    return out.slice();
  }

  /**
   * Every detection, sorted, one at a time (memory: one block per run). The temporary files are
   * removed when the iteration ends (completed, stopped early, or failed); the spill is then empty.
   */
  *sorted(): Generator<AuditDetection> {
    try {
      const tail = this.buf.slice().sort(compareDetections);
      let runs = this.runs;
      while (runs.length + 1 > this.fanIn) runs = this.mergePass(runs);
      yield* merge([...runs.map((r) => parsed(readLines(r, this.blockSize))), tail[Symbol.iterator]()]);
    } finally {
      this.buf = [];
      this.count = 0;
      this.close();
    }
  }

  /** Removes the temporary files (the detections written there are gone). */
  close(): void {
    this.writer?.close();
    this.writer = undefined;
    this.runs = [];
    if (this.dir) removeTempDir(this.dir);
    this.dir = undefined;
  }

  private newWriter(): RunWriter {
    this.dir ??= makeTempDir(this.opts.tmpdir ?? os.tmpdir());
    return new RunWriter(path.join(this.dir, `runs-${this.files++}.ndjson`));
  }

  private spillBuffer(): void {
    const ds = this.buf.sort(compareDetections);
    this.buf = [];
    this.writer ??= this.newWriter();
    this.runs.push(this.writer.writeRun(ds));
  }

  /** Merges consecutive groups of fanIn runs into longer runs, in a new file; the old file(s) go. */
  private mergePass(runs: Run[]): Run[] {
    const w = this.newWriter();
    const out: Run[] = [];
    try {
      for (let i = 0; i < runs.length; i += this.fanIn) {
        const group = runs.slice(i, i + this.fanIn);
        out.push(w.writeRun(merge(group.map((r) => parsed(readLines(r, this.blockSize))))));
      }
    } finally {
      w.close();
    }
    this.writer?.close();
    this.writer = undefined;
    for (const f of new Set(runs.map((r) => r.file))) fs.rmSync(f, { force: true });
    this.runs = out;
    return out;
  }
}
