// Shapes of the JSON that gcloud prints with --format=json (the same as the REST resources, and as
// the Node clients' responses after protobuf toJSON), recognised by their fields. Pure.
import { isRecord, part, type Shape, type ShapeOutput } from '../shapes.js';

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** ".../projects/P/locations/L/clusters/C[/nodePools/N]" -> parts. */
export function parseGkeSelfLink(link: unknown): { project?: string; location?: string; cluster?: string; nodePool?: string } {
  if (!str(link)) return {};
  const m = /\/projects\/([^/]+)\/(?:locations|zones)\/([^/]+)\/clusters\/([^/]+)(?:\/nodePools\/([^/]+))?\/?$/.exec(link);
  return m ? { project: m[1], location: m[2], cluster: m[3], ...(m[4] ? { nodePool: m[4] } : {}) } : {};
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isGkeCluster(j: any): boolean {
  if (!isRecord(j) || !str(j.name) || 'kind' in j) return false;
  const link = parseGkeSelfLink(j.selfLink);
  if (link.nodePool) return false;
  if (link.cluster) return true;
  return str(j.currentMasterVersion) || (Array.isArray(j.nodePools) && ('endpoint' in j || 'masterAuth' in j || 'location' in j));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isGkeNodePool(j: any): boolean {
  if (!isRecord(j) || !str(j.name) || 'kind' in j || 'currentMasterVersion' in j || 'nodePools' in j) return false;
  if (parseGkeSelfLink(j.selfLink).nodePool) return true;
  return isRecord(j.config) && ('initialNodeCount' in j || 'management' in j || 'autoscaling' in j || 'upgradeSettings' in j);
}

/** Roles that can only be meaningfully granted on a service account (a policy holding only these is a service account's). */
const SA_LEVEL_ROLE = /^roles\/iam\.(serviceAccount[A-Za-z]*|workloadIdentityUser)$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isIamPolicy(j: any): boolean {
  if (!isRecord(j) || 'kind' in j) return false;
  const keys = Object.keys(j);
  if (!keys.every((k) => ['bindings', 'etag', 'version', 'auditConfigs'].includes(k))) return false;
  if (!str(j.etag) && !('bindings' in j)) return false;
  if ('bindings' in j && !(Array.isArray(j.bindings) && j.bindings.every((b: unknown) => isRecord(b) && str(b.role)))) return false;
  return true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isServiceAccountPolicy(j: any): boolean {
  if (!isIamPolicy(j) || 'auditConfigs' in j) return false;
  const b = Array.isArray(j.bindings) ? j.bindings : [];
  return b.every((x: { role: string }) => SA_LEVEL_ROLE.test(x.role));
}

/** A service account email in a file name: the file is named after it (`EMAIL.json`, `anything_EMAIL.json`). */
export function serviceAccountInFileName(fileBase: string): string | undefined {
  const m = /(?:^|[_.+=\s])([a-z](?:[-a-z0-9]{0,28}[a-z0-9])?@[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?\.iam\.gserviceaccount\.com|\d+-compute@developer\.gserviceaccount\.com)/.exec(fileBase);
  return m?.[1];
}

function clusterPart(j: Record<string, unknown>, at: Array<string | number>): ShapeOutput {
  return part('GKECluster', j.name as string, j, at, j.name as string);
}

/** Node pools are named per cluster ("default-pool" everywhere): the object is CLUSTER/POOL when the cluster is known. */
function nodePoolPart(j: Record<string, unknown>, at: Array<string | number>): ShapeOutput {
  const cluster = parseGkeSelfLink(j.selfLink).cluster;
  return part('GKENodePool', cluster ? `${cluster}/${j.name as string}` : (j.name as string), j, at, cluster);
}

const snakeToCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Proto field names (snake_case, as Go and Python clients print them) -> the REST JSON names. Map keys are kept. */
function camelKeys(v: unknown, inMap = false): unknown {
  if (Array.isArray(v)) return v.map((x) => camelKeys(x));
  if (!isRecord(v)) return v;
  const MAPS = new Set(['metadata', 'labels', 'resource_labels', 'resourceLabels', 'node_labels']);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [inMap ? k : snakeToCamel(k), camelKeys(x, !inMap && MAPS.has(k))]));
}

export const gcpShapes: readonly Shape[] = [
  {
    id: 'kubescape ClusterDescribe (gke)',
    provider: 'gcp',
    kind: 'GKECluster',
    describe: 'kubescape cloud describe output: {kind: ClusterDescribe, apiVersion: container.googleapis.com/v1, data: {...}} (proto field names are turned into the REST JSON names)',
    match: (j) => isRecord(j) && j.kind === 'ClusterDescribe' && typeof j.apiVersion === 'string' && j.apiVersion.startsWith('container.googleapis.com/') && isRecord(j.data) && str(j.data.name),
    read: (j) => {
      const spec = camelKeys(j.data) as Record<string, unknown>;
      return [{ ...part('GKECluster', spec.name as string, spec, ['data'], spec.name as string), map: (p) => ['data', ...p.map((x) => (typeof x === 'string' ? camelToSnake(x) : x))] }];
    },
  },
  {
    id: 'gcloud container clusters describe',
    provider: 'gcp',
    kind: 'GKECluster',
    describe: 'gcloud container clusters describe NAME --location LOCATION --format=json',
    match: (j) => isGkeCluster(j),
    read: (j) => [clusterPart(j, [])],
  },
  {
    id: 'gcloud container clusters list',
    provider: 'gcp',
    kind: 'GKECluster',
    describe: 'gcloud container clusters list --format=json',
    match: (j) => Array.isArray(j) && j.length > 0 && j.every(isGkeCluster),
    read: (j) => (j as Array<Record<string, unknown>>).map((c, i) => clusterPart(c, [i])),
  },
  {
    id: 'gcloud container node-pools describe',
    provider: 'gcp',
    kind: 'GKENodePool',
    describe: 'gcloud container node-pools describe POOL --cluster NAME --location LOCATION --format=json',
    match: (j) => isGkeNodePool(j),
    read: (j) => [nodePoolPart(j, [])],
  },
  {
    id: 'gcloud container node-pools list',
    provider: 'gcp',
    kind: 'GKENodePool',
    lists: 'GKENodePool',
    describe: 'gcloud container node-pools list --cluster NAME --location LOCATION --format=json',
    match: (j) => Array.isArray(j) && j.length > 0 && j.every(isGkeNodePool),
    read: (j) => (j as Array<Record<string, unknown>>).map((p, i) => nodePoolPart(p, [i])),
  },
  {
    id: 'gcloud iam service-accounts get-iam-policy',
    provider: 'gcp',
    kind: 'GCPServiceAccountIAMPolicy',
    describe: 'gcloud iam service-accounts get-iam-policy EMAIL --format=json > EMAIL.json (the file must be named after the service account)',
    match: (j) => isServiceAccountPolicy(j),
    read: (j, ctx) => {
      const email = serviceAccountInFileName(ctx?.fileBase ?? '');
      if (!email) {
        throw new Error(
          'a service account IAM policy does not say whose it is: name the file after the service account (e.g. app@my-project.iam.gserviceaccount.com.json) or use kubeward cloud collect',
        );
      }
      return [part('GCPServiceAccountIAMPolicy', email, { serviceAccount: email, ...j }, [])];
    },
  },
  {
    id: 'gcloud projects get-iam-policy',
    provider: 'gcp',
    kind: 'GCPProjectIAMPolicy',
    describe: 'gcloud projects get-iam-policy PROJECT --format=json (bindings and auditConfigs)',
    match: (j) => isIamPolicy(j) && !isServiceAccountPolicy(j),
    // The output does not name the project: it is taken to be the cluster's (spec.project unset).
    read: (j) => [part('GCPProjectIAMPolicy', 'project', j, [])],
  },
];
