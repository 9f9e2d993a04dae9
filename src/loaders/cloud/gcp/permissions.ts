// The Google Cloud IAM permissions kubeward's GCP collection uses: one per API call, named in
// "not assessed" entries and shipped as the custom role deploy/gcp-role.yaml (a test checks that the
// two agree and that the replayed calls need nothing more).
export const GCP_PERMISSIONS = {
  cluster: 'container.clusters.get',
  projectIamPolicy: 'resourcemanager.projects.getIamPolicy',
  serviceAccountIamPolicy: 'iam.serviceAccounts.getIamPolicy',
} as const;

export type GcpPermissionKey = keyof typeof GCP_PERMISSIONS;
