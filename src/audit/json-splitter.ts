// Splits a stream of JSON text into records without parsing it: the top-level values (concatenated
// or newline-separated documents), the elements of a top-level array, and the elements of the
// known container arrays of a top-level object ({"Records": [...]}, {"items": [...]}, ...). Memory
// stays bounded by the largest record, not by the document. Only structure is tracked (strings,
// escapes, brackets); each record's text is then given to JSON.parse.

export interface SplitterHandlers {
  /** A complete record: its text, the 1-based line it starts on, and the container key it came from. */
  record(text: string, line: number, container: string | undefined): void;
  /** A top-level object with its container arrays emptied (the wrapper), when it had any container. */
  wrapper?(text: string, line: number, containers: string[]): void;
  error(message: string, line: number): void;
}

export interface SplitterOptions {
  /** Keys of a top-level object whose array elements are records; empty = top-level values only. */
  containers?: ReadonlySet<string>;
  /** Largest record (and largest wrapper) kept in memory, in characters. */
  maxRecordChars?: number;
}

const WS = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

export class JsonSplitter {
  private line = 1;
  private depth = 0;
  private inStr = false;
  private esc = false;
  // What the current top-level value is: 0 none, 1 object, 2 array, 3 scalar junk
  private top = 0;
  // Record capture: depth at which the record value sits, -1 when not capturing.
  private recDepth = -1;
  private recScalar = false;
  private recParts: string[] = [];
  private recLen = 0;
  private recLine = 0;
  private recContainer: string | undefined;
  private recTooBig = false;
  // Container of a top-level object currently being split (its array is at depth 2).
  private container: string | undefined;
  private containersSeen: string[] = [];
  // Wrapper capture of a top-level object (text outside container arrays).
  private wrapParts: string[] = [];
  private wrapLen = 0;
  private wrapLine = 0;
  private wrapTooBig = false;
  // Last string closed at depth 1 inside a top-level object (candidate key) and its text.
  private keyStart = -1;
  private keyParts: string[] = [];
  private lastKey: string | undefined;
  private afterColonKey: string | undefined;
  private readonly containers: ReadonlySet<string>;
  private readonly max: number;

  constructor(
    private readonly h: SplitterHandlers,
    opts: SplitterOptions = {},
  ) {
    this.containers = opts.containers ?? new Set();
    this.max = opts.maxRecordChars ?? 256 * 1024 * 1024;
  }

