// Finds where a path (['spec', 'containers', 0, 'securityContext']) sits in block-style YAML by
// reading indentation, without building a syntax tree: most manifests are plain block YAML, and a
// full parse only to place a finding costs more than the scan. Anything it is not sure about
// (flow collections on the way, anchors, tags, complex keys) returns `undefined` and the caller
// parses the document properly. Gives the same answer as the parser-based locator: the line of the
// deepest key or item found on the path (verified by test/block-locate.test.ts).
import type { ObjPath, SourceLocation } from '../core/types.js';
import { lineIndentedAtMost } from './lines.js';

/** The next line with content at any indentation. */
const ANY_CONTENT = /\n *(?=[^ \n\r#]|\r[^\n])/g;
/** A line with content at this line start (sticky): its indentation is the match's length. */
const CONTENT_HERE = / *(?=[^ \n\r#]|\r[^\n])/y;

/** Lines are offsets into the text: where a line starts, and where the lines of a range end. */
interface Scope {
  /** Where the scope's first line starts. */
  first: number;
  /** Column (0-based) where content starts on the first line (after "- " for a sequence item). */
  firstCol: number;
  /** Where the line after the scope starts (or the document's end). */
  end: number;
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{[\]},&*!|>%@`?-][^#]*?|-[^\s#][^#]*?))[ \t]*:(?=[ \t]|$)/;

/** An entry of a block collection: its first line and the lines that belong to it. */
interface Entry {
  /** Where its first line starts. */
  line: number;
  col: number;
  /** The line's text from `col`, cut on first use (a lookup reads a few of a collection's entries). */
  body?: string;
  /** Where the line after its last one starts. */
  end: number;
  /** A mapping entry's key, read on first use (null: not a plain key, the caller parses instead). */
  key?: string | null;
  keyLength?: number;
}

/** A block collection's entries, and whether they are sequence items, mapping entries or a mix. */
interface Collection {
  list: Entry[];
  kind: 'seq' | 'map' | 'mixed';
  /** Where the line after the collection starts. */
  end: number;
  /** What each path segment asked of it found (memo of BlockLocator.step). */
  steps?: Map<string | number, Step>;
}

/** The answer is the best location found before this segment. */
const KEEP = 'keep';
/** Not plain block YAML here: the caller parses. */
const UNSURE = 'unsure';
/** A flow collection on a key's line, read for the rest of the path. */
interface FlowValue {
  body: string;
  /** Where the collection opens in `body`. */
  open: number;
  line: number;
  col: number;
}
/**
 * One path segment looked up in a collection: nothing found (KEEP), not sure (UNSURE), or the entry
 * found (its location, the answer if the path ends here) and what the rest of the path is looked up
 * in: the entry's value as a collection, a flow collection, nothing deeper (KEEP), or UNSURE.
 */
type Step = typeof KEEP | typeof UNSURE | { loc: SourceLocation; then: Scope | FlowValue | typeof KEEP | typeof UNSURE };

export class BlockLocator {
  private memo: Map<number, Collection> | undefined;
  private top: { first: number; firstCol: number } | null | undefined;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly pos: (offset: number) => SourceLocation,
  ) {}

  /** Location for the path, `undefined` when unsure (the caller then parses). */
  locate(path: ObjPath): SourceLocation | undefined {
    this.top ??= this.findTop();
    if (this.top === null) return undefined;
    const { first, firstCol } = this.top;
    let scope: Scope = { first, firstCol, end: this.end };
    let best = this.at(first, firstCol);
    for (let k = 0; k < path.length; k++) {
      const collection = this.entries(scope);
      if (collection.kind === 'mixed') return undefined;
      const seg = path[k];
      // Findings on an object ask for the same few places: each step is worked out once.
      collection.steps ??= new Map();
      let step = collection.steps.get(seg);
      if (step === undefined) collection.steps.set(seg, (step = this.step(collection, seg)));
      if (step === KEEP) return best;
      if (step === UNSURE) return undefined;
      best = step.loc;
      if (k === path.length - 1) return best;
      const then = step.then;
      if (then === KEEP) return best;
      if (then === UNSURE) return undefined;
      if ('body' in then) {
        // A flow collection on the key's line (`hostPath: {path: /etc}`): read it if it closes there.
        const col = flowLocate(then.body, then.open, path.slice(k + 1));
        if (col === undefined) return undefined;
        return col < 0 ? best : this.at(then.line, then.col + col);
      }
      scope = then;
    }
    return best;
  }

  /** What one path segment finds in a collection (see Step). */
  private step(collection: Collection, seg: string | number): Step {
    const entries = collection.list;
    if (entries.length === 0) return KEEP;
    if (collection.kind === 'seq') {
      if (typeof seg !== 'number') return KEEP; // the parser stops on a sequence asked for a key
      const e = entries[seg];
      if (!e) return KEEP;
      const body = this.bodyOf(e);
      const after = skipBlanks(body, 1);
      const col = e.col + after;
      const c = body.charAt(after);
      if (c === '' || c === '#') {
        // "-" alone: the item starts on the next content line.
        const next = this.nextContent(this.nextLine(e.line), e.end);
        if (next < 0) return UNSURE;
        const indent = this.indent(next);
        return { loc: this.at(next, indent), then: { first: next, firstCol: indent, end: e.end } };
      }
      if ('&!*'.includes(c)) return UNSURE; // anchors, tags, aliases
      // A flow collection, a block scalar, a quoted scalar or a nested sequence: the item is here, nothing deeper.
      if ('{[|>"\''.includes(c) || /^-(?:[ \t]|$)/.test(body.slice(after))) return { loc: this.at(e.line, col), then: UNSURE };
      const loc = this.at(e.line, col);
      if (!KEY.test(body.slice(after))) return { loc, then: KEEP }; // a scalar item: nothing deeper
      return { loc, then: { first: e.line, firstCol: col, end: e.end } };
    }
    // A mapping.
    if (typeof seg === 'number') return UNSURE; // the parser looks the number up as a key; keys that are numbers are rare enough to parse
    let found: Entry | undefined;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.key === undefined) {
        const m = KEY.exec(this.bodyOf(e));
        if (!m || (m[1] !== undefined && m[1].includes('\\'))) {
          e.key = null;
        } else {
          e.key = m[1] !== undefined ? m[1] : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3].trimEnd();
          e.keyLength = m[0].length;
        }
      }
      if (e.key === null) return UNSURE;
      if (e.key === seg) {
        found = e;
        break;
      }
    }
    if (!found) return KEEP;
    const loc = this.at(found.line, found.col);
    const body = this.bodyOf(found);
    const open = skipBlanks(body, found.keyLength!);
    const c = body.charAt(open);
    if (c === '' || c === '#') {
      const next = this.nextContent(this.nextLine(found.line), found.end);
      if (next < 0) return { loc, then: KEEP }; // null value
      return { loc, then: { first: next, firstCol: this.indent(next), end: found.end } };
    }
    if (c === '{' || c === '[') return { loc, then: { body, open, line: found.line, col: found.col } };
    if ('&!*'.includes(c)) return { loc, then: UNSURE }; // anchors, tags, aliases
    return { loc, then: KEEP }; // a scalar (plain, quoted or block): nothing deeper
  }

  private at(line: number, col: number): SourceLocation {
    return this.pos(line + col - this.start);
  }

  /** Where the line after the one starting at `line` starts (the range's end after its last line). */
  private nextLine(line: number): number {
    const nl = this.text.indexOf('\n', line);
    return nl < 0 || nl >= this.end ? this.end : nl + 1;
  }

  private bodyOf(e: Entry): string {
    return (e.body ??= this.body(e.line, e.col));
  }

  /**
   * The text at `at` is a sequence item's dash: `-` followed by a space, a tab or the end of the
   * line's body (what /^-(?:[ \t]|$)/ says of the body from there).
   */
  private dashAt(at: number): boolean {
    const t = this.text;
    if (at >= this.end || t.charCodeAt(at) !== 45) return false;
    const n = at + 1;
    if (n >= this.end) return true;
    const c = t.charCodeAt(n);
    if (c === 32 || c === 9 || c === 10) return true;
    return c === 13 && (n + 1 >= this.end || t.charCodeAt(n + 1) === 10);
  }

  /** The body of the line starting at `line` with this indentation: up to its line break, without a CR. */
  private body(line: number, indent: number): string {
    let e = this.text.indexOf('\n', line);
    if (e < 0 || e > this.end) e = this.end;
    const from = line + indent;
    if (e > from && this.text.charCodeAt(e - 1) === 13) e--;
    return this.text.slice(from, e);
  }

  /** Spaces at the start of the line. */
  private indent(line: number): number {
    let j = line;
    while (j < this.end && this.text.charCodeAt(j) === 32) j++;
    return j - line;
  }

  /** Content found at `contentAt` lies inside the range (and is not a CR that ends the range's last line). */
  private inRange(contentAt: number): boolean {
    if (contentAt >= this.end) return false;
    return this.text.charCodeAt(contentAt) !== 13 || contentAt + 1 < this.end;
  }

  /** The first line with content (not blank, not a comment) starting at or after `from`, before `end`; -1 if none. */
  private nextContent(from: number, end: number): number {
    if (from >= end) return -1;
    CONTENT_HERE.lastIndex = from;
    const here = CONTENT_HERE.exec(this.text);
    if (here && this.inRange(from + here[0].length)) return from;
    ANY_CONTENT.lastIndex = from;
    const m = ANY_CONTENT.exec(this.text);
    if (!m || m.index + 1 >= end || !this.inRange(m.index + m[0].length)) return -1;
    return m.index + 1;
  }

  /**
   * The entries of a block collection: lines at its base column, each with the range of lines that
   * belong to it. A key whose sequence value sits at the same indentation ("key:\n- a") keeps its
   * dash lines. A mix of sequence items and mapping entries is not plain block style (the caller parses).
   */
  private entries(scope: Scope): Collection {
    // Findings on one object share their paths' beginnings: each collection is read once. A
    // collection is known by where its first line starts and its column (its end follows from them;
    // it is checked all the same).
    const memoKey = scope.first * 4096 + scope.firstCol;
    const memo = (this.memo ??= new Map());
    const known = scope.firstCol < 4096 ? memo.get(memoKey) : undefined;
    if (known !== undefined && known.end === scope.end) return known;
    const list = this.readEntries(scope);
    const seq = list.length > 0 && this.dashAt(list[0].line + list[0].col);
    let mixed = false;
    for (let i = 1; i < list.length && !mixed; i++) mixed = this.dashAt(list[i].line + list[i].col) !== seq;
    const found: Collection = { list, kind: mixed ? 'mixed' : seq ? 'seq' : 'map', end: scope.end };
    if (scope.firstCol < 4096) memo.set(memoKey, found);
    return found;
  }

  /** The document's first content line and column (after a `---` with content on its line). */
  private findTop(): { first: number; firstCol: number } | null {
    for (let i = this.nextContent(this.start, this.end); i >= 0; i = this.nextContent(this.nextLine(i), this.end)) {
      const indent = this.indent(i);
      const b = this.body(i, indent);
      if (b.startsWith('%')) continue;
      if (/^---(?:[ \t]|$)/.test(b)) {
        const rest = b.slice(3).replace(/^[ \t]+/, '');
        if (rest === '' || rest.startsWith('#')) continue;
        return { first: i, firstCol: indent + (b.length - rest.length) };
      }
      if (/^\.\.\.(?:[ \t]|$)/.test(b)) return null;
      return { first: i, firstCol: indent };
    }
    return null;
  }

  private readEntries(scope: Scope): Entry[] {
    const base = scope.firstCol;
    const out: Entry[] = [];
    out.push({ line: scope.first, col: base, end: scope.end });
    const isSeq = this.dashAt(scope.first + base);
    // Only lines indented by at most `base` end an entry or start one; the regular expression skips
    // the rest (reading the top-level keys of a 1 MB ConfigMapList jumps over its nested lines).
    const re = lineIndentedAtMost(base, 'blank');
    re.lastIndex = this.nextLine(scope.first) - 1;
    for (let m = re.exec(this.text); m !== null; m = re.exec(this.text)) {
      const line = m.index + 1;
      if (line >= scope.end || !this.inRange(m.index + m[0].length)) break;
      const indent = m[0].length - 1;
      if (indent < base) {
        out[out.length - 1].end = line;
        return this.trim(out, line);
      }
      if (!isSeq && this.dashAt(line + indent)) continue; // "key:\n- item" at the same indentation: part of the previous entry
      out[out.length - 1].end = line;
      out.push({ line, col: base, end: scope.end });
    }
    return out;
  }

  private trim<T extends { end: number }>(out: T[], end: number): T[] {
    for (const e of out) if (e.end > end) e.end = end;
    return out;
  }
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
