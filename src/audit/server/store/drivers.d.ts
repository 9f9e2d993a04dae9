// The database drivers are typed by the small interfaces in sqlite.ts and postgres.ts (only the
// calls used), so their @types packages are not dependencies.
declare module 'better-sqlite3';
declare module 'pg';
