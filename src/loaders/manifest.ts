// Parsing of manifest text (YAML multi-document, JSON, kind: List, kubeward snapshots) into
// LoadedObjects that remember file, line and column. Pure: no file system access here.
import { Parser, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Document } from 'yaml';
import type { InputError, KubeObject, LoadedObject, NotAssessed, ObjPath, SourceLocation } from '../core/types.js';
import { makeRef, groupOf, misplacedBuiltin } from '../model/kinds.js';
import jsyaml from 'js-yaml';
import { BlockLocator } from './block-locate.js';
import { JsonLocator } from './json-locate.js';
import { slimLoadedObject } from './slim.js';
import { removeSkippedSchemas, skimCrdSchemas } from './crd-schema.js';
import { deferLargeBlockScalars, restoreDeferredBlocks } from './block-defer.js';

/**
 * How Kubernetes reads YAML (sigs.k8s.io/yaml over go.yaml.in/yaml/v2, i.e. YAML 1.1 scalars):
 * y/yes/on and n/no/off are booleans and `<<` merge keys work, so `privileged: yes` is privileged.
 * js-yaml's core schema with the YAML 1.1 booleans and merge keys gives the same values.
 */
const YAML11_BOOL = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  // Asked of every plain scalar that is not null, a core boolean or a number: the length check spares the regular expression for nearly all.
  resolve: (d: string | null) => d !== null && d.length <= 5 && /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON|n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(d),
  construct: (d: string) => /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(d),
  predicate: (o: unknown) => typeof o === 'boolean',
  represent: { lowercase: (o: object) => (o ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});
type YamlType = InstanceType<typeof jsyaml.Type>;
const YAML_TYPES = (jsyaml as unknown as { types: Record<'null' | 'int' | 'float' | 'merge', YamlType> }).types;
/** What numberType reads of js-yaml's int and float types. */
interface CoreScalarType {
  tag: string;
  resolve(d: string): boolean;
  construct(d: string): unknown;
  predicate: ((o: object) => boolean) | null;
  represent: ((o: object) => unknown) | Record<string, (o: object) => unknown> | null;
  defaultStyle: string | null;
}
/**
 * A core-schema type whose resolve is first asked only of scalars that can start the numbers it reads
 * (js-yaml asks every implicit type of every plain scalar, and most scalars are names and words).
 */
function numberType(base: YamlType, first: RegExp): YamlType {
  const b = base as unknown as CoreScalarType;
  return new jsyaml.Type(b.tag, {
    kind: 'scalar',
    resolve: (d: string | null) => d !== null && first.test(d) && b.resolve(d),
    construct: (d: string) => b.construct(d),
    predicate: b.predicate ?? undefined,
    represent: (b.represent ?? undefined) as jsyaml.TypeConstructorOptions['represent'],
    defaultStyle: b.defaultStyle ?? undefined,
  });
}
/**
 * The core schema (null, bool, int, float: js-yaml's CORE_SCHEMA), with the YAML 1.1 booleans in
 * place of the core ones and merge keys. Integers start with a sign or a digit, floats also with a dot.
 */
const K8S_YAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [YAML_TYPES.null, YAML11_BOOL, numberType(YAML_TYPES.int, /^[-+0-9]/), numberType(YAML_TYPES.float, /^[-+.0-9]/), YAML_TYPES.merge],
});
/**
 * Fast path: js-yaml builds the values (several times faster than building a YAML syntax tree);
 * positions come from the `yaml` parser, only for documents that need one (a finding's line).
 * Returns undefined when the chunk must take the careful path: a syntax error or unknown tag (for
 * its precise message), or an alias of a collection (js-yaml shares the node; the careful path
 * counts alias expansion and refuses "billion laughs" documents).
 */
