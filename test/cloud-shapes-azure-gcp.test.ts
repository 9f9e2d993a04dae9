// Offline parsers of az and gcloud output (src/loaders/cloud/{azure,gcp}/shapes.ts) on small samples
// written in the documented shapes, and the "not assessed" gaps they leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCloudTexts } from '../src/loaders/cloud/index.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { gkeFacts, gkeEndpointExposure } from '../src/cloud/gke.js';
import { aksApiServerExposure, lookup } from '../src/cloud/aks.js';
import type { LoadedObject } from '../src/core/types.js';

const j = (v: unknown) => JSON.stringify(v, null, 2);
const spec = (o: LoadedObject) => (o.obj as { spec: Record<string, any> }).spec; // eslint-disable-line @typescript-eslint/no-explicit-any
const byKind = (objs: LoadedObject[], kind: string) => objs.filter((o) => o.ref.kind === kind);

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const CLUSTER_ID = `${SUB}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/shop`;

test('ARM template: managedClusters properties are lifted and located inside properties', () => {
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.ContainerService/managedClusters',
        apiVersion: '2024-02-01',
        name: 'shop',
        location: 'westeurope',
        properties: { enableRBAC: true, disableLocalAccounts: false, apiServerAccessProfile: { authorizedIPRanges: ['203.0.113.0/24'] } },
        resources: [{ type: 'agentPools', name: 'system', apiVersion: '2024-02-01', properties: { count: 3, vmSize: 'Standard_D4s_v5' } }],
      },
      {
        type: 'Microsoft.Insights/diagnosticSettings',
        apiVersion: '2021-05-01-preview',
        name: 'audit',
        scope: "[resourceId('Microsoft.ContainerService/managedClusters', 'shop')]",
        properties: { workspaceId: '/x', logs: [{ category: 'kube-audit', enabled: true }] },
      },
    ],
  };
  const text = j(template);
  const r = parseCloudTexts([{ file: 'aks.json', text }]);
  assert.deepEqual(r.errors, []);
  const [c] = byKind(r.objects, 'AKSCluster');
  assert.equal(c.ref.name, 'shop');
  assert.equal(spec(c).enableRBAC, true);
  assert.equal(spec(c).properties, undefined, 'properties lifted');
  assert.deepEqual(aksApiServerExposure(spec(c)).authorizedIpRanges, ['203.0.113.0/24']);
  const line = text.split('\n').findIndex((l) => l.includes('"disableLocalAccounts"')) + 1;
  assert.equal(c.locate(['spec', 'disableLocalAccounts'])?.line, line, 'finding points inside properties');
  const [pool] = byKind(r.objects, 'AKSAgentPool');
  assert.equal(pool.ref.name, 'shop/system');
  assert.equal(spec(pool).count, 3);
  const [diag] = byKind(r.objects, 'AzureDiagnosticSetting');
  assert.equal(spec(diag).scope, 'cluster');
  assert.equal(diag.obj.metadata?.labels?.['cloud.kubeward.io/cluster'], 'shop');
});

test('az aks show (CLI casing) and the ARM REST resource read the same', () => {
  const cli = { id: CLUSTER_ID, name: 'shop', type: 'Microsoft.ContainerService/ManagedClusters', enableRbac: true, apiServerAccessProfile: { authorizedIpRanges: ['198.51.100.0/24'] }, agentPoolProfiles: [{ name: 'system' }] };
  const rest = { id: CLUSTER_ID, name: 'shop', type: 'Microsoft.ContainerService/managedClusters', properties: { enableRBAC: true, apiServerAccessProfile: { authorizedIPRanges: ['198.51.100.0/24'] }, agentPoolProfiles: [{ name: 'system' }] } };
  for (const doc of [cli, rest]) {
    const r = parseCloudTexts([{ file: 'c.json', text: j(doc) }]);
    assert.deepEqual(r.errors, []);
    const [c] = byKind(r.objects, 'AKSCluster');
    assert.deepEqual(aksApiServerExposure(spec(c)).authorizedIpRanges, ['198.51.100.0/24']);
    assert.equal(lookup(spec(c), ['enableRBAC']).value, true);
  }
});

