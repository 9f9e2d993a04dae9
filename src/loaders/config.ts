// Reads kubeward.yaml (configuration), the ignore file and a baseline report. Validated with JSON Schema.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { Ajv, type ErrorObject } from 'ajv';
import { UserError, isSeverity, type Severity, SEVERITIES } from '../core/types.js';
import type { IgnoreEntry, ResourceSelector } from '../core/suppress.js';
import { fingerprint } from '../core/suppress.js';

export interface KubewardConfig {
  failOn?: Severity | 'none';
  rules: Record<string, { enabled: boolean; severity?: Severity }>;
  excludeNamespaces: string[];
  excludeResources: ResourceSelector[];
  ignoreFile?: string;
  baseline?: string;
  /** Where the config came from, for messages. */
  source?: string;
}

export const CONFIG_FILE_NAMES = ['kubeward.yaml', 'kubeward.yml', '.kubeward.yaml'];
export const DEFAULT_IGNORE_FILE = '.kubeward-ignore.yaml';

const selectorSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { kind: { type: 'string' }, namespace: { type: 'string' }, name: { type: 'string' } },
};

export const configSchema = {
  $id: 'https://kubeward.io/schemas/config.json',
  title: 'kubeward configuration (kubeward.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    failOn: { enum: [...SEVERITIES, 'none'], description: 'fail (exit 1) when an active finding is at or above this severity' },
    rules: {
      type: 'object',
      description: 'per rule: "off", "on", a severity, or {enabled, severity}',
      additionalProperties: {
        anyOf: [
          { enum: ['off', 'on', ...SEVERITIES] },
          { type: 'boolean' },
          {
            type: 'object',
            additionalProperties: false,
            properties: { enabled: { type: 'boolean' }, severity: { enum: [...SEVERITIES] } },
          },
        ],
      },
    },
    exclude: {
      type: 'object',
      additionalProperties: false,
      properties: {
        namespaces: { type: 'array', items: { type: 'string' } },
        resources: { type: 'array', items: selectorSchema },
      },
    },
    ignoreFile: { type: 'string' },
    baseline: { type: 'string' },
  },
} as const;

export const ignoreSchema = {
  $id: 'https://kubeward.io/schemas/ignore.json',
  title: 'kubeward ignore file',
  type: 'object',
  additionalProperties: false,
  required: ['ignores'],
  properties: {
    ignores: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason'],
        properties: {
          rule: { type: 'string', minLength: 1 },
          resource: selectorSchema,
          reason: { type: 'string', minLength: 1 },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validateConfig = ajv.compile(configSchema);
const validateIgnore = ajv.compile(ignoreSchema);

function readYaml(text: string, file: string): { data: unknown; at: (p: string) => number | undefined } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.pos ? lc.linePos(e.pos[0]).line : undefined;
    throw new UserError(`${file}${line ? ':' + line : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const at = (instancePath: string): number | undefined => {
    const segs = instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = doc.contents;
    let line: number | undefined = (node as Node | null)?.range ? lc.linePos((node as Node).range![0]).line : undefined;
    for (const s of segs) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value) === s);
        if (!pair) break;
        const r = (pair.key as Node | null)?.range;
        if (r) line = lc.linePos(r[0]).line;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(s)];
        const r = (node as Node | null)?.range;
        if (r) line = lc.linePos(r[0]).line;
      } else break;
    }
    return line;
  };
  return { data: doc.toJS() ?? {}, at };
}

function schemaError(file: string, errors: ErrorObject[] | null | undefined, at: (p: string) => number | undefined): UserError {
  const e = errors?.[0];
  if (!e) return new UserError(`${file}: invalid`);
  const line = at(e.instancePath);
  let msg = e.message ?? 'invalid';
  if (e.keyword === 'additionalProperties') msg = `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum') msg = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  const where = e.instancePath ? ` at ${e.instancePath.slice(1).replace(/\//g, '.')}` : '';
  return new UserError(`${file}${line ? ':' + line : ''}: invalid configuration${where}: ${msg}`);
}

async function readText(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** Reads the config file given, or the first of CONFIG_FILE_NAMES in cwd; none is fine. */
export async function loadConfig(explicit: string | undefined, cwd: string, knownRules: ReadonlySet<string>): Promise<KubewardConfig> {
  let file = explicit;
  if (!file) {
    for (const n of CONFIG_FILE_NAMES) {
      try {
        await fsp.access(path.join(cwd, n));
        file = path.join(cwd, n);
        break;
      } catch {
        /* not there */
      }
    }
  }
  const cfg: KubewardConfig = { rules: {}, excludeNamespaces: [], excludeResources: [] };
  if (!file) return cfg;
  const { data, at } = readYaml(await readText(file), file);
  if (!validateConfig(data)) throw schemaError(file, validateConfig.errors, at);
  const d = data as {
    failOn?: Severity | 'none';
    rules?: Record<string, unknown>;
    exclude?: { namespaces?: string[]; resources?: ResourceSelector[] };
    ignoreFile?: string;
    baseline?: string;
  };
  cfg.source = file;
  if (d.failOn) cfg.failOn = d.failOn;
  for (const [id, v] of Object.entries(d.rules ?? {})) {
    if (!knownRules.has(id)) throw new UserError(`${file}${at('/rules/' + id) ? ':' + at('/rules/' + id) : ''}: unknown rule "${id}" (see kubeward rules)`);
    if (v === 'off' || v === false) cfg.rules[id] = { enabled: false };
    else if (v === 'on' || v === true) cfg.rules[id] = { enabled: true };
    else if (isSeverity(v)) cfg.rules[id] = { enabled: true, severity: v };
    else {
      const o = v as { enabled?: boolean; severity?: Severity };
      cfg.rules[id] = { enabled: o.enabled ?? true, ...(o.severity ? { severity: o.severity } : {}) };
    }
  }
  cfg.excludeNamespaces = d.exclude?.namespaces ?? [];
  cfg.excludeResources = d.exclude?.resources ?? [];
  const base = path.dirname(file);
  if (d.ignoreFile) cfg.ignoreFile = path.resolve(base, d.ignoreFile);
  if (d.baseline) cfg.baseline = path.resolve(base, d.baseline);
  return cfg;
}

/** Reads an ignore file. `optional`: a missing default file is not an error. */
export async function loadIgnoreFile(file: string, optional: boolean): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return readText(file).then(() => []);
  }
  const { data, at } = readYaml(text, file);
  if (!validateIgnore(data)) throw schemaError(file, validateIgnore.errors, at);
  const entries = (data as { ignores: Array<Omit<IgnoreEntry, 'source'>> }).ignores;
  return entries.map((e, i) => ({ ...e, source: `${file}:${at('/ignores/' + i) ?? 1}` }));
}

/** Reads a previous JSON report and returns the fingerprints of its findings. */
export async function loadBaseline(file: string): Promise<Set<string>> {
  const text = await readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not a kubeward JSON report: ${(e as Error).message}`);
  }
  const findings = (data as { findings?: unknown }).findings;
  if (!Array.isArray(findings)) throw new UserError(`${file}: not a kubeward JSON report (no findings array)`);
  const set = new Set<string>();
  for (const f of findings) {
    if (f && typeof f === 'object' && 'ruleId' in f && 'resource' in f) set.add(fingerprint(f as Parameters<typeof fingerprint>[0]));
  }
  return set;
}
