import { defineRule } from '../../../core/rule.js';
import { workloadRoleBindings, type RoleBinding } from '../../../analysis/identity/aws.js';
import { broadGrants } from '../../../analysis/identity/aws-iam.js';
import { listPods } from '../../../analysis/identity/pod-service-accounts.js';
import { AWS_KINDS, grantSeverity, grantText, roleFix } from '../../_aws.js';

export default defineRule({
  meta: {
    id: 'eks-workload-role-overbroad',
    title: 'IAM role of a service account (IRSA or Pod Identity) is over-broad',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'high',
    description:
      'A Kubernetes service account linked to an IAM role (IRSA annotation eks.amazonaws.com/role-arn, or an EKS Pod Identity association) gives every pod running as it that role. Administrator access, whole-service wildcards on every resource, or escalation actions such as iam:PassRole on * let one compromised pod take over the account or its data.',
    remediation:
      "Give each workload its own role with only the actions and resource ARNs it uses (IAM Access Analyzer can generate one from CloudTrail); never attach AdministratorAccess or service-wide `*` to a workload role. Evidence carries the aws CLI command and Terraform for the offending policy.",
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html',
      'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
    ],
    compliance: { cis: ['CIS-EKS 5.2.1'], mitre: ['T1078.004', 'T1098'] },
    messages: {
      grant: '{chain}: {grant}',
    },
    reads: [AWS_KINDS.role, AWS_KINDS.podIdentity, 'ServiceAccount'],
  },
  handlers: {
    cluster(ctx) {
      const byRole = new Map<string, RoleBinding[]>();
      for (const b of workloadRoleBindings(ctx.state)) {
        if (!b.role) continue;
        const key = b.role.ref.name;
        const l = byRole.get(key) ?? [];
        l.push(b);
        byRole.set(key, l);
      }
      for (const bindings of byRole.values()) {
        const role = bindings[0].role!;
        const links = bindings.map((b) => `${b.pods.length > 0 ? listPods(b.pods) : 'no loaded pod'} -> ${b.label}`).join('; ');
        const chain = `${links} -> IAM role ${role.ref.name}`;
        for (const g of broadGrants(role).grants) {
          const f = roleFix(role.ref.name, g);
          ctx.report({
            object: role,
            messageId: 'grant',
            path: g.path,
            severity: grantSeverity(g),
            data: { chain, grant: grantText(g) },
            evidence: {
              roleArn: bindings[0].roleArn,
              serviceAccounts: bindings.map((b) => `${b.namespace}/${b.serviceAccount} (${b.via})`),
              pods: [...new Set(bindings.flatMap((b) => b.pods.map((p) => `${p.owner.ref.kind} ${p.namespace}/${p.owner.ref.name}`)))],
              policy: g.policy.arn ?? g.policy.name,
              action: g.action,
              resource: g.resource,
              awsCli: f.cli,
              terraform: f.terraform,
            },
          });
        }
      }
    },
  },
});
