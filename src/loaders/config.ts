// Reads kubeward.yaml (configuration), the ignore file and a baseline report. Validated with JSON Schema.
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import type { ErrorObject } from 'ajv';
import { UserError, isSeverity, type Severity, SEVERITIES } from '../core/types.js';
import type { IgnoreEntry, ResourceSelector } from '../core/suppress.js';
import { fingerprint } from '../core/suppress.js';
import { auditConfigSchema, type AuditConfig } from '../audit/config.js';
import { importPackage } from '../core/packages.js';

export interface KubewardConfig {
  failOn?: Severity | 'none';
  rules: Record<string, { enabled: boolean; severity?: Severity }>;
  excludeNamespaces: string[];
  excludeResources: ResourceSelector[];
  ignoreFile?: string;
  baseline?: string;
  /** `audit:` section (kubeward audit analyze). */
  audit?: AuditConfig;
  /** Where the config came from, for messages. */
  source?: string;
}

export const CONFIG_FILE_NAMES = ['kubeward.yaml', 'kubeward.yml', '.kubeward.yaml'];
export const DEFAULT_IGNORE_FILE = '.kubeward-ignore.yaml';

const selectorSchema = {
  type: 'object',
  description: 'Which objects: every field given must match; `*` in a value matches any run of characters.',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', minLength: 1, description: 'object kind, e.g. Deployment (glob)' },
    namespace: { type: 'string', minLength: 1, description: 'namespace (glob), e.g. team-*' },
    name: { type: 'string', minLength: 1, description: 'object name (glob), e.g. legacy-*' },
  },
};

export const configSchema = {
  $id: 'https://kubeward.io/schemas/config.json',
  title: 'kubeward configuration (kubeward.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    failOn: {
      enum: [...SEVERITIES, 'none'],
      description: 'exit 1 when an active (not suppressed) finding is at or above this severity; --fail-on overrides it (default: high)',
    },
    rules: {
      type: 'object',
      description: 'per rule id: "off", "on", a severity (changes the rule\'s severity), or {enabled, severity}',
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
      description: 'findings on these objects are suppressed (still listed in the report, marked suppressed)',
      additionalProperties: false,
      properties: {
        namespaces: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'namespace names (exact)' },
        resources: { type: 'array', items: selectorSchema, description: 'object selectors' },
      },
    },
    ignoreFile: { type: 'string', minLength: 1, description: 'ignore file, relative to this file (default: .kubeward-ignore.yaml in the working directory)' },
    baseline: { type: 'string', minLength: 1, description: 'earlier JSON report whose findings are suppressed (relative to this file)' },
    audit: auditConfigSchema,
  },
} as const;

export const ignoreSchema = {
  $id: 'https://kubeward.io/schemas/ignore.json',
  title: 'kubeward ignore file (.kubeward-ignore.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['ignores'],
  properties: {
    ignores: {
      type: 'array',
      items: {
        type: 'object',
        description: 'suppresses the findings of one rule (or "*": all rules) on the objects the selector matches',
        additionalProperties: false,
        required: ['rule', 'reason'],
        properties: {
          rule: { type: 'string', minLength: 1, description: 'rule id, or "*" for every rule' },
          resource: selectorSchema,
          reason: { type: 'string', minLength: 1, description: 'why this is accepted (shown in the report)' },
          expires: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
            description: 'YYYY-MM-DD: the last day the entry applies; afterwards it stops suppressing and the report lists it as expired',
          },
        },
      },
    },
  },
} as const;

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validators: { config: Validate; ignore: Validate } | undefined;

/** The schema validators, compiled on first use: most runs have no config or ignore file, and ajv takes a while to load. */
async function validator(which: 'config' | 'ignore'): Promise<Validate> {
  if (!validators) {
    const { Ajv } = await importPackage<typeof import('ajv')>('ajv');
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    validators = { config: ajv.compile(configSchema), ignore: ajv.compile(ignoreSchema) };
  }
  return validators[which];
}

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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new UserError(`${file}: cannot read: ${(e as Error).message}`);
  }
  return { data, at };
}

function schemaError(file: string, errors: ErrorObject[] | null | undefined, at: (p: string) => number | undefined, what: string): UserError {
  // The most specific error: the deepest place, and there an unknown field or a bad value rather
  // than the anyOf (or the type mismatch of another branch) that wraps it.
  const pathOf = (x: ErrorObject) =>
    x.keyword === 'additionalProperties'
      ? `${x.instancePath}/${(x.params as { additionalProperty: string }).additionalProperty.replace(/~/g, '~0').replace(/\//g, '~1')}`
      : x.instancePath;
  const rank = (x: ErrorObject) => pathOf(x).split('/').length * 10 + (x.keyword === 'additionalProperties' ? 3 : x.keyword === 'enum' ? 2 : x.keyword === 'anyOf' || x.keyword === 'type' ? 0 : 1);
  const e = [...(errors ?? [])].sort((a, b) => rank(b) - rank(a))[0];
  if (!e) return new UserError(`${file}: invalid ${what}`);
  const instancePath = pathOf(e);
  let msg = e.message ?? 'invalid';
  if (e.keyword === 'additionalProperties') {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = Object.keys(propertiesAt(e.parentSchema));
    msg = `unknown field "${field}"${allowed.length ? ` (expected one of ${allowed.join(', ')})` : ''}`;
  }
  if (e.keyword === 'enum') msg = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  if (e.keyword === 'pattern' && instancePath.endsWith('/expires')) msg = 'must be a date written YYYY-MM-DD';
  const line = at(instancePath);
  const where = instancePath ? ` at ${instancePath.slice(1).replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~')}` : '';
  return new UserError(`${file}${line ? ':' + line : ''}: invalid ${what}${where}: ${msg}`);
}

