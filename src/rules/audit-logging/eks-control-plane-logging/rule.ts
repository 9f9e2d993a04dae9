import { defineRule } from '../../../core/rule.js';
import { AWS_KINDS, regionFlag, specOf, tfName } from '../../_aws.js';

const ALL = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
const ESSENTIAL = ['audit', 'authenticator'];

export default defineRule({
  meta: {
    id: 'eks-control-plane-logging',
    title: 'EKS control-plane logs (audit, authenticator) are not sent to CloudWatch',
    pillar: 'audit-logging',
    provider: 'aws',
    severity: 'high',
    description:
      'EKS control-plane logging is off by default. Without the `audit` log there is no record of who did what through the Kubernetes API; without `authenticator` there is no link from a Kubernetes user to the IAM principal behind it. CIS asks for all five types (api, audit, authenticator, controllerManager, scheduler).',
    remediation:
      'Enable at least audit and authenticator, ideally all five types (aws eks update-cluster-config --logging ...; Terraform enabled_cluster_log_types), and set a retention on /aws/eks/CLUSTER/cluster.',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/auditing-and-logging.html',
    ],
    compliance: { cis: ['CIS-EKS 2.1.1'], mitre: ['T1562.008'] },
    messages: {
      essential: 'cluster {cluster}: {missing} log{s} not enabled (enabled: {enabled}): {impact}',
      partial: 'cluster {cluster}: {missing} log{s} not enabled (CIS asks for all five types)',
    },
    reads: [AWS_KINDS.cluster],
  },
  handlers: {
    objects: {
      [AWS_KINDS.cluster](o, ctx) {
        const spec = specOf(o);
        const logging = spec.logging;
        const entries: unknown[] = Array.isArray(logging?.clusterLogging) ? logging.clusterLogging : [];
        const enabled = new Set<string>();
        for (const e of entries) {
          const x = e as { types?: unknown; enabled?: unknown };
          if (x.enabled === true && Array.isArray(x.types)) for (const t of x.types) if (typeof t === 'string') enabled.add(t);
        }
        // Point at the disabled entry listing a missing type (describe-cluster prints one), else at the list.
        const off = entries.findIndex((e) => {
          const x = e as { types?: unknown; enabled?: unknown };
          return x.enabled !== true && Array.isArray(x.types) && x.types.some((t) => typeof t === 'string' && !enabled.has(t));
        });
        const at: (string | number)[] = off >= 0 ? ['spec', 'logging', 'clusterLogging', off] : entries.length > 0 ? ['spec', 'logging', 'clusterLogging'] : logging ? ['spec', 'logging'] : ['spec', 'name'];
        const missing = ALL.filter((t) => !enabled.has(t));
        if (missing.length === 0) return;
        const essential = missing.some((t) => ESSENTIAL.includes(t));
        const name = o.ref.name;
        ctx.report({
          object: o,
          messageId: essential ? 'essential' : 'partial',
          path: at,
          severity: essential ? 'high' : 'low',
          data: {
            cluster: name,
            missing: missing.join(', '),
            s: missing.length > 1 ? 's' : '',
            enabled: enabled.size > 0 ? [...enabled].join(', ') : 'none',
            impact: !enabled.has('audit')
              ? enabled.has('authenticator')
                ? 'API activity is not recorded'
                : 'API activity and the IAM identity behind it are not recorded'
              : 'the IAM identity behind each Kubernetes user is not recorded',
          },
          evidence: {
            enabled: [...enabled],
            missing,
            logGroup: `/aws/eks/${name}/cluster`,
            awsCli: `aws eks update-cluster-config${regionFlag(o)} --name ${name} --logging '{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}'`,
            terraform: `resource "aws_eks_cluster" "${tfName(name)}" {\n  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]\n}`,
          },
        });
      },
    },
  },
});
