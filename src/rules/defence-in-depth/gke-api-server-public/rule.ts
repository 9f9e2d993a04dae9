import { defineRule } from '../../../core/rule.js';
import { gkeEndpointExposure } from '../../../cloud/gke.js';
import { fixEvidence, gkeIds, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'gke-api-server-public',
    title: 'GKE control plane reachable from the whole internet',
    pillar: 'defence-in-depth',
    provider: 'gcp',
    severity: 'medium',
    description:
      'The GKE control plane has a public IP endpoint and no master authorized networks (or an authorised block of 0.0.0.0/0): anyone on the internet can reach the Kubernetes API and try credentials or exploits against it.',
    remediation:
      'Enable master authorized networks with the CIDRs of your offices, CI and VPN (or make the endpoint private and use the DNS-based endpoint, which is guarded by IAM).',
    references: [
      'https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks',
      'https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation',
    ],
    compliance: { cis: ['CIS-GKE 5.6.3', 'CIS-GKE 5.6.4'], mitre: ['T1133'] },
    messages: {
      open: 'cluster {cluster}: the control plane has a public endpoint and master authorized networks are off: the Kubernetes API is open to the internet',
      world: 'cluster {cluster}: master authorized networks allow {cidr}: the Kubernetes API is open to the internet',
    },
    reads: ['cloud.kubeward.io/GKECluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/GKECluster'(o, ctx) {
        const e = gkeEndpointExposure(specOf(o));
        if (!e.publicEndpoint) return;
        if (e.authorizedNetworks && !e.openToWorld) return;
        const ids = gkeIds(o);
        const tf = tfName(ids.name);
        const fix = fixEvidence(
          {
            command: `gcloud container clusters update ${ids.name} ${ids.flags} --enable-master-authorized-networks --master-authorized-networks 203.0.113.0/24`,
            terraform: `resource "google_container_cluster" "${tf}" {\n  # ...\n  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block   = "203.0.113.0/24"\n      display_name = "office"\n    }\n  }\n}`,
          },
          { publicEndpoint: true, authorizedNetworks: e.authorizedNetworks, cidrBlocks: e.cidrBlocks, gcpPublicCidrsAccess: e.gcpPublicCidrs },
        );
        if (e.authorizedNetworks) {
          ctx.report({ object: o, messageId: 'world', data: { cluster: ids.name, cidr: e.cidrBlocks.find((c) => c.endsWith('/0')) ?? '0.0.0.0/0' }, path: inSpec(e.path), evidence: fix });
        } else {
          ctx.report({ object: o, messageId: 'open', data: { cluster: ids.name }, path: inSpec(e.path), evidence: fix });
        }
      },
    },
  },
});
