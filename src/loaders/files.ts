// Reads manifest files and folders (recursively) and stdin. The only file reading for manifests.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { InputError, LoadedObject, NotAssessed } from '../core/types.js';
import { parseManifestText } from './manifest.js';
import { groupKind } from '../model/kinds.js';

export interface LoadOptions {
  /** Files larger than this are refused with an error (bytes). */
  maxFileSize?: number;
  /** Reads stdin when a path is "-". */
  readStdin?: () => Promise<string>;
}

export interface LoadResult {
  objects: LoadedObject[];
  errors: InputError[];
  notAssessed: NotAssessed[];
  files: number;
  /** True when at least one input was a kubeward snapshot. */
  fromSnapshot: boolean;
  snapshotMetadata: Array<Record<string, unknown>>;
}

export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;
const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);
const SKIP_DIRS = new Set(['node_modules', '.git', '.svn', '.hg']);

export async function loadPaths(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const res: LoadResult = { objects: [], errors: [], notAssessed: [], files: 0, fromSnapshot: false, snapshotMetadata: [] };
  const maxSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const files: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push('-');
      continue;
    }
    await expand(p, true, files, res.errors);
  }
  for (const f of files) {
    let text: string;
    if (f === '-') {
      if (!opts.readStdin) {
        res.errors.push({ file: '<stdin>', message: 'stdin is not available' });
        continue;
      }
      text = await opts.readStdin();
      addText(text, '<stdin>', res);
      continue;
    }
    try {
      const st = await fsp.stat(f);
      if (st.size > maxSize) {
        res.errors.push({
          file: f,
          message: `file is ${(st.size / 1048576).toFixed(0)} MiB, over the ${(maxSize / 1048576).toFixed(0)} MiB limit; skipped (raise it with --max-file-size)`,
        });
        continue;
      }
      const buf = await fsp.readFile(f);
      if (isBinary(buf)) {
        res.errors.push({ file: f, message: 'binary file, not YAML or JSON; skipped' });
        continue;
      }
      text = buf.toString('utf8');
    } catch (e) {
      res.errors.push({ file: f, message: ioMessage(e) });
      continue;
    }
    addText(text, f, res);
  }
  dedupe(res);
  return res;
}

function addText(text: string, file: string, res: LoadResult): void {
  res.files++;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parseManifestText(text, file);
  for (const o of parsed.objects) res.objects.push(o);
  for (const e of parsed.errors) res.errors.push(e);
  if (parsed.snapshot) {
    res.fromSnapshot = true;
    res.notAssessed.push(...parsed.snapshot.notAssessed);
    res.errors.push(...parsed.snapshot.errors);
    res.snapshotMetadata.push(parsed.snapshot.metadata);
  }
}

async function expand(p: string, explicit: boolean, out: string[], errors: InputError[]): Promise<void> {
  let st;
  try {
    st = await fsp.stat(p);
  } catch (e) {
    errors.push({ file: p, message: ioMessage(e) });
    return;
  }
  if (st.isDirectory()) {
    let entries;
    try {
      entries = await fsp.readdir(p, { withFileTypes: true });
    } catch (e) {
      errors.push({ file: p, message: ioMessage(e) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const child = path.join(p, ent.name);
      if (ent.isDirectory()) {
        if (SKIP_DIRS.has(ent.name)) continue;
        await expand(child, false, out, errors);
      } else if (MANIFEST_EXT.has(path.extname(ent.name).toLowerCase())) {
        out.push(child);
      } else if (ent.isSymbolicLink()) {
        await expand(child, false, out, errors);
      }
    }
    return;
  }
  if (explicit || MANIFEST_EXT.has(path.extname(p).toLowerCase())) out.push(p);
}

function isBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

export function ioMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.message ?? String(e);
  }
}

/**
 * The same object twice (same group, kind, namespace, name): reported as an input error. Both copies
 * stay in the scan (they may differ, and dropping one would lose findings); lookups by name see the first.
 */
function dedupe(res: LoadResult): void {
  const first = new Map<string, LoadedObject>();
  for (const o of res.objects) {
    if (o.ref.name.endsWith('*')) continue; // generateName: many objects may share it
    const k = `${groupKind(o.group, o.ref.kind)}|${o.ref.namespace ?? ''}|${o.ref.name}`;
    const prev = first.get(k);
    if (prev) {
      const where = prev.source ? `${prev.source.file}:${prev.source.line}` : prev.file;
      res.errors.push({
        file: o.file,
        line: o.source?.line,
        message: `duplicate ${o.ref.kind} ${o.ref.namespace ? o.ref.namespace + '/' : ''}${o.ref.name} (first defined at ${where}); both copies are scanned`,
      });
      continue;
    }
    first.set(k, o);
  }
}