function fastChunk(src: string): unknown[] | undefined {
  // CRD schemas are skipped as text (crd-schema.ts); if the result is not what it should be, the
  // section is parsed as written.
  const skim = skimCrdSchemas(src);
  // Large block scalars are read on first use (block-defer.ts); again, if the result is not what it
  // should be, the section is parsed without that.
  const deferred = deferLargeBlockScalars(skim?.text ?? src);
  let parsedText = deferred?.text;
  let docs = deferred && loadFast(deferred.text, skim?.skipped ?? 0);
  if (docs && deferred && !restoreDeferredBlocks(docs, deferred, (t) => jsyaml.load(t, { schema: K8S_YAML_SCHEMA, json: true }))) docs = undefined;
  if (!docs && skim) {
    parsedText = skim.text;
    docs = loadFast(skim.text, skim.skipped);
  }
  if (!docs) {
    parsedText = src;
    docs = loadFast(src, 0);
  }
  if (!docs) return undefined;
  // Without an anchor there is no alias, and no need to walk the values looking for a shared one.
  if (!hasAnchor(parsedText!)) return docs;
  const seen = new Set<object>();
  for (const d of docs) if (sharesNodes(d, seen)) return undefined;
  return docs;
}

/**
 * Whether the text may hold a YAML anchor: `&name` at a line start or after a space, tab, `[`, `{`,
 * `,` or `:`. (A regular expression for the same scans every position; this jumps from `&` to `&`.)
 */
function hasAnchor(s: string): boolean {
  for (let i = s.indexOf('&'); i !== -1; i = s.indexOf('&', i + 1)) {
    const before = i === 0 ? 10 : s.charCodeAt(i - 1);
    if (before !== 32 && before !== 10 && before !== 9 && before !== 13 && before !== 91 && before !== 123 && before !== 44 && before !== 58) continue;
    const after = s.charCodeAt(i + 1);
    if (Number.isNaN(after) || after === 32 || after === 10 || after === 9 || after === 13 || after === 91 || after === 93 || after === 123 || after === 125 || after === 44) continue;
    return true;
  }
  return false;
}

function loadFast(src: string, skipped: number): unknown[] | undefined {
  try {
    const docs: unknown[] = [];
    jsyaml.loadAll(src, (d) => docs.push(d), { schema: K8S_YAML_SCHEMA, json: true });
    return skipped === 0 || removeSkippedSchemas(docs, skipped) ? docs : undefined;
  } catch {
    return undefined;
  }
}

/** True when a collection is reachable twice (what a YAML alias of a collection produces). */
function sharesNodes(v: unknown, seen: Set<object>): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (seen.has(v)) return true;
  seen.add(v);
  if (Array.isArray(v)) {
    for (const x of v) if (sharesNodes(x, seen)) return true;
  } else {
    for (const k in v as Record<string, unknown>) if (sharesNodes((v as Record<string, unknown>)[k], seen)) return true;
  }
  return false;
}

