// Markdown for pull-request comments (GitHub-flavoured): a summary table by severity, findings
// grouped by pillar and severity as tables, suppressed findings folded in <details>, then gaps and
// input errors. Stays under GitHub's 65,536-character comment limit by dropping rows, with a note.
import { PILLARS, PILLAR_TITLES, SEVERITIES, type Finding, type ScanResult, type Severity } from '../core/types.js';
import { displayFile, fileLine, plural, resourceLabel } from './common.js';
import type { ReportContext, ReporterEntry } from './types.js';

/** GitHub rejects issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Hidden marker so a CI job can find (and update) its previous comment. */
export const MARKDOWN_MARKER = '<!-- kubeward-report -->';
/** Room kept for the truncation note. */
const NOTE_RESERVE = 600;
/** The not-assessed / input-error / expired sections together get at most this much. */
const TAIL_MAX = 12_000;

/** Newlines become spaces; other control characters a visible \uXXXX. */
function visible(s: string): string {
  return s
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * Escapes text for a GFM paragraph or table cell: markdown punctuation is backslash-escaped (so
 * `|` cannot split a cell and `<tag>` cannot open HTML), line breaks become spaces, control characters
 * a visible \uXXXX, and `@name`
 * gets a zero-width space so that text from manifests cannot notify people.
 */
export function mdText(s: string): string {
  return visible(s)
    .replace(/[\\`*_[\]<>|~&]/g, '\\$&')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}

/**
 * A code span that survives any content: the fence is one backtick longer than the longest run
 * of backticks inside, and `|` is escaped for table cells (GFM removes the backslash before
 * building the code span).
 */
export function mdCode(s: string): string {
  const text = visible(s);
  if (text === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Collects lines up to a character budget. */
class Budget {
  readonly lines: string[] = [];
  used = 0;
  constructor(public limit: number) {}
  fits(...ls: string[]): boolean {
    return this.used + ls.reduce((n, l) => n + l.length + 1, 0) <= this.limit;
  }
  add(...ls: string[]): boolean {
    if (!this.fits(...ls)) return false;
    for (const l of ls) {
      this.lines.push(l);
      this.used += l.length + 1;
    }
    return true;
  }
}

/** Adds a table with as many rows as fit (none at all if not even the first row fits). Returns the rows added. */
function table(b: Budget, header: string[], rows: string[][], before: string[] = []): number {
  if (rows.length === 0) return 0;
  const head = [row(header), row(header.map(() => '---'))];
  if (!b.add(...before, ...head, row(rows[0]))) return 0;
  let n = 1;
  for (; n < rows.length; n++) if (!b.add(row(rows[n]))) break;
  b.add('');
  return n;
}

function countBy(fs: readonly Finding[], sev: Severity): number {
  return fs.reduce((n, f) => n + (f.severity === sev ? 1 : 0), 0);
}

function summary(res: ScanResult): string[] {
  const s = res.summary;
  const active = res.findings.filter((f) => !f.suppressed);
  const suppressed = res.findings.filter((f) => f.suppressed);
  const counts = SEVERITIES.filter((x) => s.bySeverity[x] > 0).map((x) => `${s.bySeverity[x]} ${x}`);
  const verdict =
    s.failOn === 'none'
      ? ''
      : s.failed
        ? ` **FAIL**: findings at or above ${mdCode(s.failOn)}.`
        : ` **PASS**: nothing at or above ${mdCode(s.failOn)}.`;
  const extra = [
    res.notAssessed.length ? `${res.notAssessed.length} not assessed` : '',
    res.errors.length ? plural(res.errors.length, 'input error') : '',
  ].filter(Boolean);
  const line =
    `**${mdText(res.tool.name)} ${mdText(res.tool.version)}**: **${plural(s.active, 'finding')}**` +
    (counts.length ? ` (${counts.join(', ')})` : '') +
    `, ${s.suppressed} suppressed, in ${plural(s.objects, 'object')} from ${plural(s.files, 'file')}` +
    (extra.length ? `; ${extra.join(', ')}` : '') +
    '.' +
    verdict;
  const lines = [MARKDOWN_MARKER, `## kubeward scan`, '', line, ''];
  if (res.findings.length > 0) {
    lines.push(row(['Severity', 'Findings', 'Suppressed']), row(['---', '---:', '---:']));
    for (const sev of SEVERITIES) lines.push(row([sev, String(countBy(active, sev)), String(countBy(suppressed, sev))]));
    lines.push(row(['**total**', `**${active.length}**`, `**${suppressed.length}**`]), '');
  }
  return lines;
}

function findingRow(f: Finding, cwd: string): string[] {
  const loc = fileLine(f, cwd);
  return [mdCode(f.ruleId), mdCode(resourceLabel(f.resource)), mdText(f.message), loc ? mdCode(loc) : ''];
}

function tail(res: ScanResult, cwd: string): { lines: string[]; omitted: number } {
  const b = new Budget(TAIL_MAX);
  let omitted = 0;
  const section = <T>(title: string, items: readonly T[], fmt: (x: T) => string) => {
    if (items.length === 0) return;
    if (!b.add(`### ${title} (${items.length})`, '')) {
      omitted += items.length;
      return;
    }
    let i = 0;
    for (; i < items.length; i++) if (!b.add(fmt(items[i]))) break;
    omitted += items.length - i;
    b.add('');
  };
  section('Not assessed', res.notAssessed, (n) => `- **${mdText(n.what)}**: ${mdText(n.reason)}${n.rules?.length ? ` (rules: ${n.rules.map(mdCode).join(', ')})` : ''}`);
  section('Input errors', res.errors, (e) => {
    const where = displayFile(e.file, cwd) + (e.line ? `:${e.line}${e.column ? ':' + e.column : ''}` : '');
    return `- ${mdCode(where)}: ${mdText(e.message)}`;
  });
  section('Expired suppressions', res.expiredSuppressions ?? [], (e) => `- ${mdCode(e.rule)} expired ${mdText(e.expires)} (${mdCode(e.source)}): ${mdText(e.reason)}`);
  return { lines: b.lines, omitted };
}

function render(res: ScanResult, ctx: ReportContext): string {
  const head = summary(res);
  const end = tail(res, ctx.cwd);
  const headLen = head.reduce((n, l) => n + l.length + 1, 0);
  const endLen = end.lines.reduce((n, l) => n + l.length + 1, 0);
  const b = new Budget(GITHUB_COMMENT_LIMIT - NOTE_RESERVE - headLen - endLen);

  const active = res.findings.filter((f) => !f.suppressed);
  const suppressed = res.findings.filter((f) => f.suppressed);
  let shownActive = 0;
  let full = false;
  for (const pillar of PILLARS) {
    const inPillar = active.filter((f) => f.pillar === pillar);
    if (inPillar.length === 0 || full) continue;
    if (!b.add(`### ${PILLAR_TITLES[pillar]} (${inPillar.length})`, '')) {
      full = true;
      break;
    }
    for (const sev of SEVERITIES) {
      const group = inPillar.filter((f) => f.severity === sev);
      if (group.length === 0) continue;
      const n = table(b, ['Rule', 'Resource', 'Message', 'Location'], group.map((f) => findingRow(f, ctx.cwd)), [`#### ${sev} (${group.length})`, '']);
      shownActive += n;
      if (n < group.length) {
        full = true;
        break;
      }
    }
  }

  let shownSuppressed = 0;
  if (suppressed.length > 0 && !full) {
    const close = ['</details>', ''];
    b.limit -= close.reduce((n, l) => n + l.length + 1, 0);
    const rows = suppressed.map((f) => [...findingRow(f, ctx.cwd), mdText(f.suppressed!.by), mdText(f.suppressed!.reason)]);
    shownSuppressed = table(b, ['Rule', 'Resource', 'Message', 'Location', 'Suppressed by', 'Reason'], rows, [
      '<details>',
      `<summary>Suppressed findings (${suppressed.length})</summary>`,
      '',
    ]);
    b.limit += close.reduce((n, l) => n + l.length + 1, 0);
    if (shownSuppressed > 0) b.add(...close);
  }

  const out = [...head, ...b.lines, ...end.lines];
  const missing = [
    active.length > shownActive ? `${active.length - shownActive} of ${plural(active.length, 'finding')}` : '',
    suppressed.length > shownSuppressed ? `${suppressed.length - shownSuppressed} of ${suppressed.length} suppressed` : '',
    end.omitted > 0 ? `${end.omitted} not-assessed, input-error or expiry notes` : '',
  ].filter(Boolean);
  if (missing.length > 0) {
    out.push(
      `> **Note:** this report was shortened to fit a GitHub comment; not shown: ${missing.join('; ')}. ` +
        'Run `kubeward scan --format json` or `--format sarif` for the full report.',
      '',
    );
  }
  return out.join('\n');
}

export const markdownReporter: ReporterEntry = {
  description: 'GitHub-flavoured markdown for pull-request comments (fits the 65,536-character limit)',
  extension: 'md',
  render,
};
