// Recorded AWS API responses (in the documented response shapes of the EKS, EC2, IAM, CloudTrail and
// CloudWatch Logs APIs, as the SDK v3 returns them) for the "shop" cluster, answering every command
// the collector sends. Used by the collector unit test (test/cloud-aws.test.ts) through the
// collector's `intercept` hook, and by the moto e2e test for the APIs moto does not implement.
import { readFileSync } from 'node:fs';
import { fromRoot } from './paths.js';

const ACCOUNT = '111122223333';
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const example = (f: string) => JSON.parse(readFileSync(fromRoot('examples/shop/cloud', f), 'utf8'));
/** IAM returns policy documents URL-encoded (RFC 3986), the CLI prints them decoded. */
export const urlEncoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

export class AwsError extends Error {
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    (this as unknown as { $metadata: { httpStatusCode: number } }).$metadata = { httpStatusCode: status };
  }
}

/** EKS access entries, Pod Identity and add-ons of the shop cluster (moto implements none of them). */
export const eksReplay = {
  listAccessEntries: () => example('list-access-entries.json'),
  describeAccessEntry: (principalArn: string) =>
    principalArn.endsWith('/platform-admins') ? example('describe-access-entry-platform-admins.json') : example('describe-access-entry-shop-node.json'),
  listAssociatedAccessPolicies: (principalArn: string) =>
    principalArn.endsWith('/platform-admins') ? example('list-associated-access-policies-platform-admins.json') : example('list-associated-access-policies-shop-node.json'),
  listPodIdentityAssociations: () => ({
    associations: [{ clusterName: 'shop', namespace: 'payments', serviceAccount: 'ledger', associationArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:podidentityassociation/shop/a-0ledger0000000001`, associationId: 'a-0ledger0000000001' }],
  }),
  describePodIdentityAssociation: () => ({
    association: {
      clusterName: 'shop',
      namespace: 'payments',
      serviceAccount: 'ledger',
      roleArn: arn('role', 'payments-ledger'),
      associationArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:podidentityassociation/shop/a-0ledger0000000001`,
      associationId: 'a-0ledger0000000001',
      tags: {},
      createdAt: new Date('2025-03-05T10:00:00Z'),
      modifiedAt: new Date('2025-03-05T10:00:00Z'),
      disableSessionTags: false,
    },
  }),
  listAddons: () => ({ addons: ['vpc-cni'] }),
  describeAddon: () => ({
    addon: { addonName: 'vpc-cni', clusterName: 'shop', status: 'ACTIVE', addonVersion: 'v1.19.2-eksbuild.1', serviceAccountRoleArn: arn('role', 'shop-vpc-cni'), podIdentityAssociations: [] },
  }),
};

/** ec2:GetInstanceMetadataDefaults (moto does not implement it): no account-level preference. */
export const instanceMetadataDefaultsReplay = { AccountLevel: {} };

const roles: Record<string, { trust: object; attached: Array<{ PolicyName: string; PolicyArn: string }>; inline: Record<string, object> }> = {
  'shop-node': {
    trust: example('get-role-shop-node.json').Role.AssumeRolePolicyDocument,
    attached: example('shop-node.list-attached-role-policies.json').AttachedPolicies,
    inline: {},
  },
  'shop-storefront': {
    trust: example('get-role-shop-storefront.json').Role.AssumeRolePolicyDocument,
    attached: example('shop-storefront.list-attached-role-policies.json').AttachedPolicies,
    inline: { 'storefront-workers': example('get-role-policy-storefront-workers.json').PolicyDocument },
  },
  'payments-ledger': {
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] },
    attached: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    inline: {},
  },
  'shop-vpc-cni': {
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: arn('oidc-provider', 'oidc.eks.eu-west-1.amazonaws.com/id/4B2E8C0F9D1A7E3B5C6D8E9F0A1B2C3D') }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/4B2E8C0F9D1A7E3B5C6D8E9F0A1B2C3D:sub': 'system:serviceaccount:kube-system:aws-node', 'oidc.eks.eu-west-1.amazonaws.com/id/4B2E8C0F9D1A7E3B5C6D8E9F0A1B2C3D:aud': 'sts.amazonaws.com' } } }] },
    attached: [{ PolicyName: 'AmazonEKS_CNI_Policy', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy' }],
    inline: {},
  },
};

