import { PILLARS, PILLAR_TITLES, SEVERITIES, type Finding, type ScanResult } from '../core/types.js';
import type { ReportContext, ReporterEntry } from './types.js';
import * as path from 'node:path';

const SEV_COLOR: Record<string, string> = {
  critical: '\x1b[1;35m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';

export function relFile(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const r = path.relative(cwd, file);
  return r.startsWith('..') ? file : r;
}

export function where(f: Finding, cwd: string): string {
  if (!f.location) return '';
  const file = relFile(f.location.file, cwd);
  return f.location.line > 0 ? `${file}:${f.location.line}:${f.location.column}` : file;
}

/** The one command that fixes a cloud finding, when its evidence carries one (aws CLI, gcloud, az, kubectl). */
export function fixCommand(f: Finding): string | undefined {
  const e = f.evidence as { awsCli?: unknown; fix?: { command?: unknown } } | undefined;
  const cmd = e?.awsCli ?? e?.fix?.command;
  return typeof cmd === 'string' && cmd.length > 0 ? cmd : undefined;
}

export function resourceName(f: Finding): string {
  const r = f.resource;
  return `${r.kind} ${r.namespace ? r.namespace + '/' : ''}${r.name}`;
}

function render(result: ScanResult, ctx: ReportContext): string {
  const c = (code: string, s: string) => (ctx.color ? code + s + RESET : s);
  const lines: string[] = [];
  const active = result.findings.filter((f) => !f.suppressed);
  for (const pillar of PILLARS) {
    const inPillar = active.filter((f) => f.pillar === pillar);
    if (inPillar.length === 0) continue;
    lines.push(c(BOLD, `${PILLAR_TITLES[pillar]} (${inPillar.length})`));
    for (const sev of SEVERITIES) {
      const group = inPillar.filter((f) => f.severity === sev);
      if (group.length === 0) continue;
      lines.push(`  ${c(SEV_COLOR[sev], sev.toUpperCase())} (${group.length})`);
      for (const f of group) {
        lines.push(`    ${c(BOLD, f.ruleId)}  ${resourceName(f)}: ${f.message}`);
        const w = where(f, ctx.cwd);
        if (w) lines.push(`      ${c(DIM, w)}`);
        const fix = fixCommand(f);
        if (fix) lines.push(`      ${c(DIM, `fix: $ ${fix}`)}`);
      }
    }
    lines.push('');
  }
  const sup = result.findings.filter((f) => f.suppressed);
  if (sup.length > 0) {
    lines.push(c(BOLD, `Suppressed (${sup.length})`));
    for (const f of sup) {
      lines.push(`    ${f.ruleId}  ${resourceName(f)}: ${f.message}  ${c(DIM, `[${f.suppressed!.by}: ${f.suppressed!.reason}]`)}`);
    }
    lines.push('');
  }
  if (result.expiredSuppressions?.length) {
    lines.push(c(BOLD, `Expired suppressions (${result.expiredSuppressions.length}) no longer apply`));
    for (const e of result.expiredSuppressions) lines.push(`    ${e.rule} expired ${e.expires} (${e.source}): ${e.reason}`);
    lines.push('');
  }
  if (result.notAssessed.length > 0) {
    lines.push(c(BOLD, `Not assessed (${result.notAssessed.length})`));
    for (const n of result.notAssessed) lines.push(`    ${n.what}: ${n.reason}${n.rules?.length ? ` (rules: ${n.rules.join(', ')})` : ''}`);
    lines.push('');
  }
  if (result.errors.length > 0) {
    lines.push(c(BOLD, `Input errors (${result.errors.length})`));
    for (const e of result.errors) lines.push(`    ${formatInputError(e, ctx.cwd)}`);
    lines.push('');
  }
  const s = result.summary;
  const counts = SEVERITIES.filter((x) => s.bySeverity[x] > 0).map((x) => `${s.bySeverity[x]} ${x}`);
  const summary =
    `${s.active} finding${s.active === 1 ? '' : 's'}` +
    (counts.length ? ` (${counts.join(', ')})` : '') +
    `, ${s.suppressed} suppressed, in ${s.objects} object${s.objects === 1 ? '' : 's'} from ${s.files} file${s.files === 1 ? '' : 's'}` +
    (result.notAssessed.length ? `, ${result.notAssessed.length} not assessed` : '') +
    (result.errors.length ? `, ${result.errors.length} input error${result.errors.length === 1 ? '' : 's'}` : '') +
    (s.failOn === 'none' ? '' : s.failed ? ` — FAIL (findings at or above ${s.failOn})` : ` — PASS (nothing at or above ${s.failOn})`);
  lines.push(c(BOLD, summary));
  return lines.join('\n') + '\n';
}

export function formatInputError(e: { file: string; line?: number; column?: number; message: string }, cwd: string): string {
  const loc = relFile(e.file, cwd) + (e.line ? `:${e.line}${e.column ? ':' + e.column : ''}` : '');
  return `${loc}: ${e.message}`;
}

export const textReporter: ReporterEntry = {
  description: 'human-readable report grouped by pillar and severity (default)',
  extension: 'txt',
  render,
};
