import { defineRule } from '../../../core/rule.js';
import { aksApiServerExposure } from '../../../cloud/aks.js';
import { aksIds, fixEvidence, inSpec, specOf, tfName } from '../../../cloud/rule-support.js';

export default defineRule({
  meta: {
    id: 'aks-api-server-public',
    title: 'AKS API server reachable from the whole internet',
    pillar: 'defence-in-depth',
    provider: 'azure',
    severity: 'medium',
    description:
      'The AKS cluster is not private and its API server has no authorised IP ranges (or one of 0.0.0.0/0): anyone on the internet can reach the Kubernetes API and try credentials or exploits against it.',
    remediation: 'Set apiServerAccessProfile.authorizedIPRanges to the ranges of your offices, CI and VPN, or make the cluster private.',
    references: [
      'https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges',
      'https://learn.microsoft.com/azure/aks/private-clusters',
    ],
    compliance: { cis: ['CIS-AKS 5.4.1', 'CIS-AKS 5.4.2'], mitre: ['T1133'] },
    messages: {
      open: 'cluster {cluster}: the API server is public and has no authorised IP ranges: the Kubernetes API is open to the internet',
      world: 'cluster {cluster}: authorised IP ranges include {cidr}: the Kubernetes API is open to the internet',
    },
    reads: ['cloud.kubeward.io/AKSCluster'],
  },
  handlers: {
    objects: {
      'cloud.kubeward.io/AKSCluster'(o, ctx) {
        const e = aksApiServerExposure(specOf(o));
        if (e.privateCluster === true) return;
        if (e.authorizedIpRanges === undefined) return; // an unresolved template expression: unknown
        if (e.authorizedIpRanges.length > 0 && !e.openToWorld) return;
        const ids = aksIds(o);
        const evidence = fixEvidence(
          {
            command: `az aks update ${ids.flags} --api-server-authorized-ip-ranges 203.0.113.0/24`,
            terraform: `resource "azurerm_kubernetes_cluster" "${tfName(ids.name)}" {\n  # ...\n  api_server_access_profile {\n    authorized_ip_ranges = ["203.0.113.0/24"]\n  }\n}`,
          },
          { privateCluster: e.privateCluster ?? false, authorizedIpRanges: e.authorizedIpRanges },
        );
        if (e.openToWorld) {
          const cidr = e.authorizedIpRanges.find((c) => c.endsWith('/0') || c === '0.0.0.0/1') ?? '0.0.0.0/0';
          ctx.report({ object: o, messageId: 'world', data: { cluster: ids.name, cidr }, path: inSpec(e.path), evidence });
        } else {
          ctx.report({ object: o, messageId: 'open', data: { cluster: ids.name }, path: inSpec(e.path), evidence });
        }
      },
    },
  },
});
