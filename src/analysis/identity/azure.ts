// AKS service account -> Microsoft Entra workload identity (user-assigned managed identity) ->
// Azure role assignments, and the kubelet identity. Pure, over ClusterState.
//
// Semantics (https://learn.microsoft.com/azure/aks/workload-identity-overview):
// - A pod labelled `azure.workload.identity/use: "true"` running as a service account annotated
//   `azure.workload.identity/client-id: CLIENT_ID` gets a projected token (audience
//   api://AzureADTokenExchange) that it exchanges for the identity's Entra token. The exchange works
//   when the identity has a federated identity credential with issuer = the cluster's OIDC issuer and
//   subject = system:serviceaccount:NS:SA. The label only drives the mutating webhook: any pod running
//   as that service account can project such a token itself, so the credential is what grants access.
// - The kubelet identity (identityProfile.kubeletidentity) is the identity of every node: reachable
//   from any pod that reaches IMDS (every hostNetwork pod, and all pods unless IMDS is restricted).
// - Owner, Contributor, User Access Administrator and Role Based Access Control Administrator at
//   management-group, subscription or resource-group scope control every resource below it (the
//   last two by granting themselves any role).
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import { cloudGroupKind } from '../../cloud/model.js';
import { annotatedServiceAccounts, podsByServiceAccount } from './pod-service-accounts.js';
import { lookup } from '../../cloud/aks.js';

export const AZURE_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const AZURE_USE_LABEL = 'azure.workload.identity/use';

export const AKS_CLUSTER = cloudGroupKind('AKSCluster');
export const AKS_AGENT_POOL = cloudGroupKind('AKSAgentPool');
export const AZURE_ROLE_ASSIGNMENT = cloudGroupKind('AzureRoleAssignment');
export const AZURE_MANAGED_IDENTITY = cloudGroupKind('AzureManagedIdentity');
export const AZURE_FEDERATED_CREDENTIAL = cloudGroupKind('AzureFederatedIdentityCredential');
export const AZURE_DIAGNOSTIC_SETTING = cloudGroupKind('AzureDiagnosticSetting');

/** Built-in role definition ids (the SDK and REST return only the id, the az CLI also the name). */
export const BUILTIN_ROLES: Readonly<Record<string, string>> = Object.freeze({
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
  'f1a07417-d97a-45cb-824c-7a7467783830': 'Managed Identity Operator',
});

/** Roles that control everything under their scope. */
export const BROAD_ROLES: Readonly<Record<string, string>> = Object.freeze({
  Owner: 'full control, including granting access',
  Contributor: 'full control of every resource (except granting access)',
  'User Access Administrator': 'can grant any role, so itself any access',
  'Role Based Access Control Administrator': 'can grant roles, so itself any access',
});

export type ScopeLevel = 'root' | 'management-group' | 'subscription' | 'resource-group' | 'resource';

export function scopeLevel(scope: string): ScopeLevel {
  const s = scope.replace(/\/+$/, '');
  if (s === '' || s === '/') return 'root';
  if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(s)) return 'management-group';
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(s)) return 'resource-group';
  return 'resource';
}

export interface RoleAssignment {
  object: LoadedObject;
  principalId: string;
  principalName?: string;
  roleName: string;
  roleDefinitionId: string;
  scope: string;
  level: ScopeLevel;
  /** Path of the role name (or id) inside the object. */
  path: ObjPath;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function roleAssignments(state: ClusterState): RoleAssignment[] {
  const out: RoleAssignment[] = [];
  for (const o of state.ofKind(AZURE_ROLE_ASSIGNMENT)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = (o.obj as any).spec ?? {};
    const principalId = str(lookup(spec, ['principalId']).value);
    if (!principalId) continue;
    const defId = str(lookup(spec, ['roleDefinitionId']).value) ?? '';
    const guid = defId.split('/').pop()?.toLowerCase() ?? '';
    const nameF = lookup(spec, ['roleDefinitionName']);
    const roleName = str(nameF.value) ?? BUILTIN_ROLES[guid] ?? (guid || 'unknown role');
    const scope = str(lookup(spec, ['scope']).value) ?? '';
    const principalName = str(lookup(spec, ['principalName']).value);
    out.push({
      object: o,
      principalId: principalId.toLowerCase(),
      ...(principalName ? { principalName: principalName.toLowerCase() } : {}),
      roleName,
      roleDefinitionId: defId,
      scope,
      level: scopeLevel(scope),
      path: ['spec', ...(nameF.found ? nameF.path : lookup(spec, ['roleDefinitionId']).path)],
    });
  }
  return out;
}

/** A broad role at a broad scope: what the holder controls. */
export function broadAssignment(a: RoleAssignment): string | undefined {
  const why = BROAD_ROLES[a.roleName];
  if (!why) return undefined;
  if (a.level === 'resource') return undefined;
  return why;
}

export function describeScope(a: RoleAssignment): string {
  switch (a.level) {
    case 'root':
      return 'the tenant root';
    case 'management-group':
      return `management group ${a.scope.split('/').pop()}`;
    case 'subscription':
      return `subscription ${a.scope.split('/').pop()}`;
    case 'resource-group':
      return `resource group ${a.scope.split('/').pop()}`;
    default:
      return a.scope;
  }
}

export interface ManagedIdentity {
  object: LoadedObject;
  name: string;
  clientId?: string;
  principalId?: string;
  id?: string;
}

export function managedIdentities(state: ClusterState): ManagedIdentity[] {
  return state.ofKind(AZURE_MANAGED_IDENTITY).map((o) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = (o.obj as any).spec ?? {};
    const clientId = str(lookup(spec, ['clientId']).value) ?? str(lookup(spec, ['properties', 'clientId']).value);
    const principalId = str(lookup(spec, ['principalId']).value) ?? str(lookup(spec, ['properties', 'principalId']).value);
    const id = str(lookup(spec, ['id']).value);
    return {
      object: o,
      name: str(spec.name) ?? o.ref.name,
      ...(clientId ? { clientId: clientId.toLowerCase() } : {}),
      ...(principalId ? { principalId: principalId.toLowerCase() } : {}),
      ...(id ? { id } : {}),
    };
  });
}

