// Shared helpers of the benchmark scripts: run a command under GNU time, parse its report,
// describe the machine, find the peer tools.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, mkdtempSync, rmSync, cpSync, symlinkSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(BENCH_DIR, '..');
export const DATA_DIR = join(BENCH_DIR, '.data');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const CACHE = process.env.KUBEWARD_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'kubeward');
export const PEERS = process.env.KUBEWARD_PEERS ?? join(CACHE, 'peers');
export const NICE = Number(process.env.BENCH_NICE ?? 10);
export const TIME_BIN = '/usr/bin/time';

/** Parse the report of `/usr/bin/time -v`. */
export function parseTimeV(text) {
  const get = (label) => {
    const line = text.split('\n').find((l) => l.trim().startsWith(label));
    return line ? line.slice(line.lastIndexOf(': ') + 2).trim() : undefined;
  };
  const clock = get('Elapsed (wall clock) time');
  let elapsed;
  if (clock) {
    const parts = clock.split(':').map(Number); // h:mm:ss or m:ss.cc
    elapsed = parts.reduce((acc, v) => acc * 60 + v, 0);
  }
  const num = (label) => {
    const v = get(label);
    return v === undefined ? undefined : Number(v.replace('%', ''));
  };
  return {
    elapsedS: elapsed,
    userS: num('User time (seconds)'),
    sysS: num('System time (seconds)'),
    cpuPercent: num('Percent of CPU this job got'),
    maxRssKB: num('Maximum resident set size (kbytes)'),
    majorFaults: num('Major (requiring I/O) page faults'),
    exitStatus: num('Exit status'),
  };
}

/**
 * Run `cmd args` under `nice -n NICE /usr/bin/time -v`, stdout to `stdoutFile` (default /dev/null),
 * stderr to `stderrFile` (default discarded). Wall time is measured here too (ms resolution;
 * GNU time reports only 10 ms).
 */
export async function measure(cmd, args, { cwd = REPO, env = process.env, stdoutFile = '/dev/null', stderrFile = '/dev/null' } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'kwbench-'));
  const timeFile = join(tmp, 'time.txt');
  const pre = NICE > 0 ? ['nice', '-n', String(NICE)] : [];
  const argv = [...pre, TIME_BIN, '-v', '-o', timeFile, cmd, ...args];
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const load = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const code = await new Promise((res, rej) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', out, err] });
    child.on('error', rej);
    child.on('exit', (c, sig) => res(c ?? (sig ? 128 : 1)));
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(out);
  closeSync(err);
  let tv = {};
  try {
    tv = parseTimeV(readFileSync(timeFile, 'utf8'));
  } catch {
    /* time did not write its report */
  }
  rmSync(tmp, { recursive: true, force: true });
  return { exitCode: tv.exitStatus ?? code, wallS: round(wallS, 3), ...tv, maxRssMiB: tv.maxRssKB ? round(tv.maxRssKB / 1024, 1) : undefined, loadBefore: round(load, 2) };
}

export const round = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? x : Math.round(x * 10 ** d) / 10 ** d);
export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000, ...opts });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

/** Machine and toolchain description for the result files. */
export function machineInfo() {
  let cpuModel = cpus()[0]?.model;
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    nproc: Number(sh('nproc', [])) || cpus().length,
    cpuModel,
    memTotalGiB: round(totalmem() / 2 ** 30, 1),
    memFreeGiB: round(freemem() / 2 ** 30, 1),
    kernel: sh('uname', ['-sr']),
    node: process.version,
    go: sh('go', ['version']),
    python: sh('python3', ['--version']),
    gnuTime: sh(TIME_BIN, ['--version'])?.split('\n')[0],
    nice: NICE,
  };
}

/** Locate a peer: $KUBEWARD_PEERS/bin/<name>, else PATH. */
export function findPeer(name) {
  const inCache = join(PEERS, 'bin', name);
  if (existsSync(inCache)) return inCache;
  const w = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return w.status === 0 ? w.stdout.trim() : undefined;
}

export function peerVersion(name, bin) {
  if (!bin) return undefined;
  if (name === 'polaris') return sh(bin, ['version'])?.replace(/^Polaris version:\s*/, '');
  if (name === 'checkov') return sh(bin, ['--version'])?.split('\n').pop();
  return undefined;
}

/**
 * kubeward as benchmarked: by default a frozen copy of the current build (bin/, dist/, docs/,
 * schemas/, package.json; node_modules linked) in bench/.data/kubeward-build, so that a rebuild of
 * dist/ while the benchmark runs cannot break or change it. KUBEWARD_BENCH_LIVE=1 runs the
 * working tree instead. Returns the root to run `node <root>/bin/kubeward.js` from, or undefined.
 */
export async function prepareKubeward() {
  const works = (root) => /^\d+\.\d+/.test(sh('node', [join(root, 'bin', 'kubeward.js'), '--version'], { cwd: root }) ?? '');
  if (process.env.KUBEWARD_BENCH_LIVE === '1') return kubewardBuilt() && works(REPO) ? REPO : undefined;
  // the build may be being rewritten right now: wait for a working one (up to ~2 min)
  for (let i = 0; i < 24 && !(kubewardBuilt() && works(REPO)); i++) await new Promise((r) => setTimeout(r, 5000));
  if (!(kubewardBuilt() && works(REPO))) return undefined;
  const dst = join(DATA_DIR, 'kubeward-build');
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  for (const d of ['bin', 'dist', 'docs', 'schemas', 'package.json']) {
    if (existsSync(join(REPO, d))) cpSync(join(REPO, d), join(dst, d), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(dst, 'node_modules'));
  writeFileSync(join(dst, '.bench-commit'), gitCommit() ?? '');
  return works(dst) ? dst : undefined;
}

export function kubewardVersion(root = REPO) {
  let v = sh('node', [join(root, 'bin', 'kubeward.js'), '--version'], { cwd: root })?.split('\n')[0];
  if (!v || !/^\d+\.\d+/.test(v)) {
    try {
      v = `${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version} (package.json; --version failed)`;
    } catch {
      v = undefined;
    }
  }
  // the commit the frozen copy was taken at, else the working tree's
  let commit;
  try {
    commit = readFileSync(join(root, '.bench-commit'), 'utf8') || undefined;
  } catch {
    commit = gitCommit();
  }
  return { version: v, commit };
}

function gitCommit() {
  // Not a git checkout (e.g. a copy of the tree): no commit rather than git's error text.
  const r = spawnSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  let commit = r.stdout.trim();
  const dirty = sh('git', ['-C', REPO, 'status', '--porcelain', '--', 'src', 'bin']);
  if (commit && dirty) commit += '+dirty';
  return commit;
}

export function kubewardBuilt(root = REPO) {
  return existsSync(join(root, 'bin', 'kubeward.js')) && existsSync(join(root, 'dist', 'bundle', 'kubeward.cjs'));
}

export function ensureDir(d) {
  mkdirSync(d, { recursive: true });
  return d;
}

export const today = () => new Date().toISOString().slice(0, 10);

export function fmt(x, d = 2) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  return x.toFixed(d);
}
