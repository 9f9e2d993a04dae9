// list/watch of secrets across all namespaces: every credential in the cluster in one response.
import { defineDetection } from '../types.js';
import { succeeded, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'secrets-listed-cluster-wide',
    title: 'Secrets listed across all namespaces',
    severity: 'high',
    mitre: ['T1552.007'],
    description:
      'An identity listed or watched secrets in every namespace at once (GET /api/v1/secrets). One response holds every credential of the cluster: service account tokens, registry credentials, TLS keys, application passwords.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['secrets'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || ref.namespace || ref.name || (ev.verb !== 'list' && ev.verb !== 'watch')) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, {
      message: `${who(ev)} ${ev.verb === 'watch' ? 'watched' : 'listed'} secrets in all namespaces`,
      evidence: ev.requestURI ? { requestURI: ev.requestURI } : {},
    });
  },
});
