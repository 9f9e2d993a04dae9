// The only place that touches stdout/stderr/stdin for the CLI.
import { promises as fsp, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { UserError } from '../core/types.js';

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  readStdin(): Promise<string>;
  /** Stdin as it arrives, for readers that stop early (size limits, binary data). */
  stdinStream(): AsyncIterable<Uint8Array | string>;
  /** Writes text, or text in pieces (a large document need not exist as one string). */
  writeFile(path: string, data: string | Iterable<string>): Promise<void>;
  isTTY: boolean;
  /** stderr is a terminal: progress displays are allowed there. */
  errIsTTY: boolean;
  color: boolean;
  cwd: string;
}

export function processIO(): CliIO {
  // Whether a descriptor is a terminal is asked (node:tty, which loads node:net) only when something
  // needs to know: a scan written to a file never does.
  let errClosed = false;
  const err = descriptorWriter(2, () => process.stderr, () => {
    errClosed = true;
  });
  // A reader that goes away (`kubeward scan ... | head`) is not an error: stop writing, quietly.
  const out = descriptorWriter(1, () => process.stdout, (e) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED' && !errClosed) {
      err(`kubeward: cannot write to stdout: ${e.message}\n`);
      process.exitCode = 2;
    }
  });
  let tty: { out: boolean; err: boolean } | undefined;
  const terminals = (): { out: boolean; err: boolean } => {
    if (!tty) {
      const { isatty } = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
      tty = { out: isatty(1), err: isatty(2) };
    }
    return tty;
  };
  return {
    out,
    err,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinStream: () => process.stdin,
    writeFile: async (p, data) => {
      try {
        // One string (a report of up to a few MB): written at once; pieces of a large one, as they come.
        if (typeof data === 'string') writeFileSync(p, data);
        else await fsp.writeFile(p, data);
      } catch (e) {
        throw new UserError(`cannot write ${p}: ${(e as Error).message}`);
      }
    },
    get isTTY() {
      return terminals().out;
    },
    get errIsTTY() {
      return terminals().err;
    },
    get color() {
      return terminals().out && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
    },
    cwd: process.cwd(),
  };
}

/** What descriptorWriter needs of a stream: process.stdout and process.stderr are such. */
export interface FallbackStream {
  write(data: string | Uint8Array): unknown;
  on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Output to a descriptor (1, 2) with blocking writes, as Node's own streams write to files and pipes
 * on Linux, without making the stream: process.stdout and process.stderr load node:tty and node:net
 * (~3 ms of a 0.25 s scan). The stream is made only if the descriptor refuses a write for now (EAGAIN:
 * a non-blocking pipe that is full) and takes the unwritten rest and everything after it, so output
 * stays in order. After any other error (EPIPE: the reader went away) nothing more is written and
 * `failed` is told once. `write` is fs.writeSync (tests pass their own).
 */
export function descriptorWriter(
  fd: number,
  stream: () => FallbackStream,
  failed: (e: NodeJS.ErrnoException) => void,
  write: (fd: number, data: Uint8Array) => number = writeSync,
): (s: string) => void {
  let closed = false;
  let fallback: FallbackStream | undefined;
  const fail = (e: NodeJS.ErrnoException): void => {
    if (closed) return;
    closed = true;
    failed(e);
  };
  return (s) => {
    if (closed) return;
    if (fallback) {
      fallback.write(s);
      return;
    }
    let buf = Buffer.from(s, 'utf8');
    try {
      while (buf.length > 0) buf = buf.subarray(write(fd, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return fail(e as NodeJS.ErrnoException);
      fallback = stream();
      fallback.on('error', fail);
      fallback.write(buf);
    }
  };
}

export interface CapturedIO extends CliIO {
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/**
 * A CliIO that keeps output in memory, for running main() in-process (tests, embedding).
 * Relative paths given to writeFile resolve against `cwd`.
 */
export function captureIO(opts: { cwd: string; stdin?: string | Buffer; isTTY?: boolean; color?: boolean }): CapturedIO {
  let out = '';
  let err = '';
  const input = opts.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, 'utf8');
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    stdout: () => out,
    stderr: () => err,
    readStdin: async () => input.toString('utf8'),
    stdinStream: async function* () {
      for (let i = 0; i < input.length; i += 65536) yield input.subarray(i, i + 65536);
    },
    writeFile: async (p, data) => {
      try {
        await fsp.writeFile(path.resolve(opts.cwd, p), data);
      } catch (e) {
        throw new UserError(`cannot write ${p}: ${(e as Error).message}`);
      }
    },
    isTTY: opts.isTTY ?? false,
    errIsTTY: false,
    color: opts.color ?? false,
    cwd: opts.cwd,
  };
}
