#!/usr/bin/env node
// BENCH_TAG=name writes bench/results/scale-<date>-name.json (several runs the same day).
// Scaling benchmark of `kubeward scan` on synthetic cluster snapshots (bench/gen-synthetic.mjs).
//
//   node bench/run-scale.mjs            # or: bash bench/run-scale.sh
//
// Cases (default): ~5k, ~50k and ~200k objects (--objects, namespaces = pods / 25), plus the
// issue's target: 50,000 pods in 2,000 namespaces (must scan in < 10 s and < 1 GB peak RSS).
// Options: --sizes 5000,50000,200000 (object counts), --no-target, --reps N (default $BENCH_REPS
//          or 3; the median is reported), --seed S (default 42), --no-write.
//          --peers: also scan the same clusters written as one multi-document YAML file with
//          kubeward, Polaris and Checkov side by side (cases up to --peers-max objects, default
//          5000; --peer-reps N timed runs, default 0 = the check run is the only sample, since
//          Checkov needs minutes there).
//
// Generated snapshots are cached in bench/.data/synthetic/ (keyed by the generator's hash, so a
// changed generator regenerates them). Each case: one untimed check run writing the JSON report to
// bench/.data/out/ (verifies kubeward loaded every generated object), then N timed runs of
//   node bin/kubeward.js scan <file> --format json -o /dev/null
// under /usr/bin/time -v. Files over kubeward's default --max-file-size (256 MiB) get an explicit
// --max-file-size, recorded in the results.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { makeTools, runSideBySide, sideBySideTable } from './lib/tools.mjs';
import {
  REPO, BENCH_DIR, DATA_DIR, RESULTS_DIR, ensureDir, measure, median, round, machineInfo, kubewardVersion,
  prepareKubeward, today, fmt,
} from './lib/common.mjs';

const opt = { sizes: [5000, 50000, 200000], target: true, reps: Number(process.env.BENCH_REPS ?? 3), seed: 42, write: true, peers: false, peersMax: 5000, peerReps: 0 };
for (let a = process.argv.slice(2), i = 0; i < a.length; i++) {
  if (a[i] === '--sizes') opt.sizes = a[++i].split(',').filter(Boolean).map(Number);
  else if (a[i] === '--no-target') opt.target = false;
  else if (a[i] === '--reps') opt.reps = Number(a[++i]);
  else if (a[i] === '--seed') opt.seed = Number(a[++i]);
  else if (a[i] === '--no-write') opt.write = false;
  else if (a[i] === '--peers') opt.peers = true;
  else if (a[i] === '--peers-max') opt.peersMax = Number(a[++i]);
  else if (a[i] === '--peer-reps') opt.peerReps = Number(a[++i]);
  else {
    console.error(`unknown argument ${a[i]}`);
    process.exit(2);
  }
}
if (!(opt.reps >= 1)) opt.reps = 1;

const TARGET = { pods: 50000, namespaces: 2000, maxWallS: 10, maxRssBytes: 1e9 };
const DEFAULT_MAX_FILE_MIB = 256;
const GEN = join(BENCH_DIR, 'gen-synthetic.mjs');
const genHash = createHash('sha256').update(readFileSync(GEN)).digest('hex').slice(0, 12);
const SYN = ensureDir(join(DATA_DIR, 'synthetic'));
const OUT = ensureDir(join(DATA_DIR, 'out'));

const cases = opt.sizes.map((n) => ({ label: `${n / 1000}k objects`, key: `o${n}`, genArgs: ['--objects', String(n)] }));
if (opt.target) cases.push({ label: `${TARGET.pods / 1000}k pods / ${TARGET.namespaces} ns (issue target)`, key: `p${TARGET.pods}-n${TARGET.namespaces}`, genArgs: ['--pods', String(TARGET.pods), '--namespaces', String(TARGET.namespaces)], target: true });