/** The line and column where a chunk's content starts (skipping `---`, directives, comments, blanks). */
function contentStart(text: string, chunk: { start: number; end: number }): number {
  const re = /^(?![ \t]*(?:#|$)|---[ \t]*(?:#.*)?$|%)/gm;
  re.lastIndex = chunk.start;
  const m = re.exec(text);
  if (!m || m.index >= chunk.end) return chunk.start;
  let i = m.index;
  if (text.startsWith('---', i)) i += 3; // `--- kind: x` on one line
  while (i < chunk.end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

export const SNAPSHOT_KIND = 'ClusterSnapshot';

/** The first 2,048 characters of a JSON text say it is a kubeward snapshot. */
export function isSnapshotHead(head: string): boolean {
  return /^\s*\{[^[]*?"kind"\s*:\s*"ClusterSnapshot"/.test(head);
}

export const SNAPSHOT_API_VERSION = 'kubeward.io/v1';

export interface ParsedText {
  objects: LoadedObject[];
  errors: InputError[];
  /** Present when the text was a kubeward snapshot. */
  snapshot?: SnapshotMeta;
  /** Some document had a `kind` (it looks like Kubernetes, even if it is broken). */
  sawKind?: boolean;
  /** Number of documents that are not valid YAML/JSON. */
  syntaxErrors?: number;
}

export interface SnapshotMeta {
  notAssessed: NotAssessed[];
  errors: InputError[];
  metadata: Record<string, unknown>;
}

/** JSON bigger than this is parsed with JSON.parse (fast, no line numbers). */
const JSON_POSITION_LIMIT = 4 * 1024 * 1024;
/**
 * Up to this many characters of YAML, parsed documents are kept to locate findings. Above it they are
 * dropped after conversion and re-parsed on demand (one document at a time), which bounds memory:
 * a parsed YAML document takes ~40 times the size of its text.
 */
const RETAIN_DOCUMENTS_LIMIT = 8 * 1024 * 1024;
/** Alias expansions allowed per document: guards against "billion laughs" alias bombs. */
export const MAX_ALIAS_COUNT = 1000;
const YAML_OPTIONS = { uniqueKeys: false, prettyErrors: false, strict: false, merge: true, logLevel: 'error' } as const;

type Pos = (offset: number) => SourceLocation;

export function parseManifestText(text: string, file: string): ParsedText {
  const out: ParsedText = { objects: [], errors: [] };
  const first = text.search(/\S/); // (not trim(): that copies the text)
  if (first < 0) {
    out.errors.push({ file, message: 'empty file: no Kubernetes objects in it' });
    return out;
  }
  const looksJson = text.charCodeAt(first) === 123 /* { */ || text.charCodeAt(first) === 91; /* [ */
  // A kubeward snapshot is machine-written: its findings are placed by JSON path (finding.path),
  // not by line, which spares locating every reported object in a file of hundreds of MB.
  const snapshot = looksJson && isSnapshotHead(text.slice(0, 2048));
  if (looksJson && (text.length > JSON_POSITION_LIMIT || snapshot)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      let line: number | undefined;
      if (m) line = positions(text, file)(Number(m[1])).line;
      out.errors.push({ file, line, message: `invalid JSON: ${msg.replace(/^Unexpected/, 'unexpected')}` });
      out.syntaxErrors = 1;
      return out;
    }
    collectTop(data, file, snapshot ? undefined : jsonLocator(text, file), out);
    return out;
  }

  const pos = positions(text, file);
  if (looksJson) {
    // Strict JSON: values from JSON.parse, positions read off the text (json-locate.ts). What
    // JSON.parse refuses goes to the YAML parser below, for its exact error message or because it
    // is YAML in flow style.
    let data: unknown;
    let strict = true;
    try {
      data = JSON.parse(text);
    } catch {
      strict = false;
    }
    if (strict) {
      if (data === null) return out;
      const json = new JsonLocator(text);
      collectTop(data, file, (p) => pos(json.locate(p)), out);
      return out;
    }
  }
  const retain = text.length <= RETAIN_DOCUMENTS_LIMIT;
  const lazy = new DocumentCache();
  // Each `---` section is parsed on its own, so that a broken document (say an unclosed quote,
  // which the YAML lexer would carry to the end of the file) cannot take the next ones with it.
  for (const chunk of splitDocuments(text)) {
    const cpos: Pos = (o) => pos(chunk.start + o);
    const fast = looksJson ? undefined : fastChunk(text.slice(chunk.start, chunk.end));
    if (fast) {
      const startLoc = fast.length === 1 ? pos(contentStart(text, chunk)) : undefined;
      fast.forEach((data, docIndex) => {
        if (data === null || data === undefined) return;
        // Positions: read off the indentation when the YAML is plain block style; otherwise parse
        // the document (small inputs keep it once parsed; large ones share an LRU).
        const block = fast.length === 1 ? new BlockLocator(text, chunk.start, chunk.end, cpos) : undefined;
        let memo: Locator | undefined;
        const parsed: Locator = retain
          ? (p) => {
              if (!memo) {
                const doc = parseChunk(text, chunk)[docIndex];
                memo = doc ? makeLocator(doc, cpos) : () => undefined;
              }
              return memo(p);
            }
          : lazyLocator(text, chunk, docIndex, cpos, lazy);
        // The object's own position is known without parsing; deeper paths parse on demand.
        collectTop(data, file, (p) => (p.length === 0 && startLoc ? startLoc : (block?.locate(p) ?? parsed(p))), out);
      });
      continue;
    }
    const docs = parseChunk(text, chunk);
    docs.forEach((doc, docIndex) => {
      if (doc.errors.length > 0) {
        out.errors.push(yamlError(doc, text, chunk, cpos, looksJson ? 'JSON' : 'YAML', file));
        out.syntaxErrors = (out.syntaxErrors ?? 0) + 1;
        return;
      }
      if (doc.contents == null) return; // empty document between separators, or only comments
      let data: unknown;
      try {
        data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        const at = rangeStart(doc.contents, cpos);
        const msg = (e as Error).message;
        out.syntaxErrors = (out.syntaxErrors ?? 0) + 1;
        out.errors.push({
          file,
          line: at?.line,
          message: /alias/i.test(msg)
            ? `YAML aliases expand to too many nodes (over ${MAX_ALIAS_COUNT}; a "billion laughs" document?); document skipped`
            : `cannot read document: ${msg}; document skipped`,
        });
        return;
      }
      if (data === null || data === undefined) return; // `---` followed only by comments (Helm), or `null`
      // Objects keep this locator; for large inputs it lets go of the parsed document afterwards.
      let current: Locator = makeLocator(doc, cpos);
      collectTop(data, file, (p) => current(p), out);
      if (!retain) current = lazyLocator(text, chunk, docIndex, cpos, lazy);
    });
  }
  return out;
}

interface Chunk {
  start: number;
  end: number;
}

function parseChunk(text: string, chunk: Chunk): Document.Parsed[] {
  const docs = parseAllDocuments(text.slice(chunk.start, chunk.end), YAML_OPTIONS) as unknown;
  return Array.isArray(docs) ? (docs as Document.Parsed[]) : []; // EmptyStream: only comments/blank lines
}

/**
 * Offset -> 1-based line and column. The line index grows as far as the offsets asked for: most
 * questions are about where objects start, and a large file (a CRD) is mostly past its object's start.
 */
function positions(text: string, file: string): Pos {
  const starts = [0];
  let scanned = 0; // every line start at or before this offset is in `starts`
  return (offset) => {
    while (scanned <= offset && scanned < text.length) {
      const nl = text.indexOf('\n', scanned);
      if (nl < 0) {
        scanned = text.length;
      } else {
        starts.push(nl + 1);
        scanned = nl + 1;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/**
 * Splits a YAML stream before each `---` line. In YAML a `---` at the start of a line always starts a
 * new document (it may not occur inside a scalar), so parsing the pieces separately is equivalent to
 * parsing the whole, except that an error stays inside its own document. Directive lines (`%YAML`)
 * right before a `---` go with the document they introduce.
 */
function splitDocuments(text: string): Chunk[] {
  const starts = [0];
  // `---` at a line start, then a space, a tab, a line break or the end (what /^---(?=[ \t\r\n]|$)/m
  // finds, but jumping from `---` to `---` instead of trying every line).
  for (let at = text.indexOf('---'); at !== -1; at = text.indexOf('---', at + 1)) {
    if (at > 0 && !isLineBreak(text.charCodeAt(at - 1))) continue;
    const next = text.charCodeAt(at + 3);
    if (!(Number.isNaN(next) || next === 32 || next === 9 || isLineBreak(next))) continue;
    let s = at;
    while (s > 0) {
      const prevStart = text.lastIndexOf('\n', s - 2) + 1;
      if (prevStart >= s || text.charCodeAt(prevStart) !== 37 /* % */) break;
      s = prevStart;
    }
    if (s > starts[starts.length - 1]) starts.push(s);
  }
  return starts.map((s, i) => ({ start: s, end: i + 1 < starts.length ? starts[i + 1] : text.length }));
}

/** What ends a line for a JavaScript regular expression's `^` and `$` (multiline). */
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** "line 7" or "lines 7-13": the lines a `---` section covers, for messages. */
function sectionLines(text: string, chunk: Chunk, pos: Pos): string {
  let end = chunk.end - 1;
  while (end > chunk.start && /\s/.test(text.charAt(end))) end--;
  const first = pos(0).line;
  const last = pos(end - chunk.start).line;
  return first === last ? `line ${first}` : `lines ${first}-${last}`;
}

/** One clear line for a document the YAML parser rejected, pointing at the line to fix. */
function yamlError(doc: Document.Parsed, text: string, chunk: Chunk, pos: Pos, lang: string, file: string): InputError {
  const err = doc.errors[0];
  let at = err.pos ? pos(err.pos[0]) : undefined;
  let msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const multiline = doc.errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY');
  if (err.code === 'MISSING_CHAR' && /quote/.test(err.message)) {
    const open = unclosed(text.slice(chunk.start, chunk.end), 'quote');
    if (open !== undefined) {
      at = pos(open);
      msg = 'quoted string opened here is never closed';
    }
  } else if (/^Flow (sequence|map) .*end with an? [\]}]/.test(msg) || (err.code === 'MISSING_CHAR' && /[\]}]/.test(err.message))) {
    const open = unclosed(text.slice(chunk.start, chunk.end), 'flow');
    if (open !== undefined) {
      at = pos(open);
      msg = `${text.charAt(chunk.start + open)} opened here is never closed`;
    }
  } else if ((err.code === 'BLOCK_AS_IMPLICIT_KEY' || err.code === 'MULTILINE_IMPLICIT_KEY') && multiline?.pos) {
    // `name: x` followed by an over-indented line: the mistake is on the second line.
    const keyLine = pos(multiline.pos[0]).line;
    const endOffset = Math.max(multiline.pos[0], multiline.pos[1] - 1);
    const bad = pos(endOffset);
    if (bad.line > keyLine) {
      const lineStart = chunk.start + endOffset - (bad.column - 1);
      const indent = /^[ ]*/.exec(text.slice(lineStart, lineStart + 200))![0].length;
      at = { ...bad, column: indent + 1 };
      msg = `bad indentation: this line is indented deeper than the mapping on line ${keyLine} it belongs to`;
    }
  }
  return {
    file,
    line: at?.line,
    column: at?.column,
    message: `invalid ${lang}: ${msg}; document at ${sectionLines(text, chunk, pos)} skipped`,
  };
}

/**
 * Offset of the quoted scalar that has no closing quote (the first), or of the flow collection `[`/`{`
 * that has no closing bracket (the innermost), found in the parser's concrete syntax tree.
 */
function unclosed(src: string, what: 'quote' | 'flow'): number | undefined {
  let found: number | undefined;
  const walk = (t: unknown): void => {
    if ((what === 'quote' && found !== undefined) || t === null || typeof t !== 'object') return;
    if (Array.isArray(t)) {
      for (const x of t) walk(x);
      return;
    }
    const tok = t as { type?: string; offset?: number; source?: unknown; end?: Array<{ type?: string }> };
    if (what === 'quote' && (tok.type === 'double-quoted-scalar' || tok.type === 'single-quoted-scalar') && typeof tok.source === 'string') {
      const q = tok.type === 'double-quoted-scalar' ? '"' : "'";
      const s = tok.source;
      const closed = s.length >= 2 && s.endsWith(q) && !(q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(s));
      if (!closed) {
        found = tok.offset;
        return;
      }
    }
    if (what === 'flow' && tok.type === 'flow-collection' && !tok.end?.some((e) => e.type === 'flow-seq-end' || e.type === 'flow-map-end')) {
      found = tok.offset; // keeps walking: an inner unclosed collection replaces an outer one
    }
    for (const v of Object.values(t)) walk(v);
  };
  for (const tok of new Parser().parse(src)) walk(tok);
  return found;
}

/** Parsed documents of large inputs, re-created on demand to locate findings (a few kept). */
class DocumentCache {
  private readonly docs = new Map<number, Document.Parsed[]>();
  get(text: string, chunk: Chunk): Document.Parsed[] {
    let d = this.docs.get(chunk.start);
    if (d) {
      this.docs.delete(chunk.start);
    } else {
      d = parseChunk(text, chunk);
      if (this.docs.size >= 16) this.docs.delete(this.docs.keys().next().value as number);
    }
    this.docs.set(chunk.start, d);
    return d;
  }
}

/**
 * Positions for large JSON, which is parsed with JSON.parse: one pass finds where each element of the
 * top-level array, or of an array directly under the top-level object (a List's `items`), starts and
 * ends; a finding's exact position is then found by parsing just that element with the YAML parser.
 */
function jsonLocator(text: string, file: string): Locator {
  const spans = new Map<string, Array<[number, number]>>();
  const stack: number[] = [];
  let key = '';
  let lastString = '';
  let strStart = 0;
  let inString = false;
  let tracked: Array<[number, number]> | undefined;
  let trackedDepth = -1;
  let index = 0;
  let elementStart = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) {
        inString = false;
        if (stack.length === 1) lastString = text.slice(strStart + 1, i);
      }
      continue;
    }
    if (c === 34) {
      inString = true;
      strStart = i;
    } else if (c === 58) {
      if (stack.length === 1) key = lastString;
    } else if (c === 44) {
      if (stack.length === trackedDepth) index++;
    } else if (c === 123 || c === 91) {
      if (c === 123 && stack.length === trackedDepth) elementStart = i;
      stack.push(c);
      if (c === 91 && (stack.length === 1 || (stack.length === 2 && stack[0] === 123))) {
        tracked = [];
        spans.set(stack.length === 1 ? '' : key, tracked);
        trackedDepth = stack.length;
        index = 0;
      }
    } else if (c === 125 || c === 93) {
      stack.pop();
      if (c === 125 && stack.length === trackedDepth && elementStart >= 0 && tracked) {
        tracked[index] = [elementStart, i + 1];
        elementStart = -1;
      } else if (c === 93 && stack.length === trackedDepth - 1) {
        trackedDepth = -1;
        tracked = undefined;
      }
    }
  }
  const pos = positions(text, file);
  const cache = new DocumentCache();
  return (path) => {
    const [head, second] = path;
    const span = typeof head === 'number' ? spans.get('')?.[head] : typeof second === 'number' ? spans.get(String(head))?.[second] : undefined;
    if (!span) return path.length === 0 ? pos(text.search(/\S/)) : undefined;
    const rest = path.slice(typeof head === 'number' ? 1 : 2);
    if (rest.length === 0) return pos(span[0]);
    const chunk = { start: span[0], end: span[1] };
    const doc = cache.get(text, chunk)[0];
    const at = doc ? makeLocator(doc, (o) => pos(span[0] + o))(rest) : undefined;
    return at ?? pos(span[0]);
  };
}

function lazyLocator(text: string, chunk: Chunk, docIndex: number, pos: Pos, cache: DocumentCache): Locator {
  return (path) => {
    const doc = cache.get(text, chunk)[docIndex];
    return doc ? makeLocator(doc, pos)(path) : undefined;
  };
}

export type Locator = (path: ObjPath) => SourceLocation | undefined;

function makeLocator(doc: Document.Parsed, pos: (o: number) => SourceLocation): Locator {
  return (path: ObjPath) => {
    let node: unknown = doc.contents;
    let best: SourceLocation | undefined = rangeStart(node, pos);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const keyLoc = rangeStart(pair.key, pos);
        if (keyLoc) best = keyLoc;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        const loc = rangeStart(item, pos);
        if (loc) best = loc;
        node = item;
      } else {
        break;
      }
    }
    return best;
  };
}

