import { defineRule } from '../../../core/rule.js';
import { nodeRoleBindings, type RoleBinding } from '../../../analysis/identity/aws.js';
import { broadGrants } from '../../../analysis/identity/aws-iam.js';
import { AWS_KINDS, grantSeverity, grantText, roleFix } from '../../_aws.js';

export default defineRule({
  meta: {
    id: 'eks-node-role-overbroad',
    title: 'EKS node instance role grants administrator or escalation permissions',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'critical',
    description:
      "The IAM role of an EKS node group is handed to every process on the node through the instance metadata service: every hostNetwork pod, and every other pod unless IMDS is blocked. Administrator access, whole-service wildcards or IAM escalation actions in that role turn one compromised pod into a compromised AWS account.",
    remediation:
      'Keep the node role to AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryPullOnly (or ReadOnly) and, without IRSA for the VPC CNI, AmazonEKS_CNI_Policy; move workload permissions to IRSA or EKS Pod Identity roles; require IMDSv2 with hop limit 1. Evidence carries the aws CLI command and Terraform for the offending policy.',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node',
      'https://attack.mitre.org/techniques/T1552/005/',
    ],
    compliance: { mitre: ['T1552.005', 'T1078.004'] },
    messages: {
      grant: '{chain}: {grant}',
    },
    reads: [AWS_KINDS.nodegroup, AWS_KINDS.role],
  },
  handlers: {
    cluster(ctx) {
      const byRole = new Map<string, RoleBinding[]>();
      for (const b of nodeRoleBindings(ctx.state)) {
        if (!b.role) continue;
        const l = byRole.get(b.roleArn) ?? [];
        l.push(b);
        byRole.set(b.roleArn, l);
      }
      for (const [arn, bindings] of byRole) {
        const role = bindings[0].role!;
        const groups = bindings.map((b) => b.source.ref.name);
        const chain = `every pod on node group${groups.length > 1 ? 's' : ''} ${groups.join(', ')} that reaches IMDS (all hostNetwork pods) -> node instance role ${role.ref.name}`;
        for (const g of broadGrants(role).grants) {
          ctx.report({
            object: role,
            messageId: 'grant',
            path: g.path,
            severity: grantSeverity(g),
            data: { chain, grant: grantText(g) },
            evidence: { roleArn: arn, nodegroups: groups, policy: g.policy.arn ?? g.policy.name, action: g.action, resource: g.resource, ...fix(role.ref.name, g) },
          });
        }
      }
    },
  },
});

function fix(roleName: string, g: Parameters<typeof roleFix>[1]): { awsCli: string; terraform: string } {
  const f = roleFix(roleName, g);
  return { awsCli: f.cli, terraform: f.terraform };
}
