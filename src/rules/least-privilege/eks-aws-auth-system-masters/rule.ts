import { defineRule } from '../../../core/rule.js';
import { awsAuthMappings } from '../../../analysis/identity/aws.js';

export default defineRule({
  meta: {
    id: 'eks-aws-auth-system-masters',
    title: 'aws-auth maps an IAM principal to system:masters',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'high',
    description:
      'Entries of the kube-system/aws-auth ConfigMap (mapRoles, mapUsers) that put an IAM role or user in the system:masters group give it unrestricted cluster-admin: the group bypasses RBAC entirely, cannot be limited by any RoleBinding, and does not show up when auditing ClusterRoleBindings.',
    remediation:
      'Map the principal to a dedicated group bound to the ClusterRole it needs, or move to EKS access entries with a scoped access policy (aws eks create-access-entry + associate-access-policy), then remove the system:masters mapping (kubectl edit -n kube-system configmap/aws-auth).',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_use_eks_access_entries_to_grant_access_to_the_cluster',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles',
    ],
    compliance: { cis: ['CIS-EKS 4.1.1'], mitre: ['T1078.004'] },
    messages: {
      masters: '{field} maps {what} {arn}{username} to system:masters: cluster-admin that RBAC cannot restrict',
    },
    reads: ['ConfigMap'],
  },
  handlers: {
    cluster(ctx) {
      for (const m of awsAuthMappings(ctx.state).mappings) {
        if (!m.groups.includes('system:masters')) continue;
        ctx.report({
          object: m.configMap,
          messageId: 'masters',
          path: m.path,
          data: { field: m.field, what: m.field === 'mapRoles' ? 'IAM role' : 'IAM user', arn: m.arn, username: m.username ? ` (username ${m.username})` : '' },
          evidence: {
            entry: `${m.field}[${m.index}]`,
            arn: m.arn,
            groups: m.groups,
            awsCli: `aws eks create-access-entry --cluster-name CLUSTER --principal-arn ${m.arn} --kubernetes-groups cluster-operators   # bind that group to the ClusterRole it needs, then delete the system:masters entry from aws-auth`,
            terraform: `resource "aws_eks_access_entry" "this" {\n  cluster_name      = "CLUSTER"\n  principal_arn     = "${m.arn}"\n  kubernetes_groups = ["cluster-operators"]\n}`,
          },
        });
      }
    },
  },
});
