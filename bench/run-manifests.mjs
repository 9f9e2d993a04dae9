#!/usr/bin/env node
// Side-by-side benchmark of kubeward, Polaris and Checkov on the real manifests of
// $KUBEWARD_CORPORA/perf (kube-prometheus, argo-cd install.yaml, kubernetes/examples).
//
//   bash bench/setup-peers.sh          # once: installs the peers into the cache
//   node bench/run-manifests.mjs       # or: bash bench/run-manifests.sh
//
// Options: --reps N (default $BENCH_REPS or 3; the median is reported), --tools a,b,c,
//          --corpora DIR (default $KUBEWARD_CORPORA or <repo>/../shared/corpora), --no-write.
//
// Every tool scans the same staged copy of perf/ ($KUBEWARD_CACHE/bench/perf-input): perf/ without its
// expected.json (harness metadata, not a manifest) and without the files in POLARIS_ABORTS, on
// which Polaris aborts the whole audit (exit 1, no output) instead of skipping the file.
// Each tool first runs once untimed with its report written to bench/.data/out/ (warm-up, and
// the check that it really scanned the input: objects / resources it reports), then N timed runs
// in round-robin order with the report sent to /dev/null. Wall time is measured around the
// process, CPU and peak RSS come from /usr/bin/time -v (ru_maxrss: the largest single process
// of the tool's process tree, which matters for Checkov's worker processes).
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REPO, CACHE, DATA_DIR, RESULTS_DIR, ensureDir, round, machineInfo, prepareKubeward, today, fmt } from './lib/common.mjs';
import { makeTools, runSideBySide, sideBySideTable } from './lib/tools.mjs';

// Files that make Polaris 10.2.2 abort the whole audit ("Decoding schema check failed: error
// converting YAML to JSON: yaml: invalid map key") rather than skip the file. Relative to perf/.
const POLARIS_ABORTS = ['kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml'];
const SKIP_TOP = ['expected.json'];

// ------------------------------------------------------------------ args
const opt = { reps: Number(process.env.BENCH_REPS ?? 3), tools: ['kubeward', 'polaris', 'checkov'], corpora: process.env.KUBEWARD_CORPORA ?? resolve(REPO, '..', 'shared', 'corpora'), write: true };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  if (a[i] === '--reps') opt.reps = Number(a[++i]);
  else if (a[i] === '--tools') opt.tools = a[++i].split(',');
  else if (a[i] === '--corpora') opt.corpora = resolve(a[++i]);
  else if (a[i] === '--no-write') opt.write = false;
  else {
    console.error(`unknown argument ${a[i]}`);
    process.exit(2);
  }
}
if (!(opt.reps >= 1)) opt.reps = 1;
const SRC = join(opt.corpora, 'perf');
if (!existsSync(SRC)) {
  console.error(`no corpus at ${SRC} (set KUBEWARD_CORPORA)`);
  process.exit(2);
}

// ------------------------------------------------------------------ stage the input
function listFiles(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else if (e.isFile()) out.push(relative(base, p));
  }
  return out.sort();
}
// Not under bench/.data: Checkov silently ignores every file below a directory whose name starts
// with a dot, so a staged copy there is scanned as 0 resources.
const INPUT = join(CACHE, 'bench', 'perf-input');
const excluded = new Set([...SKIP_TOP, ...POLARIS_ABORTS]);
const wanted = listFiles(SRC).filter((f) => !excluded.has(f));
const stampFile = join(CACHE, 'bench', 'perf-input.stamp');
const stamp = JSON.stringify({ src: SRC, files: wanted.map((f) => [f, statSync(join(SRC, f)).size]) });
if (!existsSync(INPUT) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  if (existsSync(INPUT)) {
    for (const f of listFiles(INPUT)) chmodSync(join(INPUT, f), 0o644);
    rmSync(INPUT, { recursive: true, force: true, maxRetries: 2 });
  }
  ensureDir(INPUT);
  for (const f of wanted) {
    ensureDir(join(INPUT, f, '..'));
    cpSync(join(SRC, f), join(INPUT, f));
    chmodSync(join(INPUT, f), 0o644);
  }
  writeFileSync(stampFile, stamp);
}
const inputBytes = wanted.reduce((s, f) => s + statSync(join(SRC, f)).size, 0);
let expectedObjects;
try {
  const exp = JSON.parse(readFileSync(join(SRC, 'expected.json'), 'utf8'));
  expectedObjects = exp.files.filter((f) => !excluded.has(f.file)).reduce((s, f) => s + (f.objects ?? 0), 0);
} catch {
  /* no expected.json */
}

// ------------------------------------------------------------------ tools and runs
const OUT = ensureDir(join(DATA_DIR, 'out'));
const KW = opt.tools.includes('kubeward') ? await prepareKubeward() : undefined;
const tools = makeTools(INPUT, KW);
const active = opt.tools.filter((t) => {
  if (!tools[t]) {
    console.error(`unknown tool ${t}`);
    process.exit(2);
  }
  if (!tools[t].available) console.error(`skipping ${t}: ${tools[t].why}`);
  return tools[t].available;
});
if (!active.length) process.exit(2);
const results = await runSideBySide({ tools, names: active, reps: opt.reps, OUT, KW });

// ------------------------------------------------------------------ report
const lines = [];
lines.push(`Input: ${INPUT.replace(process.env.HOME ?? '~', '~')} = ${relative(REPO, SRC) || SRC} minus ${[...excluded].join(', ')}: ${wanted.length} files, ${round(inputBytes / 2 ** 20, 2)} MiB${expectedObjects ? `, ${expectedObjects} Kubernetes objects per perf/expected.json` : ''}.`);
const allLoads = active.flatMap((n) => results[n].runs.map((r) => r.loadBefore));
lines.push(`Median of ${opt.reps} timed run(s) per tool (after one untimed check run), nice ${process.env.BENCH_NICE ?? 10}; 1-min load average before the runs ${fmt(Math.min(...allLoads))}–${fmt(Math.max(...allLoads))} on ${machineInfo().nproc} CPUs.`);
lines.push('');
const { lines: tableLines, ratio } = sideBySideTable(results, active);
lines.push(...tableLines);
const table = lines.join('\n');
console.log(table);

if (opt.write) {
  ensureDir(RESULTS_DIR);
  const file = join(RESULTS_DIR, `manifests-${today()}${process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : ''}.json`);
  const doc = {
    benchmark: 'manifests',
    date: new Date().toISOString(),
    machine: machineInfo(),
    input: { source: SRC, staged: INPUT, excluded: [...excluded], files: wanted.length, bytes: inputBytes, expectedObjects },
    reps: opt.reps,
    tools: results,
    ratioVsFastestPeer: ratio,
    markdown: table,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.error(`raw results: ${relative(REPO, file)}`);
}
