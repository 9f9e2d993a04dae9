// Finds where a path (['spec', 'containers', 0, 'securityContext']) sits in a JSON text that
// JSON.parse accepted, without a YAML syntax tree: the same answer as the parser-based locator (the
// start of the deepest key or item found on the path; for a key, its opening quote), checked by
// test/json-locate.test.ts. Each object or array on a looked-up path is read once, and its members'
// offsets are kept, so many findings in one document cost one pass over the parts they touch.
import type { ObjPath } from '../core/types.js';

interface Container {
  /** Objects: each member's key and the offsets of the key's quote and of its value. */
  keys?: Array<{ key: string; at: number; value: number }>;
  /** Arrays: the offset of each item. */
  items?: number[];
}

/** Positions in a JSON text that JSON.parse accepted (offsets into it). */
export class JsonLocator {
  private readonly containers = new Map<number, Container>();
  private readonly root: number;

  constructor(private readonly text: string) {
    this.root = this.skipSpace(0);
  }

  /** Offset of the deepest key or item of `path` that exists (the value's start for `[]`). */
  locate(path: ObjPath): number {
    let best = this.root;
    let at = this.root;
    for (const seg of path) {
      const c = this.text.charCodeAt(at);
      if (c === 123 /* { */) {
        const key = String(seg);
        const m = this.container(at).keys!.find((k) => k.key === key);
        if (!m) break;
        best = m.at;
        at = m.value;
      } else if (c === 91 /* [ */ && typeof seg === 'number') {
        const item = this.container(at).items![seg];
        if (item === undefined) break;
        best = item;
        at = item;
      } else {
        break;
      }
    }
    return best;
  }

  private container(start: number): Container {
    let c = this.containers.get(start);
    if (c) return c;
    const t = this.text;
    const object = t.charCodeAt(start) === 123;
    c = object ? { keys: [] } : { items: [] };
    let i = this.skipSpace(start + 1);
    const close = object ? 125 : 93;
    while (t.charCodeAt(i) !== close) {
      if (object) {
        const keyEnd = this.skipString(i);
        const raw = t.slice(i + 1, keyEnd - 1);
        const key = raw.includes('\\') ? (JSON.parse(t.slice(i, keyEnd)) as string) : raw;
        const value = this.skipSpace(this.skipSpace(keyEnd) + 1); // past the colon
        c.keys!.push({ key, at: i, value });
        i = this.skipValue(value);
      } else {
        c.items!.push(i);
        i = this.skipValue(i);
      }
      i = this.skipSpace(i);
      if (t.charCodeAt(i) === 44 /* , */) i = this.skipSpace(i + 1);
    }
    this.containers.set(start, c);
    return c;
  }

  private skipSpace(i: number): number {
    const t = this.text;
    for (let c = t.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = t.charCodeAt(++i));
    return i;
  }

  /** From an opening quote to just past the closing one. */
  private skipString(i: number): number {
    const t = this.text;
    for (let j = i + 1; ; ) {
      const q = t.indexOf('"', j);
      if (q < 0) return t.length;
      let slashes = 0;
      for (let k = q - 1; t.charCodeAt(k) === 92; k--) slashes++;
      if (slashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** From the start of a value to just past its end. */
  private skipValue(i: number): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === 34) return this.skipString(i);
    if (c !== 123 && c !== 91) {
      let j = i;
      for (let d = t.charCodeAt(j); j < t.length && d !== 44 && d !== 125 && d !== 93 && d !== 32 && d !== 10 && d !== 13 && d !== 9; d = t.charCodeAt(++j));
      return j;
    }
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 34) j = this.skipString(j) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return t.length;
  }
}
