// Live collection of an AKS cluster's Azure context with the official Azure SDK (the only importer
// of @azure/*, loaded lazily). Credentials: DefaultAzureCredential (environment, workload identity,
// managed identity, Azure CLI / PowerShell / Developer CLI login). Retries with backoff come from the
// SDK pipeline.
//
// Every call maps to one Azure permission of AZURE_PERMISSIONS, and deploy/azure-role.json grants
// exactly those (a test replays the calls and checks). A call refused with 403 leaves that piece "not
// assessed", naming the permission; no credentials, an unknown cluster or an unreachable endpoint are
// one clear line (UserError), because nothing can be collected without the cluster.
import { UserError, type InputError, type KubeObject, type LoadedObject, type NotAssessed } from '../../../core/types.js';
import type { CloudKind } from '../../../cloud/model.js';
import { cloudItem, type CloudBundle, type CollectOptions, type Collector, type LiveTarget } from '../index.js';
import { ClusterState } from '../../../model/cluster-state.js';
import { AZURE_CLIENT_ID_ANNOTATION } from '../../../analysis/identity/azure.js';
import { aksKubeletIdentity } from '../../../cloud/aks.js';
import { VERSION } from '../../../core/version.js';
import { AZURE_PERMISSIONS, type AzurePermissionKey } from './permissions.js';
import { DIAG_CLUSTER_GAP, DIAG_SUBSCRIPTION_GAP, ROLE_ASSIGNMENT_GAP } from './gaps.js';
import { diagnosticScope } from './shapes.js';
import { importPackage } from '../../../core/packages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface AzureCollectorOptions {
  /** A TokenCredential ({ getToken }); default DefaultAzureCredential. Tests pass a static one. */
  credential?: Any;
  /** ARM endpoint (default https://management.azure.com); tests point it at a local replay server. */
  endpoint?: string;
  /** Extra CA certificates (PEM) to trust, for the test server. */
  ca?: string;
  /** Called before every API call with the permission it needs. */
  onCall?: (permission: string, what: string) => void;
}

interface Failure {
  kind: 'denied' | 'not-found' | 'no-credentials' | 'bad-credentials' | 'unreachable' | 'other';
  message: string;
}

export function classifyAzureError(e: unknown): Failure {
  const err = e as { name?: string; statusCode?: number; code?: string; message?: string };
  const msg = String(err?.message ?? e).split('\n')[0];
  if (err?.name === 'CredentialUnavailableError' || err?.name === 'AggregateAuthenticationError' || /CredentialUnavailable|DefaultAzureCredential/.test(msg)) {
    return { kind: 'no-credentials', message: msg };
  }
  if (err?.name === 'AuthenticationError' || err?.statusCode === 401) return { kind: 'bad-credentials', message: msg };
  if (err?.statusCode === 403 || err?.code === 'AuthorizationFailed') return { kind: 'denied', message: msg };
  if (err?.statusCode === 404 || err?.code === 'ResourceNotFound' || err?.code === 'ResourceGroupNotFound') return { kind: 'not-found', message: msg };
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|certificate/i.test(`${err?.code ?? ''} ${msg}`)) return { kind: 'unreachable', message: msg };
  return { kind: 'other', message: msg };
}

/** Plain JSON (no undefined, Dates as strings), as `az` would print it. */
function plain<T>(v: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v ?? {})) as Record<string, unknown>;
}