export interface FederatedCredential {
  object: LoadedObject;
  issuer?: string;
  subject?: string;
  /** The identity it belongs to: its resource id, from the credential id (.../userAssignedIdentities/NAME/federatedIdentityCredentials/X). */
  identityId?: string;
  identityName?: string;
}

export function federatedCredentials(state: ClusterState): FederatedCredential[] {
  return state.ofKind(AZURE_FEDERATED_CREDENTIAL).map((o) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = (o.obj as any).spec ?? {};
    const id = str(spec.id) ?? '';
    const m = /^(.*\/userAssignedIdentities\/([^/]+))\/federatedIdentityCredentials\//i.exec(id);
    const issuer = str(lookup(spec, ['issuer']).value) ?? str(lookup(spec, ['properties', 'issuer']).value);
    const subject = str(lookup(spec, ['subject']).value) ?? str(lookup(spec, ['properties', 'subject']).value);
    const identityName = m?.[2] ?? str(spec.identityName);
    return {
      object: o,
      ...(issuer ? { issuer } : {}),
      ...(subject ? { subject } : {}),
      ...(m ? { identityId: m[1] } : {}),
      ...(identityName ? { identityName } : {}),
    };
  });
}

/** Role assignments held by a principal (object id), or by a client id through principalName. */
export function assignmentsOf(state: ClusterState, ids: { principalId?: string; clientId?: string }): RoleAssignment[] {
  const p = ids.principalId?.toLowerCase();
  const c = ids.clientId?.toLowerCase();
  return roleAssignments(state).filter((a) => (p !== undefined && a.principalId === p) || (c !== undefined && a.principalName === c));
}

export interface WorkloadIdentityLink {
  sa: LoadedObject;
  namespace: string;
  name: string;
  clientId: string;
  annotationPath: ObjPath;
  /** Pods running as the service account. */
  pods: PodTemplateView[];
  /** Of those, pods labelled azure.workload.identity/use: "true" (the webhook injects the token). */
  labelledPods: PodTemplateView[];
  identity?: ManagedIdentity;
  /**
   * true: a loaded federated credential of the identity trusts system:serviceaccount:NS:SA (from this
   * cluster's issuer when known); false: the identity's credentials are loaded and none does;
   * undefined: not known.
   */
  federated: boolean | undefined;
  assignments: RoleAssignment[];
}

function clusterIssuers(state: ClusterState): string[] {
  const out: string[] = [];
  for (const c of state.ofKind(AKS_CLUSTER)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const u = str(lookup((c.obj as any).spec ?? {}, ['oidcIssuerProfile', 'issuerURL']).value);
    if (u) out.push(u.replace(/\/+$/, ''));
  }
  return out;
}

function credentialsOf(state: ClusterState, identity: ManagedIdentity | undefined): FederatedCredential[] | undefined {
  if (!identity) return undefined;
  const all = federatedCredentials(state).filter(
    (f) => (identity.id !== undefined && f.identityId?.toLowerCase() === identity.id.toLowerCase()) || (f.identityName !== undefined && f.identityName === identity.name),
  );
  return all.length > 0 ? all : undefined;
}

export function workloadIdentityLinks(state: ClusterState): WorkloadIdentityLink[] {
  const pods = podsByServiceAccount(state);
  const identities = managedIdentities(state);
  const issuers = clusterIssuers(state);
  return annotatedServiceAccounts(state, AZURE_CLIENT_ID_ANNOTATION).map(({ sa, namespace, name, value }) => {
    const clientId = value.toLowerCase();
    const identity = identities.find((i) => i.clientId === clientId);
    const creds = credentialsOf(state, identity);
    const subject = `system:serviceaccount:${namespace}:${name}`;
    const federated =
      creds === undefined
        ? undefined
        : creds.some((f) => f.subject === subject && (issuers.length === 0 || f.issuer === undefined || issuers.includes(f.issuer.replace(/\/+$/, ''))));
    const users = pods.get(`${namespace}/${name}`) ?? [];
    return {
      sa,
      namespace,
      name,
      clientId,
      annotationPath: ['metadata', 'annotations', AZURE_CLIENT_ID_ANNOTATION],
      pods: users,
      labelledPods: users.filter((p) => p.labels[AZURE_USE_LABEL] === 'true'),
      ...(identity ? { identity } : {}),
      federated,
      assignments: assignmentsOf(state, { principalId: identity?.principalId, clientId }),
    };
  });
}
