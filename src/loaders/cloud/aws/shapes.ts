// Shapes of the JSON the AWS CLI prints (and of the same SDK v3 responses), recognised by their
// top-level keys. Documented in docs/cloud.md. Pure.
import type { ObjPath } from '../../../core/types.js';
import { isRecord, nameInFile, part, policyDocument, type Shape, type ShapeOutput } from '../shapes.js';

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main" -> "main". */
export function trailNameFromArn(arn: string): string {
  const i = arn.indexOf(':trail/');
  return i >= 0 ? arn.slice(i + 7) : arn;
}

/** "arn:aws:iam::111122223333:role/path/name" -> "name". */
export function roleNameFromArn(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn;
}

/** Go SDK output (kubescape's ClusterDescribe) has PascalCase keys; the CLI and the JS SDK use the API's camelCase. */
function camelKeys(v: unknown, under = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => camelKeys(x, under));
  if (!isRecord(v)) return v;
  if (under === 'tags' || under === 'Tags') return v; // user keys
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const ck = /^[A-Z]/.test(k) ? k.charAt(0).toLowerCase() + k.slice(1) : k;
    out[ck] = camelKeys(x, k);
  }
  return out;
}
const pascalPath = (p: ObjPath): ObjPath => p.map((s) => (typeof s === 'string' ? s.charAt(0).toUpperCase() + s.slice(1) : s));

function withDocuments<T extends Record<string, unknown>>(o: T, fields: string[]): T {
  const c: Record<string, unknown> = { ...o };
  for (const f of fields) if (f in c) c[f] = policyDocument(c[f]);
  return c as T;
}

