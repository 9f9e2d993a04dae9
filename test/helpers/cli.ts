// Runs kubeward end to end: in-process (main() with a capturing CliIO) for speed, or as a real
// `node bin/kubeward.js` child process for what needs one (exit status, signals, other users).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../../src/cli/io.js';
import { fromRoot } from './paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The directory the command ran in. */
  cwd: string;
  /** stdout parsed as JSON (for --format json). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
  /** Non-empty stderr lines. */
  errLines(): string[];
  ms: number;
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});

/**
 * A fresh temporary directory (removed when the test process exits) holding `files`: relative path ->
 * content. Readable by every user, so that a child process run as nobody can enter it.
 */
export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeward-test-'));
  chmodSync(dir, 0o755);
  made.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

function result(code: number, stdout: string, stderr: string, cwd: string, ms: number): CliRun {
  return {
    code,
    stdout,
    stderr,
    cwd,
    ms,
    json: () => {
      try {
        return JSON.parse(stdout);
      } catch (e) {
        throw new Error(`stdout is not JSON (${(e as Error).message}):\n${stdout.slice(0, 2000)}\nstderr:\n${stderr}`);
      }
    },
    errLines: () => stderr.split('\n').filter((l) => l.trim() !== ''),
  };
}

/** `kubeward <argv>` in-process. `cwd` defaults to a new empty temp dir; `files` are written into it first. */
export async function kubeward(
  argv: string[],
  opts: { cwd?: string; stdin?: string | Buffer; files?: Record<string, string | Buffer> } = {},
): Promise<CliRun> {
  const cwd = opts.cwd ?? tempDir();
  if (opts.files) writeFiles(cwd, opts.files);
  const io = captureIO({ cwd, stdin: opts.stdin });
  const t0 = performance.now();
  const code = await main(argv, io);
  return result(code, io.stdout(), io.stderr(), cwd, performance.now() - t0);
}

export const BIN = fromRoot('bin/kubeward.js');

/** Can this process run a child as an unprivileged user (root with setpriv available)? */
export function canRunAsNobody(): { ok: true } | { ok: false; reason: string } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'not running as root: permissions already apply to this user' };
  }
  const r = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, reason: 'setpriv (util-linux) is not installed' };
  return { ok: true };
}

/**
 * `node bin/kubeward.js <argv>` as a child process. `asNobody` runs it through setpriv without the
 * DAC override capabilities (tests run as root, for whom file permissions do not apply otherwise). `shell` runs a shell command
 * line instead, with $KUBEWARD set to the command (for pipelines).
 */
export function runBin(
  argv: string[],
  opts: { cwd?: string; stdin?: string | Buffer; asNobody?: boolean; timeoutMs?: number; shell?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const cwd = opts.cwd ?? tempDir();
  const node = process.execPath;
  let cmd: string;
  let args: string[];
  if (opts.shell) {
    cmd = '/bin/sh';
    args = ['-c', opts.shell];
  } else if (opts.asNobody) {
    // Still root (so the checkout stays readable wherever it lives), but without the capabilities
    // that let root ignore file permissions: a mode-000 file or folder is then unreadable.
    cmd = 'setpriv';
    args = ['--bounding-set', '-dac_override,-dac_read_search', node, BIN, ...argv];
  } else {
    cmd = node;
    args = [BIN, ...argv];
  }
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', KUBEWARD: `${node} ${BIN}`, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubeward ${argv.join(' ')} timed out after ${opts.timeoutMs ?? 60000} ms\nstderr: ${err}`));
    }, opts.timeoutMs ?? 60000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(result(code ?? (signal ? 128 : -1), out, err, cwd, performance.now() - t0));
    });
    child.stdin.on('error', () => undefined); // the child may exit without reading stdin
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Stack-trace lines ("    at fn (file:1:2)") must never reach a user. */
export function hasStackTrace(s: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(s) || /internal error/.test(s);
}

/** A Pod manifest; `hostNetwork` and `privileged` put findings at known lines (see podLines). */
export function pod(name: string, o: { namespace?: string; hostNetwork?: boolean; privileged?: boolean; annotations?: Record<string, string> } = {}): string {
  const ann = o.annotations
    ? `  annotations:\n${Object.entries(o.annotations)
        .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
        .join('')}`
    : '';
  return (
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n` +
    (o.namespace ? `  namespace: ${o.namespace}\n` : '') +
    ann +
    `spec:\n` +
    (o.hostNetwork ? `  hostNetwork: true\n` : '') +
    `  containers:\n  - name: app\n    image: nginx:1.25\n` +
    (o.privileged ? `    securityContext:\n      privileged: true\n` : '')
  );
}

/** 1-based line of the first line of `text` that contains `needle` after line `from`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`"${needle}" not found after line ${from}`);
}

/** Rules whose behaviour is stable: assertions that count findings run only these. */
export const STABLE_RULES = ['--rule', 'privileged-container,host-network'];
