// Shapes of the JSON that the az CLI prints (and of the ARM REST resources and ARM templates, whose
// resources keep their settings under `properties`), recognised by their fields. Pure.
//
// Normalisation (documented in docs/cloud.md): a resource in ARM form ({id, name, type, properties})
// becomes the az CLI form: `properties` are lifted to the top level of spec (findings still point at
// the line inside `properties`). Diagnostic settings get `spec.scope` = cluster | subscription | resource.
import type { ObjPath } from '../../../core/types.js';
import { isRecord, part, type CloudPart, type Shape, type ShapeOutput } from '../shapes.js';
import { isArmExpression, parseResourceId } from '../../../cloud/aks.js';
import type { CloudKind } from '../../../cloud/model.js';

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
const typeIs = (j: unknown, re: RegExp): boolean => isRecord(j) && str(j.type) && re.test(j.type);

const MANAGED_CLUSTER = /^Microsoft\.ContainerService\/managedClusters$/i;
const AGENT_POOL = /^Microsoft\.ContainerService\/managedClusters\/agentPools$/i;
const DIAG_TYPE = /^Microsoft\.Insights\/diagnosticSettings$/i;
const DIAG_CHILD_TYPE = /^Microsoft\.ContainerService\/managedClusters\/providers\/diagnosticSettings$/i;
const ROLE_ASSIGNMENT = /^Microsoft\.Authorization\/roleAssignments$/i;
const IDENTITY = /^Microsoft\.ManagedIdentity\/userAssignedIdentities$/i;
const FEDERATED = /^Microsoft\.ManagedIdentity\/userAssignedIdentities\/federatedIdentityCredentials$/i;

/**
 * A resource as a part: in ARM form (`properties` object) the properties are lifted to the top of spec
 * and `map` sends their paths back to `properties.*`; a non-object `properties` is dropped.
 */
export function armPart(kind: CloudKind, name: string, res: Record<string, unknown>, at: ObjPath, cluster?: string, extra: Record<string, unknown> = {}): CloudPart {
  const props = res.properties;
  if (!('properties' in res)) return { ...part(kind, name, { ...res, ...extra }, at, cluster) };
  const spec: Record<string, unknown> = {};
  const inProps = new Set<string>();
  for (const [k, v] of Object.entries(res)) if (k !== 'properties') spec[k] = v;
  if (isRecord(props)) {
    for (const [k, v] of Object.entries(props)) {
      if (k in spec) continue; // the resource's own id/name/type win
      spec[k] = v;
      inProps.add(k);
    }
  }
  Object.assign(spec, extra);
  return {
    ...part(kind, name, spec, at, cluster),
    map: (p: ObjPath) => (typeof p[0] === 'string' && inProps.has(p[0]) ? [...at, 'properties', ...p] : [...at, ...p]),
  };
}

function isAksCluster(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j) || !str(j.name)) return false;
  if (typeIs(j, MANAGED_CLUSTER)) return true;
  // az aks show without type (e.g. --query output): the agent pools and the node resource group say it.
  return Array.isArray(j.agentPoolProfiles) && ('nodeResourceGroup' in j || 'kubernetesVersion' in j || 'fqdn' in j);
}

/** The name of a resource, or (for an ARM template expression) a name unique to the file. */
function resourceName(name: unknown, fileBase: string, fallback: string): string {
  if (!str(name)) return fallback;
  return isArmExpression(name) ? `${fileBase || 'template'}:${name}` : name;
}

