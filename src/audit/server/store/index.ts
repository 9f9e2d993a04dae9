// Opens the store named by --store: a PostgreSQL URL (postgres:// or postgresql://) or a SQLite
// file path. Drivers are imported here on demand, never by other commands.
import type { AuditStore } from './types.js';

export function storeKind(spec: string): 'postgresql' | 'sqlite' {
  return /^postgres(ql)?:\/\//i.test(spec) ? 'postgresql' : 'sqlite';
}

export async function openStore(spec: string, opts: { readonly?: boolean } = {}): Promise<AuditStore> {
  if (storeKind(spec) === 'postgresql') {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(spec, opts);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite(spec.replace(/^sqlite:(\/\/)?/i, ''), opts);
}

export type * from './types.js';
