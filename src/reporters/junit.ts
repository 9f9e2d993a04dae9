// JUnit XML, for CI dashboards (GitLab, Jenkins, Azure DevOps, CircleCI...). One <testsuite> per
// pillar; one <testcase> per (rule, resource): <failure> when it has active findings, <skipped>
// when all its findings are suppressed; a passing <testcase> for each rule that ran and found
// nothing, so the dashboard shows what was checked. Input errors are <error>s and "not assessed"
// gaps are skipped cases, in suites of their own.
import { PILLARS, PILLAR_TITLES, SEVERITY_RANK, type Finding, type Pillar, type ScanResult } from '../core/types.js';
import { displayFile, fileLine, resourceLabel } from './common.js';
import type { ReportContext, ReporterEntry } from './types.js';

/** Characters XML 1.0 allows; anything else (C0 controls, lone surrogates, U+FFFE/FFFF) is written as a visible \uXXXX. */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function visible(s: string): string {
  return s.replace(INVALID_XML, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

export function xmlText(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function xmlAttr(s: string): string {
  return visible(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

interface Case {
  classname: string;
  name: string;
  file?: string;
  line?: number;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  error?: { message: string; type: string; body?: string };
}

interface Suite {
  name: string;
  cases: Case[];
}

function findingLines(f: Finding, cwd: string): string {
  const loc = fileLine(f, cwd);
  return `${loc ? loc + ': ' : ''}${f.message}${f.path ? ` (at ${f.path})` : ''}`;
}

function caseFor(ruleId: string, pillar: Pillar, fs: Finding[], cwd: string): Case {
  const active = fs.filter((f) => !f.suppressed);
  const suppressed = fs.filter((f) => f.suppressed);
  const first = fs[0];
  const c: Case = {
    classname: `kubeward.${pillar}.${ruleId}`,
    name: resourceLabel(first.resource),
    ...(first.location ? { file: displayFile(first.location.file, cwd) } : {}),
    ...(first.location && first.location.line > 0 ? { line: first.location.line } : {}),
  };
  if (active.length > 0) {
    const worst = active.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
    const body = [
      `${first.title} (${ruleId}) on ${resourceLabel(first.resource)}`,
      '',
      ...active.map((f) => `[${f.severity}] ${findingLines(f, cwd)}`),
      ...suppressed.map((f) => `[suppressed: ${f.suppressed!.reason}] ${findingLines(f, cwd)}`),
      '',
      `Remediation: ${worst.remediation}`,
    ].join('\n');
    c.failure = {
      message: active.length === 1 ? active[0].message : `${active.length} findings: ${active.map((f) => f.message).join('; ')}`,
      type: worst.severity,
      body,
    };
  } else {
    c.skipped = suppressed.map((f) => f.suppressed!.reason).filter((r, i, a) => a.indexOf(r) === i).join('; ');
  }
  return c;
}

function suites(res: ScanResult, ctx: ReportContext): Suite[] {
  const ruleInfo = new Map<string, Pillar>();
  for (const r of ctx.rules) ruleInfo.set(r.meta.id, r.meta.pillar);
  for (const f of res.findings) if (!ruleInfo.has(f.ruleId)) ruleInfo.set(f.ruleId, f.pillar);

  // (rule, resource) -> findings, in the result's (sorted) order of first appearance.
  const groups = new Map<string, Finding[]>();
  for (const f of res.findings) {
    const r = f.resource;
    const key = [f.ruleId, r.apiVersion, r.kind, r.namespace ?? '', r.name].join('\u0000');
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const byPillar = new Map<Pillar, Case[]>();
  const push = (p: Pillar, c: Case) => {
    const l = byPillar.get(p);
    if (l) l.push(c);
    else byPillar.set(p, [c]);
  };
  const withFindings = new Set<string>();
  for (const fs of groups.values()) {
    withFindings.add(fs[0].ruleId);
    push(fs[0].pillar, caseFor(fs[0].ruleId, fs[0].pillar, fs, ctx.cwd));
  }
  for (const [id, pillar] of ruleInfo) {
    if (!withFindings.has(id)) push(pillar, { classname: `kubeward.${pillar}.${id}`, name: `${id}: no findings` });
  }

  const out: Suite[] = [];
  for (const p of PILLARS) {
    const cases = byPillar.get(p);
    if (cases?.length) out.push({ name: PILLAR_TITLES[p], cases });
  }
  if (res.notAssessed.length > 0) {
    out.push({
      name: 'Not assessed',
      cases: res.notAssessed.map((n) => ({
        classname: 'kubeward.not-assessed',
        name: n.what,
        skipped: `${n.reason}${n.rules?.length ? ` (rules: ${n.rules.join(', ')})` : ''}`,
      })),
    });
  }
  if (res.errors.length > 0) {
    out.push({
      name: 'Input errors',
      cases: res.errors.map((e) => {
        const file = displayFile(e.file, ctx.cwd);
        return {
          classname: 'kubeward.input',
          name: file + (e.line ? `:${e.line}` : ''),
          file,
          ...(e.line ? { line: e.line } : {}),
          error: { message: e.message, type: 'input-error' },
        };
      }),
    });
  }
  return out;
}

function counts(cases: readonly Case[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
  };
}

function render(res: ScanResult, ctx: ReportContext): string {
  const all = suites(res, ctx);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites${attrs({ name: `${res.tool.name} ${res.tool.version}`, ...counts(all.flatMap((s) => s.cases)) })}>`);
  for (const s of all) {
    lines.push(`  <testsuite${attrs({ name: s.name, ...counts(s.cases) })}>`);
    for (const c of s.cases) {
      const open = `    <testcase${attrs({ classname: c.classname, name: c.name, file: c.file, line: c.line })}`;
      if (c.failure) {
        lines.push(`${open}>`);
        lines.push(`      <failure${attrs({ message: c.failure.message, type: c.failure.type })}>${xmlText(c.failure.body)}</failure>`);
        lines.push('    </testcase>');
      } else if (c.error) {
        lines.push(`${open}>`);
        lines.push(`      <error${attrs({ message: c.error.message, type: c.error.type })}/>`);
        lines.push('    </testcase>');
      } else if (c.skipped !== undefined) {
        lines.push(`${open}>`);
        lines.push(`      <skipped${attrs({ message: c.skipped })}/>`);
        lines.push('    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

export const junitReporter: ReporterEntry = {
  description: 'JUnit XML for CI test dashboards (a test case per rule and resource)',
  extension: 'xml',
  render,
};
