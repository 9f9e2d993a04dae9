// Approving a CSR by hand: the step that turns a certificate request into a working credential.
import { defineDetection } from '../types.js';
import { arr, bodyOf, isObj, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'csr-approved',
    title: 'Certificate signing request approved',
    severity: 'medium',
    mitre: ['T1649'],
    description:
      'An identity other than the platform\'s approvers approved a CertificateSigningRequest (the /approval subresource). Together with a CSR for a client certificate this mints a credential the cluster cannot revoke.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['certificatesigningrequests'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource !== 'approval' || (ev.verb !== 'update' && ev.verb !== 'patch')) return;
    const body = bodyOf(ev);
    const status = body && isObj(body.status) ? body.status : undefined;
    const conds = arr(status?.conditions).filter(isObj);
    if (conds.length > 0 && !conds.some((c) => c.type === 'Approved')) return; // a denial
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const spec = body && isObj(body.spec) ? body.spec : undefined;
    const signer = typeof spec?.signerName === 'string' ? spec.signerName : undefined;
    ctx.report(ev, {
      message: `${who(ev)} approved certificate signing request ${target(ev)}${signer ? ` (signer ${signer})` : ''}`,
      evidence: signer ? { signerName: signer } : {},
    });
  },
});