export const awsShapes: readonly Shape[] = [
  {
    id: 'aws eks describe-cluster',
    provider: 'aws',
    kind: 'EKSCluster',
    describe: 'aws eks describe-cluster --name NAME',
    match: (j) => isRecord(j) && isRecord(j.cluster) && str(j.cluster.name) && ('arn' in j.cluster || 'resourcesVpcConfig' in j.cluster || 'endpoint' in j.cluster),
    read: (j) => [part('EKSCluster', j.cluster.name, j.cluster, ['cluster'], j.cluster.name)],
  },
  {
    id: 'kubescape ClusterDescribe (eks)',
    provider: 'aws',
    kind: 'EKSCluster',
    describe: 'kubescape cloud describe output: {kind: ClusterDescribe, apiVersion: eks.amazonaws.com/v1, data: {Cluster: {...}}} (Go SDK field names)',
    match: (j) => isRecord(j) && j.kind === 'ClusterDescribe' && typeof j.apiVersion === 'string' && j.apiVersion.startsWith('eks.amazonaws.com/') && isRecord(j.data) && isRecord(j.data.Cluster ?? j.data.cluster),
    read: (j) => {
      const pascal = isRecord(j.data.Cluster);
      const c = camelKeys(j.data.Cluster ?? j.data.cluster) as Record<string, unknown>;
      const name = str(c.name) ? c.name : str(j.metadata?.name) ? j.metadata.name : 'cluster';
      return [{ ...part('EKSCluster', name, c, ['data', pascal ? 'Cluster' : 'cluster'], name), ...(pascal ? { map: (p: ObjPath) => ['data', 'Cluster', ...pascalPath(p)] } : {}) }];
    },
  },
  {
    id: 'aws eks describe-nodegroup',
    provider: 'aws',
    kind: 'EKSNodegroup',
    describe: 'aws eks describe-nodegroup --cluster-name CLUSTER --nodegroup-name NAME',
    match: (j) => isRecord(j) && isRecord(j.nodegroup) && str(j.nodegroup.nodegroupName),
    read: (j) => [part('EKSNodegroup', j.nodegroup.nodegroupName, j.nodegroup, ['nodegroup'], str(j.nodegroup.clusterName) ? j.nodegroup.clusterName : undefined)],
  },
  {
    id: 'aws eks list-nodegroups',
    provider: 'aws',
    kind: 'EKSNodegroup',
    lists: 'EKSNodegroup',
    describe: 'aws eks list-nodegroups --cluster-name CLUSTER',
    match: (j) => isRecord(j) && Array.isArray(j.nodegroups) && j.nodegroups.every(str),
    read: (j) => (j.nodegroups as string[]).map((n, i) => ({ ...part('EKSNodegroup', n, { nodegroupName: n }, ['nodegroups', i]), map: () => ['nodegroups', i] })),
  },
  {
    id: 'aws eks describe-access-entry',
    provider: 'aws',
    kind: 'EKSAccessEntry',
    describe: 'aws eks describe-access-entry --cluster-name CLUSTER --principal-arn ARN',
    match: (j) => isRecord(j) && isRecord(j.accessEntry) && str(j.accessEntry.principalArn),
    read: (j) => [part('EKSAccessEntry', j.accessEntry.principalArn, j.accessEntry, ['accessEntry'], str(j.accessEntry.clusterName) ? j.accessEntry.clusterName : undefined)],
  },
  {
    id: 'aws eks list-access-entries',
    provider: 'aws',
    kind: 'EKSAccessEntry',
    lists: 'EKSAccessEntry',
    describe: 'aws eks list-access-entries --cluster-name CLUSTER',
    match: (j) => isRecord(j) && Array.isArray(j.accessEntries) && j.accessEntries.every(str),
    read: (j) => (j.accessEntries as string[]).map((a, i) => ({ ...part('EKSAccessEntry', a, { principalArn: a }, ['accessEntries', i]), map: () => ['accessEntries', i] })),
  },
  {
    id: 'aws eks list-associated-access-policies',
    provider: 'aws',
    kind: 'EKSAccessEntry',
    describe: 'aws eks list-associated-access-policies --cluster-name CLUSTER --principal-arn ARN',
    match: (j) => isRecord(j) && Array.isArray(j.associatedAccessPolicies) && str(j.principalArn),
    read: (j) => [
      {
        ...part('EKSAccessEntry', j.principalArn, { principalArn: j.principalArn, accessPolicies: j.associatedAccessPolicies }, [], str(j.clusterName) ? j.clusterName : undefined),
        map: (p: ObjPath) => (p[0] === 'accessPolicies' ? ['associatedAccessPolicies', ...p.slice(1)] : p),
      },
    ],
  },
  {
    id: 'aws eks describe-pod-identity-association',
    provider: 'aws',
    kind: 'EKSPodIdentityAssociation',
    describe: 'aws eks describe-pod-identity-association --cluster-name CLUSTER --association-id ID',
    match: (j) => isRecord(j) && isRecord(j.association) && str(j.association.associationId),
    read: (j) => [part('EKSPodIdentityAssociation', j.association.associationId, j.association, ['association'], str(j.association.clusterName) ? j.association.clusterName : undefined)],
  },
  {
    id: 'aws eks list-pod-identity-associations',
    provider: 'aws',
    kind: 'EKSPodIdentityAssociation',
    lists: 'EKSPodIdentityAssociation',
    describe: 'aws eks list-pod-identity-associations --cluster-name CLUSTER',
    match: (j) => isRecord(j) && Array.isArray(j.associations) && j.associations.every((a: unknown) => isRecord(a) && str(a.associationId)),
    read: (j) =>
      (j.associations as Array<Record<string, unknown>>).map((a, i) =>
        part('EKSPodIdentityAssociation', a.associationId as string, a, ['associations', i], str(a.clusterName) ? a.clusterName : undefined),
      ),
  },
  {
    id: 'aws eks describe-addon',
    provider: 'aws',
    kind: 'EKSAddon',
    describe: 'aws eks describe-addon --cluster-name CLUSTER --addon-name NAME',
    match: (j) => isRecord(j) && isRecord(j.addon) && str(j.addon.addonName),
    read: (j) => [part('EKSAddon', j.addon.addonName, j.addon, ['addon'], str(j.addon.clusterName) ? j.addon.clusterName : undefined)],
  },
  {
    id: 'aws ec2 describe-launch-template-versions',
    provider: 'aws',
    kind: 'EC2LaunchTemplateVersion',
    describe: 'aws ec2 describe-launch-template-versions --launch-template-id ID --versions N',
    match: (j) => isRecord(j) && Array.isArray(j.LaunchTemplateVersions),
    read: (j) =>
      (j.LaunchTemplateVersions as unknown[]).flatMap((v, i) =>
        isRecord(v) && (str(v.LaunchTemplateId) || str(v.LaunchTemplateName))
          ? [part('EC2LaunchTemplateVersion', `${str(v.LaunchTemplateId) ? v.LaunchTemplateId : v.LaunchTemplateName}:${v.VersionNumber ?? '?'}`, v, ['LaunchTemplateVersions', i])]
          : [],
      ),
  },
  {
    id: 'aws ec2 describe-instances',
    provider: 'aws',
    kind: 'EC2Instance',
    describe: 'aws ec2 describe-instances --filters Name=tag:eks:cluster-name,Values=CLUSTER',
    match: (j) => isRecord(j) && Array.isArray(j.Reservations),
    read: (j) => {
      const out: ShapeOutput[] = [];
      (j.Reservations as unknown[]).forEach((r, ri) => {
        if (!isRecord(r) || !Array.isArray(r.Instances)) return;
        r.Instances.forEach((inst: unknown, ii: number) => {
          if (isRecord(inst) && str(inst.InstanceId)) out.push(part('EC2Instance', inst.InstanceId, inst, ['Reservations', ri, 'Instances', ii], clusterTag(inst)));
        });
      });
      return out;
    },
  },
  {
    id: 'aws ec2 get-instance-metadata-defaults',
    provider: 'aws',
    kind: 'EC2InstanceMetadataDefaults',
    describe: 'aws ec2 get-instance-metadata-defaults',
    match: (j) => isRecord(j) && isRecord(j.AccountLevel),
    read: (j) => [part('EC2InstanceMetadataDefaults', 'account', j.AccountLevel, ['AccountLevel'])],
  },
  {
    id: 'aws iam get-role',
    provider: 'aws',
    kind: 'IAMRole',
    describe: 'aws iam get-role --role-name NAME',
    match: (j) => isRecord(j) && isRecord(j.Role) && str(j.Role.RoleName),
    read: (j) => [part('IAMRole', j.Role.RoleName, withDocuments(j.Role, ['AssumeRolePolicyDocument']), ['Role'])],
  },
  {
    id: 'aws iam get-role-policy',
    provider: 'aws',
    kind: 'IAMRole',
    describe: 'aws iam get-role-policy --role-name NAME --policy-name POLICY',
    match: (j) => isRecord(j) && str(j.RoleName) && str(j.PolicyName) && 'PolicyDocument' in j,
    read: (j) => [
      // The whole document is the one inline policy: spec.inlinePolicies[0] is located at the document root.
      {
        ...part('IAMRole', j.RoleName, { RoleName: j.RoleName, inlinePolicies: [{ PolicyName: j.PolicyName, PolicyDocument: policyDocument(j.PolicyDocument) }] }, []),
        map: (p: ObjPath) => (p[0] === 'inlinePolicies' ? p.slice(2) : p),
      },
    ],
  },
  {
    id: 'aws iam list-attached-role-policies',
    provider: 'aws',
    kind: 'IAMRole',
    describe: 'aws iam list-attached-role-policies --role-name NAME (name the file after the role when several roles are given)',
    match: (j) => isRecord(j) && Array.isArray(j.AttachedPolicies),
    read: (j) => [
      {
        type: 'patch',
        kind: 'IAMRole',
        what: 'list-attached-role-policies output',
        place: (spec) => (spec.attachedPolicies === undefined ? [['attachedPolicies']] : []),
        value: j.AttachedPolicies,
        at: ['AttachedPolicies'],
      },
    ],
  },
  {
    id: 'aws iam list-role-policies',
    provider: 'aws',
    kind: 'IAMRole',
    describe: 'aws iam list-role-policies --role-name NAME (name the file after the role when several roles are given)',
    match: (j) => isRecord(j) && Array.isArray(j.PolicyNames) && j.PolicyNames.every(str),
    read: (j) => [
      {
        type: 'patch',
        kind: 'IAMRole',
        what: 'list-role-policies output',
        place: (spec) => (spec.inlinePolicyNames === undefined ? [['inlinePolicyNames']] : []),
        value: j.PolicyNames,
        at: ['PolicyNames'],
      },
    ],
  },
  {
    id: 'aws iam get-policy-version',
    provider: 'aws',
    kind: 'IAMRole',
    describe: 'aws iam get-policy-version --policy-arn ARN --version-id V (name the file after the policy, e.g. MyPolicy.json)',
    match: (j) => isRecord(j) && isRecord(j.PolicyVersion) && 'Document' in j.PolicyVersion,
    read: (j) => [
      {
        type: 'patch',
        kind: 'IAMRole',
        what: 'get-policy-version output (it does not name its policy: name the file after the policy)',
        all: true,
        place: (spec, fileBase) => {
          const out: ObjPath[] = [];
          const list = spec.attachedPolicies;
          if (!Array.isArray(list)) return out;
          list.forEach((p: unknown, i) => {
            if (isRecord(p) && str(p.PolicyName) && p.Document === undefined && nameInFile(fileBase, p.PolicyName)) out.push(['attachedPolicies', i, 'Document']);
          });
          return out;
        },
        value: policyDocument(j.PolicyVersion.Document),
        at: ['PolicyVersion', 'Document'],
      },
    ],
  },
  {
    id: 'aws cloudtrail describe-trails',
    provider: 'aws',
    kind: 'CloudTrailTrail',
    lists: 'CloudTrailTrail',
    describe: 'aws cloudtrail describe-trails',
    match: (j) => isRecord(j) && Array.isArray(j.trailList),
    read: (j) =>
      (j.trailList as unknown[]).flatMap((t, i) => (isRecord(t) && str(t.Name) ? [part('CloudTrailTrail', t.Name, t, ['trailList', i])] : [])),
  },
  {
    id: 'aws cloudtrail get-trail-status',
    provider: 'aws',
    kind: 'CloudTrailTrail',
    describe: 'aws cloudtrail get-trail-status --name TRAIL (name the file after the trail when several trails are given)',
    match: (j) => isRecord(j) && typeof j.IsLogging === 'boolean',
    read: (j) => [
      {
        type: 'patch',
        kind: 'CloudTrailTrail',
        what: 'get-trail-status output',
        place: (spec) => (spec.status === undefined ? [['status']] : []),
        value: j,
        at: [],
      },
    ],
  },
  {
    id: 'aws cloudtrail get-event-selectors',
    provider: 'aws',
    kind: 'CloudTrailTrail',
    describe: 'aws cloudtrail get-event-selectors --trail-name TRAIL',
    match: (j) => isRecord(j) && str(j.TrailARN) && (Array.isArray(j.EventSelectors) || Array.isArray(j.AdvancedEventSelectors)),
    read: (j) => [{ ...part('CloudTrailTrail', trailNameFromArn(j.TrailARN), { eventSelectors: j }, []), map: (p: ObjPath) => (p[0] === 'eventSelectors' ? p.slice(1) : p) }],
  },
  {
    id: 'aws logs describe-log-groups',
    provider: 'aws',
    kind: 'CloudWatchLogGroup',
    lists: 'CloudWatchLogGroup',
    describe: 'aws logs describe-log-groups --log-group-name-prefix /aws/eks/CLUSTER/cluster',
    match: (j) => isRecord(j) && Array.isArray(j.logGroups),
    read: (j) =>
      (j.logGroups as unknown[]).flatMap((g, i) => (isRecord(g) && str(g.logGroupName) ? [part('CloudWatchLogGroup', g.logGroupName, g, ['logGroups', i])] : [])),
  },
];

function clusterTag(inst: Record<string, unknown>): string | undefined {
  const tags = Array.isArray(inst.Tags) ? inst.Tags : [];
  for (const t of tags) {
    if (isRecord(t) && (t.Key === 'eks:cluster-name' || t.Key === 'aws:eks:cluster-name') && str(t.Value)) return t.Value;
  }
  return undefined;
}
