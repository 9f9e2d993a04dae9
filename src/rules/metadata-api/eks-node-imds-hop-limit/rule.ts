import { defineRule } from '../../../core/rule.js';
import { KARPENTER_NODECLASS, SOURCE_TEXT, nodeImdsSettings } from '../../../analysis/metadata/aws-nodes.js';
import { AWS_KINDS, imdsFix } from '../../_aws.js';

export default defineRule({
  meta: {
    id: 'eks-node-imds-hop-limit',
    title: 'EKS nodes let pods reach IMDSv2 (hop limit above 1)',
    pillar: 'metadata-api',
    provider: 'aws',
    severity: 'medium',
    description:
      "The IMDSv2 session token (PUT) response is dropped after `HttpPutResponseHopLimit` network hops. A pod in its own network namespace is one hop further than the node, so hop limit 1 keeps IMDSv2 from pods; 2 or more (the EKS managed node group and eksctl default) hands the node role's credentials to every pod that can reach 169.254.169.254. Some CNIs add hops (Cilium overlay needs 3 for pods), which only changes the threshold.",
    remediation:
      'Set the hop limit to 1 in node launch templates (or Karpenter EC2NodeClass metadataOptions) together with HttpTokens required, once no pod relies on the node role (use IRSA or EKS Pod Identity). Evidence carries the aws CLI command and Terraform metadata_options block.',
    references: [
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html#imds-considerations',
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node',
      'https://github.com/cilium/cilium/issues/25232',
    ],
    compliance: { mitre: ['T1552.005'] },
    messages: {
      hop: '{label}: IMDS hop limit is {hop} (from {from}): pods outside the host network can get an IMDSv2 token and the node role credentials',
    },
    reads: [AWS_KINDS.nodegroup, AWS_KINDS.launchTemplate, AWS_KINDS.instance, AWS_KINDS.imdsDefaults, KARPENTER_NODECLASS],
  },
  handlers: {
    cluster(ctx) {
      for (const n of nodeImdsSettings(ctx.state)) {
        if (n.endpoint === 'disabled' || !n.hopLimit || n.hopLimit.value <= 1) continue;
        ctx.report({
          object: n.hopLimit.object,
          messageId: 'hop',
          path: n.hopLimit.path,
          data: { label: n.label, hop: n.hopLimit.value, from: SOURCE_TEXT[n.hopLimit.source] },
          evidence: { subject: n.label, source: n.hopLimit.source, httpTokens: n.tokens?.value ?? null, ...imdsFix(n, 'required', 1) },
        });
      }
    },
  },
});