function propertiesAt(schema: unknown): Record<string, unknown> {
  const p = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return p ?? {};
}

/** A user-given path: read at `abs`, named in messages as the user would recognise it. */
function located(file: string, cwd: string): { abs: string; name: string } {
  const abs = path.resolve(cwd, file);
  if (!path.isAbsolute(file)) return { abs, name: file };
  const rel = path.relative(cwd, abs);
  return { abs, name: rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs };
}

async function readText(abs: string, name: string): Promise<string> {
  try {
    return await fsp.readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `${name}: cannot read: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`,
    );
  }
}

/** Reads the config file given, or the first of CONFIG_FILE_NAMES in cwd; none is fine. */
export async function loadConfig(explicit: string | undefined, cwd: string, knownRules: ReadonlySet<string>): Promise<KubewardConfig> {
  let file = explicit;
  if (!file) {
    // Looked up synchronously: three round trips to the thread pool cost more than the look-ups.
    file = CONFIG_FILE_NAMES.map((n) => path.join(cwd, n)).find((f) => existsSync(f));
  }
  const cfg: KubewardConfig = { rules: {}, excludeNamespaces: [], excludeResources: [] };
  if (!file) return cfg;
  const { abs, name } = located(file, cwd);
  file = name;
  const { data, at } = readYaml(await readText(abs, name), name);
  const validateConfig = await validator('config');
  if (!validateConfig(data)) throw schemaError(name, validateConfig.errors, at, 'configuration');
  const d = data as {
    failOn?: Severity | 'none';
    rules?: Record<string, unknown>;
    exclude?: { namespaces?: string[]; resources?: ResourceSelector[] };
    ignoreFile?: string;
    baseline?: string;
    audit?: AuditConfig;
  };
  cfg.source = file;
  if (d.audit) cfg.audit = d.audit;
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
  const base = path.dirname(abs);
  if (d.ignoreFile) cfg.ignoreFile = path.resolve(base, d.ignoreFile);
  if (d.baseline) cfg.baseline = path.resolve(base, d.baseline);
  return cfg;
}

/**
 * Reads an ignore file. `optional`: a missing default file is not an error. `knownRules`: rule ids an
 * entry may name (besides "*"); a typo would otherwise silently suppress nothing.
 */
export async function loadIgnoreFile(
  file: string,
  optional: boolean,
  opts: { cwd?: string; knownRules?: ReadonlySet<string> } = {},
): Promise<IgnoreEntry[]> {
  const { abs, name } = located(file, opts.cwd ?? process.cwd());
  let text: string;
  try {
    text = readFileSync(abs, 'utf8'); // small, and usually absent: no thread-pool round trip
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return readText(abs, name).then(() => []);
  }
  const { data, at } = readYaml(text, name);
  if (data === null || (typeof data === 'object' && Object.keys(data as object).length === 0)) return []; // empty file
  const validateIgnore = await validator('ignore');
  if (!validateIgnore(data)) throw schemaError(name, validateIgnore.errors, at, 'ignore file');
  const entries = (data as { ignores: Array<Omit<IgnoreEntry, 'source'>> }).ignores;
  entries.forEach((e, i) => {
    const line = at(`/ignores/${i}/rule`) ?? at(`/ignores/${i}`);
    if (opts.knownRules && e.rule !== '*' && !opts.knownRules.has(e.rule)) {
      throw new UserError(`${name}${line ? ':' + line : ''}: unknown rule "${e.rule}" (see kubeward rules; "*" means every rule)`);
    }
    if (e.expires !== undefined && !isRealDate(e.expires)) {
      const l = at(`/ignores/${i}/expires`);
      throw new UserError(`${name}${l ? ':' + l : ''}: invalid ignore file at ignores.${i}.expires: ${e.expires} is not a date`);
    }
  });
  return entries.map((e, i) => ({ ...e, source: `${name}:${at('/ignores/' + i) ?? 1}` }));
}

function isRealDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Reads a previous JSON report and returns the fingerprints of its findings. */
export async function loadBaseline(file: string, cwd: string = process.cwd()): Promise<Set<string>> {
  const { abs, name } = located(file, cwd);
  file = name;
  const text = await readText(abs, name);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    throw new UserError(`${file}: not a kubeward JSON report (invalid JSON${m ? ` at offset ${m[1]}` : ''}); write one with --write-baseline or --format json`);
  }
  const findings = (data as { findings?: unknown }).findings;
  if (!Array.isArray(findings)) throw new UserError(`${file}: not a kubeward JSON report (no findings array)`);
  const set = new Set<string>();
  for (const f of findings) {
    if (f && typeof f === 'object' && 'ruleId' in f && 'resource' in f) set.add(fingerprint(f as Parameters<typeof fingerprint>[0]));
  }
  return set;
}
