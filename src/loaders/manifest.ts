// Parsing of manifest text (YAML multi-document, JSON, kind: List, kubeward snapshots) into
// LoadedObjects that remember file, line and column. Pure: no file system access here.
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import type { InputError, KubeObject, LoadedObject, NotAssessed, ObjPath, SourceLocation } from '../core/types.js';
import { makeRef, groupOf } from '../model/kinds.js';

export const SNAPSHOT_KIND = 'ClusterSnapshot';
export const SNAPSHOT_API_VERSION = 'kubeward.io/v1';

export interface ParsedText {
  objects: LoadedObject[];
  errors: InputError[];
  /** Present when the text was a kubeward snapshot. */
  snapshot?: SnapshotMeta;
}

export interface SnapshotMeta {
  notAssessed: NotAssessed[];
  errors: InputError[];
  metadata: Record<string, unknown>;
}

/** JSON bigger than this is parsed with JSON.parse (fast, no line numbers). */
const JSON_POSITION_LIMIT = 4 * 1024 * 1024;

export function parseManifestText(text: string, file: string): ParsedText {
  const out: ParsedText = { objects: [], errors: [] };
  if (text.trim() === '') {
    out.errors.push({ file, message: 'empty file: no Kubernetes objects in it' });
    return out;
  }
  const trimmed = text.trimStart();
  const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[');
  if (looksJson && text.length > JSON_POSITION_LIMIT) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      let line: number | undefined;
      if (m) line = lineOfOffset(text, Number(m[1]));
      out.errors.push({ file, line, message: `invalid JSON: ${msg.replace(/^Unexpected/, 'unexpected')}` });
      return out;
    }
    collectTop(data, file, undefined, out);
    return out;
  }

  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: false }) as Document.Parsed[];
  } catch (e) {
    out.errors.push({ file, message: `cannot parse: ${(e as Error).message}` });
    return out;
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  const pos = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const at = err.pos ? pos(err.pos[0]) : undefined;
      const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      out.errors.push({
        file,
        line: at?.line,
        column: at?.column,
        message: `invalid ${looksJson ? 'JSON' : 'YAML'}: ${first}; document skipped`,
      });
      continue;
    }
    if (doc.contents == null) continue; // empty document between separators
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const r = (doc.contents as Node).range;
      const at = r ? pos(r[0]) : undefined;
      out.errors.push({ file, line: at?.line, message: `cannot read document: ${(e as Error).message}` });
      continue;
    }
    const locator = makeLocator(doc, pos);
    collectTop(data, file, locator, out);
  }
  return out;
}

type Locator = (path: ObjPath) => SourceLocation | undefined;

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

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A document's top value: an object, a List, a snapshot, or a JSON array of objects. */
function collectTop(data: unknown, file: string, locator: Locator | undefined, out: ParsedText): void {
  if (Array.isArray(data)) {
    data.forEach((item, i) => collectObject(item, file, locator, [i], out));
    return;
  }
  if (!isObj(data)) {
    const where = locator?.([]);
    out.errors.push({ file, line: where?.line, message: 'document is not a Kubernetes object (expected a mapping with apiVersion and kind); skipped' });
    return;
  }
  if (data.kind === SNAPSHOT_KIND && typeof data.apiVersion === 'string' && data.apiVersion.startsWith('kubeward.io/')) {
    const meta = isObj(data.metadata) ? data.metadata : {};
    const na = Array.isArray(data.notAssessed) ? (data.notAssessed as NotAssessed[]) : [];
    const errs = Array.isArray(data.errors) ? (data.errors as InputError[]) : [];
    out.snapshot = { notAssessed: na, errors: errs, metadata: meta };
    const items = Array.isArray(data.items) ? data.items : [];
    items.forEach((item, i) => collectObject(item, file, locator, ['items', i], out));
    return;
  }
  collectObject(data, file, locator, [], out);
}

function collectObject(data: unknown, file: string, locator: Locator | undefined, base: ObjPath, out: ParsedText): void {
  const where = locator?.(base) ?? { file, line: 0, column: 0 };
  const at = where.line > 0 ? where : undefined;
  if (!isObj(data)) {
    out.errors.push({ file, line: at?.line, message: `${describe(base)} is not a Kubernetes object; skipped` });
    return;
  }
  const kind = data.kind;
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
    out.errors.push({ file, line: at?.line, column: at?.column, message: `${kind} ${describe(base)} has no metadata.name; skipped` });
    return;
  }
  const ref = makeRef(obj, name);
  const loc: Locator = locator
    ? (p: ObjPath) => locator([...base, ...p])
    : () => undefined;
  out.objects.push(
    Object.freeze({
      obj: deepFreeze(obj),
      ref,
      group: groupOf(obj.apiVersion),
      file,
      source: at,
      locate: loc,
    }),
  );
}

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
