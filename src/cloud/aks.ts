// A typed reading of an AKS managed cluster (`az aks show`, the ARM REST resource or an ARM template
// resource of type Microsoft.ContainerService/managedClusters, whose `properties` the loader
// flattens into spec) and of its agent pools. Pure.
//
// Field names differ in case between the REST API / ARM templates (enableRBAC, authorizedIPRanges,
// enableAzureRBAC, issuerURL) and the az CLI / SDK output (enableRbac, authorizedIpRanges,
// enableAzureRbac, issuerUrl), so every look-up here is case-insensitive and returns the path
// actually found. ARM template expressions ("[parameters('x')]") are unknown values, never a verdict.
import type { ObjPath } from '../core/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Found<T = unknown> {
  value: T | undefined;
  /** Path of the deepest key found (the value's path when found). */
  path: ObjPath;
  found: boolean;
}

/** Case-insensitive look-up of `keys` from `o`; `base` is prefixed to the returned path. */
export function lookup(o: Json, keys: readonly string[], base: ObjPath = []): Found {
  let cur = o;
  const path: Array<string | number> = [...base];
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return { value: undefined, path, found: false };
    const real = k in cur ? k : Object.keys(cur).find((x) => x.toLowerCase() === k.toLowerCase());
    if (real === undefined) return { value: undefined, path, found: false };
    path.push(real);
    cur = cur[real];
  }
  return { value: cur, path, found: true };
}

