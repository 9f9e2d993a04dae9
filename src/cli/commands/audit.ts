import { Command, Option } from 'commander';
import { promises as fsp } from 'node:fs';
import type { CommandEnv } from '../main.js';
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../../core/types.js';
import { lintPolicy, type LintResult } from '../../audit/policy/lint.js';
import { generatePolicy, PROFILES, PROFILE_NOTES, type Profile } from '../../audit/policy/generate.js';
import { ioMessage } from '../../loaders/files.js';
import { registerAuditAnalyze } from './audit-analyze.js';
import { registerAuditServe } from './audit-serve.js';
import { registerAuditQuery } from './audit-query.js';

export function registerAudit(program: Command, env: CommandEnv): void {
  const audit = program.command('audit').description('Kubernetes audit logging: lint and generate audit policies, analyze audit logs, receive and query the webhook stream');
  registerAuditAnalyze(audit, env);
  registerAuditServe(audit, env);
  registerAuditQuery(audit, env);
  const policy = audit.command('policy').description('lint or generate a kube-apiserver audit policy (audit.k8s.io/v1 Policy)');

  policy
    .command('lint')
    .description('find the mistakes that silently lose or leak audit data, and show which sensitive actions are logged at which level')
    .argument('<file...>', 'audit policy files (the --audit-policy-file of kube-apiserver)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...SEVERITIES, 'none']).default('medium'))
    .option('--no-coverage', 'do not print the coverage table (text format)')
    .addHelpText(
      'after',
      `
Checks: rules that can never match (after a catch-all or a broader rule), "pods" without
pods/exec and friends, resources under the wrong API group, secrets/configmaps/tokens at Request or
RequestResponse (credentials in logs), RBAC/webhook/exec not logged, RequestReceived not omitted,
managedFields not omitted, non-resource URLs mixed with resources.
Exit codes: 0 clean below --fail-on; 1 findings at or above it; 2 unreadable or invalid policy.`,
    )
    .action(async (files: string[], opts: { format: string; failOn: Severity | 'none'; coverage: boolean }) => {
      const results: LintResult[] = [];
      for (const f of files) {
        let text: string;
        try {
          text = await fsp.readFile(f, 'utf8');
        } catch (e) {
          results.push({ file: f, findings: [], coverage: [], errors: [{ message: ioMessage(e) }] });
          continue;
        }
        results.push(lintPolicy(text, f));
      }
      const io = env.io;
      if (opts.format === 'json') io.out(JSON.stringify(files.length === 1 ? results[0] : results, null, 2) + '\n');
      else for (const r of results) io.out(renderLint(r, opts.coverage));
      let code = 0;
      for (const r of results) {
        if (r.errors.length > 0) code = Math.max(code, 2);
        if (opts.failOn !== 'none' && r.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.failOn as Severity])) code = Math.max(code, 1);
        if (opts.format === 'json') for (const e of r.errors) io.err(`kubeward: ${r.file}${e.line ? ':' + e.line : ''}: ${e.message}\n`);
      }
      env.setExit(code);
    });

  policy
    .command('generate')
    .description('write an audit policy: minimal, recommended or forensic')
    .addOption(new Option('--profile <profile>', 'how much to log').choices([...PROFILES]).default('recommended'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText('after', '\nProfiles:\n' + PROFILES.map((p) => `  ${p.padEnd(12)} ${PROFILE_NOTES[p]}`).join('\n') + '\n\nUse with kube-apiserver --audit-policy-file (self-managed control planes; EKS, AKS and GKE apply their own fixed policy).')
    .action(async (opts: { profile: Profile; output?: string }) => {
      const text = generatePolicy(opts.profile);
      if (opts.output) await env.io.writeFile(opts.output, text);
      else env.io.out(text);
    });
}

function renderLint(r: LintResult, coverage: boolean): string {
  const lines: string[] = [];
  for (const e of r.errors) lines.push(`${r.file}${e.line ? ':' + e.line : ''}: error: ${e.message}`);
  for (const f of r.findings) lines.push(`${r.file}${f.line ? ':' + f.line : ''}: ${f.severity} ${f.id}: ${f.message}`);
  if (coverage && r.coverage.length > 0) {
    lines.push('', `Coverage of sensitive actions (${r.file}):`);
    const w = Math.max(...r.coverage.map((c) => c.title.length));
    for (const c of r.coverage) {
      const mark = c.verdict === 'ok' ? 'ok  ' : c.verdict === 'leaks' ? 'LEAK' : c.verdict === 'not-logged' ? 'MISS' : 'LOW ';
      lines.push(`  ${mark}  ${c.title.padEnd(w)}  ${c.level.padEnd(15)} ${c.rule >= 0 ? `rule ${c.rule + 1}${c.line ? ` (line ${c.line})` : ''}` : 'no rule matches'}  expected ${c.expected}`);
    }
  }
  const n = r.findings.length;
  lines.push('', `${r.file}: ${r.errors.length ? `${r.errors.length} error(s), ` : ''}${n} finding${n === 1 ? '' : 's'}`, '');
  return lines.join('\n');
}


