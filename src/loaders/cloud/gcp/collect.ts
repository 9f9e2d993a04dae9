// Live collection of a GKE cluster's Google Cloud context with the official clients (the only
// importer of @google-cloud/* and google-auth-library, loaded lazily). Credentials: Application
// Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the
// metadata server, workload identity federation).
//
// Calls: ClusterManager.GetCluster (@google-cloud/container; its response includes the node pools),
// Projects.GetIamPolicy (@google-cloud/resource-manager v3: bindings and auditConfigs) and, for the
// Google service accounts that nodes and Workload Identity use, IAM projects.serviceAccounts.getIamPolicy
// (no @google-cloud client covers IAM v1 admin: an authorised REST call through google-auth-library).
// Responses are turned into the REST JSON that gcloud --format=json prints (default values omitted,
// presence-tracked fields kept), so live and file inputs read the same.
//
// Every call maps to one permission of GCP_PERMISSIONS; deploy/gcp-role.yaml grants exactly those (a
// test replays the calls and checks). PERMISSION_DENIED leaves that piece "not assessed", naming the
// permission; no credentials, an unknown cluster or an unreachable endpoint are one clear line.
import { createRequire } from 'node:module';
import { UserError, type InputError, type KubeObject, type LoadedObject, type NotAssessed } from '../../../core/types.js';
import type { CloudKind } from '../../../cloud/model.js';
import { cloudItem, type CloudBundle, type CollectOptions, type Collector, type LiveTarget } from '../index.js';
import { ClusterState } from '../../../model/cluster-state.js';
import { GKE_SA_ANNOTATION } from '../../../analysis/identity/gcp.js';
import { clusterNodePools, usesDefaultComputeSA } from '../../../cloud/gke.js';
import { VERSION } from '../../../core/version.js';
import { GCP_PERMISSIONS, type GcpPermissionKey } from './permissions.js';
import { PROJECT_POLICY_GAP } from './gaps.js';
import { importPackage } from '../../../core/packages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface GcpCollectorOptions {
  /** A google-auth-library auth client (AuthClient, e.g. an OAuth2Client with a fixed token); default: ADC. */
  authClient?: Any;
  /** For tests: host, port and protocol of a local replay server for every API (REST transport). */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
  /** Use the REST transport instead of gRPC (always on with `endpoint`). */
  rest?: boolean;
  /** Called before every API call with the permission it needs. */
  onCall?: (permission: string, what: string) => void;
}

interface Failure {
  kind: 'denied' | 'not-found' | 'no-credentials' | 'bad-credentials' | 'unreachable' | 'other';
  message: string;
}

export function classifyGcpError(e: unknown): Failure {
  const err = e as { code?: number | string; status?: number; message?: string; response?: { status?: number } };
  const msg = String(err?.message ?? e).split('\n')[0];
  const code = err?.code;
  const http = typeof code === 'number' && code >= 100 ? code : err?.response?.status ?? err?.status;
  if (/Could not load the default credentials|Unable to detect a Project Id|invalid_grant|reauth/i.test(msg)) return { kind: 'no-credentials', message: msg };
  if (code === 16 || http === 401) return { kind: 'bad-credentials', message: msg };
  if (code === 7 || http === 403 || /PERMISSION_DENIED/.test(msg)) return { kind: 'denied', message: msg };
  if (code === 5 || http === 404 || /NOT_FOUND/.test(msg)) return { kind: 'not-found', message: msg };
  if (code === 14 || /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(`${code ?? ''} ${msg}`)) return { kind: 'unreachable', message: msg };
  return { kind: 'other', message: msg };
}

/**
 * A decoded protobuf object (defaults filled in by the client) -> the REST JSON the API and gcloud
 * print: scalar and enum defaults omitted unless the field tracks presence (proto3 optional, oneof),
 * unset messages omitted, int64 as strings, bytes as base64, Timestamp/Duration as strings.
 */
