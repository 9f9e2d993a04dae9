// Certificate reload for `audit serve`: the serving certificate, its key and the client CA are read
// again from their files on request (SIGHUP in the CLI) and when the files change (fs.watch on their
// directories, which also sees the rename and ..data symlink swaps of cert-manager and Kubernetes
// Secret volumes; debounced). A new set is checked (PEM, certificate and key match) before it is
// used for new connections (server.setSecureContext); a bad one keeps the current set and logs one
// line. Connections already open keep the certificate they were made with.
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';

export interface TlsFiles {
  cert: string;
  key: string;
  clientCa?: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  clientCa?: string;
}

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

export interface TlsReloaderOptions {
  files: TlsFiles;
  /** The material in use at start (its digest tells unchanged files from changed ones). */
  current: TlsMaterial;
  /** Puts checked material in use. */
  apply(m: TlsMaterial): void;
  log(line: string): void;
  onResult?(r: ReloadOutcome): void;
  /** Watch the files (default true). */
  watch?: boolean;
  /** Quiet time after the last change before reading the files (default 500 ms). */
  debounceMs?: number;
}

const digest = (m: TlsMaterial): string => createHash('sha256').update(m.cert).update('\0').update(m.key).update('\0').update(m.clientCa ?? '').digest('hex');

function readFile(file: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw new Error(`${what} ${file} is not PEM`);
  return text;
}

/** Reads and checks the files; throws with a one-line reason. */
export function loadTlsMaterial(files: TlsFiles): TlsMaterial {
  const m: TlsMaterial = { cert: readFile(files.cert, 'certificate'), key: readFile(files.key, 'private key'), ...(files.clientCa ? { clientCa: readFile(files.clientCa, 'client CA') } : {}) };
  try {
    new X509Certificate(m.cert);
  } catch (e) {
    throw new Error(`certificate ${files.cert}: ${(e as Error).message}`);
  }
  try {
    // OpenSSL checks that the key belongs to the certificate.
    tls.createSecureContext({ cert: m.cert, key: m.key, ...(m.clientCa ? { ca: m.clientCa } : {}) });
  } catch (e) {
    throw new Error(`certificate ${files.cert} and key ${files.key} cannot be used together: ${(e as Error).message}`);
  }
  return m;
}

export class TlsReloader {
  private current: string;
  private lastFailure?: string;
  private timer?: NodeJS.Timeout;
  private retried = false;
  private readonly watchers: fs.FSWatcher[] = [];

  constructor(private readonly o: TlsReloaderOptions) {
    this.current = digest(o.current);
    if (o.watch !== false) this.watch();
  }

  /** Reads the files now. `why` goes in the log line. */
  reload(why: string): ReloadOutcome {
    let m: TlsMaterial;
    try {
      m = loadTlsMaterial(this.o.files);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      if (msg !== this.lastFailure) this.o.log(`kubeward audit serve: TLS reload (${why}) failed, still using the previous certificate: ${msg}`);
      this.lastFailure = msg;
      this.o.onResult?.('failed');
      return 'failed';
    }
    this.lastFailure = undefined;
    const d = digest(m);
    if (d === this.current) {
      if (why === 'SIGHUP') this.o.log('kubeward audit serve: TLS reload (SIGHUP): files unchanged');
      this.o.onResult?.('unchanged');
      return 'unchanged';
    }
    try {
      this.o.apply(m);
    } catch (e) {
      this.o.log(`kubeward audit serve: TLS reload (${why}) failed, still using the previous certificate: ${(e as Error).message.split('\n')[0]}`);
      this.o.onResult?.('failed');
      return 'failed';
    }
    this.current = d;
    const c = new X509Certificate(m.cert);
    this.o.log(`kubeward audit serve: TLS reload (${why}): now serving ${c.subject.replace(/\n/g, ', ')} (serial ${c.serialNumber}, valid until ${c.validTo})${m.clientCa ? ', client CA reloaded' : ''}`);
    this.o.onResult?.('reloaded');
    return 'reloaded';
  }

  private watch(): void {
    const files = [this.o.files.cert, this.o.files.key, this.o.files.clientCa].filter((f): f is string => Boolean(f)).map((f) => path.resolve(f));
    const dirs = new Map<string, Set<string>>();
    for (const f of files) {
      const d = path.dirname(f);
      if (!dirs.has(d)) dirs.set(d, new Set());
      dirs.get(d)!.add(path.basename(f));
    }
    for (const [dir] of dirs) {
      try {
        // Any change in the directory: renames over the file, Secret volume ..data swaps.
        const w = fs.watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch (e) {
        this.o.log(`kubeward audit serve: cannot watch ${dir} for certificate changes (${(e as Error).message}); send SIGHUP to reload`);
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.retried = false;
    this.timer = setTimeout(() => this.fire(), this.o.debounceMs ?? 500);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    // The certificate and the key are often written one after the other: a mismatch right after
    // a change gets one more try before it is reported.
    let m: TlsMaterial | undefined;
    try {
      m = loadTlsMaterial(this.o.files);
    } catch {
      if (!this.retried) {
        this.retried = true;
        this.timer = setTimeout(() => this.fire(), 2 * (this.o.debounceMs ?? 500));
        this.timer.unref();
        return;
      }
    }
    if (m && digest(m) === this.current) return;
    this.reload('files changed');
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
  }
}
