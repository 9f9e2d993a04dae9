// Finds where a path (['spec', 'containers', 0, 'securityContext']) sits in block-style YAML by
// reading indentation, without building a syntax tree: most manifests are plain block YAML, and a
// full parse only to place a finding costs more than the scan. Anything it is not sure about
// (flow collections on the way, anchors, tags, complex keys) returns `undefined` and the caller
// parses the document properly. Gives the same answer as the parser-based locator: the line of the
// deepest key or item found on the path (verified by test/block-locate.test.ts).
import type { ObjPath, SourceLocation } from '../core/types.js';

/**
 * The lines of the document, read once: where each starts and how far it is indented. Bodies (the
 * text after the indentation, without a trailing CR) are cut only when asked for: a 1 MB document
 * has ~30,000 lines, of which a lookup reads a few.
 */
class Lines {
  readonly offset: number[] = [];
  readonly indent: number[] = [];
  /** Where each line's body ends (before the line break and a CR). */
  private readonly bodyEnd: number[] = [];

  constructor(
    private readonly text: string,
    start: number,
    end: number,
  ) {
    const t = text;
    let i = start;
    while (i < end) {
      let nl = t.indexOf('\n', i);
      if (nl < 0 || nl > end) nl = end;
      let j = i;
      while (j < nl && t.charCodeAt(j) === 32) j++;
      this.offset.push(i);
      this.indent.push(j - i);
      this.bodyEnd.push(nl > j && t.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      i = nl + 1;
    }
  }

  get length(): number {
    return this.offset.length;
  }

  body(i: number): string {
    return this.text.slice(this.offset[i] + this.indent[i], this.bodyEnd[i]);
  }

  /** An empty body, or a comment. */
  blank(i: number): boolean {
    const at = this.offset[i] + this.indent[i];
    return at >= this.bodyEnd[i] || this.text.charCodeAt(at) === 35; /* # */
  }

  /** The body starts with `-` followed by a space, a tab or nothing (a sequence item). */
  dash(i: number): boolean {
    const at = this.offset[i] + this.indent[i];
    if (at >= this.bodyEnd[i] || this.text.charCodeAt(at) !== 45) return false;
    const next = at + 1 < this.bodyEnd[i] ? this.text.charCodeAt(at + 1) : -1;
    return next === -1 || next === 32 || next === 9;
  }
}

interface Scope {
  first: number;
  /** Column (0-based) where content starts on the first line (after "- " for a sequence item). */
  firstCol: number;
  end: number;
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{[\]},&*!|>%@`?-][^#]*?|-[^\s#][^#]*?))[ \t]*:(?=[ \t]|$)/;

/** An entry of a block collection: its first line and the lines that belong to it. */
interface Entry {
  line: number;
  col: number;
  body: string;
  end: number;
  /** A mapping entry's key, read on first use (null: not a plain key, the caller parses instead). */
  key?: string | null;
  keyLength?: number;
}

/** A block collection's entries, and whether they are sequence items, mapping entries or a mix. */
interface Collection {
  list: Entry[];
  kind: 'seq' | 'map' | 'mixed';
}

export class BlockLocator {
  private lines: Lines | undefined;
  private memo: Map<string, Collection | undefined> | undefined;
  private top: { first: number; firstCol: number } | null | undefined;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly pos: (offset: number) => SourceLocation,
  ) {}

  private getLines(): Lines {
    this.lines ??= new Lines(this.text, this.start, this.end);
    return this.lines;
  }

  /** Location for the path, `undefined` when unsure (the caller then parses). */
  locate(path: ObjPath): SourceLocation | undefined {
    const lines = this.getLines();
    this.top ??= this.findTop();
    if (this.top === null) return undefined;
    const { first, firstCol } = this.top;
    let scope: Scope = { first, firstCol, end: lines.length };
    let best = this.at(first, firstCol);
    for (let k = 0; k < path.length; k++) {
      const seg = path[k];
      const collection = this.entries(scope);
      if (collection === undefined || collection.kind === 'mixed') return undefined;
      const entries = collection.list;
      if (entries.length === 0) return best;
      const last = k === path.length - 1;
      if (collection.kind === 'seq') {
        if (typeof seg !== 'number') return best; // the parser stops on a sequence asked for a key
        const e = entries[seg];
        if (!e) return best;
        const afterDash = e.body.slice(1).replace(/^[ \t]+/, '');
        const col = e.col + (e.body.length - afterDash.length);
        if (afterDash === '' || afterDash.startsWith('#')) {
          // "-" alone: the item starts on the next content line.
          const next = this.nextContent(e.line + 1, e.end);
          if (next < 0) return undefined;
          best = this.at(next, lines.indent[next]);
          if (last) return best;
          scope = { first: next, firstCol: lines.indent[next], end: e.end };
          continue;
        }
        if (/^[&!*{[|>"']/.test(afterDash) || /^-(?:[ \t]|$)/.test(afterDash)) {
          if (last && !/^[&!*]/.test(afterDash)) return this.at(e.line, col);
          return undefined;
        }
        best = this.at(e.line, col);
        if (last) return best;
        if (!KEY.test(afterDash)) return best; // a scalar item: nothing deeper
        scope = { first: e.line, firstCol: col, end: e.end };
        continue;
      }
      // A mapping.
      if (typeof seg === 'number' && entries.length > 0) {
        // The parser looks the number up as a key; keys that are numbers are rare enough to parse.
        return undefined;
      }
      let found: Entry | undefined;
      let rest = '';
      for (const e of entries) {
        if (e.key === undefined) {
          const m = KEY.exec(e.body);
          if (!m || (m[1] !== undefined && m[1].includes('\\'))) {
            e.key = null;
          } else {
            e.key = m[1] !== undefined ? unescapeDouble(m[1]) : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3].trimEnd();
            e.keyLength = m[0].length;
          }
        }
        if (e.key === null) return undefined;
        if (e.key === String(seg)) {
          found = e;
          rest = e.body.slice(e.keyLength).replace(/^[ \t]+/, '');
          break;
        }
      }
      if (!found) return best;
      best = this.at(found.line, found.col);
      if (last) return best;
      if (rest === '' || rest.startsWith('#')) {
        const next = this.nextContent(found.line + 1, found.end);
        if (next < 0) return best; // null value
        scope = { first: next, firstCol: lines.indent[next], end: found.end };
        continue;
      }
      if (rest.startsWith('{') || rest.startsWith('[')) {
        // A flow collection on the key's line (`hostPath: {path: /etc}`): read it if it closes there.
        const body = found.body;
        const col = flowLocate(body, body.length - rest.length, path.slice(k + 1));
        if (col === undefined) return undefined;
        return col < 0 ? best : this.at(found.line, found.col + col);
      }
      if (/^[&!*]/.test(rest)) return undefined; // anchors, tags, aliases
      return best; // a scalar (plain, quoted or block): nothing deeper
    }
    return best;
  }

  private at(line: number, col: number): SourceLocation {
    return this.pos(this.getLines().offset[line] + col - this.start);
  }

  private nextContent(from: number, end: number): number {
    const lines = this.getLines();
    for (let i = from; i < end; i++) if (!lines.blank(i)) return i;
    return -1;
  }

  /**
   * The entries of a block collection: lines at its base column, each with the range of lines that
   * belong to it. A key whose sequence value sits at the same indentation ("key:\n- a") keeps its
   * dash lines. `undefined` when the layout is not plain block style.
   */
  private entries(scope: Scope): Collection | undefined {
    // Findings on one object share their paths' beginnings: each collection is read once.
    const memoKey = `${scope.first}:${scope.firstCol}:${scope.end}`;
    this.memo ??= new Map();
    if (this.memo.has(memoKey)) return this.memo.get(memoKey);
    const list = this.readEntries(scope);
    let found: Collection | undefined;
    if (list) {
      const dash = (e: Entry): boolean => /^-(?:[ \t]|$)/.test(e.body);
      const seq = list.length > 0 && dash(list[0]);
      found = { list, kind: list.some((e) => dash(e) !== seq) ? 'mixed' : seq ? 'seq' : 'map' };
    }
    this.memo.set(memoKey, found);
    return found;
  }

  /** The document's first content line and column (after a `---` with content on its line). */
  private findTop(): { first: number; firstCol: number } | null {
    const lines = this.getLines();
    for (let i = 0; i < lines.length; i++) {
      if (lines.blank(i)) continue;
      const b = lines.body(i);
      if (b.startsWith('%')) continue;
      if (/^---(?:[ \t]|$)/.test(b)) {
        const rest = b.slice(3).replace(/^[ \t]+/, '');
        if (rest === '' || rest.startsWith('#')) continue;
        return { first: i, firstCol: lines.indent[i] + (b.length - rest.length) };
      }
      if (/^\.\.\.(?:[ \t]|$)/.test(b)) return null;
      return { first: i, firstCol: lines.indent[i] };
    }
    return null;
  }

  private readEntries(scope: Scope): Entry[] | undefined {
    const lines = this.getLines();
    const base = scope.firstCol;
    const out: Entry[] = [];
    const firstBody = lines.body(scope.first).slice(scope.firstCol - lines.indent[scope.first]);
    out.push({ line: scope.first, col: base, body: firstBody, end: scope.end });
    const isSeq = /^-(?:[ \t]|$)/.test(firstBody);
    for (let i = scope.first + 1; i < scope.end; i++) {
      const indent = lines.indent[i];
      if (indent > base || lines.blank(i)) continue;
      if (indent < base) {
        out[out.length - 1].end = i;
        return this.trim(out, i);
      }
      if (!isSeq && lines.dash(i)) continue; // "key:\n- item" at the same indentation: part of the previous entry
      out[out.length - 1].end = i;
      out.push({ line: i, col: base, body: lines.body(i), end: scope.end });
    }
    return out;
  }

  private trim<T extends { end: number }>(out: T[], end: number): T[] {
    for (const e of out) if (e.end > end) e.end = end;
    return out;
  }
}

function unescapeDouble(s: string): string {
  return s;
}

/**
 * In a flow collection written on one line (`{path: /etc, type: Directory}`, `[a, {b: c}]`) starting
 * at `open` in `s`: the index of the deepest key or item of `path` found in it, -1 when its first
 * segment is not there, `undefined` when the text is not that simple (it does not close on the line;
 * anchors, aliases, tags, `?` keys, comments inside, escapes in double quotes): the caller parses.
 */
export function flowLocate(s: string, open: number, path: ObjPath): number | undefined {
  let best = -1;
  let at = open;
  for (const seg of path) {
    const c = readFlow(s, at);
    if (c === undefined) return undefined;
    let next: number | undefined;
    if (c.map) {
      const e = c.entries.find((x) => x.key === String(seg));
      if (e) {
        best = e.at;
        next = e.value;
      }
    } else if (typeof seg === 'number' && seg < c.entries.length) {
      best = c.entries[seg].at;
      next = c.entries[seg].at;
    }
    if (next === undefined || (s.charCodeAt(next) !== 123 && s.charCodeAt(next) !== 91)) return best; // not found, or a scalar
    at = next;
  }
  return best;
}

interface FlowEntry {
  /** Mapping entries: the key's text. */
  key?: string;
  /** Where the key (mappings) or the item (sequences) starts. */
  at: number;
  /** Where a mapping entry's value starts (-1: no value). */
  value: number;
}

const FLOW_END = new Set([',', ']', '}']);

/** The entries of the flow collection at `open`, if it is simple and closes on this line. */
function readFlow(s: string, open: number): { map: boolean; entries: FlowEntry[]; end: number } | undefined {
  const map = s.charAt(open) === '{';
  const close = map ? '}' : ']';
  const entries: FlowEntry[] = [];
  let i = skipBlanks(s, open + 1);
  while (i < s.length && s.charAt(i) !== close) {
    const start = i;
    let key: string | undefined;
    let value = -1;
    if (map) {
      const k = readFlowScalar(s, i);
      if (k === undefined) return undefined;
      key = k.text;
      i = skipBlanks(s, k.end);
      if (s.charAt(i) === ':') {
        i = skipBlanks(s, i + 1);
        if (s.charAt(i) !== ',' && s.charAt(i) !== close) {
          value = i;
          const v = skipFlowValue(s, i);
          if (v === undefined) return undefined;
          i = v;
        }
      }
    } else {
      const v = skipFlowValue(s, i);
      if (v === undefined) return undefined;
      // `[a: b]` (a one-pair mapping as an item) is left to the parser.
      if (/^[^[{"'][^,\]]*?:(?:[ \t]|$)/.test(s.slice(i, v))) return undefined;
      i = v;
    }
    entries.push({ key, at: start, value });
    i = skipBlanks(s, i);
    if (s.charAt(i) === ',') i = skipBlanks(s, i + 1);
    else if (s.charAt(i) !== close) return undefined;
  }
  if (i >= s.length) return undefined; // does not close on this line
  return { map, entries, end: i + 1 };
}

function skipBlanks(s: string, i: number): number {
  while (s.charAt(i) === ' ' || s.charAt(i) === '\t') i++;
  return i;
}

/** A flow scalar at `i`: its text and where it ends; undefined when not simple. */
function readFlowScalar(s: string, i: number): { text: string; end: number } | undefined {
  const c = s.charAt(i);
  if (c === '"') {
    const end = s.indexOf('"', i + 1);
    if (end < 0 || s.slice(i + 1, end).includes('\\')) return undefined;
    return { text: s.slice(i + 1, end), end: end + 1 };
  }
  if (c === "'") {
    let j = i + 1;
    for (;;) {
      const q = s.indexOf("'", j);
      if (q < 0) return undefined;
      if (s.charAt(q + 1) === "'") {
        j = q + 2;
        continue;
      }
      return { text: s.slice(i + 1, q).replace(/''/g, "'"), end: q + 1 };
    }
  }
  if (c === '' || '&*!?#|>%@`{[]},'.includes(c) || (c === '-' && ' \t'.includes(s.charAt(i + 1) || ' '))) return undefined;
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charAt(j);
    if (FLOW_END.has(d)) break;
    if (d === ':' && (j + 1 >= s.length || ' \t,[]{}'.includes(s.charAt(j + 1)))) break;
    if (d === '#' && (s.charAt(j - 1) === ' ' || s.charAt(j - 1) === '\t')) return undefined;
  }
  return { text: s.slice(i, j).trimEnd(), end: j };
}

/** Past the flow value at `i` (a scalar or a nested collection); undefined when not simple. */
function skipFlowValue(s: string, i: number): number | undefined {
  const c = s.charAt(i);
  if (c === '{' || c === '[') return readFlow(s, i)?.end;
  const v = readFlowScalar(s, i);
  return v?.end;
}
