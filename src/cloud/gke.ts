// A typed reading of a GKE cluster description (`gcloud container clusters describe --format=json`,
// the clusters.get REST/gRPC response) and of its node pools. Pure: plain field look-ups with the
// path each value came from (so findings point at the line), no I/O. The conformance script compares
// `gkeFacts()` with the facts of the real describes in the cloud-describe corpus, so rules and that
// check read the cluster through the same functions.
import type { ObjPath } from '../core/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function get(o: Json, path: readonly string[]): unknown {
  let cur = o;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
/** A value only when it has the expected type (gcloud sometimes prints `{}` for false). */
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strArr = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** One node pool wherever it was described: `path` is where its object sits inside `spec` of the object read. */
export interface GkeNodePool {
  name: string;
  /** Path of the pool inside the spec it was read from ([] for a GKENodePool object, ['nodePools', i] in a cluster). */
  path: ObjPath;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  raw: Record<string, any>;
  /** config.workloadMetadataConfig.mode (GKE_METADATA, GCE_METADATA, MODE_UNSPECIFIED) or null when absent. */
  workloadMetadataMode: string | null;
  /** Legacy v1beta1 field `config.workloadMetadataConfig.nodeMetadata` (SECURE, EXPOSE, GKE_METADATA_SERVER). */
  legacyNodeMetadata: string | null;
  /** config.metadata["disable-legacy-endpoints"] as printed (a string "true"/"false"), null when absent. */
  disableLegacyEndpoints: string | null;
  /** config.serviceAccount; null when absent (the node pool then runs as the Compute Engine default SA). */
  serviceAccount: string | null;
  oauthScopes: string[] | null;
}

export function nodePoolView(raw: Json, path: ObjPath): GkeNodePool {
  const cfg = raw?.config ?? {};
  return {
    name: String(raw?.name ?? '?'),
    path,
    raw: raw ?? {},
    workloadMetadataMode: strOrNull(get(cfg, ['workloadMetadataConfig', 'mode'])),
    legacyNodeMetadata: strOrNull(get(cfg, ['workloadMetadataConfig', 'nodeMetadata'])),
    disableLegacyEndpoints: strOrNull(get(cfg, ['metadata', 'disable-legacy-endpoints'])),
    serviceAccount: strOrNull(cfg.serviceAccount),
    oauthScopes: strArr(cfg.oauthScopes),
  };
}

/** The node pools embedded in a cluster description (or, when it has none, its legacy top-level nodeConfig). */
export function clusterNodePools(spec: Json): GkeNodePool[] {
  if (Array.isArray(spec?.nodePools)) return spec.nodePools.map((p: Json, i: number) => nodePoolView(p, ['nodePools', i]));
  return [];
}

/** True when the pool runs as the Compute Engine default service account. */
export function usesDefaultComputeSA(sa: string | null): boolean {
  return sa === null || sa === '' || sa === 'default' || /^\d+-compute@developer\.gserviceaccount\.com$/.test(sa);
}

/** The metadata server hides the node's credentials only in GKE_METADATA (or legacy GKE_METADATA_SERVER) mode. */
export function metadataConcealed(p: GkeNodePool): boolean {
  return p.workloadMetadataMode === 'GKE_METADATA' || (p.workloadMetadataMode === null && p.legacyNodeMetadata === 'GKE_METADATA_SERVER');
}

/** Project id from the selfLink (".../projects/P/locations/L/clusters/N"), else from the workload pool "P.svc.id.goog". */
export function gkeProject(spec: Json): string | undefined {
  const m = /\/projects\/([^/]+)\//.exec(String(spec?.selfLink ?? ''));
  if (m) return m[1];
  const pool = strOrNull(get(spec, ['workloadIdentityConfig', 'workloadPool']));
  return pool?.endsWith('.svc.id.goog') ? pool.slice(0, -'.svc.id.goog'.length) : undefined;
}