// ------------------------------------------------------------------ generate (cached)
for (const c of cases) {
  const base = `cluster-${c.key}-s${opt.seed}`;
  c.file = join(SYN, `${base}-${genHash}.json`);
  const metaFile = `${c.file}.meta.json`;
  if (!existsSync(c.file) || !existsSync(metaFile)) {
    for (const f of readdirSync(SYN)) if (f.startsWith(`${base}-`)) rmSync(join(SYN, f));
    process.stderr.write(`generating ${relative(REPO, c.file)} ...\n`);
    const t0 = Date.now();
    const r = spawnSync('nice', ['-n', '10', 'node', GEN, ...c.genArgs, '--seed', String(opt.seed), '-o', c.file], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const m = /(\d+) objects, (\d+) pods, (\d+) namespaces/.exec(r.stderr);
    writeFileSync(metaFile, JSON.stringify({ objects: Number(m[1]), pods: Number(m[2]), namespaces: Number(m[3]), seed: opt.seed, generator: genHash, args: c.genArgs, genSeconds: (Date.now() - t0) / 1000 }) + '\n');
  }
  Object.assign(c, JSON.parse(readFileSync(metaFile, 'utf8')));
  c.bytes = statSync(c.file).size;
}

// ------------------------------------------------------------------ runs
const KW = await prepareKubeward();
if (!KW) {
  console.error('no working kubeward build (bin/kubeward.js, dist/bundle/kubeward.cjs): run `npm run build`');
  process.exit(2);
}
const kw = join(KW, 'bin', 'kubeward.js');
for (const c of cases) {
  const extra = [];
  if (c.bytes > DEFAULT_MAX_FILE_MIB * 2 ** 20) extra.push('--max-file-size', String(Math.ceil(c.bytes / 2 ** 20) + 1));
  c.extraArgs = extra;
  const outFile = join(OUT, `scale-${c.key}.json`);
  const errFile = join(OUT, `scale-${c.key}.stderr.txt`);
  c.command = ['node', 'bin/kubeward.js', 'scan', relative(REPO, c.file), '--format', 'json', '-o', '/dev/null', ...extra].join(' ');
  process.stderr.write(`[${c.label}] check run (${c.objects} objects, ${fmt(c.bytes / 2 ** 20, 1)} MiB)\n`);
  const check = await measure('node', [kw, 'scan', c.file, '--format', 'json', '-o', outFile, ...extra], { cwd: KW, stderrFile: errFile });
  c.checkRun = check;
  try {
    const d = JSON.parse(readFileSync(outFile, 'utf8'));
    c.coverage = { objects: d.summary?.objects, findings: d.summary?.total, inputErrors: d.errors?.length, rulesRun: d.summary?.rulesRun };
  } catch (e) {
    c.coverage = { error: `no readable report (exit ${check.exitCode}): ${e.message}` };
  }
  rmSync(outFile, { force: true }); // large
  const okExit = (x) => x === 0 || x === 1 || x === 2;
  if (!okExit(check.exitCode) || c.coverage.objects !== c.objects) {
    c.warning = `check run exit ${check.exitCode}, loaded ${c.coverage.objects ?? '?'} of ${c.objects} objects (see ${relative(REPO, errFile)})`;
    process.stderr.write(`[${c.label}] WARNING: ${c.warning}\n`);
  }
  process.stderr.write(`[${c.label}] check: exit ${check.exitCode}, ${fmt(check.wallS)} s, ${fmt(check.maxRssMiB, 1)} MiB, ${JSON.stringify(c.coverage)}\n`);
  c.runs = [];
  if (!okExit(check.exitCode)) continue;
  for (let rep = 0; rep < opt.reps; rep++) {
    const r = await measure('node', [kw, 'scan', c.file, '--format', 'json', '-o', '/dev/null', ...extra], { cwd: KW });
    r.ok = okExit(r.exitCode);
    c.runs.push(r);
    process.stderr.write(`[${c.label}] rep ${rep + 1}/${opt.reps}: ${fmt(r.wallS)} s, ${fmt(r.maxRssMiB, 1)} MiB, exit ${r.exitCode}\n`);
  }
  const good = c.runs.filter((r) => r.ok);
  c.median = {
    wallS: round(median(good.map((r) => r.wallS)), 3),
    cpuS: round(median(good.map((r) => (r.userS ?? 0) + (r.sysS ?? 0))), 2),
    maxRssMiB: round(median(good.map((r) => r.maxRssMiB)), 1),
  };
  c.usPerObject = round((c.median.wallS / c.objects) * 1e6, 1);
  c.objectsPerS = Math.round(c.objects / c.median.wallS);
  if (c.target) {
    c.targetMet = { time: c.median.wallS < TARGET.maxWallS, rss: c.median.maxRssMiB * 2 ** 20 < TARGET.maxRssBytes };
  }
}

// ------------------------------------------------------------------ peers on the same clusters as YAML
const peerRuns = [];
if (opt.peers) {
  for (const c of cases.filter((x) => x.objects <= opt.peersMax)) {
    const dir = ensureDir(join(SYN, `yaml-${c.key}-s${opt.seed}-${genHash}`));
    const yamlFile = join(dir, 'cluster.yaml');
    if (!existsSync(yamlFile)) {
      process.stderr.write(`generating ${relative(REPO, yamlFile)} ...\n`);
      const r = spawnSync('nice', ['-n', '10', 'node', GEN, ...c.genArgs, '--seed', String(opt.seed), '--yaml', '-q', '-o', yamlFile], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
    }
    const tools = makeTools(dir, KW);
    const names = ['kubeward', 'polaris', 'checkov'].filter((n) => tools[n].available);
    const results = await runSideBySide({ tools, names, reps: opt.peerReps, OUT, prefix: `scale-${c.key}-yaml-`, KW });
    peerRuns.push({ case: c.label, objects: c.objects, yaml: relative(REPO, yamlFile), bytes: statSync(yamlFile).size, reps: opt.peerReps, results, ...sideBySideTable(results, names) });
  }
}

// ------------------------------------------------------------------ report
const lines = [];
lines.push(`kubeward scan of synthetic snapshots (seed ${opt.seed}, generator ${genHash}); median of ${opt.reps} timed run(s), nice ${process.env.BENCH_NICE ?? 10}.`);
lines.push('');
lines.push('| case | objects | pods | namespaces | file (MiB) | wall median (s) | CPU user+sys (s) | peak RSS (MiB) | µs / object | objects / s | exit | note |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const c of cases) {
  const m = c.median ?? {};
  const notes = [];
  if (c.extraArgs.length) notes.push(`needs ${c.extraArgs.join(' ')}`);
  if (c.warning) notes.push(`⚠ ${c.warning}`);
  if (c.targetMet) notes.push(`target <${TARGET.maxWallS} s: ${c.targetMet.time ? 'met' : 'NOT met'}; <1 GB RSS: ${c.targetMet.rss ? 'met' : 'NOT met'}`);
  lines.push(`| ${c.label} | ${c.objects} | ${c.pods} | ${c.namespaces} | ${fmt(c.bytes / 2 ** 20, 1)} | ${fmt(m.wallS)} | ${fmt(m.cpuS)} | ${fmt(m.maxRssMiB, 1)} | ${fmt(c.usPerObject, 1)} | ${c.objectsPerS ?? 'n/a'} | ${c.checkRun.exitCode} | ${notes.join('; ')} |`);
}
for (const p of peerRuns) {
  lines.push('');
  lines.push(`Same cluster as one YAML file (${p.case}: ${p.objects} objects, ${fmt(p.bytes / 2 ** 20, 1)} MiB), ${p.reps ? `median of ${p.reps} timed run(s)` : 'one run each (the check run)'}:`);
  lines.push('');
  lines.push(...p.lines);
}
const table = lines.join('\n');
console.log(table);
if (opt.write) {
  ensureDir(RESULTS_DIR);
  const file = join(RESULTS_DIR, `scale-${today()}${process.env.BENCH_TAG ? `-${process.env.BENCH_TAG}` : ''}.json`);
  const kwv = kubewardVersion(KW);
  writeFileSync(
    file,
    JSON.stringify(
      {
        benchmark: 'scale',
        date: new Date().toISOString(),
        machine: machineInfo(),
        kubeward: kwv,
        generator: { script: 'bench/gen-synthetic.mjs', sha256_12: genHash, seed: opt.seed },
        reps: opt.reps,
        target: TARGET,
        cases: cases.map(({ file, ...c }) => ({ ...c, file: relative(REPO, file) })),
        peers: peerRuns.map(({ lines: _l, ...p }) => p),
        markdown: table,
      },
      null,
      2,
    ) + '\n',
  );
  console.error(`raw results: ${relative(REPO, file)}`);
}
