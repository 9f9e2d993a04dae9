// Large block scalars (`key: |-` followed by many lines: Grafana dashboards and other payloads kept in
// ConfigMaps) are read only when something reads them. Before js-yaml runs, each such block is
// replaced by a marker; after parsing, the marker must be found exactly once, as the value of that
// key, and is replaced by a property that parses the block from its own lines on first read (with the
// same YAML reader). Anything else and the caller parses the section as written. Rules read a few
// ConfigMaps by name (aws-auth, CNI configuration); the megabyte of dashboards of a kube-prometheus
// install was parsed, kept as thousands of string pieces and copied by every collection, for nothing.
//
// Only the simplest forms are deferred: a plain key, `|`, `|-`, `>` or `>-` (clip or strip chomping:
// trailing blank lines do not change the value) with nothing after it, and at least MIN_BYTES of
// block. A block scalar's content has no syntax of its own, so nothing is lost by not reading it now.

import { lineIndentedAtMost } from './lines.js';

const MARKER = 'kubeward.io/deferred-block/';
const MIN_BYTES = 8192;
const HEADER = /^( *)([A-Za-z0-9_][A-Za-z0-9_.\/-]*): (?:\||>)-?[ \t]*(?=\r?$)/gm;

export interface DeferredText {
  text: string;
  /** Per marker index: the key and the text of its line and block, parsed on first read. */
  blocks: Array<{ key: string; source: string }>;
}

/** The section with its large block scalars replaced by markers; undefined when there are none. */
export function deferLargeBlockScalars(src: string): DeferredText | undefined {
  if (src.length < MIN_BYTES || src.includes(MARKER)) return undefined;
  // A CR not followed by LF ends a line for YAML but not for scalarEnd: such (rare) text is parsed as written.
  if (src.includes('\r') && /\r(?!\n)/.test(src)) return undefined;
  const parts: string[] = [];
  const blocks: DeferredText['blocks'] = [];
  let from = 0;
  const re = new RegExp(HEADER.source, 'gm');
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    const indent = m[1].length;
    const headerEnd = m.index + m[0].length;
    const end = scalarEnd(src, headerEnd, indent);
    if (end - headerEnd < MIN_BYTES) {
      re.lastIndex = end;
      continue;
    }
    parts.push(src.slice(from, m.index), `${m[1]}${m[2]}: ${MARKER}${blocks.length}`);
    // The key line and its block, as they stand: YAML reads an indented mapping as a document too.
    blocks.push({ key: m[2], source: src.slice(m.index, end) });
    from = end;
    re.lastIndex = end;
  }
  if (blocks.length === 0) return undefined;
  parts.push(src.slice(from));
  return { text: parts.join(''), blocks };
}

/**
 * The end of a block scalar under a key at column `indent`: the end of its last line that is indented
 * deeper than the key and not blank (`start` if there is none). Lines of spaces, with or without a
 * CR, are blank; anything else indented at most as far as the key ends the block. A regular
 * expression finds that line (the block's own lines, a dashboard's thousands, are never walked in
 * JavaScript), then the end is found by stepping back over the blank lines before it.
 */
function scalarEnd(src: string, start: number, indent: number): number {
  const re = lineIndentedAtMost(indent, 'content');
  re.lastIndex = start;
  const m = re.exec(src);
  let p = (m ? m.index : src.length) - 1;
  while (p >= start) {
    const c = src.charCodeAt(p);
    if (c !== 32 && c !== 13 && c !== 10) break;
    p--;
  }
  if (p < start) return start;
  const nl = src.indexOf('\n', p);
  return nl < 0 ? src.length : nl;
}

/**
 * Puts read-on-demand properties where the markers are. False (nothing changed that matters: the
 * caller parses the section as written) unless each marker is found exactly once, as the value of its
 * own key. `parse` reads a block's own text as YAML and returns the document.
 */
export function restoreDeferredBlocks(docs: readonly unknown[], deferred: DeferredText, parse: (text: string) => unknown): boolean {
  const found: Array<{ holder: Record<string, unknown>; index: number } | undefined> = [];
  let stray = false;
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (typeof x === 'string' && x.startsWith(MARKER)) stray = true;
        else walk(x);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === 'string') {
        if (!x.startsWith(MARKER)) continue;
        const index = Number(x.slice(MARKER.length));
        if (!Number.isInteger(index) || deferred.blocks[index]?.key !== k || found[index]) stray = true;
        else found[index] = { holder: o, index };
      } else {
        walk(x);
      }
    }
  };
  for (const d of docs) walk(d);
  if (stray || deferred.blocks.some((_, i) => !found[i])) return false;
  for (const f of found) {
    const { holder, index } = f!;
    const { key, source } = deferred.blocks[index];
    const settle = (value: unknown): void => {
      Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true });
    };
    Object.defineProperty(holder, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = (parse(source) as Record<string, unknown>)[key];
        settle(value);
        return value;
      },
      set: settle,
    });
  }
  return true;
}
