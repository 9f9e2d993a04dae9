import { defineRule } from '../../../core/rule.js';
import { AWS_KINDS, listingMissing, specOf } from '../../_aws.js';
import { accessEntryAdminGrants, clusterOf } from '../../../analysis/identity/aws.js';

export default defineRule({
  meta: {
    id: 'eks-cluster-creator-admin',
    title: 'Cluster creator keeps cluster-admin (bootstrapClusterCreatorAdminPermissions)',
    pillar: 'least-privilege',
    provider: 'aws',
    severity: 'medium',
    description:
      'With `accessConfig.bootstrapClusterCreatorAdminPermissions: true`, the IAM principal that created the cluster (often a CI role or a person\'s SSO role) receives an access entry with AmazonEKSClusterAdminPolicy. It stays a cluster admin after it is no longer needed, and everyone who can assume that principal is one too.',
    remediation:
      'The flag cannot be changed after creation: remove the creator\'s admin access (aws eks delete-access-entry --principal-arn CREATOR) once named admin access entries exist; create new clusters with bootstrap_cluster_creator_admin_permissions = false.',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
      'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html',
    ],
    compliance: { mitre: ['T1078.004'] },
    messages: {
      creator: 'cluster {cluster}: the IAM principal that created it keeps cluster-admin (bootstrapClusterCreatorAdminPermissions: true)',
    },
    reads: [AWS_KINDS.cluster, AWS_KINDS.accessEntry],
  },
  handlers: {
    objects: {
      [AWS_KINDS.cluster](o, ctx) {
        const ac = specOf(o).accessConfig;
        if (!ac || ac.bootstrapClusterCreatorAdminPermissions !== true) return;
        // With the access entries listed and none holding AmazonEKSClusterAdminPolicy, the creator's entry was removed.
        const mine = (c: string) => c === '' || c === o.ref.name;
        const entriesListed = !listingMissing(ctx.state, AWS_KINDS.accessEntry) && ctx.state.ofKind(AWS_KINDS.accessEntry).some((e) => mine(clusterOf(e)));
        if (entriesListed && !accessEntryAdminGrants(ctx.state).some((g) => g.how === 'AmazonEKSClusterAdminPolicy' && mine(clusterOf(g.entry)))) return;
        ctx.report({
          object: o,
          messageId: 'creator',
          path: ['spec', 'accessConfig', 'bootstrapClusterCreatorAdminPermissions'],
          data: { cluster: o.ref.name },
          evidence: {
            awsCli: `aws eks list-access-entries --cluster-name ${o.ref.name}   # find the creator's entry, then: aws eks delete-access-entry --cluster-name ${o.ref.name} --principal-arn CREATOR_ARN`,
            terraform: `resource "aws_eks_cluster" "${o.ref.name.replace(/[^A-Za-z0-9_]/g, '_')}" {\n  access_config {\n    authentication_mode                         = "API"\n    bootstrap_cluster_creator_admin_permissions = false\n  }\n}`,
          },
        });
      },
    },
  },
});