/** An unresolved ARM template expression, e.g. "[parameters('enableRBAC')]". */
export function isArmExpression(v: unknown): boolean {
  return typeof v === 'string' && /^\[[^[].*\]$/s.test(v.trim());
}

/** true / false / undefined (absent, null or an unresolved expression); "true"/"false" strings of templates count. */
export function boolOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

export function strOf(v: unknown): string | undefined {
  return typeof v === 'string' && !isArmExpression(v) ? v : undefined;
}

/** Parts of an Azure resource id: /subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/...]. */
export function parseResourceId(id: string): { subscription?: string; resourceGroup?: string; provider?: string; name?: string } {
  const seg = id.split('/').filter((s) => s !== '');
  const at = (k: string) => {
    const i = seg.findIndex((s) => s.toLowerCase() === k);
    return i >= 0 && i + 1 < seg.length ? seg[i + 1] : undefined;
  };
  const pi = seg.findIndex((s) => s.toLowerCase() === 'providers');
  return {
    subscription: at('subscriptions'),
    resourceGroup: at('resourcegroups'),
    ...(pi >= 0 ? { provider: seg[pi + 1] } : {}),
    ...(pi >= 0 && seg.length >= pi + 4 ? { name: seg[pi + 3] } : {}),
  };
}

export interface AksIdentifiers {
  name: string;
  resourceGroup?: string;
  subscription?: string;
}

export function aksIdentifiers(spec: Json, fallbackName: string): AksIdentifiers {
  const id = strOf(lookup(spec, ['id']).value) ?? '';
  const p = parseResourceId(id);
  const name = strOf(spec?.name) ?? p.name ?? fallbackName;
  const rg = strOf(lookup(spec, ['resourceGroup']).value) ?? p.resourceGroup;
  return { name, ...(rg ? { resourceGroup: rg } : {}), ...(p.subscription ? { subscription: p.subscription } : {}) };
}

/** How the API server is exposed. */
export interface AksApiServerExposure {
  privateCluster: boolean | undefined;
  /** Authorised IP ranges (empty: none); undefined when an unresolved template expression. */
  authorizedIpRanges: string[] | undefined;
  openToWorld: boolean;
  path: ObjPath;
}

export function aksApiServerExposure(spec: Json): AksApiServerExposure {
  const prof = lookup(spec, ['apiServerAccessProfile']);
  const priv = lookup(spec, ['apiServerAccessProfile', 'enablePrivateCluster']);
  let ranges = lookup(spec, ['apiServerAccessProfile', 'authorizedIPRanges']);
  // API versions 2019-02-01 .. 2019-06-01 (preview) kept the ranges at properties.apiServerAuthorizedIPRanges.
  if (!ranges.found) {
    const legacy = lookup(spec, ['apiServerAuthorizedIPRanges']);
    if (legacy.found) ranges = legacy;
  }
  let list: string[] | undefined = [];
  if (ranges.found) {
    if (Array.isArray(ranges.value)) list = ranges.value.filter((x): x is string => typeof x === 'string');
    else if (isArmExpression(ranges.value)) list = undefined;
  }
  const openToWorld = (list ?? []).some((c) => c === '0.0.0.0/0' || c === '0.0.0.0/1' || c === '::/0');
  return {
    privateCluster: boolOf(priv.value),
    authorizedIpRanges: list,
    openToWorld,
    path: ranges.found ? ranges.path : prof.found ? prof.path : [],
  };
}

/** The network policy engine: azure, calico, cilium; undefined when none is configured. */
export function aksNetworkPolicyEngine(spec: Json): { engine: string | undefined; path: ObjPath; unknown: boolean } {
  const np = lookup(spec, ['networkProfile', 'networkPolicy']);
  const dataplane = lookup(spec, ['networkProfile', 'networkDataplane']);
  const prof = lookup(spec, ['networkProfile']);
  if (isArmExpression(np.value)) return { engine: undefined, path: np.path, unknown: true };
  const v = typeof np.value === 'string' ? np.value.trim().toLowerCase() : '';
  if (v !== '' && v !== 'none') return { engine: v, path: np.path, unknown: false };
  // Azure CNI powered by Cilium: networkDataplane cilium enforces NetworkPolicy (networkPolicy is then "cilium").
  if (typeof dataplane.value === 'string' && dataplane.value.toLowerCase() === 'cilium') return { engine: 'cilium', path: dataplane.path, unknown: false };
  return { engine: undefined, path: np.found ? np.path : prof.found ? prof.path : [], unknown: false };
}

/** The kubelet identity (identityProfile.kubeletidentity): the managed identity of every node. */
export function aksKubeletIdentity(spec: Json): { clientId?: string; objectId?: string; resourceId?: string; path: ObjPath } | undefined {
  const k = lookup(spec, ['identityProfile', 'kubeletidentity']);
  if (!k.found || k.value === null || typeof k.value !== 'object') return undefined;
  const v = k.value as Record<string, unknown>;
  const s = (x: unknown) => (typeof x === 'string' && x !== '' ? x : undefined);
  return {
    ...(s(lookup(v, ['clientId']).value) ? { clientId: s(lookup(v, ['clientId']).value) } : {}),
    ...(s(lookup(v, ['objectId']).value) ? { objectId: s(lookup(v, ['objectId']).value) } : {}),
    ...(s(lookup(v, ['resourceId']).value) ? { resourceId: s(lookup(v, ['resourceId']).value) } : {}),
    path: k.path,
  };
}

/** The OIDC issuer URL of the cluster (oidcIssuerProfile.issuerURL / issuerUrl). */
export function aksOidcIssuer(spec: Json): string | undefined {
  return strOf(lookup(spec, ['oidcIssuerProfile', 'issuerURL']).value);
}

export interface AksAgentPool {
  name: string;
  path: ObjPath;
  raw: Record<string, unknown>;
}

/** Agent pools embedded in a cluster (agentPoolProfiles[]). */
export function clusterAgentPools(spec: Json): AksAgentPool[] {
  const l = lookup(spec, ['agentPoolProfiles']);
  if (!Array.isArray(l.value)) return [];
  return l.value.map((p: Json, i: number) => ({ name: String(p?.name ?? `#${i}`), path: [...l.path, i], raw: p ?? {} }));
}

/**
 * IMDS restriction (preview): networkProfile.podLinkLocalAccess on the cluster, podLinkLocalAccess on
 * agent pools ("IMDS" = pods reach IMDS, the default; "None" = non-hostNetwork pods cannot).
 */
export function podLinkLocalAccess(o: Json): { value: string | undefined; path: ObjPath } {
  for (const keys of [['networkProfile', 'podLinkLocalAccess'], ['podLinkLocalAccess'], ['securityProfile', 'podLinkLocalAccess']]) {
    const f = lookup(o, keys);
    if (f.found && typeof f.value === 'string') return { value: f.value, path: f.path };
  }
  return { value: undefined, path: [] };
}
