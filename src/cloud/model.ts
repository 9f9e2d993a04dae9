// The cloud context in the cluster model. Cloud descriptions (live SDK output or the JSON printed
// by aws/az/gcloud CLIs) become LoadedObjects of synthetic kinds in the group below, so rules read
// them like any Kubernetes object (objects handlers keyed "cloud.kubeward.io/<Kind>") and findings
// point at the file and line of the description they came from.
//
// Object shape: { apiVersion: 'cloud.kubeward.io/v1', kind: <CloudKind>, metadata: { name, labels:
// { 'cloud.kubeward.io/provider': 'aws'|'azure'|'gcp', 'cloud.kubeward.io/cluster': <cluster name> } },
// spec: <the provider's own JSON, unchanged apart from documented normalisation (e.g. IAM policy
// documents URL-decoded and parsed)> }.

export const CLOUD_GROUP = 'cloud.kubeward.io';
export const CLOUD_API_VERSION = `${CLOUD_GROUP}/v1`;

export const PROVIDERS = ['aws', 'azure', 'gcp'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Every synthetic cloud kind, by provider. Add kinds here (one place), never ad hoc strings. */
export const CLOUD_KINDS = {
  aws: [
    'EKSCluster', // aws eks describe-cluster .cluster
    'EKSNodegroup', // aws eks describe-nodegroup .nodegroup
    'EKSAccessEntry', // aws eks describe-access-entry .accessEntry (+ associated access policies in spec.accessPolicies)
    'EKSPodIdentityAssociation', // aws eks describe-pod-identity-association .association
    'EKSAddon', // aws eks describe-addon .addon
    'EC2LaunchTemplateVersion', // aws ec2 describe-launch-template-versions .LaunchTemplateVersions[]
    'EC2Instance', // aws ec2 describe-instances .Reservations[].Instances[]
    'EC2InstanceMetadataDefaults', // aws ec2 get-instance-metadata-defaults .AccountLevel
    'IAMRole', // aws iam get-role .Role + spec.attachedPolicies[] + spec.inlinePolicies[] (documents parsed)
    'CloudTrailTrail', // aws cloudtrail describe-trails .trailList[] + spec.status + spec.eventSelectors
    'CloudWatchLogGroup', // aws logs describe-log-groups .logGroups[]
  ],
  azure: [
    'AKSCluster', // az aks show
    'AKSAgentPool', // az aks nodepool show (or properties.agentPoolProfiles[])
    'AzureDiagnosticSetting', // az monitor diagnostic-settings list .value[] (spec.scope: cluster|subscription)
    'AzureRoleAssignment', // az role assignment list []
    'AzureManagedIdentity', // az identity show
    'AzureFederatedIdentityCredential', // az identity federated-credential list []
  ],
  gcp: [
    'GKECluster', // gcloud container clusters describe --format=json
    'GKENodePool', // gcloud container node-pools describe (or .nodePools[])
    'GCPProjectIAMPolicy', // gcloud projects get-iam-policy --format=json (bindings + auditConfigs)
    'GCPServiceAccountIAMPolicy', // gcloud iam service-accounts get-iam-policy (spec.serviceAccount = email)
  ],
} as const satisfies Record<Provider, readonly string[]>;

export type CloudKind = (typeof CLOUD_KINDS)[Provider][number];

export function cloudGroupKind(kind: CloudKind): string {
  return `${CLOUD_GROUP}/${kind}`;
}

export const PROVIDER_LABEL = `${CLOUD_GROUP}/provider`;
export const CLUSTER_LABEL = `${CLOUD_GROUP}/cluster`;

/**
 * The bundle written by `kubeward cloud collect` (and accepted by --cloud FILE):
 * { apiVersion: 'kubeward.io/v1', kind: 'CloudContext', metadata: { provider, cluster, region|location|resourceGroup,
 *   account|subscription|project, createdAt, createdBy, source: 'live'|'files' },
 *   items: [ cloud objects as above ], notAssessed: [ {what: 'cloud.kubeward.io/<Kind>', reason (names the missing permission)} ],
 *   errors: [ {file, message} ] }
 */
export const CLOUD_BUNDLE_KIND = 'CloudContext';
