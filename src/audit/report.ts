// Renderers of an audit analysis, in one typed map (the CLI's --format choices come from its keys).
// Each renders in pieces, so that detections streamed from the spill file (AuditAnalyzer.stream())
// never are all in memory, nor the report one string; `text` and `json` give the same bytes in one
// string, from an in-memory result.
import { SEVERITIES, type Severity } from '../core/types.js';
import { coalesce } from '../core/chunks.js';
import { jsonChunks, StreamedArray } from '../reporters/json-stream.js';
import type { AnalyzeResult, StreamedAnalyzeResult } from './analyze.js';
import type { AuditDetection } from './engine.js';

export interface AuditReportContext {
  color: boolean;
  /** Detections at or above this severity make the run fail (shown in the summary). */
  failOn: Severity | 'none';
  /** Problems listed in the text report (the counts are always complete). */
  maxProblems?: number;
}

export type AuditRenderer = (r: AnalyzeResult, ctx: AuditReportContext) => string;

/** A renderer in pieces: the pieces joined are the report. Reads `r.detections` once. */
export type AuditChunkRenderer = (r: AnalyzeResult | StreamedAnalyzeResult, ctx: AuditReportContext) => Iterable<string>;

/**
 * Pieces are joined up to about this many characters before being handed out: below V8's
 * large-object size (128 KiB, two bytes per character at worst), so that the pieces of a large
 * report die young instead of piling up in large-object space until a full collection.
 */
const CHUNK = 1 << 15;

const COLORS: Record<Severity, string> = { critical: '\x1b[1;35m', high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };

const n = (x: number): string => x.toLocaleString('en-US');

function renderDetection(d: AuditDetection, color: boolean): string[] {
  const sev = d.severity.toUpperCase().padEnd(8);
  const head = `${color ? COLORS[d.severity] + sev + '\x1b[0m' : sev} ${d.id}  ${d.time || '(no time)'}  ${d.file}:${d.line}`;
  const meta = [
    `user ${d.user || '(unknown)'}${d.impersonatedUser ? ` as ${d.impersonatedUser}` : ''}`,
    d.sourceIP ? `from ${d.sourceIP}` : '',
    d.auditID ? `auditID ${d.auditID}` : '',
    d.provider !== 'kubernetes' ? d.provider : '',
    d.mitre.length ? `[${d.mitre.join(', ')}]` : '',
  ].filter(Boolean);
  return [head, `         ${d.message}`, `         ${meta.join('  ')}`];
}

export function textChunks(r: AnalyzeResult | StreamedAnalyzeResult, ctx: AuditReportContext): Iterable<string> {
  return coalesce(textPieces(r, ctx), CHUNK);
}

function* textPieces(r: AnalyzeResult | StreamedAnalyzeResult, ctx: AuditReportContext): Generator<string> {
  const s = r.stats;
  const providers = Object.entries(s.byProvider)
    .map(([p, c]) => `${p} ${n(c ?? 0)}`)
    .join(', ');
  yield `kubeward audit analyze: ${n(s.files)} input${s.files === 1 ? '' : 's'}, ${n(s.read)} records, ${n(s.parsed)} events${providers ? ` (${providers})` : ''}\n\n`;
  for (const d of r.detections) yield renderDetection(d, ctx.color).join('\n') + '\n\n';
  yield textFooter(r, ctx);
}

function textFooter(r: AnalyzeResult | StreamedAnalyzeResult, ctx: AuditReportContext): string {
  const out: string[] = [];
  const s = r.stats;
  const counts = SEVERITIES.filter((x) => s.bySeverity[x] > 0).map((x) => `${x} ${s.bySeverity[x]}`);
  out.push(`Detections: ${s.detections}${counts.length ? ` (${counts.join(', ')})` : ''}${ctx.failOn !== 'none' ? `; failing at ${ctx.failOn} and above` : ''}`);
  if (s.capped) {
    const ids = Object.entries(s.capped.byId).sort((a, b) => b[1] - a[1]);
    out.push(`State capped: ${n(s.capped.detectionsNotListed)} detections counted but not listed (only the first ${n(s.capped.maxPerDetection)} of each detection are kept; --max-per-detection): ${ids.slice(0, 6).map(([k, v]) => `${k} ${n(v)}`).join(', ')}${ids.length > 6 ? ', ...' : ''}`);
  }
  out.push(`Input: read ${n(s.read)}, parsed ${n(s.parsed)}, malformed ${n(s.malformed)}, truncated ${n(s.truncated)}, skipped ${n(s.skipped)}`);
  const reasons = Object.entries(s.skippedReasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) out.push(`Skipped: ${reasons.slice(0, 6).map(([k, v]) => `${k} (${n(v)})`).join('; ')}${reasons.length > 6 ? '; ...' : ''}`);
  const shown = r.problems.filter((p) => p.kind !== 'skipped');
  const max = ctx.maxProblems ?? 20;
  if (shown.length > 0) {
    out.push('', 'Problems:');
    for (const p of shown.slice(0, max)) out.push(`  ${p.file}${p.line ? ':' + p.line : ''}: ${p.kind}: ${p.message}`);
    const total = s.malformed + s.truncated + r.inputs.filter((i) => i.error).length;
    if (total > Math.min(shown.length, max)) out.push(`  ... ${n(total - Math.min(shown.length, max))} more (see --format json)`);
  }
  if (s.parsed === 0 && s.read > 0) out.push('', 'No audit events were recognised in the input (see the supported formats with --list-formats).');
  return out.join('\n') + '\n';
}

export const text: AuditRenderer = (r, ctx) => [...textChunks(r, ctx)].join('');

export const json: AuditRenderer = (r) => JSON.stringify(r, null, 2) + '\n';

/** The JSON report of a (possibly streamed) result, with extra top-level members after its own. */
export const jsonReportChunks = (r: AnalyzeResult | StreamedAnalyzeResult, extra: Record<string, unknown> = {}): Iterable<string> =>
  jsonChunks({ ...r, ...extra, detections: new StreamedArray(r.detections) }, 2, 4, CHUNK);

export const auditRenderers = {
  text: textChunks,
  json: (r) => jsonReportChunks(r),
} as const satisfies Record<string, AuditChunkRenderer>;
export type AuditFormatName = keyof typeof auditRenderers;
