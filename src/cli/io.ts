// The only place that touches stdout/stderr/stdin for the CLI.
import { promises as fsp, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
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
  // process.stdout and process.stderr are streams made on first use (~1 ms each); a scan written to
  // a file may never need stdout. Whether they are terminals is asked of the descriptors.
  const isTTY = isatty(1);
  // A reader that goes away (`kubeward scan ... | head`) is not an error: stop writing, quietly.
  let outClosed = false;
  let errClosed = false;
  let out: NodeJS.WriteStream | undefined;
  let err: NodeJS.WriteStream | undefined;
  const stdout = (): NodeJS.WriteStream => {
    if (!out) {
      out = process.stdout;
      out.on('error', (e: NodeJS.ErrnoException) => {
        outClosed = true;
        if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED' && !errClosed) {
          stderr().write(`kubeward: cannot write to stdout: ${e.message}\n`);
          process.exitCode = 2;
        }
      });
    }
    return out;
  };
  const stderr = (): NodeJS.WriteStream => {
    if (!err) {
      err = process.stderr;
      err.on('error', () => {
        errClosed = true;
      });
    }
    return err;
  };
  return {
    out: (s) => void (outClosed || stdout().write(s)),
    err: (s) => void (errClosed || stderr().write(s)),
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
    isTTY,
    errIsTTY: isatty(2),
    color: isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
    cwd: process.cwd(),
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
