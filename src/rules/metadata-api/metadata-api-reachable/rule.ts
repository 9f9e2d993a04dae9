import { defineRule } from '../../../core/rule.js';
import { clusterProvider, podMetadataExposure, type NodeLayer, type PodExposure } from '../../../analysis/metadata/pod-exposure.js';
import type { Severity } from '../../../core/types.js';
import type { PodEndpoint } from '../../../analysis/network/index.js';

/** critical: over-broad identity, or a hostNetwork pod on IMDSv1 nodes; high: credentials obtainable; medium: network open, node settings unknown. */
function severityOf(p: PodExposure): Severity {
  if (p.verdict === 'unknown') return 'medium';
  if (p.exposure?.overBroad || (p.hostNetwork && p.exposure?.imdsv1)) return 'critical';
  return 'high';
}

// Node layers are shared by every pod on the pool: so is their evidence (50k findings, a few objects).
const nodeEvidenceCache = new WeakMap<NodeLayer, Record<string, unknown>>();
function nodeEvidence(n: NodeLayer): Record<string, unknown> {
  let e = nodeEvidenceCache.get(n);
  if (!e) nodeEvidenceCache.set(n, (e = { label: n.label, verdict: n.verdict, settings: n.settings, reason: n.reason, identity: n.identity }));
  return e;
}

export default defineRule({
  meta: {
    id: 'metadata-api-reachable',
    title: 'Pod can reach the cloud metadata API and the node identity',
    pillar: 'metadata-api',
    severity: 'high',
    description:
      "Per workload (its template stands for its pods and the node pools they may run on; `--include-controlled` also reports each controlled pod and ReplicaSet), the network verdict towards the instance metadata endpoint (NetworkPolicy, admin, Calico and Cilium policies, hostNetwork) joined with the node settings (EC2 IMDS tokens and hop limit, GKE workload metadata mode, AKS podLinkLocalAccess): a pod that gets through both obtains the node's cloud identity (EKS node role, GKE node service account, AKS kubelet identity).",
    remediation:
      'Block the metadata endpoint at the node (IMDSv2 required with hop limit 1; GKE_METADATA; AKS IMDS restriction) and in the network (an egress NetworkPolicy allowing 0.0.0.0/0 except 169.254.169.254/32, see kubeward fix metadata); keep hostNetwork for the few agents that need it and give the node identity least privilege.',
    references: [
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/protecting-cluster-metadata',
      'https://learn.microsoft.com/en-us/azure/aks/imds-restriction',
      'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
    ],
    compliance: { mitre: ['T1552.005'] },
    messages: {
      reachable: '{pod} reaches {endpoint} ({path}) and obtains {identity}',
      unknown: '{pod} reaches {endpoint} through the network, but the node settings are unknown: {why}',
    },
  },
  handlers: {
    cluster(ctx) {
      const { provider } = clusterProvider(ctx.state);
      if (!provider) return;
      // Like every pod rule: the controller carries the finding (its template stands for its pods and
      // may be scheduled on every pool they run on), unless --include-controlled.
      const include = ctx.includeControlled ? undefined : (pod: PodEndpoint) => !pod.template?.controller;
      for (const p of podMetadataExposure(ctx.state, provider, { include })) {
        if (!p.owner || !p.pod.template) continue;
        const t = p.pod.template;
        const path = p.hostNetwork ? [...t.specPath, 'hostNetwork'] : t.specPath;
        const main = p.endpoints[0];
        const podLabel = `${p.workload ?? `Pod/${p.name}`} (${p.namespace})`;
        const evidence = { verdict: p.verdict, network: p.network, endpoints: p.endpoints, nodes: p.nodes.map(nodeEvidence), reasons: p.reasons, ...(p.exposure ? { exposure: p.exposure } : {}) };
        if (p.verdict === 'reachable') {
          const ids = p.exposure?.identities ?? [];
          const identity = ids.length > 0 ? ids.map((i) => `${i.name}${i.overBroad.length > 0 ? ` (over-broad: ${i.overBroad.slice(0, 2).join('; ')})` : ''}`).join(', ') : "the node's cloud identity";
          const how = p.hostNetwork ? 'hostNetwork' : `${main.by.join(', ')}; ${p.nodes.filter((n) => n.verdict === 'open').map((n) => n.reason).join('; ')}`;
          ctx.report({ object: p.owner, messageId: 'reachable', path, severity: severityOf(p), data: { pod: podLabel, endpoint: `${main.label} ${main.address}:${main.port}`, path: how, identity }, evidence });
        } else if (p.verdict === 'unknown' && p.network === 'allowed') {
          const why = p.nodes.filter((n) => n.verdict === 'unknown').map((n) => n.reason).join('; ') || p.reasons[p.reasons.length - 1];
          ctx.report({ object: p.owner, messageId: 'unknown', path, severity: 'medium', data: { pod: podLabel, endpoint: `${main.label} ${main.address}:${main.port}`, why }, evidence });
        }
      }
    },
  },
});
