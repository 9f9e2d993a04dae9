// The only place that touches stdout/stderr/stdin for the CLI.
import { promises as fsp } from 'node:fs';
import { UserError } from '../core/types.js';

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  readStdin(): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  isTTY: boolean;
  /** stderr is a terminal: progress displays are allowed there. */
  errIsTTY: boolean;
  color: boolean;
  cwd: string;
}

export function processIO(): CliIO {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    writeFile: async (p, data) => {
      try {
        await fsp.writeFile(p, data);
      } catch (e) {
        throw new UserError(`cannot write ${p}: ${(e as Error).message}`);
      }
    },
    isTTY,
    errIsTTY: Boolean(process.stderr.isTTY),
    color: isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
    cwd: process.cwd(),
  };
}
