// Helpers shared by the Azure and GCP cloud rules: reading specs, "not assessed" gaps recorded by the
// loader, node pools wherever they were described, and the fix evidence every finding carries (the
// exact az / gcloud command and a Terraform snippet). Pure.
import type { LoadedObject, ObjPath } from '../core/types.js';
import type { ClusterState } from '../model/cluster-state.js';
import { cloudGroupKind, CLUSTER_LABEL } from './model.js';
import { clusterNodePools, gkeLocation, gkeProject, nodePoolView, type GkeNodePool } from './gke.js';
import { aksIdentifiers, clusterAgentPools, type AksAgentPool } from './aks.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function specOf(o: LoadedObject): Record<string, any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const s = (o.obj as any).spec;
  return s !== null && typeof s === 'object' ? s : {};
}

/** The loader recorded that `what` ("<kind>", "<kind> (<qualifier>)" or "<kind> <object>") could not be assessed. */
export function gapRecorded(state: ClusterState, what: string): boolean {
  return state.notAssessed.some((n) => n.what === what || n.what.startsWith(`${what} `));
}

export interface Fix {
  /** The exact command (az / gcloud) that fixes it. */
  command: string;
  /** The Terraform (google / azurerm / azapi provider) that keeps it fixed. */
  terraform: string;
}

export function fixEvidence(fix: Fix, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, fix: { command: fix.command, terraform: fix.terraform } };
}

/** Prefixes a spec path with 'spec' (object paths are what findings point at). */
export const inSpec = (p: ObjPath): ObjPath => ['spec', ...p];

export interface GkeClusterIds {
  name: string;
  location: string;
  project: string;
  /** `--location L --project P` for gcloud. */
  flags: string;
}

export function gkeIds(o: LoadedObject): GkeClusterIds {
  const spec = specOf(o);
  const name = typeof spec.name === 'string' ? spec.name : o.ref.name;
  const location = gkeLocation(spec) ?? 'LOCATION';
  const project = gkeProject(spec) ?? 'PROJECT_ID';
  return { name, location, project, flags: `--location ${location} --project ${project}` };
}

export interface PoolAt {
  /** The object the pool was read from: a GKENodePool, or the GKECluster that embeds it. */
  object: LoadedObject;
  pool: GkeNodePool;
  /** Path of the pool inside `object` (['spec'] or ['spec', 'nodePools', i]). */
  path: ObjPath;
  cluster: string;
  /** The cluster object when loaded. */
  clusterObject?: LoadedObject;
}

/** Every GKE node pool once: a separately described pool (node-pools describe/list) wins over its copy inside the cluster. */
export function gkeNodePools(state: ClusterState): PoolAt[] {
  const out: PoolAt[] = [];
  const clusters = state.ofKind(cloudGroupKind('GKECluster'));
  const seen = new Set<string>();
  for (const o of state.ofKind(cloudGroupKind('GKENodePool'))) {
    const pool = nodePoolView(specOf(o), []);
    const cluster = o.obj.metadata?.labels?.[CLUSTER_LABEL] ?? '';
    seen.add(`${cluster}/${pool.name}`);
    out.push({ object: o, pool, path: ['spec'], cluster, clusterObject: clusters.find((c) => c.ref.name === cluster) });
  }
  for (const c of clusters) {
    for (const pool of clusterNodePools(specOf(c))) {
      if (seen.has(`${c.ref.name}/${pool.name}`)) continue;
      out.push({ object: c, pool, path: ['spec', ...pool.path], cluster: c.ref.name, clusterObject: c });
    }
  }
  return out;
}

export interface AgentPoolAt {
  object: LoadedObject;
  pool: AksAgentPool;
  path: ObjPath;
  cluster: string;
  clusterObject?: LoadedObject;
}

/** Every AKS agent pool once: a separately described pool (az aks nodepool show/list) wins over agentPoolProfiles[]. */
export function aksAgentPools(state: ClusterState): AgentPoolAt[] {
  const out: AgentPoolAt[] = [];
  const clusters = state.ofKind(cloudGroupKind('AKSCluster'));
  const seen = new Set<string>();
  for (const o of state.ofKind(cloudGroupKind('AKSAgentPool'))) {
    const spec = specOf(o);
    const name = typeof spec.name === 'string' ? spec.name.split('/').pop()! : o.ref.name;
    const cluster = o.obj.metadata?.labels?.[CLUSTER_LABEL] ?? '';
    seen.add(`${cluster}/${name}`);
    out.push({ object: o, pool: { name, path: [], raw: spec }, path: ['spec'], cluster, clusterObject: clusters.find((c) => c.ref.name === cluster) });
  }
  for (const c of clusters) {
    for (const pool of clusterAgentPools(specOf(c))) {
      if (seen.has(`${c.ref.name}/${pool.name}`)) continue;
      out.push({ object: c, pool, path: ['spec', ...pool.path], cluster: c.ref.name, clusterObject: c });
    }
  }
  return out;
}

export interface AksClusterIds {
  name: string;
  resourceGroup: string;
  subscription: string;
  /** `--resource-group RG --name NAME` for az. */
  flags: string;
  /** The cluster's resource id (placeholder parts when unknown). */
  id: string;
}

export function aksIds(o: LoadedObject): AksClusterIds {
  const spec = specOf(o);
  const ids = aksIdentifiers(spec, o.ref.name);
  const rg = ids.resourceGroup ?? 'RESOURCE_GROUP';
  const sub = ids.subscription ?? 'SUBSCRIPTION_ID';
  const name = ids.name.includes('[') ? 'CLUSTER' : ids.name;
  const id = typeof spec.id === 'string' && spec.id.startsWith('/subscriptions/') ? spec.id : `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  return { name, resourceGroup: rg, subscription: sub, flags: `--resource-group ${rg} --name ${name}`, id };
}

/** A Terraform-safe identifier from a name. */
export function tfName(s: string): string {
  const t = s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[a-z_]/.test(t) ? t || 'this' : `r_${t}`;
}
