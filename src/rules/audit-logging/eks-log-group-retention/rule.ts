import { defineRule } from '../../../core/rule.js';
import { AWS_KINDS, regionFlag, specOf, tfName } from '../../_aws.js';

const MIN_DAYS = 365;

export default defineRule({
  meta: {
    id: 'eks-log-group-retention',
    title: 'EKS control-plane log group keeps logs for less than a year',
    pillar: 'audit-logging',
    provider: 'aws',
    severity: 'low',
    description: `The CloudWatch log group /aws/eks/CLUSTER/cluster holds the cluster's audit and authenticator logs. A retention under ${MIN_DAYS} days deletes them before most intrusions are discovered and before common compliance windows (PCI DSS: one year) end. No retention (never expire) passes.`,
    remediation: `Set the retention to at least ${MIN_DAYS} days (aws logs put-retention-policy; Terraform aws_cloudwatch_log_group retention_in_days), or export to S3 with lifecycle rules.`,
    references: ['https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention', 'https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html'],
    compliance: { mitre: ['T1070'] },
    messages: {
      short: 'log group {group} keeps control-plane logs for {days} days (under {min})',
    },
    reads: [AWS_KINDS.logGroup],
  },
  handlers: {
    objects: {
      [AWS_KINDS.logGroup](o, ctx) {
        const s = specOf(o);
        const m = /^\/aws\/eks\/([^/]+)\/cluster$/.exec(String(s.logGroupName ?? o.ref.name));
        if (!m) return;
        const days = s.retentionInDays;
        if (typeof days !== 'number' || days >= MIN_DAYS) return;
        ctx.report({
          object: o,
          messageId: 'short',
          path: ['spec', 'retentionInDays'],
          data: { group: o.ref.name, days, min: MIN_DAYS },
          evidence: {
            retentionInDays: days,
            awsCli: `aws logs put-retention-policy${regionFlag(o)} --log-group-name ${o.ref.name} --retention-in-days ${MIN_DAYS}`,
            terraform: `resource "aws_cloudwatch_log_group" "${tfName(m[1])}_eks" {\n  name              = "${o.ref.name}"\n  retention_in_days = ${MIN_DAYS}\n}`,
          },
        });
      },
    },
  },
});
