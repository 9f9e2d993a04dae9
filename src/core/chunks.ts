// Pieces of text joined into larger ones: what every writer of a large report or file hands on.
// Writing hundreds of thousands of small pieces costs a system call each (fs.writeFile of an
// iterable, process.stdout.write), and one string of the whole would be hundreds of MB.

/**
 * The pieces joined into strings of at least `size` characters (the last may be shorter; empty
 * pieces vanish). Reporters use 32 Ki characters: below V8's large-object size (128 KiB at two bytes
 * per character), so that the pieces of a large report die young.
 */
export function* coalesce(pieces: Iterable<string>, size = 1 << 15): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const s of pieces) {
    buf.push(s);
    n += s.length;
    if (n >= size) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (n > 0) yield buf.join('');
}
