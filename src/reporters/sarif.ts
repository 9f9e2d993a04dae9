// SARIF 2.1.0 (OASIS): for GitHub code scanning, Azure DevOps, VS Code SARIF viewer and friends.
// One run; one reportingDescriptor per rule that ran; one result per finding (suppressed ones carry
// `suppressions`); input errors and "not assessed" gaps become tool execution notifications.
import { sha256 as sha256Of } from '../core/sha256.js';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PILLAR_TITLES, type Finding, type InputError, type RuleMeta, type ScanResult, type Severity } from '../core/types.js';
import { fingerprint } from '../core/suppress.js';
import { displayFile, isDiskFile, resourceLabel, resourceQualifiedName } from './common.js';
import type { ReportContext, ReporterEntry } from './types.js';
import { jsonChunks } from './json-stream.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
/** Key of our entry in result.partialFingerprints; bump the suffix if fingerprint() ever changes. */
export const FINGERPRINT_KEY = 'kubeward/v1';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = Object.freeze({
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
});

/** CVSS-like score GitHub code scanning reads from `properties["security-severity"]` (a string). */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = Object.freeze({
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
});

// Only the parts of the SARIF object model we emit.
type Json = Record<string, unknown>;
interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}
interface PhysicalLocation {
  artifactLocation: ArtifactLocation;
  region?: { startLine: number; startColumn?: number };
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function ruleTags(meta: Pick<RuleMeta, 'pillar' | 'compliance'>): string[] {
  const c = meta.compliance ?? {};
  const tags = ['security', 'kubernetes', meta.pillar];
  if (c.pss) tags.push(`pss-${c.pss}`);
  for (const x of c.cis ?? []) tags.push(x);
  for (const x of c.mitre ?? []) tags.push(`mitre-attack/${x}`);
  return [...new Set(tags)];
}

function helpText(meta: RuleMeta): string {
  const refs = meta.references.length ? `\n\nReferences:\n${meta.references.map((r) => `- ${r}`).join('\n')}` : '';
  return `${meta.description}\n\nRemediation: ${meta.remediation}${refs}`;
}

function helpMarkdown(meta: RuleMeta): string {
  const c = meta.compliance ?? {};
  const mapped = [
    c.pss ? `Pod Security Standards: ${c.pss}` : '',
    c.cis?.length ? `CIS: ${c.cis.join(', ')}` : '',
    c.mitre?.length ? `MITRE ATT&CK: ${c.mitre.join(', ')}` : '',
  ].filter(Boolean);
  return [
    `**${meta.title}** (${PILLAR_TITLES[meta.pillar]}, default severity ${meta.severity})`,
    meta.description,
    `**Remediation:** ${meta.remediation}`,
    ...(mapped.length ? [mapped.join(' · ')] : []),
    ...(meta.references.length ? [`**References:**\n${meta.references.map((r) => `- <${r}>`).join('\n')}`] : []),
  ].join('\n\n');
}

function ruleDescriptor(meta: RuleMeta): Json {
  const c = meta.compliance ?? {};
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    help: { text: helpText(meta), markdown: helpMarkdown(meta) },
    ...(meta.references.length ? { helpUri: meta.references[0] } : {}),
    defaultConfiguration: { level: SARIF_LEVEL[meta.severity] },
    properties: {
      tags: ruleTags(meta),
      'security-severity': SECURITY_SEVERITY[meta.severity],
      precision: 'high',
      pillar: meta.pillar,
      severity: meta.severity,
      ...(c.pss ? { pss: c.pss } : {}),
      ...(c.cis?.length ? { cis: [...c.cis] } : {}),
      ...(c.mitre?.length ? { mitre: [...c.mitre] } : {}),
    },
  };
}

/** A descriptor for a finding whose rule is not in ctx.rules (should not happen; keeps ruleIndex valid). */
function descriptorFromFinding(f: Finding): Json {
  return ruleDescriptor({
    id: f.ruleId,
    title: f.title,
    pillar: f.pillar,
    severity: f.severity,
    description: f.title,
    remediation: f.remediation,
    references: [],
    compliance: {},
    messages: {},
  });
}

