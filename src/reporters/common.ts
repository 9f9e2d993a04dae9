// Small helpers shared by the file-oriented reporters (SARIF, markdown, JUnit).
import * as path from 'node:path';
import type { Finding, ResourceRef } from '../core/types.js';
import { relFile } from './text.js';

/** True when `file` names a file on disk (not "<stdin>" nor "cluster:<context>"). */
export function isDiskFile(file: string): boolean {
  if (file.startsWith('<')) return false;
  if (path.isAbsolute(file)) return true;
  // "cluster:ctx", "snapshot:..." and other scheme-like names; but "C:\..." is absolute above on Windows.
  return !/^[a-z][a-z0-9+.-]*:/i.test(file);
}

/** A file name for display: relative to cwd when inside it, with forward slashes. */
export function displayFile(file: string, cwd: string): string {
  if (!isDiskFile(file)) return file;
  const rel = relFile(file, cwd);
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/** "file:line" (or just the file when the input had no positions), or '' without a location. */
export function fileLine(f: Pick<Finding, 'location'>, cwd: string): string {
  if (!f.location) return '';
  const file = displayFile(f.location.file, cwd);
  return f.location.line > 0 ? `${file}:${f.location.line}` : file;
}

/** "Kind ns/name" or "Kind name" for cluster-scoped objects. */
export function resourceLabel(r: ResourceRef): string {
  return `${r.kind} ${r.namespace ? r.namespace + '/' : ''}${r.name}`;
}

/** "apiVersion/Kind/ns/name": a unique, stable name for a resource. */
export function resourceQualifiedName(r: ResourceRef): string {
  return [r.apiVersion, r.kind, ...(r.namespace ? [r.namespace] : []), r.name].join('/');
}

export function plural(n: number, word: string, pluralWord = word + 's'): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
