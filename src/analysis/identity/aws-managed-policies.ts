// Documents of a few AWS managed policies, so that `aws iam list-attached-role-policies` output alone
// (without get-policy-version) still tells an administrator role from a node role. Live collection
// always reads the real default version; these copies are used only when no document was given, and
// findings based on them say so. Statements kept to what matters for kubeward's rules.
// Source: the AWS Managed Policy Reference Guide (docs.aws.amazon.com/aws-managed-policy/latest/reference/).

const doc = (...Statement: object[]) => Object.freeze({ Version: '2012-10-17', Statement });

const KNOWN: Readonly<Record<string, object>> = Object.freeze({
  AdministratorAccess: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
  PowerUserAccess: doc(
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    { Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization', 'account:ListRegions', 'account:GetAccountInformation'], Resource: '*' },
  ),
  IAMFullAccess: doc({ Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount', 'organizations:DescribeOrganization', 'organizations:DescribeOrganizationalUnit', 'organizations:DescribePolicy', 'organizations:ListChildren', 'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:ListRoots', 'organizations:ListPolicies', 'organizations:ListTargetsForPolicy'], Resource: '*' }),
  AmazonS3FullAccess: doc({ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }),
  AmazonEC2FullAccess: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }, { Effect: 'Allow', Action: 'elasticloadbalancing:*', Resource: '*' }, { Effect: 'Allow', Action: 'cloudwatch:*', Resource: '*' }, { Effect: 'Allow', Action: 'autoscaling:*', Resource: '*' }),
  SecretsManagerReadWrite: doc({ Effect: 'Allow', Action: ['secretsmanager:*', 'kms:DescribeKey', 'kms:ListAliases', 'kms:ListKeys'], Resource: '*' }),
  AmazonEKSWorkerNodePolicy: doc({
    Effect: 'Allow',
    Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceTypes', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVolumes', 'ec2:DescribeVolumesModifications', 'ec2:DescribeVpcs', 'eks:DescribeCluster', 'eks-auth:AssumeRoleForPodIdentity'],
    Resource: '*',
  }),
  AmazonEKS_CNI_Policy: doc(
    {
      Effect: 'Allow',
      Action: ['ec2:AssignPrivateIpAddresses', 'ec2:AttachNetworkInterface', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets', 'ec2:DetachNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: ['arn:aws:ec2:*:*:network-interface/*'] },
  ),
  AmazonEC2ContainerRegistryReadOnly: doc({
    Effect: 'Allow',
    Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy', 'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy', 'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings'],
    Resource: '*',
  }),
  AmazonEC2ContainerRegistryPullOnly: doc({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage'], Resource: '*' }),
});

/** kubeward's copy of an AWS managed policy's document, by ARN (arn:aws:iam::aws:policy/NAME). */
export function knownManagedPolicy(arn: string): object | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([A-Za-z0-9_+=,.@-]+)$/.exec(arn);
  return m ? KNOWN[m[1]] : undefined;
}