/** A relative `uri` under %SRCROOT% for files inside cwd, an absolute file: URI otherwise. */
export function artifactLocation(file: string, cwd: string): ArtifactLocation | undefined {
  if (!isDiskFile(file)) return undefined;
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function physicalLocation(file: string, line: number | undefined, column: number | undefined, cwd: string): PhysicalLocation | undefined {
  const artifact = artifactLocation(file, cwd);
  if (!artifact) return undefined;
  const loc: PhysicalLocation = { artifactLocation: artifact };
  if (line && line > 0) loc.region = { startLine: line, ...(column && column > 0 ? { startColumn: column } : {}) };
  return loc;
}

function sha256(s: string): string {
  return sha256Of(s, 'hex');
}

function result(f: Finding, ruleIndex: number, cwd: string): Json {
  const r = f.resource;
  const phys = f.location ? physicalLocation(f.location.file, f.location.line, f.location.column, cwd) : undefined;
  const logical = {
    name: r.name,
    fullyQualifiedName: resourceQualifiedName(r),
    kind: 'resource',
    properties: { apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}) },
  };
  const out: Json = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SARIF_LEVEL[f.severity],
    message: { text: `${resourceLabel(r)}: ${f.message}` },
    locations: [{ ...(phys ? { physicalLocation: phys } : {}), logicalLocations: [logical] }],
    partialFingerprints: { [FINGERPRINT_KEY]: sha256(fingerprint(f)) },
    properties: {
      severity: f.severity,
      pillar: f.pillar,
      messageId: f.messageId,
      ...(f.path ? { path: f.path } : {}),
      ...(f.location && !phys ? { source: f.location.file } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
    },
  };
  if (f.suppressed) {
    const s = f.suppressed;
    out.suppressions = [
      {
        kind: s.by === 'annotation' ? 'inSource' : 'external',
        status: 'accepted',
        justification: s.reason,
        properties: { by: s.by, ...(s.expires ? { expires: s.expires } : {}) },
      },
    ];
  }
  return out;
}

function inputErrorNotification(e: InputError, cwd: string): Json {
  const phys = physicalLocation(e.file, e.line, e.column, cwd);
  return {
    descriptor: { id: 'input-error' },
    level: 'error',
    message: { text: `${displayFile(e.file, cwd)}${e.line ? `:${e.line}` : ''}: ${e.message}` },
    ...(phys ? { locations: [{ physicalLocation: phys }] } : {}),
  };
}

function sarifLog(res: ScanResult, ctx: ReportContext): Json {
  const rules: Json[] = [];
  const index = new Map<string, number>();
  const add = (id: string, d: Json) => {
    if (index.has(id)) return;
    index.set(id, rules.length);
    rules.push(d);
  };
  for (const r of ctx.rules) add(r.meta.id, ruleDescriptor(r.meta));
  for (const f of res.findings) if (!index.has(f.ruleId)) add(f.ruleId, descriptorFromFinding(f));

  const notifications: Json[] = [
    ...res.errors.map((e) => inputErrorNotification(e, ctx.cwd)),
    ...res.notAssessed.map((n) => ({
      descriptor: { id: 'not-assessed' },
      level: 'warning',
      message: { text: `not assessed: ${n.what}: ${n.reason}${n.rules?.length ? ` (rules: ${n.rules.join(', ')})` : ''}` },
      ...(n.rules?.length === 1 && index.has(n.rules[0]) ? { associatedRule: { id: n.rules[0], index: index.get(n.rules[0]) } } : {}),
      properties: { what: n.what, ...(n.rules?.length ? { rules: [...n.rules] } : {}) },
    })),
  ];
  const configNotifications: Json[] = (res.expiredSuppressions ?? []).map((e) => ({
    descriptor: { id: 'expired-suppression' },
    level: 'warning',
    message: { text: `ignore entry for ${e.rule} expired on ${e.expires} (${e.source}) and no longer suppresses anything: ${e.reason}` },
  }));

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: res.tool.name,
            version: res.tool.version,
            semanticVersion: res.tool.version,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: res.errors.length === 0,
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
            ...(configNotifications.length ? { toolConfigurationNotifications: configNotifications } : {}),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(ctx.cwd.endsWith(path.sep) ? ctx.cwd : ctx.cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results: lazyResults(res.findings, index, ctx.cwd),
        properties: { schemaVersion: res.schemaVersion, summary: res.summary },
      },
    ],
  };
  return log;
}

/**
 * The results array, each result built when it is written (JSON.stringify calls toJSON): a large
 * report then never holds every SARIF result object at once.
 */
function lazyResults(findings: readonly Finding[], index: Map<string, number>, cwd: string): unknown {
  const at = (i: number) => result(findings[i], index.get(findings[i].ruleId)!, cwd);
  return { toJSON: () => findings.map((_, i) => ({ toJSON: () => at(i) })) };
}

function render(res: ScanResult, ctx: ReportContext): string {
  return JSON.stringify(sarifLog(res, ctx), null, 2) + '\n';
}

export const sarifReporter: ReporterEntry = {
  description: 'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers',
  extension: 'sarif',
  render,
  chunks: (res, ctx) => jsonChunks(sarifLog(res, ctx), 2, 4),
};