  push(s: string): void {
    const n = s.length;
    // Start indices (in s) of the pieces being captured in this chunk; -1 = not capturing here.
    let recFrom = this.recDepth >= 0 ? 0 : -1;
    let wrapFrom = this.top === 1 && this.container === undefined ? 0 : -1;
    let keyFrom = this.keyStart >= 0 ? 0 : -1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 92 /* \ */) this.esc = true;
        else if (c === 34 /* " */) {
          this.inStr = false;
          if (keyFrom >= 0) {
            this.keyParts.push(s.slice(keyFrom, i));
            this.lastKey = this.keyParts.join('');
            this.keyParts = [];
            keyFrom = -1;
            this.keyStart = -1;
          }
          if (this.recDepth >= 0 && this.recScalar && this.depth === this.recDepth) {
            this.endRecord(s, recFrom, i + 1);
            recFrom = -1;
          }
        }
        continue;
      }
      if (WS(c)) continue;
      // A scalar record ends before the separator or the closing bracket of its array.
      if (this.recDepth >= 0 && this.recScalar && (c === 44 /* , */ || c === 93 /* ] */ || c === 125)) {
        this.endRecord(s, recFrom, i);
        recFrom = -1;
      }
      if (this.depth === 0) {
        if (c === 123 /* { */) {
          this.top = 1;
          this.wrapLine = this.line;
          this.containersSeen = [];
          wrapFrom = i;
          this.depth = 1;
          this.lastKey = undefined;
          this.afterColonKey = undefined;
          continue;
        }
        if (c === 91 /* [ */) {
          this.top = 2;
          this.depth = 1;
          continue;
        }
        // Junk at top level (a truncated or non-JSON line): report it and skip to the end of the line.
        const eol = s.indexOf('\n', i);
        this.h.error('not JSON: ' + JSON.stringify(s.slice(i, Math.min(eol < 0 ? n : eol, i + 40))), this.line);
        if (eol < 0) return;
        i = eol - 1; // the loop's next iteration counts the newline
        continue;
      }
      // Start of a record?
      if (this.recDepth < 0 && c !== 44 && c !== 93 && c !== 125 && c !== 58) {
        const recordLevel = (this.top === 2 && this.depth === 1) || (this.container !== undefined && this.depth === 2);
        if (recordLevel) {
          this.recDepth = this.depth;
          this.recScalar = c !== 123 && c !== 91;
          this.recParts = [];
          this.recLen = 0;
          this.recLine = this.line;
          this.recTooBig = false;
          this.recContainer = this.container;
          recFrom = i;
          if (c === 34) this.inStr = true;
          else if (c === 123 || c === 91) this.depth++;
          continue;
        }
      }
      if (c === 34 /* " */) {
        this.inStr = true;
        if (this.top === 1 && this.depth === 1 && this.container === undefined) {
          this.keyStart = i + 1;
          this.keyParts = [];
          keyFrom = i + 1;
        }
        continue;
      }
      if (c === 58 /* : */) {
        if (this.top === 1 && this.depth === 1) this.afterColonKey = this.lastKey;
        continue;
      }
      if (c === 123 || c === 91) {
        if (c === 91 && this.top === 1 && this.depth === 1 && this.afterColonKey !== undefined && this.containers.has(this.afterColonKey)) {
          // Enter a container array: the wrapper keeps "[" and resumes at the matching "]".
          if (wrapFrom >= 0) this.addWrap(s.slice(wrapFrom, i + 1));
          wrapFrom = -1;
          this.container = this.afterColonKey;
          this.containersSeen.push(this.container);
        }
        this.afterColonKey = undefined;
        this.depth++;
        continue;
      }
      if (c === 125 || c === 93) {
        this.depth--;
        if (this.container !== undefined && this.depth === 1) {
          this.container = undefined;
          wrapFrom = i;
        }
        if (this.recDepth >= 0 && !this.recScalar && this.depth === this.recDepth) {
          this.endRecord(s, recFrom, i + 1);
          recFrom = -1;
        }
        if (this.depth === 0) {
          if (this.top === 1) {
            if (wrapFrom >= 0) this.addWrap(s.slice(wrapFrom, i + 1));
            wrapFrom = -1;
            this.endTopObject();
          }
          this.top = 0;
        }
        if (this.depth < 0) {
          this.h.error('unbalanced closing bracket', this.line);
          this.depth = 0;
          this.top = 0;
        }
        continue;
      }
      if (c === 44 && this.top === 1 && this.depth === 1) this.afterColonKey = undefined;
    }
    // Keep the unfinished pieces for the next chunk.
    if (recFrom >= 0 && this.recDepth >= 0) this.addRec(s.slice(recFrom));
    if (wrapFrom >= 0 && this.top === 1 && this.container === undefined) this.addWrap(s.slice(wrapFrom));
    if (keyFrom >= 0 && this.keyStart >= 0) this.keyParts.push(s.slice(keyFrom));
  }

  /** End of input: reports an unfinished document. */
  end(): void {
    if (this.recDepth >= 0 && this.recScalar && !this.inStr) {
      this.flushRecord();
    } else if (this.recDepth >= 0) {
      this.h.error('unexpected end of input inside a record (truncated document)', this.recLine);
    } else if (this.depth > 0) {
      this.h.error('unexpected end of input (document not closed)', this.wrapLine || this.line);
    }
  }

  private addRec(piece: string): void {
    if (this.recTooBig) return;
    this.recLen += piece.length;
    if (this.recLen > this.max) {
      this.recTooBig = true;
      this.recParts = [];
      return;
    }
    this.recParts.push(piece);
  }

  private endRecord(s: string, from: number, to: number): void {
    if (from >= 0) this.addRec(s.slice(from, to));
    this.flushRecord();
  }

  private flushRecord(): void {
    const line = this.recLine;
    const container = this.recContainer;
    const tooBig = this.recTooBig;
    const text = tooBig ? '' : this.recParts.length === 1 ? this.recParts[0] : this.recParts.join('');
    this.recDepth = -1;
    this.recParts = [];
    this.recLen = 0;
    if (tooBig) this.h.error(`record larger than ${Math.round(this.max / 1048576)} MiB skipped`, line);
    else this.h.record(text, line, container);
  }

  private addWrap(piece: string): void {
    if (this.wrapTooBig) return;
    this.wrapLen += piece.length;
    if (this.wrapLen > this.max) {
      this.wrapTooBig = true;
      this.wrapParts = [];
      return;
    }
    this.wrapParts.push(piece);
  }

  private endTopObject(): void {
    const text = this.wrapParts.join('');
    const line = this.wrapLine;
    const tooBig = this.wrapTooBig;
    const seen = this.containersSeen;
    this.wrapParts = [];
    this.wrapLen = 0;
    this.wrapTooBig = false;
    if (tooBig) {
      this.h.error(`JSON document larger than ${Math.round(this.max / 1048576)} MiB that is not a known container (Records, records, items, events, logEvents) skipped`, line);
      return;
    }
    if (seen.length > 0) this.h.wrapper?.(text, line, seen);
    else this.h.record(text, line, undefined);
  }
}

/** Splits in-memory text holding one or more concatenated JSON values (Firehose batches). */
export function splitJsonValues(text: string): { values: Array<{ text: string; line: number }>; errors: Array<{ message: string; line: number }> } {
  const values: Array<{ text: string; line: number }> = [];
  const errors: Array<{ message: string; line: number }> = [];
  const s = new JsonSplitter({ record: (t, line) => values.push({ text: t, line }), error: (message, line) => errors.push({ message, line }) });
  s.push(text);
  s.end();
  return { values, errors };
}
