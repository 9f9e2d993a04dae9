// Which cloud a cluster runs on, from the loaded cloud descriptions and from Kubernetes objects
// (node labels and providerID). Pure; used by scan() to mark rules of other clouds "not applicable"
// and rules missing their cloud description "not assessed".
import type { ClusterState } from '../model/cluster-state.js';
import { CLOUD_GROUP, PROVIDER_LABEL, PROVIDERS, type Provider } from '../cloud/model.js';

export const PROVIDER_NAMES: Readonly<Record<Provider, string>> = Object.freeze({ aws: 'EKS (AWS)', azure: 'AKS (Azure)', gcp: 'GKE (Google Cloud)' });

/** Live-collection syntax per provider, for "pass --cloud ..." hints. */
export const LIVE_SPEC_HINT: Readonly<Record<Provider, string>> = Object.freeze({ aws: 'aws:CLUSTER[@REGION]', azure: 'azure:RG/CLUSTER', gcp: 'gcp:PROJECT/LOCATION/CLUSTER' });

export interface ProviderContext {
  /** Providers with at least one cloud object loaded. */
  loaded: ReadonlySet<Provider>;
  /** Providers the cluster is known to run on (loaded descriptions or Kubernetes evidence), with the evidence. */
  known: ReadonlyMap<Provider, string>;
}

function fromNode(labels: Record<string, string>, providerID: unknown): { p: Provider; why: string } | undefined {
  if ('eks.amazonaws.com/nodegroup' in labels) return { p: 'aws', why: 'node label eks.amazonaws.com/nodegroup' };
  if ('cloud.google.com/gke-nodepool' in labels) return { p: 'gcp', why: 'node label cloud.google.com/gke-nodepool' };
  const az = Object.keys(labels).find((k) => k.startsWith('kubernetes.azure.com/'));
  if (az) return { p: 'azure', why: `node label ${az}` };
  if (typeof providerID === 'string') {
    if (providerID.startsWith('aws://')) return { p: 'aws', why: 'node providerID aws://' };
    if (providerID.startsWith('gce://')) return { p: 'gcp', why: 'node providerID gce://' };
    if (providerID.startsWith('azure://')) return { p: 'azure', why: 'node providerID azure://' };
  }
  return undefined;
}

export function providerContext(state: ClusterState): ProviderContext {
  const loaded = new Set<Provider>();
  const known = new Map<Provider, string>();
  for (const o of state.objects) {
    if (o.group !== CLOUD_GROUP) continue;
    const p = o.obj.metadata?.labels?.[PROVIDER_LABEL] as Provider | undefined;
    if (p && PROVIDERS.includes(p)) {
      loaded.add(p);
      if (!known.has(p)) known.set(p, `${o.ref.kind} ${o.ref.name} in the cloud description`);
    }
  }
  for (const nc of state.ofKind('karpenter.k8s.aws/EC2NodeClass')) {
    if (!known.has('aws')) known.set('aws', `Karpenter EC2NodeClass ${nc.ref.name}`);
  }
  for (const n of state.ofKind('Node')) {
    const hit = fromNode(n.obj.metadata?.labels ?? {}, (n.obj as { spec?: { providerID?: unknown } }).spec?.providerID);
    if (hit && !known.has(hit.p)) known.set(hit.p, `${hit.why} on Node ${n.ref.name}`);
  }
  return { loaded, known };
}
