// What a loaded AWS description lacks for kubeward's AWS rules: one "not assessed" entry per missing
// piece, naming the IAM action (and CLI command) that would supply it. Pure.
// `what` is the cloud kind ("cloud.kubeward.io/CloudTrailTrail") when a whole listing is missing,
// and "<kind> <object>" when one object or one detail is missing (rules treat those differently:
// an absent listing means "unknown", an empty listing means "there are none").
import type { NotAssessed } from '../../../core/types.js';
import { cloudGroupKind, type CloudKind } from '../../../cloud/model.js';
import { ClusterState } from '../../../model/cluster-state.js';
import { AWS_KINDS, clusterOf, findRole, irsaBindings, nodeRoleBindings, podIdentityBindings, specOf } from '../../../analysis/identity/aws.js';
import { rolePolicies } from '../../../analysis/identity/aws-iam.js';
import { nodeImdsSettings } from '../../../analysis/metadata/aws-nodes.js';
import type { GapInput } from '../index.js';

const K = cloudGroupKind;

export function awsGaps(input: GapInput): NotAssessed[] {
  const out: NotAssessed[] = [];
  const knownKinds = new Set(input.known.map((n) => n.what.split(' ')[0]));
  const add = (what: string, reason: string) => {
    if (!out.some((o) => o.what === what && o.reason === reason)) out.push({ what, reason });
  };
  const listing = (kind: CloudKind, reason: string) => {
    if (input.listed.has(kind) || knownKinds.has(K(kind))) return;
    if (input.objects.some((o) => o.ref.kind === kind)) {
      // Objects without their listing (e.g. one describe-nodegroup): fine for what they say, but "none" cannot be concluded.
      if (kind === 'EKSCluster' || kind === 'EKSNodegroup' || kind === 'CloudWatchLogGroup') return;
    }
    add(K(kind), reason);
  };
  const state = new ClusterState({ objects: [...input.kube, ...input.objects] });
  const clusters = state.ofKind(AWS_KINDS.cluster);
  const clusterName = clusters[0]?.ref.name ?? input.objects.map(clusterOf).find((c) => c !== '') ?? 'CLUSTER';

  if (clusters.length === 0) add(K('EKSCluster'), `no EKS cluster description (aws eks describe-cluster --name ${clusterName}; needs eks:DescribeCluster)`);
  listing('EKSNodegroup', `no node groups listed (aws eks list-nodegroups + describe-nodegroup; needs eks:ListNodegroups, eks:DescribeNodegroup)`);
  listing('CloudTrailTrail', 'no CloudTrail trails listed (aws cloudtrail describe-trails; needs cloudtrail:DescribeTrails)');
  const logGroup = `/aws/eks/${clusterName}/cluster`;
  if (!input.objects.some((o) => o.ref.kind === 'CloudWatchLogGroup' && o.ref.name === logGroup)) {
    listing('CloudWatchLogGroup', `log group ${logGroup} not described (aws logs describe-log-groups --log-group-name-prefix ${logGroup}; needs logs:DescribeLogGroups)`);
  }
  for (const c of clusters) {
    const mode = specOf(c).accessConfig?.authenticationMode;
    if (mode !== 'CONFIG_MAP') listing('EKSAccessEntry', `access entries of ${c.ref.name} not listed (aws eks list-access-entries; needs eks:ListAccessEntries)`);
    listing('EKSPodIdentityAssociation', `Pod Identity associations of ${c.ref.name} not listed (aws eks list-pod-identity-associations; needs eks:ListPodIdentityAssociations)`);
  }

  // Objects known only by name, or missing a detail.
  for (const ng of state.ofKind(AWS_KINDS.nodegroup)) {
    if (specOf(ng).nodeRole === undefined) add(`${K('EKSNodegroup')} ${ng.ref.name}`, `eks:DescribeNodegroup on node group ${ng.ref.name} (aws eks describe-nodegroup)`);
  }
  for (const e of state.ofKind(AWS_KINDS.accessEntry)) {
    const s = specOf(e);
    if (s.type === undefined && s.kubernetesGroups === undefined) add(`${K('EKSAccessEntry')} ${e.ref.name}`, `eks:DescribeAccessEntry on ${e.ref.name} (aws eks describe-access-entry)`);
    if (s.accessPolicies === undefined) add(`${K('EKSAccessEntry')} ${e.ref.name}`, `eks:ListAssociatedAccessPolicies on ${e.ref.name} (aws eks list-associated-access-policies)`);
  }
  for (const a of state.ofKind(AWS_KINDS.podIdentity)) {
    if (typeof specOf(a).roleArn !== 'string') add(`${K('EKSPodIdentityAssociation')} ${a.ref.name}`, `eks:DescribePodIdentityAssociation on ${a.ref.name} (aws eks describe-pod-identity-association)`);
  }
  for (const t of state.ofKind(AWS_KINDS.trail)) {
    const s = specOf(t);
    if (s.status === undefined) add(`${K('CloudTrailTrail')} ${t.ref.name}`, `cloudtrail:GetTrailStatus on trail ${t.ref.name} (aws cloudtrail get-trail-status --name ${t.ref.name})`);
    if (s.eventSelectors === undefined) add(`${K('CloudTrailTrail')} ${t.ref.name}`, `cloudtrail:GetEventSelectors on trail ${t.ref.name} (aws cloudtrail get-event-selectors --trail-name ${t.ref.name})`);
  }
  for (const n of nodeImdsSettings(state)) {
    for (const m of n.missing) add(`${K('EC2LaunchTemplateVersion')} ${n.subject.ref.name}`, `${m.need}: ${m.what}`);
  }

  // Roles reachable from pods and nodes.
  const roleUses = new Map<string, string[]>();
  for (const b of [...nodeRoleBindings(state), ...irsaBindings(state), ...podIdentityBindings(state)]) {
    const use = b.via === 'node' ? `node role of node group ${b.source.ref.name}` : b.via === 'irsa' ? `IRSA role of ${b.namespace}/${b.serviceAccount}` : `Pod Identity role of ${b.namespace}/${b.serviceAccount}`;
    const l = roleUses.get(b.roleArn) ?? [];
    l.push(use);
    roleUses.set(b.roleArn, l);
  }
  for (const [arn, uses] of roleUses) {
    const role = findRole(state, arn);
    const why = `(${uses.join('; ')})`;
    if (!role) {
      add(`${K('IAMRole')} ${arn}`, `iam:GetRole, iam:ListAttachedRolePolicies, iam:ListRolePolicies on ${arn} ${why}`);
      continue;
    }
    const s = specOf(role);
    if (s.AssumeRolePolicyDocument === undefined) add(`${K('IAMRole')} ${arn}`, `iam:GetRole on ${arn} ${why}: trust policy unknown`);
    if (s.attachedPolicies === undefined) add(`${K('IAMRole')} ${arn}`, `iam:ListAttachedRolePolicies on ${arn} ${why}`);
    if (s.inlinePolicies === undefined && s.inlinePolicyNames === undefined) add(`${K('IAMRole')} ${arn}`, `iam:ListRolePolicies and iam:GetRolePolicy on ${arn} ${why}`);
    for (const m of rolePolicies(role).missing) {
      add(
        `${K('IAMRole')} ${arn}`,
        m.startsWith('inline policy ')
          ? `iam:GetRolePolicy on ${arn} (${m.slice(14)}) ${why}`
          : `iam:GetPolicy and iam:GetPolicyVersion on ${m} (attached to ${role.ref.name}) ${why}`,
      );
    }
  }
  return out;
}