function rangeStart(node: unknown, pos: (o: number) => SourceLocation): SourceLocation | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? pos(r[0]) : undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A document's top value: an object, a List, a snapshot, or a JSON array of objects. */
function collectTop(data: unknown, file: string, locator: Locator | undefined, out: ParsedText): void {
  if (Array.isArray(data)) {
    // A list of objects (JSON array); anything else in it is reported once per document, not per item.
    const bad: number[] = [];
    data.forEach((item, i) => (isObj(item) ? collectObject(item, file, locator, [i], out) : bad.push(i)));
    if (bad.length > 0) {
      const where = locator?.([bad[0]]);
      const what = data.length === bad.length ? `document is a list of ${bad.length} scalar${bad.length === 1 ? '' : 's'}` : `${bad.length} item${bad.length === 1 ? '' : 's'} of this list (first: item ${bad[0]})`;
      out.errors.push({ file, line: where?.line, message: `${what}, not Kubernetes objects; skipped` });
    }
    return;
  }
  if (!isObj(data)) {
    const where = locator?.([]);
    const what = `a ${typeof data === 'string' ? 'string' : typeof data}`;
    out.errors.push({ file, line: where?.line, message: `document is ${what}, not a Kubernetes object (expected a mapping with apiVersion and kind); skipped` });
    return;
  }
  if (data.kind === SNAPSHOT_KIND && typeof data.apiVersion === 'string' && data.apiVersion.startsWith('kubeward.io/')) {
    out.sawKind = true;
    out.snapshot = readSnapshotMeta(data, file, locator, out);
    const items = Array.isArray(data.items) ? data.items : [];
    items.forEach((item, i) => collectObject(item, file, locator, ['items', i], out));
    return;
  }
  collectObject(data, file, locator, [], out);
}