export function gkeLocation(spec: Json): string | undefined {
  const loc = strOrNull(spec?.location) ?? strOrNull(spec?.zone);
  if (loc) return loc;
  const m = /\/(?:locations|zones)\/([^/]+)\//.exec(String(spec?.selfLink ?? ''));
  return m?.[1];
}

/** How the control-plane IP endpoint is exposed. */
export interface GkeEndpointExposure {
  /** A public IP endpoint exists (no private endpoint, public endpoint not disabled). */
  publicEndpoint: boolean;
  /** Master authorized networks are enforced on it. */
  authorizedNetworks: boolean;
  /** Authorized CIDR blocks (empty when none). */
  cidrBlocks: string[];
  /** Some authorised block opens to the whole internet (0.0.0.0/0). */
  openToWorld: boolean;
  /** All Google Cloud public IPs may reach the endpoint (gcpPublicCidrsAccessEnabled). */
  gcpPublicCidrs: boolean;
  /** Path of the field that decides (for findings). */
  path: ObjPath;
}

export function gkeEndpointExposure(spec: Json): GkeEndpointExposure {
  const ip = get(spec, ['controlPlaneEndpointsConfig', 'ipEndpointsConfig']) as Json;
  const privateEndpoint = get(spec, ['privateClusterConfig', 'enablePrivateEndpoint']) === true;
  const publicDisabled = ip?.enablePublicEndpoint === false || ip?.enabled === false;
  const man = (get(spec, ['masterAuthorizedNetworksConfig']) ?? ip?.authorizedNetworksConfig ?? {}) as Json;
  const manNew = (ip?.authorizedNetworksConfig ?? {}) as Json;
  const authorizedNetworks = man.enabled === true || manNew.enabled === true;
  const blocks = [...(Array.isArray(man.cidrBlocks) ? man.cidrBlocks : []), ...(Array.isArray(manNew.cidrBlocks) ? manNew.cidrBlocks : [])]
    .map((b: Json) => String(b?.cidrBlock ?? ''))
    .filter((b: string) => b !== '');
  const cidrBlocks = [...new Set(blocks)];
  let path: ObjPath = ['masterAuthorizedNetworksConfig'];
  if (!('masterAuthorizedNetworksConfig' in (spec ?? {}))) path = ip ? ['controlPlaneEndpointsConfig', 'ipEndpointsConfig'] : ['endpoint'];
  return {
    publicEndpoint: !privateEndpoint && !publicDisabled,
    authorizedNetworks,
    cidrBlocks,
    openToWorld: cidrBlocks.some((c) => c === '0.0.0.0/0' || c === '::/0'),
    gcpPublicCidrs: man.gcpPublicCidrsAccessEnabled === true || manNew.gcpPublicCidrsAccessEnabled === true,
    path,
  };
}

/**
 * The facts of the cloud-describe corpus (`expected.json` gke.clusters[].facts), by the same names.
 * Every value is the field as described (null = absent), except `autopilot` (absent = false).
 */
export interface GkeFacts {
  autopilot: boolean;
  workloadIdentityPool: string | null;
  nodeConfigWorkloadMetadataMode: string | null;
  nodePoolWorkloadMetadataModes: Record<string, string | null>;
  nodePoolDisableLegacyMetadataEndpoints: Record<string, string | null>;
  nodePoolServiceAccounts: Record<string, string | null>;
  nodePoolOauthScopes: Record<string, string[] | null>;
  networkPolicyEnabled: boolean | null;
  networkPolicyProvider: string | null;
  networkPolicyAddonDisabled: boolean | null;
  datapathProvider: string | null;
  loggingService: string | null;
  loggingComponents: string[] | null;
  legacyAbacEnabled: boolean | null;
  shieldedNodesEnabled: boolean | null;
  privateNodes: boolean | null;
  privateEndpoint: boolean | null;
  masterAuthorizedNetworksEnabled: boolean | null;
  ipEndpointPublicEnabled: boolean | null;
  issueClientCertificate: boolean | null;
  databaseEncryptionState: string | null;
  binaryAuthorizationMode: string | null;
  kubernetesDashboardDisabled: boolean | null;
  securityPostureMode: string | null;
}