test('az aks nodepool list, identity show, federated-credential list, role assignment list (CLI and REST forms)', () => {
  const pools = [{ id: `${CLUSTER_ID}/agentPools/system`, name: 'system', type: 'Microsoft.ContainerService/managedClusters/agentPools', count: 3 }];
  const identity = { id: `${SUB}/resourcegroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api`, name: 'api', type: 'Microsoft.ManagedIdentity/userAssignedIdentities', clientId: 'c-1', principalId: 'p-1' };
  const creds = [{ id: `${identity.id}/federatedIdentityCredentials/api`, name: 'api', issuer: 'https://issuer/', subject: 'system:serviceaccount:shop:api', audiences: ['api://AzureADTokenExchange'], type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials' }];
  const rolesCli = [{ id: `${SUB}/providers/Microsoft.Authorization/roleAssignments/ra1`, name: 'ra1', principalId: 'p-1', roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`, roleDefinitionName: 'Contributor', scope: SUB, type: 'Microsoft.Authorization/roleAssignments' }];
  const rolesRest = { value: [{ id: `${SUB}/providers/Microsoft.Authorization/roleAssignments/ra2`, name: 'ra2', type: 'Microsoft.Authorization/roleAssignments', properties: { principalId: 'p-1', roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`, scope: SUB } }] };
  const r = parseCloudTexts([
    { file: 'pools.json', text: j(pools) },
    { file: 'identity.json', text: j(identity) },
    { file: 'creds.json', text: j(creds) },
    { file: 'roles.json', text: j(rolesCli) },
    { file: 'roles-rest.json', text: j(rolesRest) },
  ]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(byKind(r.objects, 'AKSAgentPool').map((o) => o.ref.name), ['shop/system']);
  assert.deepEqual(byKind(r.objects, 'AzureManagedIdentity').map((o) => o.ref.name), ['api']);
  assert.deepEqual(byKind(r.objects, 'AzureFederatedIdentityCredential').map((o) => o.ref.name), ['api/api']);
  const roles = byKind(r.objects, 'AzureRoleAssignment');
  assert.deepEqual(roles.map((o) => o.ref.name).sort(), ['ra1', 'ra2']);
  assert.equal(spec(roles.find((o) => o.ref.name === 'ra2')!).principalId, 'p-1', 'REST properties lifted');
});

test('diagnostic settings: cluster and subscription scope told apart by id; empty {"value": []} is a listing', () => {
  const cluster = [{ id: `${CLUSTER_ID}/providers/microsoft.insights/diagnosticSettings/audit`, name: 'audit', logs: [{ category: 'kube-audit', enabled: true }], workspaceId: '/w' }];
  const sub = { value: [{ id: `${SUB}/providers/microsoft.insights/diagnosticSettings/activity`, name: 'activity', type: 'Microsoft.Insights/diagnosticSettings', properties: { logs: [{ category: 'Administrative', enabled: true }], storageAccountId: '/s' } }] };
  const r = parseCloudTexts([
    { file: 'aks.json', text: j({ id: CLUSTER_ID, name: 'shop', type: 'Microsoft.ContainerService/ManagedClusters' }) },
    { file: 'diag.json', text: j(cluster) },
    { file: 'sub.json', text: j(sub) },
  ]);
  assert.deepEqual(r.errors, []);
  const diag = byKind(r.objects, 'AzureDiagnosticSetting');
  assert.deepEqual(diag.map((o) => [o.ref.name, spec(o).scope]).sort(), [
    ['shop/audit', 'cluster'],
    ['subscription 00000000-0000-0000-0000-000000000001/activity', 'subscription'],
  ]);
  assert.deepEqual(r.notAssessed.filter((n) => n.what.includes('AzureDiagnosticSetting')), [], 'both scopes given');

  // Only the cluster cluster: the subscription scope is "not assessed"; an empty listing of the cluster counts as given.
  const r2 = parseCloudTexts([
    { file: 'aks.json', text: j({ id: CLUSTER_ID, name: 'shop', type: 'Microsoft.ContainerService/ManagedClusters' }) },
    { file: 'diag.json', text: '{"value": []}' },
  ]);
  assert.deepEqual(r2.errors, []);
  const gaps = r2.notAssessed.map((n) => n.what);
  assert.ok(gaps.includes('cloud.kubeward.io/AzureDiagnosticSetting (subscription scope)'), gaps.join('; '));
  assert.ok(!gaps.includes('cloud.kubeward.io/AzureDiagnosticSetting (cluster scope)'));
  // A bare [] says nothing: rejected with a clear error.
  const r3 = parseCloudTexts([{ file: 'empty.json', text: '[]' }]);
  assert.equal(r3.errors.length, 1);
  assert.match(r3.errors[0].message, /not a recognised cloud description/);
});

const GKE = {
  name: 'shop',
  selfLink: 'https://container.googleapis.com/v1/projects/acme/locations/europe-west1/clusters/shop',
  location: 'europe-west1',
  currentMasterVersion: '1.31.6-gke.1020000',
  workloadIdentityConfig: { workloadPool: 'acme.svc.id.goog' },
  legacyAbac: {},
  masterAuthorizedNetworksConfig: { enabled: true, cidrBlocks: [{ cidrBlock: '203.0.113.0/24' }] },
  controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: true, enablePublicEndpoint: true } },
  nodePools: [
    { name: 'default-pool', config: { serviceAccount: 'default', oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'], metadata: { 'disable-legacy-endpoints': 'true' }, workloadMetadataConfig: { mode: 'GKE_METADATA' } } },
  ],
};

test('gcloud container clusters describe, node-pools list, and the facts the rules read', () => {
  const pools = [
    { name: 'batch', config: { serviceAccount: 'batch@acme.iam.gserviceaccount.com' }, initialNodeCount: 1, selfLink: `${GKE.selfLink}/nodePools/batch` },
  ];
  const text = j(GKE);
  const r = parseCloudTexts([
    { file: 'cluster.json', text },
    { file: 'pools.json', text: j(pools) },
  ]);
  assert.deepEqual(r.errors, []);
  const [c] = byKind(r.objects, 'GKECluster');
  const f = gkeFacts(spec(c));
  assert.equal(f.workloadIdentityPool, 'acme.svc.id.goog');
  assert.deepEqual(f.nodePoolWorkloadMetadataModes, { 'default-pool': 'GKE_METADATA' });
  assert.deepEqual(f.nodePoolServiceAccounts, { 'default-pool': 'default' });
  assert.equal(f.legacyAbacEnabled, null, '{} is not a boolean');
  assert.equal(f.masterAuthorizedNetworksEnabled, true);
  assert.deepEqual(gkeEndpointExposure(spec(c)), {
    publicEndpoint: true,
    authorizedNetworks: true,
    cidrBlocks: ['203.0.113.0/24'],
    openToWorld: false,
    gcpPublicCidrs: false,
    path: ['masterAuthorizedNetworksConfig'],
  });
  const line = text.split('\n').findIndex((l) => l.includes('"workloadMetadataConfig"')) + 1;
  assert.equal(c.locate(['spec', 'nodePools', 0, 'config', 'workloadMetadataConfig'])?.line, line);
  const [p] = byKind(r.objects, 'GKENodePool');
  assert.equal(p.ref.name, 'shop/batch');
  assert.equal(p.obj.metadata?.labels?.['cloud.kubeward.io/cluster'], 'shop');
});

test('gcloud get-iam-policy: project policy vs service account policy (named by its file)', () => {
  const project = { bindings: [{ role: 'roles/editor', members: ['serviceAccount:app@acme.iam.gserviceaccount.com'] }], auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'ADMIN_READ' }] }], etag: 'BwX=', version: 1 };
  const sa = { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['serviceAccount:acme.svc.id.goog[shop/api]'] }], etag: 'BwY=' };
  const r = parseCloudTexts([
    { file: 'cluster.json', text: j(GKE) },
    { file: 'project-policy.json', text: j(project) },
    { file: 'policies/sa_app@acme.iam.gserviceaccount.com.json', text: j(sa) },
    { file: 'nodes@acme.iam.gserviceaccount.com.json', text: '{"etag": "ACAB"}' },
  ]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(byKind(r.objects, 'GCPProjectIAMPolicy').map((o) => o.ref.name), ['project']);
  const sas = byKind(r.objects, 'GCPServiceAccountIAMPolicy');
  assert.deepEqual(sas.map((o) => spec(o).serviceAccount).sort(), ['app@acme.iam.gserviceaccount.com', 'nodes@acme.iam.gserviceaccount.com']);
  // Without the email in the file name the policy cannot be attributed.
  const bad = parseCloudTexts([{ file: 'sa-policy.json', text: j(sa) }]);
  assert.equal(bad.objects.length, 0);
  assert.match(bad.errors[0].message, /name the file after the service account/);
});

