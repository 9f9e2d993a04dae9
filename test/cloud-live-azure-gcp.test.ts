// REPLAY tests of live collection for Azure and GCP. There is no emulator for either: the official SDK
// clients are pointed at a local server on 127.0.0.1 that replays responses written here in the
// documented REST shapes (Azure REST API reference examples; GKE, Resource Manager and IAM REST
// resources). HTTPS with a test-only self-signed certificate for Azure (the SDK refuses bearer
// tokens over http), plain HTTP + the REST transport for the Google clients. The tests also check
// that the calls made need exactly the permissions shipped in deploy/azure-role.json and
// deploy/gcp-role.yaml.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from './helpers/paths.js';
import { createAzureCollector } from '../src/loaders/cloud/azure/collect.js';
import { createGcpCollector } from '../src/loaders/cloud/gcp/collect.js';
import { AZURE_PERMISSIONS } from '../src/loaders/cloud/azure/permissions.js';
import { GCP_PERMISSIONS } from '../src/loaders/cloud/gcp/permissions.js';
import { bundleToObjects, parseCloudTexts } from '../src/loaders/cloud/index.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { runRules } from '../src/core/engine.js';
import { allRules } from '../src/rules/index.js';
import { gkeFacts } from '../src/cloud/gke.js';
import { UserError, type LoadedObject } from '../src/core/types.js';

type Handler = (method: string, path: string, body: string) => { status: number; body: unknown } | undefined;
interface Replay {
  url: string;
  port: number;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

const servers: Replay[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function replay(secure: boolean, handler: Handler): Promise<Replay> {
  const requests: Replay['requests'] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const path = decodeURIComponent(req.url ?? '');
      requests.push({ method: req.method ?? '', path });
      const r = handler(req.method ?? '', path, body) ?? { status: 404, body: { error: { code: 'NotFound', message: `no replay for ${req.method} ${path}` } } };
      res.writeHead(r.status, { 'content-type': 'application/json', 'x-ms-request-id': 'replay' });
      res.end(JSON.stringify(r.body));
    });
  };
  const server = secure
    ? https.createServer({ cert: readFileSync(fromRoot('test/cloud/fixtures/replay-cert.pem')), key: readFileSync(fromRoot('test/cloud/fixtures/replay-key.pem')) }, listener)
    : http.createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const s: Replay = {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  servers.push(s);
  return s;
}

const kube = (text: string): LoadedObject[] => parseManifestText(text, 'k8s.yaml').objects;
const scanIds = (objects: LoadedObject[]) => {
  const { findings, ruleErrors } = runRules(new ClusterState({ objects }), allRules);
  assert.deepEqual(ruleErrors, []);
  return findings.map((f) => f.ruleId);
};

// ---------------------------------------------------------------------------------------------
// Azure

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const RG_ID = `/subscriptions/${SUB}/resourcegroups/shop-rg`;
const CLUSTER_ID = `${RG_ID}/providers/Microsoft.ContainerService/managedClusters/shop`;
const MI_ID = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop-api`;
const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/72f988bf-0000-0000-0000-2d7cd011db47/0e1f2a3b-0000-4000-8000-000000000004/';

/** ManagedClusters_Get response (REST shape: properties nested, enableRBAC / issuerURL casing). */
const ARM_CLUSTER = {
  id: CLUSTER_ID,
  location: 'westeurope',
  name: 'shop',
  type: 'Microsoft.ContainerService/ManagedClusters',
  identity: { type: 'SystemAssigned', principalId: '9a8b7c6d-0000-4000-8000-000000000001', tenantId: '72f988bf-0000-0000-0000-2d7cd011db47' },
  sku: { name: 'Base', tier: 'Standard' },
  properties: {
    provisioningState: 'Succeeded',
    kubernetesVersion: '1.31.5',
    dnsPrefix: 'shop-dns',
    fqdn: 'shop-dns-4f1c2b6e.hcp.westeurope.azmk8s.io',
    agentPoolProfiles: [{ name: 'system', count: 3, vmSize: 'Standard_D4s_v5', osType: 'Linux', type: 'VirtualMachineScaleSets', mode: 'System' }],
    enableRBAC: true,
    disableLocalAccounts: false,
    aadProfile: { managed: true, enableAzureRBAC: false, tenantID: '72f988bf-0000-0000-0000-2d7cd011db47' },
    apiServerAccessProfile: { enablePrivateCluster: false },
    networkProfile: { networkPlugin: 'azure', networkPolicy: 'calico', serviceCidr: '10.0.0.0/16', dnsServiceIP: '10.0.0.10' },
    oidcIssuerProfile: { enabled: true, issuerURL: ISSUER },
    securityProfile: { workloadIdentity: { enabled: true } },
    identityProfile: {
      kubeletidentity: {
        resourceId: `/subscriptions/${SUB}/resourcegroups/MC_shop-rg_shop_westeurope/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop-agentpool`,
        clientId: 'c1d2e3f4-0000-4000-8000-000000000002',
        objectId: 'd2e3f4a5-0000-4000-8000-000000000003',
      },
    },
    nodeResourceGroup: 'MC_shop-rg_shop_westeurope',
  },
};

const AZURE_K8S = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    azure.workload.identity/client-id: 3f2a9c4e-7b1d-4e8a-9c6f-1a2b3c4d5e6f
`;