/** The metadata, notAssessed and errors of a kubeward snapshot (see docs/snapshot-format.md). */
export function readSnapshotMeta(data: Record<string, unknown>, file: string, locator: Locator | undefined, out: ParsedText): SnapshotMeta {
  const meta = isObj(data.metadata) ? data.metadata : {};
  const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const notAssessed: NotAssessed[] = [];
  const errors: InputError[] = [];
  const malformed = (field: string, i: number, need: string) => {
    const at = locator?.([field, i]);
    out.errors.push({ file, line: at?.line, message: `snapshot ${field}[${i}] is malformed (needs ${need}); ignored` });
  };
  (Array.isArray(data.notAssessed) ? data.notAssessed : []).forEach((n: unknown, i) => {
    if (!isObj(n) || !str(n.what) || !str(n.reason)) return malformed('notAssessed', i, 'string fields what and reason');
    const rules = Array.isArray(n.rules) ? n.rules.filter(str) : undefined;
    notAssessed.push({ what: n.what, reason: n.reason, ...(rules?.length ? { rules } : {}) });
  });
  (Array.isArray(data.errors) ? data.errors : []).forEach((e: unknown, i) => {
    if (!isObj(e) || !str(e.message)) return malformed('errors', i, 'a string field message');
    errors.push({
      file: str(e.file) ? e.file : file,
      ...(typeof e.line === 'number' && e.line > 0 ? { line: e.line } : {}),
      message: e.message,
    });
  });
  return { notAssessed, errors, metadata: meta };
}

