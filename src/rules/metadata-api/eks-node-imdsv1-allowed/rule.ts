import { defineRule } from '../../../core/rule.js';
import { KARPENTER_NODECLASS, SOURCE_TEXT, nodeImdsSettings, type NodeImds } from '../../../analysis/metadata/aws-nodes.js';
import { AWS_KINDS, imdsFix } from '../../_aws.js';

export default defineRule({
  meta: {
    id: 'eks-node-imdsv1-allowed',
    title: 'EKS nodes allow IMDSv1 (HttpTokens optional)',
    pillar: 'metadata-api',
    provider: 'aws',
    severity: 'high',
    description:
      "With `HttpTokens: optional` the node's instance metadata service answers plain IMDSv1 GETs, which need no token and are not limited by the hop limit: any pod that can open a connection to 169.254.169.254 (or an SSRF in any of them) gets the node role's credentials. Node level only: whether a given pod can reach IMDS through network policy is a separate question.",
    remediation:
      'Require IMDSv2 on node launch templates (HttpTokens required) with hop limit 1 so that pods outside the host network cannot reach it; give pods their AWS access through IRSA or EKS Pod Identity. Evidence carries the aws CLI command and Terraform metadata_options block.',
    references: [
      'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node',
      'https://attack.mitre.org/techniques/T1552/005/',
    ],
    compliance: { mitre: ['T1552.005'] },
    messages: {
      optional: '{label}: IMDSv1 is allowed (HttpTokens optional, from {from}): any pod reaching 169.254.169.254 gets the node role credentials without a token',
    },
    reads: [AWS_KINDS.nodegroup, AWS_KINDS.launchTemplate, AWS_KINDS.instance, AWS_KINDS.imdsDefaults, KARPENTER_NODECLASS],
  },
  handlers: {
    cluster(ctx) {
      for (const n of nodeImdsSettings(ctx.state)) {
        if (n.endpoint === 'disabled' || n.tokens?.value !== 'optional') continue;
        const hop = 1;
        ctx.report({
          object: n.tokens.object,
          messageId: 'optional',
          path: n.tokens.path,
          data: { label: n.label, from: SOURCE_TEXT[n.tokens.source] },
          evidence: { subject: n.label, source: n.tokens.source, hopLimit: n.hopLimit?.value ?? null, ...imdsFix(n, 'required', hop) },
        });
      }
    },
  },
});
