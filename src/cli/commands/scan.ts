import { Command, Option } from 'commander';
import * as path from 'node:path';
import type { CommandEnv } from '../main.js';
import { UserError, SEVERITIES, PILLARS, type Severity, type ScanResult } from '../../core/types.js';
import { loadPaths, DEFAULT_MAX_FILE_SIZE } from '../../loaders/files.js';
import { loadBaseline, loadConfig, loadIgnoreFile, DEFAULT_IGNORE_FILE } from '../../loaders/config.js';
import { ClusterState } from '../../model/cluster-state.js';
import { allRules } from '../../rules/index.js';
import { scan } from '../../core/scan.js';
import { reporters, isFormat } from '../../reporters/index.js';
import { formatInputError } from '../../reporters/text.js';
import type { Rule } from '../../core/rule.js';

interface ScanOpts {
  file: string[];
  format: string;
  output?: string;
  failOn?: string;
  config?: string;
  ignoreFile?: string;
  baseline?: string;
  writeBaseline?: string;
  rule: string[];
  pillar: string[];
  excludeNamespace: string[];
  maxFileSize?: string;
  includeControlled?: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function registerScan(program: Command, env: CommandEnv): void {
  program
    .command('scan')
    .description('scan manifests (files, folders, - for stdin) or a kubeward snapshot and report findings')
    .argument('[paths...]', 'files or folders (recursive: .yaml, .yml, .json); - reads stdin')
    .option('-f, --file <path>', 'a file or folder to scan (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(reporters)).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an active finding is at or above this severity (default: high)').choices([...SEVERITIES, 'none']))
    .option('-c, --config <file>', 'configuration file (default: ./kubeward.yaml if present)')
    .option('--ignore-file <file>', `ignore file (default: ./${DEFAULT_IGNORE_FILE} if present)`)
    .option('--baseline <report.json>', 'suppress findings already present in this earlier JSON report (fail only on new ones)')
    .option('--write-baseline <file>', 'also write the JSON report to this file, for later use with --baseline')
    .option('--rule <ids>', 'run only these rules (comma-separated, repeatable)', collect, [])
    .addOption(new Option('--pillar <pillar>', 'run only rules of this pillar (repeatable)').choices([...PILLARS]).argParser((v: string, p: string[] = []) => [...p, v]).default([]))
    .option('--exclude-namespace <ns>', 'suppress findings in this namespace (repeatable)', collect, [])
    .option('--max-file-size <MiB>', `refuse files larger than this (default ${DEFAULT_MAX_FILE_SIZE / 1048576})`)
    .option('--include-controlled', 'also report on pods and ReplicaSets whose controller is in the input (duplicates the controller\'s findings)')
    .addHelpText(
      'after',
      `
Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or input errors
(everything readable is still scanned and reported).

Examples:
  kubeward scan examples/shop
  helm template my-chart | kubeward scan -
  kubectl get all,sa,roles,rolebindings -A -o yaml | kubeward scan - --format sarif -o kubeward.sarif
  kubeward scan k8s/ --fail-on critical --baseline previous.json`,
    )
    .action(async (paths: string[], opts: ScanOpts) => {
      const io = env.io;
      const inputs = [...paths, ...opts.file];
      if (inputs.length === 0) throw new UserError('no input: give files or folders to scan, or - to read stdin (see kubeward scan --help)');
      if (!isFormat(opts.format)) throw new UserError(`unknown format ${opts.format}`);
      let maxFileSize: number | undefined;
      if (opts.maxFileSize !== undefined) {
        const n = Number(opts.maxFileSize);
        if (!Number.isFinite(n) || n <= 0) throw new UserError(`--max-file-size must be a positive number of MiB, got "${opts.maxFileSize}"`);
        maxFileSize = n * 1048576;
      }

      const known = new Set(allRules.map((r) => r.meta.id));
      const cfg = await loadConfig(opts.config, io.cwd, known);
      for (const id of opts.rule) if (!known.has(id)) throw new UserError(`unknown rule "${id}" (see kubeward rules)`);

      let rules: Rule[] = allRules.filter((r) => cfg.rules[r.meta.id]?.enabled !== false);
      if (opts.rule.length > 0) rules = allRules.filter((r) => opts.rule.includes(r.meta.id));
      if (opts.pillar.length > 0) rules = rules.filter((r) => opts.pillar.includes(r.meta.pillar));
      const severityOverrides: Record<string, Severity> = {};
      for (const [id, rc] of Object.entries(cfg.rules)) if (rc.severity) severityOverrides[id] = rc.severity;

      const ignoreFile = opts.ignoreFile ?? cfg.ignoreFile ?? path.join(io.cwd, DEFAULT_IGNORE_FILE);
      const ignores = await loadIgnoreFile(ignoreFile, !opts.ignoreFile && !cfg.ignoreFile);
      const baselineFile = opts.baseline ?? cfg.baseline;
      const baseline = baselineFile ? await loadBaseline(baselineFile) : undefined;

      const loaded = await loadPaths(inputs, { maxFileSize, readStdin: io.readStdin });
      const state = new ClusterState({ objects: loaded.objects, notAssessed: loaded.notAssessed, origin: loaded.fromSnapshot ? 'snapshot' : 'manifests' });
      const failOn = (opts.failOn as Severity | 'none' | undefined) ?? cfg.failOn ?? 'high';
      const result: ScanResult = scan(state, {
        rules,
        severityOverrides,
        failOn,
        inputErrors: loaded.errors,
        files: loaded.files,
        includeControlled: opts.includeControlled,
        suppression: {
          excludeNamespaces: [...cfg.excludeNamespaces, ...opts.excludeNamespace],
          excludeResources: cfg.excludeResources,
          ignores,
          baseline,
          today: new Date().toISOString().slice(0, 10),
        },
      });

      const reporter = reporters[opts.format];
      const rendered = reporter.render(result, { color: io.color && !opts.output && opts.format === 'text', rules, cwd: io.cwd });
      if (opts.output) await io.writeFile(opts.output, rendered);
      else io.out(rendered);
      if (opts.writeBaseline) await io.writeFile(opts.writeBaseline, reporters.json.render(result, { color: false, rules, cwd: io.cwd }));
      // Input errors go to stderr too, unless the text report on stdout already shows them.
      if (result.errors.length > 0 && (opts.output || opts.format !== 'text')) {
        for (const e of result.errors) io.err(`kubeward: ${formatInputError(e, io.cwd)}\n`);
      }
      env.setExit(result.errors.length > 0 ? 2 : result.summary.failed ? 1 : 0);
    });
}
