// Finding lines by indentation with a regular expression instead of walking every line in
// JavaScript: what the CRD skim (crd-schema.ts), the block-scalar deferral (block-defer.ts) and the
// block locator (block-locate.ts) need to jump over the nested lines of a large block.

const CACHE = new Map<string, RegExp>();

/**
 * A global regular expression that finds, from `lastIndex`, a line break followed by a line indented
 * by at most `max` spaces that has content: not only spaces (a body of only a CR, in CRLF text, is
 * blank too) and, with `comments: 'blank'`, not a comment either (inside a block scalar a `#` line is
 * content). The match is the line break and the indentation, so its length minus one is the
 * indentation. One cached object per variant: callers set `lastIndex` before each search.
 */
export function lineIndentedAtMost(max: number, comments: 'blank' | 'content'): RegExp {
  const key = `${max}${comments}`;
  let re = CACHE.get(key);
  if (!re) {
    re = new RegExp(`\\n {0,${max}}(?=[^ \\n\\r${comments === 'blank' ? '#' : ''}]|\\r[^\\n])`, 'g');
    CACHE.set(key, re);
  }
  return re;
}