/** The locator of objects read without positions (large JSON, snapshots): one function for all. */
const NO_POSITION: Locator = () => undefined;

export function collectObject(data: unknown, file: string, locator: Locator | undefined, base: ObjPath, out: ParsedText): void {
  const where = locator?.(base) ?? { file, line: 0, column: 0 };
  const at = where.line > 0 ? where : undefined;
  if (!isObj(data)) {
    out.errors.push({ file, line: at?.line, message: `${describe(base)} is not a Kubernetes object; skipped` });
    return;
  }
  const kind = data.kind;
  if (typeof kind === 'string' && kind !== '') out.sawKind = true;
  // kind: List (kubectl get -o yaml) and any *List kind with items.
  if (typeof kind === 'string' && (kind === 'List' || (kind.endsWith('List') && Array.isArray(data.items)))) {
    const items = Array.isArray(data.items) ? data.items : [];
    items.forEach((item, i) => collectObject(item, file, locator, [...base, 'items', i], out));
    return;
  }
  const obj = data as KubeObject;
  if (typeof kind !== 'string' || kind === '') {
    out.errors.push({ file, line: at?.line, column: at?.column, message: `${describe(base)} has no kind; skipped` });
    return;
  }
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') {
    out.errors.push({ file, line: at?.line, column: at?.column, message: `${kind} ${describe(base)} has no apiVersion; skipped` });
    return;
  }
  const name = obj.metadata?.name ?? (obj.metadata?.generateName ? `${obj.metadata.generateName}*` : undefined);
  if (typeof name !== 'string' || name === '') {
    // kustomization.yaml and similar build configuration: not a cluster object, no name expected.
    if (CONFIG_GROUPS.has(groupOf(obj.apiVersion))) return;
    out.errors.push({ file, line: at?.line, column: at?.column, message: `${kind} ${describe(base)} has no metadata.name; skipped` });
    return;
  }
  const expected = misplacedBuiltin(obj.apiVersion, kind);
  if (expected) {
    out.errors.push({
      file,
      line: at?.line,
      column: at?.column,
      message: `${kind} ${name} has apiVersion ${obj.apiVersion}, which does not serve ${kind} (expected ${expected}): the API server would reject it; kept as an unknown kind, not checked as a ${kind}`,
    });
  }
  slimLoadedObject(obj);
  const ref = makeRef(obj, name);
  const loc: Locator = locator ? (p: ObjPath) => locator([...base, ...p]) : NO_POSITION;
  // The object itself is not frozen: deep-freezing every object (CRD schemas, pod specs of a 50,000-pod
  // snapshot) cost about a second on large inputs. Rules see it as Readonly<KubeObject>, and
  // test/immutability.test.ts checks that no rule writes to the objects it is given.
  out.objects.push(
    Object.freeze({
      obj,
      ref,
      group: groupOf(obj.apiVersion),
      file,
      source: at,
      locate: loc,
    }),
  );
}