const roleAssignment = (name: string, principalId: string, roleGuid: string, scope: string) => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
  name,
  type: 'Microsoft.Authorization/roleAssignments',
  properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`, principalId, principalType: 'ServicePrincipal', scope },
});

function azureHandler(deny: (path: string) => boolean): Handler {
  return (method, path) => {
    const p = path.toLowerCase();
    if (deny(p)) return { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization to perform action over scope.' } } };
    if (method !== 'GET') return undefined;
    if (/\/managedclusters\/shop\?/.test(p)) return { status: 200, body: ARM_CLUSTER };
    if (/\/managedclusters\/shop\/providers\/microsoft\.insights\/diagnosticsettings\?/.test(p)) {
      return {
        status: 200,
        body: {
          value: [
            {
              id: `${CLUSTER_ID}/providers/microsoft.insights/diagnosticSettings/audit`,
              name: 'audit',
              type: 'Microsoft.Insights/diagnosticSettings',
              properties: { workspaceId: `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/ops`, logs: [{ category: 'kube-audit', enabled: true }, { category: 'guard', enabled: true }] },
            },
          ],
        },
      };
    }
    if (new RegExp(`^/subscriptions/${SUB}/providers/microsoft\\.insights/diagnosticsettings\\?`).test(p)) return { status: 200, body: { value: [] } };
    if (/\/providers\/microsoft\.managedidentity\/userassignedidentities\?/.test(p)) {
      return {
        status: 200,
        body: {
          value: [
            { id: MI_ID, name: 'shop-api', type: 'Microsoft.ManagedIdentity/userAssignedIdentities', location: 'westeurope', properties: { tenantId: '72f988bf-0000-0000-0000-2d7cd011db47', principalId: 'e3f4a5b6-0000-4000-8000-000000000005', clientId: '3f2a9c4e-7b1d-4e8a-9c6f-1a2b3c4d5e6f' } },
            { id: `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other`, name: 'other', type: 'Microsoft.ManagedIdentity/userAssignedIdentities', properties: { principalId: 'x', clientId: 'y' } },
          ],
        },
      };
    }
    if (/\/userassignedidentities\/shop-api\/federatedidentitycredentials\?/.test(p)) {
      return {
        status: 200,
        body: { value: [{ id: `${MI_ID}/federatedIdentityCredentials/shop-api`, name: 'shop-api', type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials', properties: { issuer: ISSUER, subject: 'system:serviceaccount:shop:api', audiences: ['api://AzureADTokenExchange'] } }] },
      };
    }
    if (/\/providers\/microsoft\.authorization\/roleassignments\?/.test(p)) {
      if (p.includes("assignedto('e3f4a5b6")) return { status: 200, body: { value: [roleAssignment('ra-1', 'e3f4a5b6-0000-4000-8000-000000000005', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', `/subscriptions/${SUB}`)] } };
      if (p.includes("assignedto('d2e3f4a5")) return { status: 200, body: { value: [roleAssignment('ra-2', 'd2e3f4a5-0000-4000-8000-000000000003', '7f951dda-4ed3-4680-a7ca-43fe172d538d', `${RG_ID}/providers/Microsoft.ContainerRegistry/registries/acmeshop`)] } };
      return { status: 200, body: { value: [] } };
    }
    return undefined;
  };
}

/** The Azure permission each replayed request needs (from the Azure REST API reference). */
function azurePermissionOf(path: string): string {
  const p = path.toLowerCase().split('?')[0];
  if (p.endsWith('/federatedidentitycredentials')) return 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read';
  if (p.endsWith('/userassignedidentities')) return 'Microsoft.ManagedIdentity/userAssignedIdentities/read';
  if (p.endsWith('/providers/microsoft.insights/diagnosticsettings')) return 'Microsoft.Insights/diagnosticSettings/read';
  if (p.endsWith('/providers/microsoft.authorization/roleassignments')) return 'Microsoft.Authorization/roleAssignments/read';
  if (/\/managedclusters\/[^/]+$/.test(p)) return 'Microsoft.ContainerService/managedClusters/read';
  return `UNKNOWN ${path}`;
}

const staticAzureToken = { getToken: async () => ({ token: 'replay-token', expiresOnTimestamp: Date.now() + 3600_000 }) };

test('Azure REPLAY: the SDK collects cluster, diagnostic settings, identities, credentials and role assignments', async () => {
  const server = await replay(true, azureHandler(() => false));
  const permissions: string[] = [];
  const collector = createAzureCollector({ credential: staticAzureToken, endpoint: server.url, ca: readFileSync(fromRoot('test/cloud/fixtures/replay-cert.pem'), 'utf8'), onCall: (p) => permissions.push(p) });
  const k8s = kube(AZURE_K8S);
  const bundle = await collector.collect({ provider: 'azure', cluster: 'shop', resourceGroup: 'shop-rg', subscription: SUB }, { kubeObjects: k8s, now: () => new Date('2026-01-01T00:00:00Z') });
  assert.deepEqual(bundle.notAssessed, []);
  assert.deepEqual(
    bundle.items.map((i) => `${i.kind} ${i.metadata?.name}`).sort(),
    [
      'AKSCluster shop',
      'AzureDiagnosticSetting shop/audit',
      `AzureDiagnosticSetting subscription ${SUB}/(none)`,
      'AzureFederatedIdentityCredential shop-api/shop-api',
      'AzureManagedIdentity shop-api',
      'AzureRoleAssignment ra-1',
      'AzureRoleAssignment ra-2',
    ],
  );
  // The SDK flattens properties: the bundle reads like az output.
  const cluster = bundle.items.find((i) => i.kind === 'AKSCluster') as { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(cluster.spec.enableRbac, true);
  assert.equal(cluster.spec.identityProfile.kubeletidentity.objectId, 'd2e3f4a5-0000-4000-8000-000000000003');
  // Every request is a read, and needs exactly the permissions of deploy/azure-role.json.
  assert.ok(server.requests.every((r) => r.method === 'GET'));
  const needed = [...new Set(server.requests.map((r) => azurePermissionOf(r.path)))].sort();
  const role = JSON.parse(readFileSync(fromRoot('deploy/azure-role.json'), 'utf8')) as { Actions: string[]; DataActions: string[] };
  assert.deepEqual(needed, [...role.Actions].sort());
  assert.deepEqual([...new Set(permissions)].sort(), [...role.Actions].sort());
  assert.deepEqual(Object.values(AZURE_PERMISSIONS).sort(), [...role.Actions].sort());
  assert.deepEqual(role.DataActions, []);
  assert.ok(role.Actions.every((a) => a.endsWith('/read')), 'read actions only');

  // The bundle scans: the workload identity is Owner of the subscription; the activity log is not exported.
  const loaded = bundleToObjects(bundle, 'cloud.json', k8s);
  assert.deepEqual(loaded.errors, []);
  const ids = scanIds([...k8s, ...loaded.objects]);
  assert.ok(ids.includes('aks-workload-identity-overprivileged'), ids.join(', '));
  assert.ok(ids.includes('azure-activity-log-export'));
  assert.ok(!ids.includes('aks-audit-diagnostic-setting'), 'kube-audit and guard are exported');
  assert.ok(!ids.includes('aks-network-policy-missing'));
});

test('Azure REPLAY: a 403 leaves that piece not assessed, naming the permission; a refused cluster read is one clear error', async () => {
  const server = await replay(true, azureHandler((p) => p.includes('microsoft.insights/diagnosticsettings') && !p.includes('managedclusters')));
  const ca = readFileSync(fromRoot('test/cloud/fixtures/replay-cert.pem'), 'utf8');
  const bundle = await createAzureCollector({ credential: staticAzureToken, endpoint: server.url, ca }).collect({ provider: 'azure', cluster: 'shop', resourceGroup: 'shop-rg', subscription: SUB }, { kubeObjects: kube(AZURE_K8S) });
  assert.equal(bundle.notAssessed.length, 1);
  assert.equal(bundle.notAssessed[0].what, 'cloud.kubeward.io/AzureDiagnosticSetting (subscription scope)');
  assert.match(bundle.notAssessed[0].reason, /Microsoft\.Insights\/diagnosticSettings\/read/);
  // Rules about the subscription stay silent (not assessed), the cluster's setting is still judged.
  const loaded = bundleToObjects(bundle, 'cloud.json');
  const state = new ClusterState({ objects: loaded.objects, notAssessed: loaded.notAssessed });
  const { findings } = runRules(state, allRules);
  assert.ok(!findings.some((f) => f.ruleId === 'azure-activity-log-export'));

  const denied = await replay(true, azureHandler((p) => /\/managedclusters\/shop\?/.test(p)));
  await assert.rejects(
    createAzureCollector({ credential: staticAzureToken, endpoint: denied.url, ca }).collect({ provider: 'azure', cluster: 'shop', resourceGroup: 'shop-rg', subscription: SUB }, {}),
    (e: unknown) => e instanceof UserError && /Microsoft\.ContainerService\/managedClusters\/read/.test(e.message),
  );
});

// ---------------------------------------------------------------------------------------------
// GCP

const PROJECT = 'acme-shop-prod';
const GKE_CLUSTER_JSON = readFileSync(fromRoot('examples/gke/cloud/cluster.json'), 'utf8');
const PROJECT_POLICY = JSON.parse(readFileSync(fromRoot('examples/gke/cloud/project-iam-policy.json'), 'utf8'));
const SA_POLICY = JSON.parse(readFileSync(fromRoot(`examples/gke/cloud/shop-api@${PROJECT}.iam.gserviceaccount.com.json`), 'utf8'));
const GKE_K8S = readFileSync(fromRoot('examples/gke/k8s.yaml'), 'utf8');

function gcpHandler(deny: (path: string) => boolean): Handler {
  return (method, path) => {
    if (deny(path)) return { status: 403, body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } } };
    if (method === 'GET' && path.startsWith(`/v1/projects/${PROJECT}/locations/europe-west1/clusters/shop?`)) return { status: 200, body: JSON.parse(GKE_CLUSTER_JSON) };
    if (method === 'POST' && path.startsWith(`/v3/projects/${PROJECT}:getIamPolicy`)) return { status: 200, body: PROJECT_POLICY };
    if (method === 'POST' && path.startsWith(`/v1/projects/-/serviceAccounts/shop-api@${PROJECT}.iam.gserviceaccount.com:getIamPolicy`)) return { status: 200, body: SA_POLICY };
    if (method === 'POST' && path.startsWith(`/v1/projects/-/serviceAccounts/gke-nodes@${PROJECT}.iam.gserviceaccount.com:getIamPolicy`)) return { status: 200, body: { etag: 'ACAB' } };
    return undefined;
  };
}

/** The IAM permission each replayed request needs (from the GKE, Resource Manager and IAM API references). */
function gcpPermissionOf(method: string, path: string): string {
  const p = path.split('?')[0];
  if (method === 'GET' && /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/clusters\/[^/]+$/.test(p)) return 'container.clusters.get';
  if (method === 'POST' && /^\/v3\/projects\/[^/]+:getIamPolicy$/.test(p)) return 'resourcemanager.projects.getIamPolicy';
  if (method === 'POST' && /^\/v1\/projects\/-\/serviceAccounts\/[^/]+:getIamPolicy$/.test(p)) return 'iam.serviceAccounts.getIamPolicy';
  return `UNKNOWN ${method} ${path}`;
}

async function staticGoogleAuth() {
  const { OAuth2Client } = await import('google-auth-library');
  const c = new OAuth2Client();
  c.setCredentials({ access_token: 'replay-token', expiry_date: Date.now() + 3600_000 });
  return c;
}

test('GCP REPLAY: the Google clients collect the cluster and IAM policies; live JSON reads like gcloud output', async () => {
  const server = await replay(false, gcpHandler(() => false));
  const permissions: string[] = [];
  const collector = createGcpCollector({ authClient: await staticGoogleAuth(), endpoint: { host: '127.0.0.1', port: server.port, protocol: 'http' }, onCall: (p) => permissions.push(p) });
  const k8s = kube(GKE_K8S);
  const bundle = await collector.collect({ provider: 'gcp', cluster: 'shop', project: PROJECT, location: 'europe-west1' }, { kubeObjects: k8s });
  assert.deepEqual(bundle.notAssessed, []);
  assert.deepEqual(bundle.items.map((i) => `${i.kind} ${i.metadata?.name}`).sort(), [
    'GCPProjectIAMPolicy project',
    `GCPServiceAccountIAMPolicy gke-nodes@${PROJECT}.iam.gserviceaccount.com`,
    `GCPServiceAccountIAMPolicy shop-api@${PROJECT}.iam.gserviceaccount.com`,
    'GKECluster shop',
  ]);
  // Protobuf objects come back as the REST JSON: the same facts as the gcloud file.
  const live = bundle.items.find((i) => i.kind === 'GKECluster') as { spec: unknown };
  assert.deepEqual(gkeFacts(live.spec), gkeFacts(JSON.parse(GKE_CLUSTER_JSON)));
  const policy = bundle.items.find((i) => i.kind === 'GCPProjectIAMPolicy') as { spec: Record<string, unknown> };
  assert.deepEqual(policy.spec.bindings, PROJECT_POLICY.bindings);
  assert.deepEqual(policy.spec.auditConfigs, PROJECT_POLICY.auditConfigs);

  const needed = [...new Set(server.requests.map((r) => gcpPermissionOf(r.method, r.path)))].sort();
  const role = parseYaml(readFileSync(fromRoot('deploy/gcp-role.yaml'), 'utf8')) as { includedPermissions: string[] };
  assert.deepEqual(needed, [...role.includedPermissions].sort());
  assert.deepEqual([...new Set(permissions)].sort(), [...role.includedPermissions].sort());
  assert.deepEqual([...new Set(Object.values(GCP_PERMISSIONS))].sort(), [...role.includedPermissions].sort());

  // Live and file inputs give the same findings.
  const fromLive = scanIds([...k8s, ...bundleToObjects(bundle, 'cloud.json', k8s).objects]).sort();
  const files = ['cluster.json', 'project-iam-policy.json', `shop-api@${PROJECT}.iam.gserviceaccount.com.json`, `gke-nodes@${PROJECT}.iam.gserviceaccount.com.json`];
  const fromFiles = parseCloudTexts(files.map((f) => ({ file: f, text: readFileSync(fromRoot('examples/gke/cloud', f), 'utf8') })), k8s);
  assert.deepEqual(fromFiles.errors, []);
  assert.deepEqual(fromLive, scanIds([...k8s, ...fromFiles.objects]).sort());
  assert.ok(fromLive.includes('gke-workload-identity-overprivileged'));
});

test('GCP REPLAY: PERMISSION_DENIED leaves the project policy not assessed, naming the permission; a refused cluster read is one clear error', async () => {
  const server = await replay(false, gcpHandler((p) => p.startsWith('/v3/')));
  const auth = await staticGoogleAuth();
  const bundle = await createGcpCollector({ authClient: auth, endpoint: { host: '127.0.0.1', port: server.port, protocol: 'http' } }).collect(
    { provider: 'gcp', cluster: 'shop', project: PROJECT, location: 'europe-west1' },
    { kubeObjects: kube(GKE_K8S) },
  );
  assert.deepEqual(bundle.notAssessed.map((n) => n.what), ['cloud.kubeward.io/GCPProjectIAMPolicy']);
  assert.match(bundle.notAssessed[0].reason, /resourcemanager\.projects\.getIamPolicy/);

  const denied = await replay(false, gcpHandler((p) => p.includes('/clusters/')));
  await assert.rejects(
    createGcpCollector({ authClient: auth, endpoint: { host: '127.0.0.1', port: denied.port, protocol: 'http' } }).collect({ provider: 'gcp', cluster: 'shop', project: PROJECT, location: 'europe-west1' }, {}),
    (e: unknown) => e instanceof UserError && /container\.clusters\.get/.test(e.message),
  );
});
