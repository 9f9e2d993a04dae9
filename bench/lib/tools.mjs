// Tool definitions (kubeward, Polaris, Checkov) and the side-by-side runner shared by
// run-manifests.mjs and run-scale.mjs --peers.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, measure, median, round, findPeer, peerVersion, kubewardVersion, fmt } from './common.mjs';

/** Environment for the tools: no Prisma Cloud look-ups by Checkov. */
export const TOOL_ENV = { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_NO_VERSION_CHECK: 'true' };

/**
 * The three tools scanning INPUT (a folder). KW = root of the kubeward build to run
 * (see prepareKubeward), or undefined when kubeward is unavailable.
 */
export function makeTools(INPUT, KW) {
  const tools = {
    kubeward: {
      available: Boolean(KW),
      cwd: KW, // not the repo: no ./kubeward.yaml or ./.kubeward-ignore.yaml picked up
      why: 'no working build (bin/kubeward.js, dist/bundle/kubeward.cjs): build with `npm run build`',
      version: () => kubewardVersion(KW),
      cmd: (outFile) => ['node', [join(KW, 'bin', 'kubeward.js'), 'scan', INPUT, '--format', 'json', '-o', outFile]],
      stdoutIsReport: false,
      // 0 = no finding at --fail-on, 1 = findings, 2 = input errors reported (still a full run)
      ok: (c) => c === 0 || c === 1 || c === 2,
      coverage(report) {
        const d = JSON.parse(report);
        const s = d.summary ?? {};
        return { objects: s.objects, files: s.files, findings: s.total ?? d.findings?.length, inputErrors: d.errors?.length, rulesRun: s.rulesRun };
      },
    },
    polaris: {
      bin: findPeer('polaris'),
      why: 'polaris not installed: run bash bench/setup-peers.sh',
      version() {
        return { version: peerVersion('polaris', this.bin) };
      },
      cmd(outFile) {
        return [this.bin, ['audit', '--audit-path', INPUT, '--format', 'json', ...(outFile === '/dev/null' ? [] : ['--output-file', outFile])]];
      },
      ok: (c) => c === 0,
      coverage(report, stderr) {
        const d = JSON.parse(report);
        const r = d.Results ?? [];
        const failed = r.reduce((s, x) => {
          const all = [...Object.values(x.Results ?? {}), ...Object.values(x.PodResult?.Results ?? {}), ...(x.PodResult?.ContainerResults ?? []).flatMap((c) => Object.values(c.Results ?? {}))];
          return s + all.filter((t) => t && t.Success === false).length;
        }, 0);
        return { resources: r.length, failedChecks: failed, filesSkipped: (stderr.match(/level=warning msg="skipping /g) ?? []).length, parseErrors: (stderr.match(/Error parsing YAML/g) ?? []).length, score: d.Score };
      },
    },
    checkov: {
      bin: findPeer('checkov'),
      why: 'checkov not installed: run bash bench/setup-peers.sh',
      version() {
        return { version: peerVersion('checkov', this.bin) };
      },
      // --skip-download: no call to the Prisma Cloud API (the machine is offline; without it checkov
      // spends time on retries and exits with a traceback). --quiet: failed checks only in the report.
      // `-d .` from inside the input: Checkov drops every path with a component starting with '.'
      // (CKV_IGNORE_HIDDEN_DIRECTORIES), and the default cache dir is ~/.cache/...: with
      // `-d ~/.cache/kubeward/bench/perf-input` it scans 0 resources and still exits 0.
      cwd: INPUT,
      cmd() {
        return [this.bin, ['-d', '.', '--framework', 'kubernetes', '-o', 'json', '--quiet', '--skip-download']];
      },
      stdoutIsReport: true,
      ok: (c) => c === 0 || c === 1,
      coverage(report) {
        if (report.length < 16 || !report.trimStart().startsWith('{') && !report.trimStart().startsWith('[')) {
          // only the tail of a huge report (see readReport): take the summary's counts from it
          const num = (k) => Number(new RegExp(`"${k}": (\\d+)`).exec(report)?.[1]);
          return { resources: num('resource_count'), failedChecks: num('failed'), passedChecks: num('passed'), parsingErrors: num('parsing_errors'), note: 'summary read from the end of a report too large to parse' };
        }
        let d = JSON.parse(report);
        if (Array.isArray(d)) d = d.find((x) => x.check_type === 'kubernetes') ?? d[0];
        const s = d.summary ?? {};
        const files = new Set((d.results?.failed_checks ?? []).map((c) => c.file_path));
        return { resources: s.resource_count, failedChecks: s.failed, passedChecks: s.passed, parsingErrors: s.parsing_errors, filesWithFailures: files.size };
      },
    },
  };
  tools.kubeward.available = Boolean(KW);
  for (const t of ['polaris', 'checkov']) tools[t].available = Boolean(tools[t].bin);
  return tools;
}

/**
 * A tool's report as text; for reports over 256 MiB (Checkov writes ~550 MB for 5,000 objects,
 * more than a JS string can hold) only the last 64 KiB, which holds Checkov's summary.
 */
export function readReport(file) {
  const size = statSync(file).size;
  if (size <= 256 * 2 ** 20) return readFileSync(file, 'utf8');
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(65536);
  readSync(fd, buf, 0, buf.length, size - buf.length);
  closeSync(fd);
  return buf.toString('utf8');
}

/**
 * One untimed check run per tool (report to OUT/<prefix><tool>.json, stderr beside it), then
 * `reps` timed runs in round-robin order with the report to /dev/null. Returns per-tool results
 * with medians.
 */
export async function runSideBySide({ tools, names, reps, OUT, prefix = '', KW, log = (s) => process.stderr.write(s + '\n') }) {
  const results = {};
  for (const name of names) {
    const t = tools[name];
    const outFile = join(OUT, `${prefix}${name}.json`);
    const errFile = join(OUT, `${prefix}${name}.stderr.txt`);
    const [cmd, args] = t.stdoutIsReport ? t.cmd('/dev/null') : t.cmd(outFile);
    log(`[${prefix}${name}] check run: ${cmd} ${args.join(' ')}`);
    const check = await measure(cmd, args, { env: TOOL_ENV, cwd: t.cwd ?? REPO, stdoutFile: t.stdoutIsReport ? outFile : '/dev/null', stderrFile: errFile });
    let coverage;
    try {
      coverage = t.coverage(readReport(outFile), readFileSync(errFile, 'utf8'));
    } catch (e) {
      coverage = { error: `no readable report: ${e.message}` };
    }
    const [tc, ta] = t.cmd('/dev/null');
    results[name] = { ...t.version(), cwd: t.cwd ?? REPO, command: [tc, ...ta].map((s) => (KW ? s.replace(KW + '/', '') : s).replace(REPO + '/', '')).join(' '), checkRun: { ...check, ok: t.ok(check.exitCode) }, coverage, runs: [] };
    log(`[${prefix}${name}] exit ${check.exitCode} in ${fmt(check.wallS)} s; ${JSON.stringify(coverage)}`);
    const n = coverage.objects ?? coverage.resources;
    if (!t.ok(check.exitCode) || !(n > 0)) {
      results[name].warning = `check run ${t.ok(check.exitCode) ? 'reported no objects' : `failed (exit ${check.exitCode})`}: see ${relative(REPO, errFile)}`;
      log(`[${prefix}${name}] WARNING: ${results[name].warning}`);
    }
  }
  for (let rep = 0; rep < reps; rep++) {
    for (const name of names) {
      if (!results[name].checkRun.ok) continue;
      const [cmd, args] = tools[name].cmd('/dev/null');
      const r = await measure(cmd, args, { env: TOOL_ENV, cwd: tools[name].cwd ?? REPO });
      r.ok = tools[name].ok(r.exitCode);
      results[name].runs.push(r);
      log(`[${prefix}${name}] rep ${rep + 1}/${reps}: ${fmt(r.wallS)} s, ${fmt(r.maxRssMiB, 1)} MiB, exit ${r.exitCode}`);
    }
  }
  for (const name of names) {
    const R = results[name];
    // reps = 0: the check run (report written to a file) is the only sample
    const good = reps === 0 ? [R.checkRun].filter((r) => r.ok) : R.runs.filter((r) => r.ok);
    R.samples = reps === 0 ? 'check run only' : `${good.length} timed runs`;
    R.median = {
      wallS: round(median(good.map((r) => r.wallS)), 3),
      cpuS: round(median(good.map((r) => (r.userS ?? 0) + (r.sysS ?? 0))), 2),
      maxRssMiB: round(median(good.map((r) => r.maxRssMiB)), 1),
    };
    R.minWallS = good.length ? round(Math.min(...good.map((r) => r.wallS)), 3) : undefined;
    R.maxWallS = good.length ? round(Math.max(...good.map((r) => r.wallS)), 3) : undefined;
    R.failedRuns = reps === 0 ? 0 : R.runs.length - good.length;
  }
  return results;
}

/** Markdown table rows + the ratio line; returns { lines, ratio }. */
export function sideBySideTable(results, names) {
  const seen = (name) => {
    const c = results[name].coverage ?? {};
    if (c.error) return 'no report';
    if (name === 'kubeward') return `${c.objects} objects, ${c.files} files, ${c.findings} findings, ${c.inputErrors} input errors`;
    if (name === 'polaris') return `${c.resources} resources, ${c.failedChecks} failed checks, ${c.filesSkipped} files skipped`;
    return `${c.resources} resources, ${c.failedChecks} failed checks, ${c.parsingErrors} parse errors`;
  };
  const lines = [];
  lines.push('| tool | version | wall median (s) | wall min–max (s) | CPU user+sys (s) | peak RSS (MiB) | exit | what it reported (check run) |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const name of names) {
    const R = results[name];
    const exit = R.warning ? `${R.checkRun.exitCode} ⚠ ${R.warning}` : `${R.checkRun.exitCode}`;
    lines.push(`| ${name} | ${R.version ?? '?'}${R.commit ? ` (${R.commit})` : ''} | ${fmt(R.median.wallS)} | ${fmt(R.minWallS)}–${fmt(R.maxWallS)} | ${fmt(R.median.cpuS)} | ${fmt(R.median.maxRssMiB, 1)} | ${exit}${R.failedRuns ? ` (${R.failedRuns} failed runs)` : ''} | ${seen(name)} |`);
  }
  const peers = names.filter((n) => n !== 'kubeward' && results[n].median.wallS !== undefined);
  let ratio;
  if (results.kubeward && peers.length && results.kubeward.median.wallS !== undefined) {
    const fastest = peers.reduce((a, b) => (results[a].median.wallS <= results[b].median.wallS ? a : b));
    const k = results.kubeward.median;
    const f = results[fastest].median;
    ratio = { fastestPeer: fastest, time: round(k.wallS / f.wallS, 2), rss: round(k.maxRssMiB / f.maxRssMiB, 2), cpu: round(k.cpuS / f.cpuS, 2) };
    lines.push('');
    lines.push(`kubeward vs the faster peer (${fastest}): wall time ×${fmt(ratio.time)}, CPU ×${fmt(ratio.cpu)}, peak RSS ×${fmt(ratio.rss)} (below 1 = kubeward better).`);
  }
  return { lines, ratio };
}
