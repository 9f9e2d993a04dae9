// Unauthenticated requests that were served, other than the public health and version endpoints:
// anonymous auth is on and something grants system:anonymous or system:unauthenticated access.
import { defineDetection } from '../types.js';
import { succeeded } from '../_lib.js';

const PUBLIC_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$|^\/\.well-known\/openid-configuration\/?$|^\/openid\/v1\/jwks\/?$/;

export default defineDetection({
  meta: {
    id: 'anonymous-request-allowed',
    title: 'Anonymous request allowed',
    severity: 'high',
    mitre: ['T1190', 'T1078.001'],
    description:
      'An unauthenticated request (system:anonymous) was served for something other than the public health, version and service-account issuer discovery endpoints. Some binding grants system:anonymous or system:unauthenticated access (a common misconfiguration; public scanners look for it). Reported once per source address and path.',
    allowList: 'none',
    needs: 'Metadata',
  },
  on: { all: true },
  init: () => new Set<string>(),
  check(ev, ctx, seen) {
    if (ev.user.username !== 'system:anonymous' && !ev.user.groups.includes('system:unauthenticated')) return;
    if (!succeeded(ev) || (ev.code === undefined && ev.decision !== 'allow')) return;
    const path = ev.requestURI ? ev.requestURI.split('?')[0] : '';
    if (!ev.objectRef && (path === '' || PUBLIC_PATHS.test(path))) return;
    const what = ev.objectRef?.resource ? `${ev.verb || 'request'} ${ev.objectRef.resource}${ev.objectRef.subresource ? '/' + ev.objectRef.subresource : ''}` : path;
    const ip = ev.sourceIPs[0] ?? '';
    const key = ip + '\0' + what;
    if (seen.has(key)) return;
    if (seen.size > 10_000) seen.clear();
    seen.add(key);
    ctx.report(ev, {
      message: `anonymous request ${what}${path && ev.objectRef ? ` (${path})` : ''} was allowed${ip ? ` from ${ip}` : ''}`,
      evidence: { path, ...(ev.reason ? { authorizationReason: ev.reason } : {}) },
    });
  },
});
