// The Azure permissions (RBAC actions) kubeward's Azure collection uses: one per API call, named in
// "not assessed" entries and shipped as the custom role deploy/azure-role.json (a test checks that
// the two agree and that the replayed calls need nothing more).
export const AZURE_PERMISSIONS = {
  cluster: 'Microsoft.ContainerService/managedClusters/read',
  diagnosticSettings: 'Microsoft.Insights/diagnosticSettings/read',
  roleAssignments: 'Microsoft.Authorization/roleAssignments/read',
  identities: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  federatedCredentials: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read',
} as const;

export type AzurePermissionKey = keyof typeof AZURE_PERMISSIONS;
