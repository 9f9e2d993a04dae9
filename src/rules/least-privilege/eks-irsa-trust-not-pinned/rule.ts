import { defineRule } from '../../../core/rule.js';
import { irsaBindings } from '../../../analysis/identity/aws.js';
import { webIdentityTrust } from '../../../analysis/identity/aws-iam.js';
import { AWS_KINDS } from '../../_aws.js';

const SEVERITY = { 'open-principal': 'critical', 'no-sub': 'high', 'wildcard-sub': 'high', 'no-aud': 'medium' } as const;

export default defineRule({
  meta: {
    id: 'eks-irsa-trust-not-pinned',
    title: 'IRSA role trust policy is not pinned to one service account',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'high',
    description:
      "An IAM role for service accounts (IRSA) trusts the cluster's OIDC provider. Unless the trust policy pins the token's `sub` to `system:serviceaccount:NAMESPACE:NAME` (StringEquals) and its `aud` to `sts.amazonaws.com`, any service account of the cluster, in any namespace, can assume the role: creating a pod in a namespace is enough to get its permissions.",
    remediation:
      'Condition the AssumeRoleWithWebIdentity statement with StringEquals on `<issuer>:sub` = `system:serviceaccount:NAMESPACE:NAME` and `<issuer>:aud` = `sts.amazonaws.com` (aws iam update-assume-role-policy; Terraform condition blocks in evidence).',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_scope_the_iam_role_trust_policy_for_irsa_roles_to_the_service_account_name_namespace_and_cluster',
      'https://securitylabs.datadoghq.com/articles/amazon-eks-attacking-securing-cloud-identities/',
    ],
    compliance: { mitre: ['T1078.004', 'T1550.001'] },
    messages: {
      problem: 'IAM role {role} ({uses}): {detail}',
    },
    reads: [AWS_KINDS.role, 'ServiceAccount'],
  },
  handlers: {
    cluster(ctx) {
      const users = new Map<string, string[]>();
      for (const b of irsaBindings(ctx.state)) {
        if (!b.role) continue;
        const l = users.get(b.role.ref.name) ?? [];
        l.push(`${b.namespace}/${b.serviceAccount}`);
        users.set(b.role.ref.name, l);
      }
      for (const role of ctx.state.ofKind(AWS_KINDS.role)) {
        const { statements, problems } = webIdentityTrust(role);
        const eks = statements.some((s) => s.issuers.some((i) => i.startsWith('oidc.eks.'))) || problems.some((p) => p.kind === 'open-principal');
        if (!users.has(role.ref.name) && !eks) continue;
        const sas = users.get(role.ref.name) ?? [];
        const uses = sas.length > 0 ? `IRSA role of ServiceAccount ${sas.join(', ')}` : 'web-identity trust on an EKS OIDC provider';
        for (const p of problems) {
          const issuer = p.issuer ?? 'oidc.eks.REGION.amazonaws.com/id/ID';
          const sa = sas[0] ? sas[0].split('/') : ['NAMESPACE', 'NAME'];
          ctx.report({
            object: role,
            messageId: 'problem',
            path: p.path,
            severity: SEVERITY[p.kind],
            data: { role: role.ref.name, uses, detail: p.detail },
            evidence: {
              problem: p.kind,
              serviceAccounts: sas,
              awsCli: `aws iam update-assume-role-policy --role-name ${role.ref.name} --policy-document file://trust.json   # Condition: {"StringEquals": {"${issuer}:sub": "system:serviceaccount:${sa[0]}:${sa[1]}", "${issuer}:aud": "sts.amazonaws.com"}}`,
              terraform: `data "aws_iam_policy_document" "${role.ref.name.replace(/[^A-Za-z0-9_]/g, '_')}_trust" {\n  statement {\n    actions = ["sts:AssumeRoleWithWebIdentity"]\n    principals {\n      type        = "Federated"\n      identifiers = [aws_iam_openid_connect_provider.eks.arn]\n    }\n    condition {\n      test     = "StringEquals"\n      variable = "${issuer}:sub"\n      values   = ["system:serviceaccount:${sa[0]}:${sa[1]}"]\n    }\n    condition {\n      test     = "StringEquals"\n      variable = "${issuer}:aud"\n      values   = ["sts.amazonaws.com"]\n    }\n  }\n}`,
            },
          });
        }
      }
    },
  },
});
