// Certificates for the receiver. `--self-signed` makes (once, then reuses) a private CA, a serving
// certificate for the listen address and a client certificate for kube-apiserver (mTLS), with the
// openssl command (node:crypto cannot create X.509 certificates). For development and tests:
// production setups bring their own with --tls-cert/--tls-key.
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { UserError } from '../../core/types.js';

export interface SelfSigned {
  dir: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
  /** Names in the serving certificate. */
  names: string[];
  /** True when this call made new files. */
  created: boolean;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new UserError('--self-signed needs the openssl command (Debian/Ubuntu: apt-get install openssl); or give --tls-cert and --tls-key');
    throw new UserError(`openssl ${args[0]} failed: ${(err.stderr?.toString() ?? err.message).trim().split('\n').slice(-1)[0]}`);
  }
}

const san = (n: string): string => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`);

/** Does the certificate cover every name and stay valid for at least a day? */
function usable(certFile: string, names: readonly string[]): boolean {
  try {
    const c = new X509Certificate(fs.readFileSync(certFile));
    if (Date.parse(c.validTo) < Date.now() + 86_400_000) return false;
    return names.every((n) => (net.isIP(n) ? c.checkIP(n) !== undefined : c.checkHost(n) !== undefined));
  } catch {
    return false;
  }
}

export function ensureSelfSigned(dir: string, names: readonly string[]): SelfSigned {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => path.join(dir, n);
  const out: SelfSigned = {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    cert: f('server.crt'),
    key: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    names: [...names],
    created: false,
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const serial = (): string => '0x' + randomBytes(16).toString('hex').replace(/^./, '1');
  if (!fs.existsSync(out.caCert) || !fs.existsSync(out.caKey) || !usable(out.caCert, [])) {
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=kubeward audit webhook CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    for (const x of ['server.crt', 'client.crt']) fs.rmSync(f(x), { force: true });
    out.created = true;
  }
  const leaf = (base: string, cn: string, ext: string[]): void => {
    fs.writeFileSync(f(`${base}.ext`), ext.join('\n') + '\n');
    openssl(['req', '-new', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`], dir);
    openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial(), '-days', '825', '-sha256', '-extfile', `${base}.ext`, '-out', `${base}.crt`], dir);
    fs.rmSync(f(`${base}.csr`), { force: true });
    fs.rmSync(f(`${base}.ext`), { force: true });
    out.created = true;
  };
  if (!fs.existsSync(out.cert) || !fs.existsSync(out.key) || !usable(out.cert, names)) {
    leaf('server', 'kubeward-audit', [`subjectAltName=${names.map(san).join(',')}`, 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth']);
  }
  if (!fs.existsSync(out.clientCert) || !fs.existsSync(out.clientKey) || !usable(out.clientCert, [])) {
    leaf('client', 'kube-apiserver-audit-webhook', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth']);
  }
  for (const k of [out.caKey, out.key, out.clientKey]) fs.chmodSync(k, 0o600);
  return out;
}

export function readPem(file: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) throw new UserError(`${what} ${file} is not PEM`);
  return text;
}
