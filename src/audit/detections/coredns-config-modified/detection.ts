// The cluster DNS configuration: a changed Corefile can send any service name (or the cloud
// metadata host) to an attacker's address.
import { defineDetection } from '../types.js';
import { did, succeeded, who, WRITE_VERBS } from '../_lib.js';

const DNS_CONFIGMAPS = new Set(['coredns', 'coredns-custom', 'kube-dns']);

export default defineDetection({
  meta: {
    id: 'coredns-config-modified',
    title: 'Cluster DNS (CoreDNS / kube-dns) configuration modified',
    severity: 'medium',
    mitre: ['T1557', 'T1565.002'],
    description:
      'The cluster DNS configuration (kube-system ConfigMap coredns, AKS coredns-custom, GKE kube-dns) was changed by an identity that is not the platform. Rewritten DNS answers redirect in-cluster traffic to an attacker.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['configmaps'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || ref.namespace !== 'kube-system' || !ref.name || !DNS_CONFIGMAPS.has(ref.name) || !WRITE_VERBS.has(ev.verb)) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, { message: `${who(ev)} ${did(ev)} kube-system/${ref.name}`, evidence: { configMap: ref.name } });
  },
});
