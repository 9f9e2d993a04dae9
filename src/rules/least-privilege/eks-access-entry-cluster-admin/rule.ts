import { defineRule } from '../../../core/rule.js';
import { accessEntryAdminGrants, clusterOf } from '../../../analysis/identity/aws.js';
import { AWS_KINDS } from '../../_aws.js';

export default defineRule({
  meta: {
    id: 'eks-access-entry-cluster-admin',
    title: 'EKS access entry grants cluster admin',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'medium',
    description:
      'Lists who gets administrator access to the cluster through EKS access entries: AmazonEKSClusterAdminPolicy (cluster-admin, also on cluster-scoped objects), AmazonEKSAdminPolicy at cluster scope, or the system:masters Kubernetes group (which bypasses RBAC). Every such principal, and everyone who can assume it, is a cluster admin.',
    remediation:
      'Keep cluster-admin to a break-glass role; give operators AmazonEKSAdminPolicy or AmazonEKSEditPolicy scoped to their namespaces, or a Kubernetes group bound to a narrower ClusterRole (aws eks disassociate-access-policy / associate-access-policy --access-scope type=namespace).',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
      'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
    ],
    compliance: { cis: ['CIS-EKS 4.1.1'], mitre: ['T1078.004'] },
    messages: {
      admin: '{principal} gets {what} through its access entry ({how}, {scope} scope)',
    },
    reads: [AWS_KINDS.accessEntry],
  },
  handlers: {
    cluster(ctx) {
      for (const g of accessEntryAdminGrants(ctx.state)) {
        const cluster = clusterOf(g.entry) || 'CLUSTER';
        const what = g.how === 'AmazonEKSAdminPolicy' ? 'administrator access' : 'cluster-admin';
        if (g.how === 'AmazonEKSAdminPolicy' && g.scope !== 'cluster') continue;
        const policyArn = `arn:aws:eks::aws:cluster-access-policy/${g.how}`;
        ctx.report({
          object: g.entry,
          messageId: 'admin',
          path: g.path,
          severity: g.how === 'AmazonEKSAdminPolicy' ? 'low' : undefined,
          data: { principal: g.principal, what, how: g.how, scope: g.scope },
          evidence: {
            principal: g.principal,
            awsCli:
              g.how === 'system:masters'
                ? `aws eks update-access-entry --cluster-name ${cluster} --principal-arn ${g.principal} --kubernetes-groups cluster-operators`
                : `aws eks disassociate-access-policy --cluster-name ${cluster} --principal-arn ${g.principal} --policy-arn ${policyArn} && aws eks associate-access-policy --cluster-name ${cluster} --principal-arn ${g.principal} --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy --access-scope type=namespace,namespaces=NAMESPACE`,
            terraform: `resource "aws_eks_access_policy_association" "this" {\n  cluster_name  = "${cluster}"\n  principal_arn = "${g.principal}"\n  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"\n  access_scope {\n    type       = "namespace"\n    namespaces = ["NAMESPACE"]\n  }\n}`,
          },
        });
      }
    },
  },
});
