// kubeward audit analyze: read audit logs of any provider (files, directories, gzip, stdin), report detections.
import { Command, Option } from 'commander';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CommandEnv } from '../main.js';
import { SEVERITIES, UserError, type Severity } from '../../core/types.js';
import { loadConfig } from '../../loaders/config.js';
import { allRules } from '../../rules/index.js';
import { AuditAnalyzer, countAtOrAbove, DEFAULT_MAX_PER_DETECTION } from '../../audit/analyze.js';
import { engineOptions } from '../../audit/config.js';
import { detections } from '../../audit/detections/index.js';
import { formats, FORMAT_NAMES } from '../../audit/formats/index.js';
import { PLATFORM_ALLOW_LIST } from '../../audit/allow-list.js';
import { fileInput, type AuditInput } from '../../audit/reader.js';
import { auditRenderers, jsonReportChunks, type AuditFormatName } from '../../audit/report.js';
import { POLICY_RULE_SETS, WorkloadPolicyChecker, policyRules, renderViolations, sortViolations, type PolicyRuleSet } from '../../audit/workload-check.js';
import { SummaryBuilder, renderSummary, summaryEventOf } from '../../audit/summary.js';
import type { AuditEvent } from '../../audit/event.js';

interface Opts {
  format: AuditFormatName;
  output?: string;
  failOn?: Severity | 'none';
  config?: string;
  allowUser: string[];
  platformAllowList: boolean;
  only: string[];
  disable: string[];
  listDetections?: boolean;
  listFormats?: boolean;
  summary?: boolean;
  policyRules: string;
  maxPerDetection: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerAuditAnalyze(audit: Command, env: CommandEnv): void {
  audit
    .command('analyze')
    .description('find attacks and risky changes in Kubernetes audit logs (kube-apiserver, EKS, AKS, GKE) and AWS CloudTrail')
    .argument('[input...]', 'log files or directories (gzip is detected), "-" for stdin')
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(auditRenderers)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a detection is at or above this severity (default: high)').choices([...SEVERITIES, 'none']))
    .option('-c, --config <file>', 'configuration file (default: ./kubeward.yaml if present; section audit:)')
    .option('--allow-user <glob>', 'do not report actions of this identity (repeatable, comma-separated; * and ? globs)', collect, [])
    .option('--no-platform-allow-list', 'also report the platform\'s own identities (eks:*, aksService, system:node:*, kube-system service accounts, ...)')
    .option('--only <ids>', 'run only these detections (comma-separated)', collect, [])
    .option('--disable <ids>', 'do not run these detections (comma-separated)', collect, [])
    .option('--summary', 'also summarise who did what (per identity), denied requests and anonymous access')
    .option('--policy-rules <set|ids>', `workload rules run on the objects created or changed in the log: ${POLICY_RULE_SETS.join(', ')}, or rule ids (comma-separated)`, 'baseline')
    .option('--max-per-detection <n>', 'detections listed per detection id; later ones are counted, not listed (0: no bound; past 4,096, detections wait for the report in a temporary file, not in memory)', String(DEFAULT_MAX_PER_DETECTION))
    .option('--list-detections', 'list the detections and exit')
    .option('--list-formats', 'list the input formats recognised and exit')
    .addHelpText(
      'after',
      `
Inputs: kube-apiserver audit logs (JSON lines, EventList, JSON arrays; audit.k8s.io v1 and v1beta1),
EKS CloudWatch Logs (exported events, filter-log-events output, subscription payloads, base64+gzip),
AKS diagnostic exports (records with properties.log, AKSAudit/AKSAuditAdmin rows), GKE Cloud Logging
entries (gcloud logging read --format=json, sink exports) and CloudTrail (Records files, single
records). Shapes are recognised per file and per record, so files may mix them. Invalid records are
counted and reported with file:line; they never stop the run.

Exit codes: 0 no detection at or above --fail-on; 1 detections at or above it; 2 input errors
(unreadable input, malformed records) or usage errors.

Examples:
  kubeward audit analyze /var/log/kubernetes/audit/audit.log
  aws logs filter-log-events --log-group-name /aws/eks/prod/cluster --log-stream-name-prefix kube-apiserver-audit \\
    | kubeward audit analyze - --format json -o detections.json
  kubeward audit analyze cloudtrail/ eks-audit.json.gz --allow-user 'system:serviceaccount:argocd:*'`,
    )
    .action(async (inputs: string[], opts: Opts) => {
      const io = env.io;
      if (opts.listDetections) {
        io.out(listDetections());
        return;
      }
      if (opts.listFormats) {
        io.out(FORMAT_NAMES.map((f) => `${f.padEnd(24)} ${formats[f].title}`).join('\n') + '\n');
        return;
      }
      if (inputs.length === 0) throw new UserError('no input: give audit log files or directories, or "-" for stdin (see kubeward audit analyze --help)');
      const cfg = await loadConfig(opts.config, io.cwd, new Set(allRules.map((r) => r.meta.id)));
      const engine = engineOptions(cfg.audit, { allowUser: opts.allowUser, platformAllowList: opts.platformAllowList, only: opts.only, disable: opts.disable }, detections, cfg.source ?? 'configuration');
      const failOn: Severity | 'none' = opts.failOn ?? cfg.audit?.failOn ?? 'high';
      const rulesSpec = (POLICY_RULE_SETS as readonly string[]).includes(opts.policyRules) ? (opts.policyRules as PolicyRuleSet) : collect(opts.policyRules, []);
      const pr = policyRules(rulesSpec);
      if (pr.unknown.length) throw new UserError(`--policy-rules: unknown or not per-pod workload rule(s): ${pr.unknown.join(', ')}`);
      const checker = new WorkloadPolicyChecker({ rules: pr.rules, allowUsers: engine.allowUsers, platformAllowList: engine.platformAllowList });
      const summary = opts.summary ? new SummaryBuilder() : undefined;
      const observers: Array<(ev: AuditEvent) => void> = [];
      if (checker.active) observers.push((ev) => checker.push(ev));
      if (summary) observers.push((ev) => summary.push(summaryEventOf(ev)));
      const maxPerDetection = Number(opts.maxPerDetection);
      if (!/^\d+$/.test(opts.maxPerDetection) || !Number.isSafeInteger(maxPerDetection)) throw new UserError(`--max-per-detection ${opts.maxPerDetection}: expected a whole number (0: no bound)`);
      const analyzer = new AuditAnalyzer({ ...engine, observers, maxPerDetection: maxPerDetection === 0 ? Infinity : maxPerDetection });
      let result;
      try {
        for (const input of await expandInputs(inputs, io.cwd, io.stdinStream.bind(io))) {
          await analyzer.read(input);
        }
        // The detections are read from the spill file while the report is written.
        result = analyzer.stream();
        const violations = sortViolations(checker.results());
        const sum = summary?.result();
        let rendered: Iterable<string>;
        if (opts.format === 'json') {
          rendered = jsonReportChunks(result, { ...(checker.active ? { policyViolations: violations, policyChecks: checker.stats } : {}), ...(sum ? { summary: sum } : {}) });
        } else {
          const main = auditRenderers[opts.format](result, { color: !opts.output && opts.format === 'text' && io.color, failOn });
          rendered = (function* () {
            yield* main;
            if (checker.active && (violations.length > 0 || checker.stats.patchesWithoutObject > 0)) yield '\n' + renderViolations(violations, checker.stats);
            if (sum) yield '\n' + renderSummary(sum);
          })();
        }
        if (opts.output) await io.writeFile(opts.output, rendered);
        else for (const piece of rendered) io.out(piece);
      } finally {
        analyzer.close();
      }
      if (opts.output || opts.format !== 'text') {
        for (const p of result.problems.filter((x) => x.kind === 'error' || x.kind === 'malformed').slice(0, 10)) {
          io.err(`kubeward: ${p.file}${p.line ? ':' + p.line : ''}: ${p.message}\n`);
        }
      }
      // Workload policy violations are context for the detections (privileged-pod, host-path-volume...
      // cover the same risks and decide the exit code): they never change it.
      env.setExit(analyzer.inputErrors > 0 ? 2 : countAtOrAbove(result.stats, failOn) > 0 ? 1 : 0);
    });
}

function listDetections(): string {
  const lines = Object.values(detections).map((d) => {
    const m = d.meta;
    const opts = Object.entries(d.options as Record<string, unknown>)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(' ');
    return `${m.id.padEnd(32)} ${m.severity.padEnd(8)} ${m.mitre.join(',').padEnd(22)} ${m.title}${opts ? `  [${opts}]` : ''}`;
  });
  return [
    ...lines,
    '',
    'Platform allow-list (applies to detections about who acted; --no-platform-allow-list turns it off):',
    ...PLATFORM_ALLOW_LIST.map((e) => `  ${e.pattern.padEnd(58)} ${e.why}`),
    '',
  ].join('\n');
}

/** Files as given; directories expanded to the regular files below them (sorted, hidden ones skipped). */
async function expandInputs(args: string[], cwd: string, stdin: () => AsyncIterable<Uint8Array | string>): Promise<AuditInput[]> {
  const out: AuditInput[] = [];
  for (const a of args) {
    if (a === '-') {
      out.push({ name: '<stdin>', open: stdin });
      continue;
    }
    const abs = path.resolve(cwd, a);
    let st;
    try {
      st = await fsp.stat(abs);
    } catch {
      out.push(fileInput(abs, a)); // the reader reports it as unreadable, and the run goes on
      continue;
    }
    if (!st.isDirectory()) {
      out.push(fileInput(abs, a));
      continue;
    }
    for (const f of await walk(abs)) out.push(fileInput(f, path.join(a, path.relative(abs, f))));
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await fsp.readdir(dir, { withFileTypes: true })).sort((x, y) => (x.name < y.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