export function toRestJson(value: Any, type: Any): Any {
  if (value === null || value === undefined) return undefined;
  const full = String(type.fullName ?? '');
  if (full === '.google.protobuf.Timestamp') return new Date(Number(value.seconds ?? 0) * 1000 + Math.round(Number(value.nanos ?? 0) / 1e6)).toISOString();
  if (full === '.google.protobuf.Duration') return `${Number(value.seconds ?? 0) + Number(value.nanos ?? 0) / 1e9}s`;
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray as Any[]) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    const presence = f.partOf !== null && f.partOf !== undefined;
    const conv = (x: Any): Any => {
      if (f.resolvedType && f.resolvedType.fieldsArray) return toRestJson(x, f.resolvedType);
      if (f.resolvedType && f.resolvedType.values) return typeof x === 'number' ? (f.resolvedType.valuesById[x] ?? x) : x;
      if (f.type === 'bytes') return Buffer.isBuffer(x) || x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x?.type === 'Buffer' ? Buffer.from(x.data).toString('base64') : x;
      if (/^(u?int64|s?fixed64|sint64)$/.test(f.type)) return String(x);
      return x;
    };
    if (f.map) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > 0) out[f.name] = Object.fromEntries(entries.map(([k, x]) => [k, conv(x)]));
      continue;
    }
    if (f.repeated) {
      if (Array.isArray(v) && v.length > 0) out[f.name] = v.map(conv);
      continue;
    }
    const c = conv(v);
    if (c === undefined) continue;
    if (!presence && !(f.resolvedType && f.resolvedType.fieldsArray)) {
      const isDefault =
        c === '' || c === false || c === 0 || c === '0' || (f.resolvedType && f.resolvedType.values && (c === f.resolvedType.valuesById[0] || c === 0));
      if (isDefault) continue;
    }
    out[f.name] = c;
  }
  return out;
}