const managed: Record<string, object> = {
  'arn:aws:iam::111122223333:policy/shop-storefront-assets': example('shop-storefront-assets.get-policy-version.json').PolicyVersion.Document,
  'arn:aws:iam::aws:policy/AdministratorAccess': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeInstances', 'eks:DescribeCluster'], Resource: '*' }] },
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:AssignPrivateIpAddresses', 'ec2:DescribeNetworkInterfaces'], Resource: '*' }] },
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'], Resource: '*' }] },
};

/**
 * Answers every collector command for the shop cluster with recorded responses. `overrides` maps an
 * action to a response or an Error (thrown as the SDK would).
 */
export function shopReplay(overrides: Record<string, unknown> = {}): (action: string, input: Record<string, unknown>) => unknown {
  return (action, input) => {
    if (action in overrides) {
      const o = overrides[action];
      return typeof o === 'function' ? (o as (i: Record<string, unknown>) => unknown)(input) : o;
    }
    const role = roles[String(input.RoleName)];
    switch (action) {
      case 'eks:DescribeCluster':
        return example('describe-cluster.json');
      case 'eks:ListNodegroups':
        return { nodegroups: ['general'] };
      case 'eks:DescribeNodegroup':
        return example('describe-nodegroup-general.json');
      case 'ec2:DescribeLaunchTemplateVersions':
        return example('describe-launch-template-versions.json');
      case 'ec2:DescribeInstances':
        return { Reservations: [] };
      case 'ec2:GetInstanceMetadataDefaults':
        return instanceMetadataDefaultsReplay;
      case 'eks:ListAccessEntries':
        return eksReplay.listAccessEntries();
      case 'eks:DescribeAccessEntry':
        return eksReplay.describeAccessEntry(String(input.principalArn));
      case 'eks:ListAssociatedAccessPolicies':
        return eksReplay.listAssociatedAccessPolicies(String(input.principalArn));
      case 'eks:ListPodIdentityAssociations':
        return eksReplay.listPodIdentityAssociations();
      case 'eks:DescribePodIdentityAssociation':
        return eksReplay.describePodIdentityAssociation();
      case 'eks:ListAddons':
        return eksReplay.listAddons();
      case 'eks:DescribeAddon':
        return eksReplay.describeAddon();
      case 'iam:GetRole':
        if (!role) return new AwsError('NoSuchEntityException', `The role with name ${String(input.RoleName)} cannot be found.`, 404);
        return { Role: { Path: '/', RoleName: input.RoleName, RoleId: 'AROAEXAMPLE', Arn: arn('role', String(input.RoleName)), CreateDate: new Date('2025-03-04T09:05:11Z'), AssumeRolePolicyDocument: urlEncoded(role.trust), MaxSessionDuration: 3600 } };
      case 'iam:ListAttachedRolePolicies':
        return { AttachedPolicies: role?.attached ?? [], IsTruncated: false };
      case 'iam:ListRolePolicies':
        return { PolicyNames: Object.keys(role?.inline ?? {}), IsTruncated: false };
      case 'iam:GetRolePolicy':
        return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: urlEncoded(role?.inline[String(input.PolicyName)]) };
      case 'iam:GetPolicy':
        return { Policy: { PolicyName: String(input.PolicyArn).split('/').pop(), Arn: input.PolicyArn, DefaultVersionId: 'v1', AttachmentCount: 1 } };
      case 'iam:GetPolicyVersion':
        return { PolicyVersion: { Document: urlEncoded(managed[String(input.PolicyArn)]), VersionId: 'v1', IsDefaultVersion: true } };
      case 'cloudtrail:DescribeTrails':
        return example('describe-trails.json');
      case 'cloudtrail:GetTrailStatus':
        return example('shop-audit.get-trail-status.json');
      case 'cloudtrail:GetEventSelectors':
        return example('get-event-selectors-shop-audit.json');
      case 'logs:DescribeLogGroups':
        return example('describe-log-groups.json');
      default:
        return new AwsError('UnknownOperationException', `no recorded response for ${action}`);
    }
  };
}