function clusterOfId(id: unknown): string | undefined {
  if (!str(id)) return undefined;
  const m = /\/managedClusters\/([^/]+)/i.exec(id);
  if (m) return m[1];
  // A template expression: [resourceId('Microsoft.ContainerService/managedClusters', 'NAME')].
  const e = /managedClusters['"]\s*,\s*'([^']+)'/i.exec(id);
  return e?.[1];
}

/** cluster | subscription | resource, from the setting's id (.../providers/microsoft.insights/diagnosticSettings/NAME). */
export function diagnosticScope(id: string): { scope: 'cluster' | 'subscription' | 'resource'; scopeId: string } {
  const i = id.toLowerCase().lastIndexOf('/providers/microsoft.insights/diagnosticsettings/');
  const scopeId = i >= 0 ? id.slice(0, i) : '';
  if (/\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i.test(scopeId)) return { scope: 'cluster', scopeId };
  if (/^\/subscriptions\/[^/]+$/i.test(scopeId)) return { scope: 'subscription', scopeId };
  return { scope: 'resource', scopeId };
}

function isDiagnosticSetting(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j)) return false;
  const id = str(j.id) ? j.id : '';
  const props = isRecord(j.properties) ? j.properties : j;
  return (/\/providers\/microsoft\.insights\/diagnosticSettings\//i.test(id) || typeIs(j, DIAG_TYPE)) && Array.isArray(props.logs);
}

function diagnosticPart(j: Record<string, unknown>, at: ObjPath): ShapeOutput {
  const id = str(j.id) ? j.id : '';
  const { scope, scopeId } = diagnosticScope(id);
  const p = parseResourceId(scopeId);
  const cluster = scope === 'cluster' ? clusterOfId(scopeId) : undefined;
  const owner = scope === 'cluster' ? cluster : scope === 'subscription' ? `subscription ${p.subscription}` : scopeId.split('/').pop();
  const name = `${owner ?? '?'}/${str(j.name) ? j.name : '?'}`;
  return armPart('AzureDiagnosticSetting', name, j, at, cluster, { scope, ...(scopeId ? { resourceUri: scopeId } : {}) });
}

function isRoleAssignment(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j)) return false;
  const p = isRecord(j.properties) ? j.properties : j;
  return str(p.principalId) && str(p.roleDefinitionId) && str(p.scope) && (!('type' in j) || typeIs(j, ROLE_ASSIGNMENT));
}

function roleAssignmentPart(j: Record<string, unknown>, at: ObjPath): ShapeOutput {
  const name = str(j.name) ? j.name : str(j.id) ? j.id : `${JSON.stringify([(j.properties as Record<string, unknown>)?.principalId ?? j.principalId])}`;
  return armPart('AzureRoleAssignment', name, j, at);
}

function isIdentity(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j) || !str(j.name)) return false;
  const p = isRecord(j.properties) ? j.properties : j;
  return typeIs(j, IDENTITY) && (str(p.clientId) || str(p.principalId));
}