/** API groups of tool configuration files that sit beside manifests (never sent to a cluster). */
const CONFIG_GROUPS = new Set(['kustomize.config.k8s.io', 'config.kubernetes.io']);

function describe(base: ObjPath): string {
  if (base.length === 0) return 'document';
  return `item ${base.join('.')}`;
}

export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v as object)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Objects that arrive already parsed (live API, snapshots): same checks, no source positions. */
export function objectsFromData(items: readonly unknown[], file: string): ParsedText {
  const out: ParsedText = { objects: [], errors: [] };
  items.forEach((item, i) => collectObject(item, file, undefined, ['items', i], out));
  return out;
}

/**
 * One JSON (or YAML) document that is not a Kubernetes object (cloud descriptions printed by
 * aws/az/gcloud, kubeward bundles), parsed with positions: `locate(path)` gives the line of a path
 * inside it. Large JSON is parsed without positions (locate then points at the first line).
 */
export function parseLocatedDocument(text: string, file: string): { data: unknown; locate: Locator } | { error: InputError } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const pos = positions(text, file);
  const trimmed = text.trimStart();
  if (text.length > JSON_POSITION_LIMIT && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    try {
      const data: unknown = JSON.parse(text);
      const first = pos(text.search(/\S/));
      return { data, locate: () => first };
    } catch (e) {
      return { error: { file, message: `invalid JSON: ${(e as Error).message}` } };
    }
  }
  const docs = parseChunk(text, { start: 0, end: text.length });
  const doc = docs.find((d) => d.contents != null) ?? docs[0];
  if (!doc) return { error: { file, message: 'empty file' } };
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const at = err.pos ? pos(err.pos[0]) : undefined;
    return { error: { file, line: at?.line, column: at?.column, message: `invalid ${trimmed.startsWith('{') || trimmed.startsWith('[') ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` } };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { error: { file, message: `cannot read document: ${(e as Error).message}` } };
  }
  return { data, locate: makeLocator(doc, pos) };
}