export function createAzureCollector(options: AzureCollectorOptions = {}): Collector {
  return {
    async collect(target: LiveTarget, opts: CollectOptions): Promise<CloudBundle> {
      const cluster = target.cluster;
      const rg = target.resourceGroup;
      if (!rg) throw new UserError('azure: give the resource group of the cluster (--resource-group RG, or azure:RG/CLUSTER)');
      const subscription = target.subscription ?? process.env.AZURE_SUBSCRIPTION_ID;
      if (!subscription) throw new UserError('azure: give the subscription (--subscription ID, azure:RG/CLUSTER@SUBSCRIPTION, or AZURE_SUBSCRIPTION_ID)');
      const progress = opts.onProgress ?? (() => undefined);
      const items: KubeObject[] = [];
      const notAssessed: NotAssessed[] = [];
      const errors: InputError[] = [];
      const listed: CloudKind[] = [];
      const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), Math.max(1, deadline - Date.now()));
      timer.unref?.();

      const [{ ContainerServiceClient }, { MonitorClient }, { AuthorizationManagementClient }, { ManagedServiceIdentityClient }] = await Promise.all([
        importPackage<typeof import('@azure/arm-containerservice')>('@azure/arm-containerservice'),
        importPackage<typeof import('@azure/arm-monitor')>('@azure/arm-monitor'),
        importPackage<typeof import('@azure/arm-authorization')>('@azure/arm-authorization'),
        importPackage<typeof import('@azure/arm-msi')>('@azure/arm-msi'),
      ]);
      let credential = options.credential;
      if (!credential) {
        const { DefaultAzureCredential } = await importPackage<typeof import('@azure/identity')>('@azure/identity');
        credential = new DefaultAzureCredential();
      }
      const clientOptions: Any = {
        ...(options.endpoint ? { endpoint: options.endpoint, $host: options.endpoint, credentialScopes: [`${options.endpoint}/.default`] } : {}),
        ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
        userAgentOptions: { userAgentPrefix: `kubeward/${VERSION}` },
        retryOptions: { maxRetries: 3 },
      };
      const aks = new ContainerServiceClient(credential, subscription, clientOptions);
      const monitor = new MonitorClient(credential, subscription, clientOptions);
      const authz = new AuthorizationManagementClient(credential, subscription, clientOptions);
      const msi = new ManagedServiceIdentityClient(credential, subscription, clientOptions);
      const callOpts = { abortSignal: abort.signal };

      /** Runs one call; a refusal or failure becomes a gap (or a UserError when fatal). */
      const call = async <T>(key: AzurePermissionKey, what: string, gap: string, fn: () => Promise<T>): Promise<T | undefined> => {
        const permission = AZURE_PERMISSIONS[key];
        options.onCall?.(permission, what);
        progress(`azure: ${what}`);
        try {
          return await fn();
        } catch (e) {
          if (abort.signal.aborted) {
            notAssessed.push({ what: gap, reason: `${what}: timed out` });
            return undefined;
          }
          const f = classifyAzureError(e);
          if (f.kind === 'no-credentials') {
            throw new UserError(`azure: no credentials (az login, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET, or run with a managed or workload identity): ${f.message}`);
          }
          if (f.kind === 'bad-credentials') throw new UserError(`azure: credentials were rejected: ${f.message}`);
          if (f.kind === 'unreachable') throw new UserError(`azure: cannot reach Azure Resource Manager: ${f.message}`);
          if (f.kind === 'denied') {
            notAssessed.push({ what: gap, reason: `${what}: access denied (needs ${permission}; see deploy/azure-role.json)` });
            return undefined;
          }
          notAssessed.push({ what: gap, reason: `${what}: ${f.message}` });
          return undefined;
        }
      };

      try {
        // 1. The cluster: without it nothing else is meaningful.
        let mc: Any;
        try {
          options.onCall?.(AZURE_PERMISSIONS.cluster, 'managedClusters.get');
          progress(`azure: reading cluster ${cluster}`);
          mc = await aks.managedClusters.get(rg, cluster, callOpts);
        } catch (e) {
          const f = classifyAzureError(e);
          if (f.kind === 'denied') throw new UserError(`azure: access denied reading cluster ${rg}/${cluster} (needs ${AZURE_PERMISSIONS.cluster}; see deploy/azure-role.json): ${f.message}`);
          if (f.kind === 'not-found') throw new UserError(`azure: cluster ${cluster} not found in resource group ${rg} of subscription ${subscription}`);
          if (f.kind === 'no-credentials') throw new UserError(`azure: no credentials (az login, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET): ${f.message}`);
          if (f.kind === 'bad-credentials') throw new UserError(`azure: credentials were rejected: ${f.message}`);
          throw new UserError(`azure: cannot read cluster ${rg}/${cluster}: ${f.message}`);
        }
        const spec = plain(mc);
        items.push(cloudItem('azure', 'AKSCluster', cluster, cluster, spec));
        const clusterId = typeof spec.id === 'string' ? spec.id : `/subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}`;

        // 2. Diagnostic settings: on the cluster, and on the subscription (Activity Log export).
        const clusterDiag = await call('diagnosticSettings', `diagnostic settings of ${cluster}`, DIAG_CLUSTER_GAP, () => monitor.diagnosticSettings.list(clusterId.replace(/^\//, ''), callOpts));
        if (clusterDiag) {
          listed.push('AzureDiagnosticSetting');
          for (const s of (clusterDiag as Any).value ?? []) items.push(diagnosticItem(plain(s), cluster));
        }
        const subDiag = await call('diagnosticSettings', `diagnostic settings of subscription ${subscription}`, DIAG_SUBSCRIPTION_GAP, () =>
          monitor.diagnosticSettings.list(`subscriptions/${subscription}`, callOpts),
        );
        if (subDiag) {
          const list = ((subDiag as Any).value ?? []) as unknown[];
          for (const s of list) items.push(diagnosticItem(plain(s), cluster));
          if (list.length === 0) {
            // Listed and empty: recorded so that rules can say "none" (an empty list file cannot say whose it is).
            items.push(
              cloudItem('azure', 'AzureDiagnosticSetting', `subscription ${subscription}/(none)`, cluster, {
                scope: 'subscription',
                resourceUri: `/subscriptions/${subscription}`,
                none: true,
              }),
            );
          }
        }

        // 3. Identities: the kubelet identity, and the managed identities named by ServiceAccount annotations.
        const state = new ClusterState({ objects: [...((opts.kubeObjects ?? []) as LoadedObject[])] });
        const clientIds = new Set<string>();
        for (const sa of state.ofKind('ServiceAccount')) {
          const v = sa.obj.metadata?.annotations?.[AZURE_CLIENT_ID_ANNOTATION];
          if (typeof v === 'string' && v.trim() !== '') clientIds.add(v.trim().toLowerCase());
        }
        const principals: Array<{ id: string; what: string }> = [];
        const kubelet = aksKubeletIdentity(spec);
        if (kubelet?.objectId) principals.push({ id: kubelet.objectId, what: 'kubelet identity' });
        if (clientIds.size > 0) {
          const found = await call('identities', 'user-assigned managed identities of the subscription', `cloud.kubeward.io/AzureManagedIdentity`, async () => {
            const out: Any[] = [];
            for await (const i of msi.userAssignedIdentities.listBySubscription(callOpts)) out.push(i);
            return out;
          });
          for (const i of found ?? []) {
            if (!clientIds.has(String(i.clientId ?? '').toLowerCase())) continue;
            const ispec = plain(i);
            items.push(cloudItem('azure', 'AzureManagedIdentity', String(i.name), cluster, ispec));
            if (i.principalId) principals.push({ id: String(i.principalId), what: `identity ${i.name}` });
            const irg = /\/resourceGroups\/([^/]+)\//i.exec(String(i.id ?? ''))?.[1] ?? rg;
            const creds = await call('federatedCredentials', `federated credentials of ${i.name}`, `cloud.kubeward.io/AzureFederatedIdentityCredential ${i.name}`, async () => {
              const out: Any[] = [];
              for await (const c of msi.federatedIdentityCredentials.list(irg, String(i.name), callOpts)) out.push(c);
              return out;
            });
            for (const c of creds ?? []) items.push(cloudItem('azure', 'AzureFederatedIdentityCredential', `${i.name}/${c.name}`, cluster, plain(c)));
          }
          if (found) {
            for (const c of clientIds) {
              if (!found.some((i: Any) => String(i.clientId ?? '').toLowerCase() === c)) {
                notAssessed.push({ what: `cloud.kubeward.io/AzureManagedIdentity ${c}`, reason: `no user-assigned identity with client id ${c} in subscription ${subscription} (an app registration, or another subscription)` });
              }
            }
          }
        }

        // 4. Role assignments of those principals (including those inherited through groups: assignedTo()).
        let allListed = principals.length > 0;
        for (const p of principals) {
          const list = await call('roleAssignments', `role assignments of the ${p.what} (${p.id})`, ROLE_ASSIGNMENT_GAP, async () => {
            const out: Any[] = [];
            for await (const a of authz.roleAssignments.listForSubscription({ ...callOpts, filter: `assignedTo('${p.id}')` })) out.push(a);
            return out;
          });
          if (!list) {
            allListed = false;
            continue;
          }
          for (const a of list) items.push(cloudItem('azure', 'AzureRoleAssignment', String(a.name ?? a.id), cluster, plain(a)));
        }
        if (allListed) listed.push('AzureRoleAssignment');
      } finally {
        clearTimeout(timer);
      }

      const seen = new Set<string>();
      const unique = items.filter((i) => {
        const k = `${i.kind}|${i.metadata?.name}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      return {
        apiVersion: 'kubeward.io/v1',
        kind: 'CloudContext',
        metadata: {
          provider: 'azure',
          cluster,
          resourceGroup: rg,
          subscription,
          createdAt: (opts.now?.() ?? new Date()).toISOString(),
          createdBy: `kubeward ${VERSION}`,
          source: 'live',
          listed,
        },
        items: unique,
        notAssessed,
        errors,
      };
    },
  };
}

function diagnosticItem(s: Record<string, unknown>, cluster: string): KubeObject {
  const id = typeof s.id === 'string' ? s.id : '';
  const { scope, scopeId } = diagnosticScope(id);
  const owner = scope === 'cluster' ? cluster : scope === 'subscription' ? `subscription ${scopeId.split('/').pop()}` : scopeId.split('/').pop();
  return cloudItem('azure', 'AzureDiagnosticSetting', `${owner}/${String(s.name ?? '?')}`, cluster, { ...s, scope, resourceUri: scopeId });
}

export const azureCollector: Collector = createAzureCollector();
