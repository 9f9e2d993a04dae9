// JSON text in pieces: the same bytes as `JSON.stringify(value, null, indent) + '\n'`, produced as a
// sequence of strings of about CHUNK characters, so that a report of hundreds of thousands of
// findings never exists as one string (nor as one Buffer when written).

/** Pieces are joined up to about this many characters before being handed out (by default). */
const CHUNK = 1 << 20;

/**
 * An array whose items come from an iterable, read once while the text is written (e.g. detections
 * read back from a temporary file): jsonChunks writes it as the array of those items. Only jsonChunks
 * knows it; JSON.stringify would not.
 */
export class StreamedArray {
  constructor(readonly items: Iterable<unknown>) {}
}

/**
 * Yields `JSON.stringify(value, null, indent) + '\n'` in pieces of about `chunk` characters (with
 * every StreamedArray written as the array of its items). Objects and arrays on the way down to
 * `depth` are written member by member; everything below is one JSON.stringify per member. Plain
 * JSON data only (what reports are made of); `toJSON` is honoured where JSON.stringify would.
 */
export function* jsonChunks(value: unknown, indent = 2, depth = 4, chunk = CHUNK): Generator<string> {
  let buf = '';
  const top = prepared(value, '');
  for (const piece of pieces(top, ' '.repeat(indent), depth, '')) {
    buf += piece;
    if (buf.length >= chunk) {
      yield buf;
      buf = '';
    }
  }
  yield buf + '\n';
}

/** The value as JSON.stringify would see it: after toJSON(key). */
function prepared(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return (v as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  return v;
}

/** JSON.stringify omits these as object members and writes null for them in arrays. */
function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/**
 * `JSON.stringify(v, null, step)` written at indentation `pad` (its lines after the first get `pad` in
 * front). Done by JSON.stringify itself: `v` wrapped in as many arrays as there are levels of `pad`,
 * then the wrapping cut off (faster than re-indenting the text).
 */
function leaf(v: unknown, pad: string, step: string): string {
  if (pad === '' || v === null || typeof v !== 'object') return JSON.stringify(v, null, step);
  const levels = pad.length / step.length;
  let w: unknown = v;
  for (let l = 0; l < levels; l++) w = [w];
  const s = JSON.stringify(w, null, step);
  // Before: "[\n" + step once, twice, ... levels times; after: "\n" + step (levels-1 ... 0 times) + "]".
  let before = 0;
  for (let l = 1; l <= levels; l++) before += 2 + l * step.length;
  let after = 0;
  for (let l = 0; l < levels; l++) after += 2 + l * step.length;
  return s.slice(before, s.length - after);
}

/** `v` has been through prepared() already. */
function* pieces(v: unknown, step: string, depth: number, pad: string): Generator<string> {
  if (v instanceof StreamedArray) {
    let i = 0;
    for (const item of v.items) {
      yield (i === 0 ? '[\n' : ',\n') + pad + step;
      const x = prepared(item, String(i++));
      if (skipped(x)) yield 'null';
      else yield* pieces(x, step, depth - 1, pad + step);
    }
    yield i === 0 ? '[]' : '\n' + pad + ']';
    return;
  }
  if (depth <= 0 || v === null || typeof v !== 'object') {
    yield leaf(v, pad, step);
    return;
  }
  const inner = pad + step;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      yield (i === 0 ? '\n' : ',\n') + inner;
      const x = prepared(v[i], String(i));
      if (skipped(x)) yield 'null';
      else yield* pieces(x, step, depth - 1, inner);
    }
    yield '\n' + pad + ']';
    return;
  }
  let first = true;
  for (const k of Object.keys(v)) {
    const x = prepared((v as Record<string, unknown>)[k], k);
    if (skipped(x)) continue;
    yield (first ? '{\n' : ',\n') + inner + JSON.stringify(k) + ': ';
    first = false;
    yield* pieces(x, step, depth - 1, inner);
  }
  yield first ? '{}' : '\n' + pad + '}';
}
