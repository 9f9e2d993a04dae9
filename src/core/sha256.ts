// SHA-256 for the reporters (SARIF fingerprints, the HTML report's Content-Security-Policy hashes).
// node:crypto is loaded on first use: loading it took ~2 ms of every start, and most scans (text and
// JSON reports) never hash anything.
import { createRequire } from 'node:module';

let crypto: typeof import('node:crypto') | undefined;

export function sha256(data: string, encoding: 'hex' | 'base64'): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(data, 'utf8').digest(encoding);
}
