// CustomResourceDefinition validation schemas (`openAPIV3Schema`) are skipped as text, before the
// YAML parser builds them. No rule or analysis reads them (the live collector reads CRDs as metadata
// only), and they are most of the bytes of a typical operator install: 79 % of the manifests of the
// speed benchmark (kube-prometheus, Argo CD), where building them cost ~0.09 s of a 0.43 s scan, half
// of it garbage collection of the ~45 MB of objects they made. Pure: text in, text out.
//
// What is skipped, exactly: in a `---` section with a top-level `kind: CustomResourceDefinition` line,
// each line `<indent>openAPIV3Schema:` (nothing after the colon but a comment) and the block below it:
// the lines indented deeper than the key, a sequence at the key's own indentation (`- ...`), and blank
// and comment lines. The key's value becomes a marker string, and after parsing the marker must sit
// exactly where a CRD keeps its schemas (spec.versions[].schema, and spec.validation of
// apiextensions.k8s.io/v1beta1), as many times as blocks were skipped. Anything else (the line was
// inside a block scalar, an alias points into a skipped block, the text was not what it seemed) and
// the caller parses the whole section as written. The schema key is then removed from the object.
//
// What this gives up: a YAML error inside a skipped schema is not reported (kubectl would reject
// the file; kubeward never reads that part).

import { lineIndentedAtMost } from './lines.js';

/** What stands in for a skipped schema. Sections that contain it already are not skimmed. */
export const SKIPPED_SCHEMA_MARKER = 'kubeward.io/skipped-openAPIV3Schema';

const CRD_KIND_LINE = /^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*(?:#.*)?\r?$/m;
const SCHEMA_KEY_LINE = /^( *)openAPIV3Schema:[ \t]*(?:#.*)?(?=\r?$)/gm;

export interface SkimmedText {
  /** The section with each schema block replaced by the marker. */
  text: string;
  /** How many blocks were replaced. */
  skipped: number;
}

/** The section without its CRD schema blocks; undefined when there is nothing to skip. */
export function skimCrdSchemas(src: string): SkimmedText | undefined {
  if (!src.includes('openAPIV3Schema:') || !CRD_KIND_LINE.test(src) || src.includes(SKIPPED_SCHEMA_MARKER)) return undefined;
  const parts: string[] = [];
  let from = 0;
  let skipped = 0;
  const re = new RegExp(SCHEMA_KEY_LINE.source, 'gm');
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    const keyEnd = m.index + m[0].length;
    const end = blockEnd(src, keyEnd, m[1].length);
    if (end === keyEnd) continue; // no block below the key: nothing to skip
    parts.push(src.slice(from, m.index), m[1], 'openAPIV3Schema: ', SKIPPED_SCHEMA_MARKER);
    from = end;
    re.lastIndex = end;
    skipped++;
  }
  if (skipped === 0) return undefined;
  parts.push(src.slice(from));
  return { text: parts.join(''), skipped };
}

/**
 * Where the block under a key at column `indent` ends: the offset of the line break before the first
 * line that is not part of it (or the end of the text). `start` is the end of the key's line. Blank
 * lines and comments never end it; a `- ` item at the key's own column is part of it.
 */
function blockEnd(src: string, start: number, indent: number): number {
  // A tab, or a lone CR, where content would start counts as content: the skim then ends early, the
  // rest fails to parse, and the section is parsed as written.
  const re = lineIndentedAtMost(indent, 'blank');
  re.lastIndex = start;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    const at = m.index + m[0].length;
    const dashItem = at - m.index - 1 === indent && src.charCodeAt(at) === 45 /* - */ && (at + 1 === src.length || ' \t\r\n'.includes(src.charAt(at + 1)));
    if (!dashItem) return lastContentEnd(src, start, m.index);
  }
  return lastContentEnd(src, start, src.length);
}

/** The end of the last line between `start` and `limit` that is not blank or a comment (`start` if none). */
function lastContentEnd(src: string, start: number, limit: number): number {
  let end = limit;
  while (end > start) {
    const lineStart = src.lastIndexOf('\n', end - 1) + 1;
    if (lineStart <= start) return start;
    if (!/^[ \t\r]*(?:#.*)?$/.test(src.slice(lineStart, end))) return end;
    end = lineStart - 1;
  }
  return start;
}

/**
 * Checks the documents parsed from a skimmed section and removes the markers from them. True when
 * as many markers as blocks were skipped sit where a CRD keeps its schema. The text held no marker
 * before the skim, so a marker found short of that count ended up somewhere else (inside a string,
 * say): the skim was wrong and the caller parses the section as written.
 */
export function removeSkippedSchemas(docs: readonly unknown[], skipped: number): boolean {
  let found = 0;
  for (const d of docs) {
    for (const holder of crdSchemaHolders(d)) {
      if (holder.openAPIV3Schema === SKIPPED_SCHEMA_MARKER) {
        delete holder.openAPIV3Schema;
        found++;
      }
    }
  }
  return found === skipped;
}

/**
 * Where a CRD keeps its validation schemas: each spec.versions[].schema and (apiextensions.k8s.io/
 * v1beta1) spec.validation, as objects holding `openAPIV3Schema`. None for anything but a CRD.
 */
export function crdSchemaHolders(doc: unknown): Array<Record<string, unknown>> {
  if (doc === null || typeof doc !== 'object') return [];
  const o = doc as { apiVersion?: unknown; kind?: unknown; spec?: { versions?: unknown; validation?: unknown } };
  if (o.kind !== 'CustomResourceDefinition' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('apiextensions.k8s.io/')) return [];
  const spec = o.spec;
  if (spec === null || typeof spec !== 'object') return [];
  const isHolder = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const holders = [spec.validation, ...(Array.isArray(spec.versions) ? spec.versions.map((v: unknown) => (isHolder(v) ? v.schema : undefined)) : [])];
  return holders.filter(isHolder);
}