export function createGcpCollector(options: GcpCollectorOptions = {}): Collector {
  return {
    async collect(target: LiveTarget, opts: CollectOptions): Promise<CloudBundle> {
      const { cluster, project, location } = target;
      if (!project || !location) throw new UserError('gcp: give the project and location of the cluster (--project P --location L, or gcp:PROJECT/LOCATION/CLUSTER)');
      const progress = opts.onProgress ?? (() => undefined);
      const items: KubeObject[] = [];
      const notAssessed: NotAssessed[] = [];
      const errors: InputError[] = [];
      const listed: CloudKind[] = [];
      const timeoutMs = opts.timeoutMs ?? 300_000;

      const require = createRequire(import.meta.url);
      const [{ ClusterManagerClient }, { ProjectsClient }, gal, gax] = await Promise.all([
        importPackage<typeof import('@google-cloud/container')>('@google-cloud/container'),
        importPackage<typeof import('@google-cloud/resource-manager')>('@google-cloud/resource-manager'),
        importPackage<typeof import('google-auth-library')>('google-auth-library'),
        importPackage<typeof import('google-gax')>('google-gax'),
      ]);
      const protobuf = (gax as Any).protobuf ?? (gax as Any).default?.protobuf;
      const containerRoot = protobuf.Root.fromJSON(require('@google-cloud/container/build/protos/protos.json'));
      const rmRoot = protobuf.Root.fromJSON(require('@google-cloud/resource-manager/build/protos/protos.json'));
      const ClusterType = containerRoot.lookupType('google.container.v1.Cluster');
      const PolicyType = rmRoot.lookupType('google.iam.v1.Policy');

      const scopes = ['https://www.googleapis.com/auth/cloud-platform'];
      const auth = options.authClient ? new gal.GoogleAuth({ authClient: options.authClient, projectId: project }) : new gal.GoogleAuth({ scopes });
      const ep = options.endpoint;
      const clientOpts: Any = {
        auth,
        ...(ep || options.rest ? { fallback: true } : {}),
        ...(ep ? { apiEndpoint: ep.host, port: ep.port, protocol: ep.protocol } : {}),
      };
      const gke = new ClusterManagerClient(clientOpts);
      const rm = new ProjectsClient(clientOpts);
      const gaxCall = { timeout: Math.min(timeoutMs, 60_000), retry: null as Any };
      const iamBase = ep ? `${ep.protocol}://${ep.host}:${ep.port}` : 'https://iam.googleapis.com';

      const call = async <T>(key: GcpPermissionKey, what: string, gap: string, fn: () => Promise<T>): Promise<T | undefined> => {
        const permission = GCP_PERMISSIONS[key];
        options.onCall?.(permission, what);
        progress(`gcp: ${what}`);
        try {
          return await fn();
        } catch (e) {
          const f = classifyGcpError(e);
          if (f.kind === 'no-credentials') throw new UserError(`gcp: no Application Default Credentials (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS): ${f.message}`);
          if (f.kind === 'bad-credentials') throw new UserError(`gcp: credentials were rejected: ${f.message}`);
          if (f.kind === 'unreachable') throw new UserError(`gcp: cannot reach Google Cloud APIs: ${f.message}`);
          if (f.kind === 'denied') {
            notAssessed.push({ what: gap, reason: `${what}: permission denied (needs ${permission}; see deploy/gcp-role.yaml)` });
            return undefined;
          }
          notAssessed.push({ what: gap, reason: `${what}: ${f.message}` });
          return undefined;
        }
      };

      try {
        // 1. The cluster (with its node pools).
        const name = `projects/${project}/locations/${location}/clusters/${cluster}`;
        let spec: Record<string, unknown>;
        try {
          options.onCall?.(GCP_PERMISSIONS.cluster, 'clusters.get');
          progress(`gcp: reading cluster ${cluster}`);
          const [c] = await gke.getCluster({ name }, gaxCall);
          spec = toRestJson(c, ClusterType);
        } catch (e) {
          const f = classifyGcpError(e);
          if (f.kind === 'denied') throw new UserError(`gcp: permission denied reading cluster ${name} (needs ${GCP_PERMISSIONS.cluster}; see deploy/gcp-role.yaml): ${f.message}`);
          if (f.kind === 'not-found') throw new UserError(`gcp: cluster ${cluster} not found in ${project}/${location}`);
          if (f.kind === 'no-credentials') throw new UserError(`gcp: no Application Default Credentials (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS): ${f.message}`);
          if (f.kind === 'bad-credentials') throw new UserError(`gcp: credentials were rejected: ${f.message}`);
          throw new UserError(`gcp: cannot read cluster ${name}: ${f.message}`);
        }
        items.push(cloudItem('gcp', 'GKECluster', cluster, cluster, spec));
        listed.push('GKENodePool'); // clusters.get returns every node pool

        // 2. The project IAM policy: roles and the Data Access audit config.
        const policy = await call('projectIamPolicy', `IAM policy of project ${project}`, PROJECT_POLICY_GAP, async () => {
          const [p] = await rm.getIamPolicy({ resource: `projects/${project}`, options: { requestedPolicyVersion: 3 } }, gaxCall);
          return p;
        });
        if (policy) items.push(cloudItem('gcp', 'GCPProjectIAMPolicy', 'project', cluster, { project, ...toRestJson(policy, PolicyType) }));

        // 3. Who can act as the service accounts of the nodes and of Workload Identity.
        const state = new ClusterState({ objects: [...((opts.kubeObjects ?? []) as LoadedObject[])] });
        const emails = new Set<string>();
        for (const sa of state.ofKind('ServiceAccount')) {
          const v = sa.obj.metadata?.annotations?.[GKE_SA_ANNOTATION];
          if (typeof v === 'string' && v.includes('@')) emails.add(v.trim().toLowerCase());
        }
        for (const p of clusterNodePools(spec)) if (p.serviceAccount && !usesDefaultComputeSA(p.serviceAccount) && p.serviceAccount.includes('@')) emails.add(p.serviceAccount.toLowerCase());
        const client = options.authClient ?? (await auth.getClient());
        for (const email of [...emails].sort()) {
          const p = await call('serviceAccountIamPolicy', `IAM policy of service account ${email}`, `cloud.kubeward.io/GCPServiceAccountIAMPolicy ${email}`, async () => {
            const r = await client.request({ url: `${iamBase}/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:getIamPolicy`, method: 'POST', data: { options: { requestedPolicyVersion: 3 } }, timeout: Math.min(timeoutMs, 60_000) });
            return r.data as Record<string, unknown>;
          });
          if (p) items.push(cloudItem('gcp', 'GCPServiceAccountIAMPolicy', email, cluster, { serviceAccount: email, ...p }));
        }
      } finally {
        await Promise.allSettled([gke.close(), rm.close()]);
      }
      return {
        apiVersion: 'kubeward.io/v1',
        kind: 'CloudContext',
        metadata: {
          provider: 'gcp',
          cluster,
          project,
          location,
          createdAt: (opts.now?.() ?? new Date()).toISOString(),
          createdBy: `kubeward ${VERSION}`,
          source: 'live',
          listed,
        },
        items,
        notAssessed,
        errors,
      };
    },
  };
}

export const gcpCollector: Collector = createGcpCollector();