function isFederatedCredential(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j) || !str(j.name)) return false;
  const p = isRecord(j.properties) ? j.properties : j;
  return (typeIs(j, FEDERATED) || (str(j.id) && /\/federatedIdentityCredentials\//i.test(j.id))) && str(p.subject) && str(p.issuer);
}

function federatedPart(j: Record<string, unknown>, at: ObjPath): ShapeOutput {
  const m = str(j.id) ? /\/userAssignedIdentities\/([^/]+)\/federatedIdentityCredentials\//i.exec(j.id) : null;
  return armPart('AzureFederatedIdentityCredential', m ? `${m[1]}/${j.name as string}` : (j.name as string), j, at);
}

function isAgentPool(j: unknown): j is Record<string, unknown> {
  if (!isRecord(j) || !str(j.name)) return false;
  return typeIs(j, AGENT_POOL) || (str(j.id) && /\/managedClusters\/[^/]+\/agentPools\/[^/]+$/i.test(j.id));
}

function agentPoolPart(j: Record<string, unknown>, at: ObjPath, fileBase: string, clusterHint?: string): ShapeOutput {
  const cluster = clusterOfId(j.id) ?? clusterHint;
  const raw = resourceName(j.name, fileBase, 'pool');
  // ARM template child resources are named "CLUSTER/POOL".
  const name = raw.includes('/') || !cluster ? raw : `${cluster}/${raw}`;
  return armPart('AKSAgentPool', name, j, at, cluster);
}

/** `{value: [...]}` (REST list and older az output) or a bare array. */
function listItems(j: unknown): { items: unknown[]; base: ObjPath } | undefined {
  if (Array.isArray(j)) return { items: j, base: [] };
  if (isRecord(j) && Array.isArray(j.value) && Object.keys(j).every((k) => k === 'value' || k === 'nextLink')) return { items: j.value, base: ['value'] };
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isArmTemplate(j: any): boolean {
  return isRecord(j) && Array.isArray(j.resources) && (str(j.$schema) ? /deploymentTemplate/i.test(j.$schema) : 'contentVersion' in j);
}

/** Resources of an ARM template that we read (nested `resources` of a cluster too). */
function templateParts(j: Record<string, unknown>, fileBase: string): ShapeOutput[] {
  const out: ShapeOutput[] = [];
  const walk = (list: unknown[], base: ObjPath, parentCluster?: string) => {
    list.forEach((r, i) => {
      if (!isRecord(r)) return;
      const at = [...base, i];
      if (typeIs(r, MANAGED_CLUSTER)) {
        const name = resourceName(r.name, fileBase, 'cluster');
        const { resources, ...rest } = r;
        out.push(armPart('AKSCluster', name, rest, at, name));
        if (Array.isArray(resources)) walk(resources, [...at, 'resources'], name);
      } else if (typeIs(r, AGENT_POOL) || (parentCluster && str(r.type) && /^agentPools$/i.test(r.type))) {
        out.push(agentPoolPart(r, at, fileBase, parentCluster));
      } else if (typeIs(r, DIAG_TYPE) || typeIs(r, DIAG_CHILD_TYPE)) {
        // Template diagnostic settings have no id: the cluster is the parent, or the `scope` expression.
        const cluster = parentCluster ?? (str(r.scope) ? clusterOfId(r.scope) ?? r.scope : undefined);
        const name = `${cluster ?? '?'}/${resourceName(r.name, fileBase, 'setting')}`;
        out.push(armPart('AzureDiagnosticSetting', name, r, at, cluster, { scope: cluster ? 'cluster' : 'resource' }));
      }
    });
  };
  walk(j.resources as unknown[], ['resources']);
  return out;
}

export const azureShapes: readonly Shape[] = [
  {
    id: 'kubescape ClusterDescribe (aks)',
    provider: 'azure',
    kind: 'AKSCluster',
    describe: 'kubescape cloud describe output: {kind: ClusterDescribe, apiVersion: management.azure.com/v1, data: {ARM resource}}',
    match: (j) => isRecord(j) && j.kind === 'ClusterDescribe' && typeof j.apiVersion === 'string' && j.apiVersion.startsWith('management.azure.com/') && isRecord(j.data) && str(j.data.name),
    read: (j) => [armPart('AKSCluster', j.data.name, j.data, ['data'], j.data.name)],
  },
  {
    id: 'az aks show',
    provider: 'azure',
    kind: 'AKSCluster',
    describe: 'az aks show --resource-group RG --name NAME (also the ARM REST resource: properties are lifted)',
    match: (j) => isAksCluster(j),
    read: (j) => [armPart('AKSCluster', j.name, j, [], j.name)],
  },
  {
    id: 'az aks list',
    provider: 'azure',
    kind: 'AKSCluster',
    describe: 'az aks list --resource-group RG',
    match: (j) => {
      const l = listItems(j);
      return l !== undefined && l.items.length > 0 && l.items.every(isAksCluster);
    },
    read: (j) => {
      const l = listItems(j)!;
      return l.items.map((c, i) => armPart('AKSCluster', (c as Record<string, unknown>).name as string, c as Record<string, unknown>, [...l.base, i], (c as Record<string, unknown>).name as string));
    },
  },
  {
    id: 'ARM template',
    provider: 'azure',
    kind: 'AKSCluster',
    describe: 'an ARM template (resources of type Microsoft.ContainerService/managedClusters, .../agentPools, Microsoft.Insights/diagnosticSettings)',
    match: (j) => isArmTemplate(j) && (j.resources as unknown[]).some((r) => typeIs(r, MANAGED_CLUSTER) || typeIs(r, AGENT_POOL)),
    read: (j, ctx) => templateParts(j, ctx?.fileBase ?? ''),
  },
  {
    id: 'az aks nodepool show',
    provider: 'azure',
    kind: 'AKSAgentPool',
    describe: 'az aks nodepool show --resource-group RG --cluster-name NAME --name POOL',
    match: (j) => isAgentPool(j),
    read: (j, ctx) => [agentPoolPart(j, [], ctx?.fileBase ?? '')],
  },
  {
    id: 'az aks nodepool list',
    provider: 'azure',
    kind: 'AKSAgentPool',
    lists: 'AKSAgentPool',
    describe: 'az aks nodepool list --resource-group RG --cluster-name NAME',
    match: (j) => {
      const l = listItems(j);
      return l !== undefined && l.items.length > 0 && l.items.every(isAgentPool);
    },
    read: (j, ctx) => {
      const l = listItems(j)!;
      return l.items.map((p, i) => agentPoolPart(p as Record<string, unknown>, [...l.base, i], ctx?.fileBase ?? ''));
    },
  },
  {
    id: 'az monitor diagnostic-settings list',
    provider: 'azure',
    kind: 'AzureDiagnosticSetting',
    lists: 'AzureDiagnosticSetting',
    describe:
      'az monitor diagnostic-settings list --resource CLUSTER_ID, and az monitor diagnostic-settings subscription list (an empty list must be given as {"value": []})',
    match: (j) => {
      const l = listItems(j);
      if (!l) return false;
      // An empty list is recognisable only in the {"value": []} form (a bare [] could be any listing).
      if (l.items.length === 0) return !Array.isArray(j);
      return l.items.every(isDiagnosticSetting);
    },
    read: (j) => {
      const l = listItems(j)!;
      return l.items.map((s, i) => diagnosticPart(s as Record<string, unknown>, [...l.base, i]));
    },
  },
  {
    id: 'az monitor diagnostic-settings show',
    provider: 'azure',
    kind: 'AzureDiagnosticSetting',
    describe: 'az monitor diagnostic-settings show --resource CLUSTER_ID --name NAME',
    match: (j) => isDiagnosticSetting(j),
    read: (j) => [diagnosticPart(j, [])],
  },
  {
    id: 'az role assignment list',
    provider: 'azure',
    kind: 'AzureRoleAssignment',
    lists: 'AzureRoleAssignment',
    describe: 'az role assignment list --all --assignee PRINCIPAL_ID (one file per identity, or all assignments of the subscription)',
    match: (j) => {
      const l = listItems(j);
      return l !== undefined && l.items.length > 0 && l.items.every(isRoleAssignment);
    },
    read: (j) => {
      const l = listItems(j)!;
      return l.items.map((a, i) => roleAssignmentPart(a as Record<string, unknown>, [...l.base, i]));
    },
  },
  {
    id: 'az identity show',
    provider: 'azure',
    kind: 'AzureManagedIdentity',
    describe: 'az identity show --resource-group RG --name IDENTITY',
    match: (j) => isIdentity(j),
    read: (j) => [armPart('AzureManagedIdentity', j.name, j, [])],
  },
  {
    id: 'az identity list',
    provider: 'azure',
    kind: 'AzureManagedIdentity',
    describe: 'az identity list --resource-group RG',
    match: (j) => {
      const l = listItems(j);
      return l !== undefined && l.items.length > 0 && l.items.every(isIdentity);
    },
    read: (j) => {
      const l = listItems(j)!;
      return l.items.map((x, i) => armPart('AzureManagedIdentity', (x as Record<string, unknown>).name as string, x as Record<string, unknown>, [...l.base, i]));
    },
  },
  {
    id: 'az identity federated-credential list',
    provider: 'azure',
    kind: 'AzureFederatedIdentityCredential',
    describe: 'az identity federated-credential list --resource-group RG --identity-name IDENTITY',
    match: (j) => {
      const l = listItems(j);
      return l !== undefined && l.items.length > 0 && l.items.every(isFederatedCredential);
    },
    read: (j) => {
      const l = listItems(j)!;
      return l.items.map((x, i) => federatedPart(x as Record<string, unknown>, [...l.base, i]));
    },
  },
  {
    id: 'az identity federated-credential show',
    provider: 'azure',
    kind: 'AzureFederatedIdentityCredential',
    describe: 'az identity federated-credential show --resource-group RG --identity-name IDENTITY --name NAME',
    match: (j) => isFederatedCredential(j),
    read: (j) => [federatedPart(j, [])],
  },
];