export function gkeFacts(spec: Json): GkeFacts {
  const pools = clusterNodePools(spec);
  const byPool = <T>(f: (p: GkeNodePool) => T): Record<string, T> => Object.fromEntries(pools.map((p) => [p.name, f(p)]));
  return {
    autopilot: get(spec, ['autopilot', 'enabled']) === true,
    workloadIdentityPool: strOrNull(get(spec, ['workloadIdentityConfig', 'workloadPool'])),
    nodeConfigWorkloadMetadataMode: strOrNull(get(spec, ['nodeConfig', 'workloadMetadataConfig', 'mode'])),
    nodePoolWorkloadMetadataModes: byPool((p) => p.workloadMetadataMode),
    nodePoolDisableLegacyMetadataEndpoints: byPool((p) => p.disableLegacyEndpoints),
    nodePoolServiceAccounts: byPool((p) => p.serviceAccount),
    nodePoolOauthScopes: byPool((p) => p.oauthScopes),
    networkPolicyEnabled: bool(get(spec, ['networkPolicy', 'enabled'])),
    networkPolicyProvider: strOrNull(get(spec, ['networkPolicy', 'provider'])),
    networkPolicyAddonDisabled: bool(get(spec, ['addonsConfig', 'networkPolicyConfig', 'disabled'])),
    datapathProvider: strOrNull(get(spec, ['networkConfig', 'datapathProvider'])),
    loggingService: strOrNull(spec?.loggingService),
    loggingComponents: strArr(get(spec, ['loggingConfig', 'componentConfig', 'enableComponents'])),
    legacyAbacEnabled: bool(get(spec, ['legacyAbac', 'enabled'])),
    shieldedNodesEnabled: bool(get(spec, ['shieldedNodes', 'enabled'])),
    privateNodes: bool(get(spec, ['privateClusterConfig', 'enablePrivateNodes'])),
    privateEndpoint: bool(get(spec, ['privateClusterConfig', 'enablePrivateEndpoint'])),
    masterAuthorizedNetworksEnabled: bool(get(spec, ['masterAuthorizedNetworksConfig', 'enabled'])),
    ipEndpointPublicEnabled: bool(get(spec, ['controlPlaneEndpointsConfig', 'ipEndpointsConfig', 'enablePublicEndpoint'])),
    issueClientCertificate: bool(get(spec, ['masterAuth', 'clientCertificateConfig', 'issueClientCertificate'])),
    databaseEncryptionState: strOrNull(get(spec, ['databaseEncryption', 'state'])),
    binaryAuthorizationMode: strOrNull(get(spec, ['binaryAuthorization', 'evaluationMode'])),
    kubernetesDashboardDisabled: bool(get(spec, ['addonsConfig', 'kubernetesDashboard', 'disabled'])),
    securityPostureMode: strOrNull(get(spec, ['securityPostureConfig', 'mode'])),
  };
}

/** NetworkPolicy objects are enforced: Calico (networkPolicy.enabled) or Dataplane V2 (ADVANCED_DATAPATH, Cilium), or Autopilot (always Dataplane V2). */
export function gkeNetworkPolicyEnforced(spec: Json): boolean {
  const f = gkeFacts(spec);
  return f.networkPolicyEnabled === true || f.datapathProvider === 'ADVANCED_DATAPATH' || f.autopilot;
}

/** Control-plane logging: the loggingService and the enabled components (legacy `logging.googleapis.com` = everything). */
export function gkeLoggingComponents(spec: Json): { service: string | null; components: string[]; path: ObjPath } {
  const service = strOrNull(spec?.loggingService);
  const comps = strArr(get(spec, ['loggingConfig', 'componentConfig', 'enableComponents']));
  const path: ObjPath = comps ? ['loggingConfig', 'componentConfig', 'enableComponents'] : service !== null ? ['loggingService'] : [];
  if (service === 'none') return { service, components: [], path };
  return { service, components: comps ?? [], path };
}
