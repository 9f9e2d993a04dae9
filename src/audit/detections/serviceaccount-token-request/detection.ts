// TokenRequest (kubectl create token) by a person: a bearer token for a service account, valid
// outside the cluster until it expires, and not revocable short of deleting the account.
import { defineDetection } from '../types.js';
import { bodyOf, isObj, strs, succeeded, SYSTEM_NAMESPACES, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'serviceaccount-token-request',
    title: 'Service account token requested by a non-platform identity',
    severity: 'medium',
    mitre: ['T1528', 'T1550.001'],
    description:
      'An identity other than the kubelet and the control plane created a token for a service account (TokenRequest, `kubectl create token`). The token works from anywhere until it expires and carries the service account\'s permissions: a way to borrow privileges or keep access. Reported high for service accounts in system namespaces.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['serviceaccounts'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource !== 'token' || ev.verb !== 'create') return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    // The request body (a TokenRequest spec) holds no secret; the response holds the token and is never read.
    const spec = bodyOf({ ...ev, responseObject: undefined })?.spec;
    const expirationSeconds = isObj(spec) && typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : undefined;
    const audiences = isObj(spec) ? strs(spec.audiences) : [];
    const system = ref.namespace !== undefined && SYSTEM_NAMESPACES.includes(ref.namespace);
    ctx.report(ev, {
      message: `${who(ev)} created a token for service account ${target(ev)}${expirationSeconds ? ` valid ${Math.round(expirationSeconds / 3600)}h` : ''}`,
      evidence: { serviceAccount: target(ev), ...(expirationSeconds ? { expirationSeconds } : {}), ...(audiences.length ? { audiences } : {}) },
      severity: system ? 'high' : undefined,
    });
  },
});
