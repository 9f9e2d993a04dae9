// Reading a kubeward snapshot (one JSON ClusterSnapshot, possibly hundreds of MB) in pieces: the bytes
// are fed as they are read, each run of complete `items` elements is parsed as soon as it is complete,
// and neither the file's bytes nor its text ever exist whole. For a 278 MiB snapshot of 50,000 pods
// that saves the 278 MiB buffer and the 278 MiB string that `JSON.parse(text)` needs.
//
// The result is exactly what parseManifestText gives for the same file. Anything out of the ordinary
// (a byte-order mark, non-ASCII in the first 2 KiB, invalid UTF-8, an item that is not an object,
// any JSON syntax error, a second `items` key...) makes push()/end() give up (return false /
// undefined): the caller then reads the file the ordinary way, which also words the error messages.
// Pure: no file system access here.
import type { ParsedText } from './manifest.js';
import { collectObject, isSnapshotHead, readSnapshotMeta, SNAPSHOT_KIND } from './manifest.js';

const enum Mode {
  /** Before the `items` array: bytes belong to the skeleton. */
  Before,
  /** Inside the `items` array. */
  Items,
  /** After it: bytes belong to the skeleton again. */
  After,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const ITEMS = Buffer.from('items');

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class SnapshotStream {
  private failed = false;
  private mode = Mode.Before;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Start (in `buf`) of the string being read at depth 1, to recognise the key "items"; -1 otherwise. */
  private keyStart = -1;
  private lastStringIsItems = false;
  /** The value being read at depth 1 is that of the key "items". */
  private itemsValue = false;
  /** Commas seen at depth 2 since the last element ended (exactly one between elements). */
  private commas = 0;
  private elements = 0;
  /**
   * Bytes not yet consumed. Before and after the array: the skeleton's bytes since the last hand-over.
   * Inside it: from the end of the last parsed element on.
   */
  private buf: Buffer = Buffer.alloc(0);
  /** Offset in `buf` up to which bytes have been scanned. */
  private scanned = 0;
  /** Inside the array: start (in buf) of the first element not yet parsed, or -1. */
  private batchStart = -1;
  /** End (in buf) of the last complete element not yet parsed, or -1. */
  private batchEnd = -1;
  private readonly skeleton: Buffer[] = [];
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly items: ParsedText = { objects: [], errors: [] };
  private index = 0;

  constructor(private readonly file: string) {}

  /** True when `head` (the file's first bytes) is a snapshot this reader takes on. */
  static accepts(head: Uint8Array): boolean {
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return false;
    const n = Math.min(head.length, 2048);
    for (let i = 0; i < n; i++) if (head[i] >= 0x80 || head[i] === 0) return false;
    const text = Buffer.from(head.buffer, head.byteOffset, n).toString('latin1');
    return /^[ \t\r\n]*\{/.test(text) && isSnapshotHead(text);
  }

  /** Feeds the next bytes; false once the reader has given up (the rest need not be fed). */
  push(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    try {
      this.scan();
      if (this.mode === Mode.Items) this.flush();
    } catch {
      this.failed = true;
    }
    return !this.failed;
  }

  /** The parsed snapshot, or undefined when the ordinary reader must do it. */
  end(): ParsedText | undefined {
    if (this.failed || this.mode !== Mode.After || this.inString || this.depth !== 0) return undefined;
    try {
      this.skeleton.push(this.buf);
      const data: unknown = JSON.parse(this.decoder.decode(Buffer.concat(this.skeleton)));
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
      const top = data as Record<string, unknown>;
      // A second "items" (written differently, e.g. with an escape) would have replaced ours.
      if (!Array.isArray(top.items) || top.items.length !== 0) return undefined;
      if (top.kind !== SNAPSHOT_KIND || typeof top.apiVersion !== 'string' || !top.apiVersion.startsWith('kubeward.io/')) return undefined;
      // As parseManifestText: the snapshot's own metadata (and its errors) first, then the items.
      const out: ParsedText = { objects: this.items.objects, errors: [], sawKind: true };
      out.snapshot = readSnapshotMeta(top, this.file, undefined, out);
      for (const e of this.items.errors) out.errors.push(e);
      return out;
    } catch {
      return undefined;
    }
  }

  private fail(): never {
    throw new Error('not a plain snapshot');
  }

  private scan(): void {
    let b = this.buf;
    let n = b.length;
    for (let i = this.scanned; i < n; i++) {
      const c = b[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) {
          // An escape in a top-level key could spell "items" a second time: leave such files alone.
          if (this.keyStart >= 0) this.fail();
          this.escaped = true;
        }
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.lastStringIsItems = i - this.keyStart === ITEMS.length && b.compare(ITEMS, 0, ITEMS.length, this.keyStart, i) === 0;
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.mode === Mode.Items && this.depth === 2) {
        // Between elements of `items`: `{` starts one, `,` separates, `]` ends the array.
        if (c === LBRACE) {
          if (this.commas !== (this.elements === 0 ? 0 : 1)) this.fail();
          if (this.batchStart < 0) this.batchStart = i;
          this.depth = 3;
        } else if (c === COMMA) {
          if (this.elements === 0 || ++this.commas > 1) this.fail();
        } else if (c === RBRACKET) {
          if (this.commas !== 0) this.fail();
          this.scanned = i;
          this.flush();
          // The skeleton goes on from this `]`: `"items": []` remains of the array.
          this.mode = Mode.After;
          this.depth = 1;
          b = this.buf;
          n = b.length;
          i = this.scanned; // the `]`
        } else {
          this.fail(); // an item that is not an object: the ordinary reader reports it
        }
        continue;
      }
      // Only the token right after `"items":` (at depth 1) may open the array.
      const itemsValue = this.itemsValue;
      this.itemsValue = false;
      if (c === QUOTE) {
        // Most bytes are in strings: find the closing quote natively (one not preceded by an odd
        // number of backslashes). A string that goes on past this piece is read byte by byte.
        let j = i + 1;
        for (;;) {
          j = b.indexOf(QUOTE, j);
          if (j < 0) break;
          let k = j - 1;
          while (b[k] === BACKSLASH) k--;
          if ((j - 1 - k) % 2 === 0) break;
          j++;
        }
        if (j < 0) {
          this.inString = true;
          this.keyStart = this.depth === 1 ? i + 1 : -1;
          continue;
        }
        if (this.depth === 1) {
          // An escape in a top-level key could spell "items" a second time: leave such files alone.
          const bs = b.indexOf(BACKSLASH, i + 1);
          if (bs >= 0 && bs < j) this.fail();
          this.lastStringIsItems = j - i - 1 === ITEMS.length && b.compare(ITEMS, 0, ITEMS.length, i + 1, j) === 0;
        }
        i = j;
      } else if (c === COLON) {
        if (this.depth === 1) this.itemsValue = this.lastStringIsItems;
      } else if (c === LBRACE || c === LBRACKET) {
        if (c === LBRACKET && this.depth === 1 && itemsValue) {
          if (this.mode !== Mode.Before) this.fail(); // a second "items"
          // The skeleton keeps the `[`; what follows is read element by element.
          this.skeleton.push(Buffer.from(b.subarray(0, i + 1)));
          this.mode = Mode.Items;
          this.depth = 2;
          this.buf = b = b.subarray(i + 1);
          n = b.length;
          i = -1;
          continue;
        }
        this.depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.depth < 0) this.fail();
        if (this.mode === Mode.Items && this.depth === 2) {
          if (c !== RBRACE) this.fail();
          this.elements++;
          this.commas = 0;
          this.batchEnd = i + 1;
        }
      }
    }
    this.scanned = n;
  }

  /** Parses the complete elements read so far (one JSON.parse for all of them) and drops their bytes. */
  private flush(): void {
    if (this.batchEnd < 0) return;
    // From the first element's `{` to the last one's `}`: elements and separating commas.
    const text = this.decoder.decode(this.buf.subarray(this.batchStart, this.batchEnd));
    const values = JSON.parse(`[${text}]`) as unknown[];
    for (const v of values) collectObject(v, this.file, undefined, ['items', this.index++], this.items);
    const cut = this.batchEnd;
    const open = this.depth > 2; // an element has started after the batch
    this.scanned -= cut;
    // A copy: the remainder must not keep the whole chunk alive.
    this.buf = Buffer.from(this.buf.subarray(cut));
    this.batchEnd = -1;
    this.batchStart = open ? this.findOpen() : -1;
  }

  /** Start of the element being read (the first `{` at depth 2 after the last complete one). */
  private findOpen(): number {
    // Only separators (spaces, one comma) lie between the end of the last element and the next `{`.
    const b = this.buf;
    for (let i = 0; i < b.length; i++) if (b[i] === LBRACE) return i;
    this.fail();
  }
}
