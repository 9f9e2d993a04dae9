// A CSR for a kube-apiserver client certificate: once signed it is a credential that cannot be
// revoked (Kubernetes has no certificate revocation) and names any user and groups the requester
// wrote into it, system:masters included.
import { defineDetection } from '../types.js';
import { bodyOf, isObj, strs, succeeded, target, who } from '../_lib.js';

const OID_CN = [0x06, 0x03, 0x55, 0x04, 0x03];
const OID_O = [0x06, 0x03, 0x55, 0x04, 0x0a];

function findAll(der: Buffer, oid: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + oid.length + 2 < der.length && out.length < 8; i++) {
    let ok = true;
    for (let j = 0; j < oid.length; j++) if (der[i + j] !== oid[j]) ok = false;
    if (!ok) continue;
    const tag = der[i + oid.length];
    let len = der[i + oid.length + 1];
    let start = i + oid.length + 2;
    if (len === 0x81) {
      len = der[start];
      start++;
    }
    if ([0x0c, 0x13, 0x16, 0x14].includes(tag) && start + len <= der.length) out.push(der.subarray(start, start + len).toString('utf8'));
  }
  return out;
}

/** Subject CN and O of a base64-encoded PEM certificate request (spec.request); undefined when unreadable. */
export function csrSubject(request: string): { commonName?: string; organizations: string[] } | undefined {
  try {
    const pem = Buffer.from(request, 'base64').toString('utf8');
    const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END/.exec(pem);
    if (!m) return undefined;
    const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
    return { commonName: findAll(der, OID_CN)[0], organizations: findAll(der, OID_O) };
  } catch {
    return undefined;
  }
}

export default defineDetection({
  meta: {
    id: 'client-certificate-requested',
    title: 'Client certificate requested (CSR for kube-apiserver-client)',
    severity: 'medium',
    mitre: ['T1649', 'T1098'],
    description:
      'A CertificateSigningRequest for a kube-apiserver client certificate was created by an identity that is not the platform. A signed client certificate is a long-lived credential Kubernetes cannot revoke; the requester chooses its user and groups. Reported critical when the request names system:masters.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['certificatesigningrequests'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || ev.verb !== 'create') return;
    const spec = bodyOf(ev)?.spec;
    if (!isObj(spec)) return;
    const signer = typeof spec.signerName === 'string' ? spec.signerName : undefined;
    const usages = strs(spec.usages);
    const client = signer === 'kubernetes.io/kube-apiserver-client' || ((signer === undefined || signer === 'kubernetes.io/legacy-unknown') && usages.includes('client auth'));
    if (!client || !succeeded(ev) || ctx.allowed(ev)) return;
    const subject = typeof spec.request === 'string' ? csrSubject(spec.request) : undefined;
    const masters = subject?.organizations.includes('system:masters') ?? false;
    ctx.report(ev, {
      message: `${who(ev)} requested a client certificate (CSR ${target(ev)}${subject?.commonName ? ` for ${subject.commonName}` : ''}${subject?.organizations.length ? ` in ${subject.organizations.join(', ')}` : ''})`,
      evidence: { signerName: signer, usages, ...(subject ? { subject } : {}) },
      severity: masters ? 'critical' : undefined,
    });
  },
});