test('GCP gaps: the project policy and the service accounts pods use', () => {
  const sa = parseManifestText(
    'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    iam.gke.io/gcp-service-account: app@acme.iam.gserviceaccount.com\n',
    'sa.yaml',
  ).objects;
  const r = parseCloudTexts([{ file: 'cluster.json', text: j(GKE) }], sa);
  const gaps = r.notAssessed.map((n) => n.what).sort();
  assert.deepEqual(gaps, ['cloud.kubeward.io/GCPProjectIAMPolicy', 'cloud.kubeward.io/GCPServiceAccountIAMPolicy app@acme.iam.gserviceaccount.com']);
  assert.match(r.notAssessed.find((n) => n.what.endsWith('GCPProjectIAMPolicy'))!.reason, /resourcemanager\.projects\.getIamPolicy/);
});

test('Azure gaps name the command and the permission', () => {
  const sa = parseManifestText(
    'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: c-9\n',
    'sa.yaml',
  ).objects;
  const r = parseCloudTexts([{ file: 'aks.json', text: j({ id: CLUSTER_ID, name: 'shop', type: 'Microsoft.ContainerService/ManagedClusters', identityProfile: { kubeletidentity: { objectId: 'k-1' } } }) }], sa);
  const byWhat = Object.fromEntries(r.notAssessed.map((n) => [n.what, n.reason]));
  assert.match(byWhat['cloud.kubeward.io/AzureDiagnosticSetting (cluster scope)'], /Microsoft\.Insights\/diagnosticSettings\/read/);
  assert.match(byWhat['cloud.kubeward.io/AzureManagedIdentity c-9'], /Microsoft\.ManagedIdentity\/userAssignedIdentities\/read/);
  assert.match(byWhat['cloud.kubeward.io/AzureRoleAssignment'], /Microsoft\.Authorization\/roleAssignments\/read/);
});
