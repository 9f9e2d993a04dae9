// Who enforces network policy on this cluster? From cloud settings (EKS VPC CNI add-on
// configuration, AKS networkProfile, GKE networkPolicy / Dataplane V2) and from the policy agents
// running as DaemonSets (calico-node, cilium, aws-node + network policy agent, azure-npm, antrea,
// kube-router, weave, ovnkube, GKE anetd). Policies nobody enforces protect nothing.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { aksNetworkPolicyEngine } from '../../cloud/aks.js';
import { gkeFacts } from '../../cloud/gke.js';
import { cloudGroupKind } from '../../cloud/model.js';
import type { Semantics } from './engine.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export type EnforcerId =
  | 'calico'
  | 'cilium'
  | 'gke-dataplane-v2'
  | 'aws-vpc-cni'
  | 'azure-npm'
  | 'antrea'
  | 'kube-router'
  | 'weave'
  | 'ovn-kubernetes';

/** Policy families an enforcer applies. */
export type PolicyFamily = 'NetworkPolicy' | 'AdminNetworkPolicy' | 'ClusterNetworkPolicy' | 'Calico' | 'Cilium';

export interface Evidence {
  readonly object: LoadedObject;
  readonly path: ObjPath;
  readonly detail: string;
}

export interface Enforcer {
  readonly id: EnforcerId;
  /** Which evaluation pipeline models it. */
  readonly engine: 'kubernetes' | 'calico' | 'cilium';
  readonly enforces: readonly PolicyFamily[];
  readonly evidence: Evidence[];
  /** Cilium agent settings when seen (cilium-config ConfigMap). */
  readonly cilium?: { enforcementMode: 'default' | 'always' | 'never'; cidrMatchesNodes: boolean };
  readonly notes: string[];
}

export interface Enforcement {
  /** known: some enforcer found; none: the cloud settings say no policy engine and no agent runs; unknown: cannot tell. */
  readonly status: 'known' | 'none' | 'unknown';
  readonly enforcers: readonly Enforcer[];
  /** Evidence that no engine is configured (status none), or why the answer is unknown. */
  readonly notes: readonly string[];
  readonly evidence: readonly Evidence[];
}

const CALICO_FAMILIES: PolicyFamily[] = ['NetworkPolicy', 'Calico', 'AdminNetworkPolicy', 'ClusterNetworkPolicy'];

function containers(o: LoadedObject): Array<{ c: Any; path: ObjPath }> {
  const spec: Any = (o.obj as Any).spec?.template?.spec;
  const out: Array<{ c: Any; path: ObjPath }> = [];
  for (const f of ['containers', 'initContainers']) {
    const l = spec?.[f];
    if (Array.isArray(l)) l.forEach((c: Any, i: number) => out.push({ c, path: ['spec', 'template', 'spec', f, i] }));
  }
  return out;
}

function imageOf(c: Any): string {
  return typeof c?.image === 'string' ? c.image : '';
}

function argsOf(c: Any): string[] {
  return [...(Array.isArray(c?.command) ? c.command : []), ...(Array.isArray(c?.args) ? c.args : [])].map(String);
}

function envOf(c: Any, name: string): string | undefined {
  const e = Array.isArray(c?.env) ? c.env.find((x: Any) => x?.name === name) : undefined;
  return typeof e?.value === 'string' ? e.value : undefined;
}

function versionOf(image: string): [number, number] | undefined {
  const m = /:v?(\d+)\.(\d+)/.exec(image);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function configMap(state: ClusterState, ns: string, name: string): LoadedObject | undefined {
  return state.get('ConfigMap', ns, name);
}

export function detectEnforcement(state: ClusterState): Enforcement {
  const enforcers = new Map<EnforcerId, Enforcer>();
  const add = (id: EnforcerId, engine: Enforcer['engine'], enforces: PolicyFamily[], ev: Evidence, extra: Partial<Enforcer> = {}): Enforcer => {
    let e = enforcers.get(id);
    if (!e) {
      e = { id, engine, enforces, evidence: [], notes: [], ...extra };
      enforcers.set(id, e);
    }
    e.evidence.push(ev);
    return e;
  };
  const noneEvidence: Evidence[] = [];
  const notes: string[] = [];

  // --- DaemonSets (the agents that actually run)
  for (const ds of state.ofKind('apps/DaemonSet')) {
    const name = ds.ref.name;
    for (const { c, path } of containers(ds)) {
      const img = imageOf(c);
      const cname = String(c?.name ?? '');
      if (/(^|\/)calico\/node(:|@|$)|calico-node/.test(img) || (name === 'calico-node' && cname === 'calico-node')) {
        const v = versionOf(img);
        const e = add('calico', 'calico', CALICO_FAMILIES, { object: ds, path: [...path, 'image'], detail: `calico-node agent (${img || name})` });
        if (v && (v[0] < 3 || (v[0] === 3 && v[1] < 29)) && !e.notes.includes('anp')) {
          (e as unknown as { enforces: PolicyFamily[] }).enforces = ['NetworkPolicy', 'Calico'];
          e.notes.push(`Calico ${v[0]}.${v[1]} predates AdminNetworkPolicy support (3.29): admin network policies are not enforced`);
        }
      } else if (/(^|\/)cilium\/cilium(:|@|$)|quay\.io\/cilium\/cilium|\/cilium:/.test(img) || (name === 'cilium' && cname === 'cilium-agent')) {
        const cfg = configMap(state, ds.ref.namespace ?? 'kube-system', 'cilium-config');
        const data: Any = (cfg?.obj as Any)?.data ?? {};
        const mode = data['enable-policy'] === 'never' || data['enable-policy'] === 'always' ? data['enable-policy'] : 'default';
        const e = add('cilium', 'cilium', ['NetworkPolicy', 'Cilium'], { object: ds, path: [...path, 'image'], detail: `cilium agent (${img || name})` }, { cilium: { enforcementMode: mode, cidrMatchesNodes: String(data['policy-cidr-match-mode'] ?? '').includes('nodes') } });
        if (cfg) e.evidence.push({ object: cfg, path: ['data'], detail: `cilium-config enable-policy=${mode}` });
        if (mode === 'never') e.notes.push('cilium-config enable-policy=never: Cilium enforces no policy');
      } else if (name === 'anetd' || /gke.*\/(anetd|cilium)/.test(img)) {
        add('gke-dataplane-v2', 'cilium', ['NetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `GKE Dataplane V2 agent (${img || name})` }, { cilium: { enforcementMode: 'default', cidrMatchesNodes: false } });
      } else if (/amazon-k8s-cni|aws-network-policy-agent/.test(img) || name === 'aws-node') {
        const agent = /aws-network-policy-agent/.test(img) || cname === 'aws-eks-nodeagent';
        if (agent) {
          const args = argsOf(c).join(' ');
          const on = /--enable-network-policy=true/.test(args);
          if (on) add('aws-vpc-cni', 'kubernetes', ['NetworkPolicy'], { object: ds, path: [...path, 'args'], detail: 'aws-node network policy agent with --enable-network-policy=true' });
          else noneEvidence.push({ object: ds, path: [...path, 'args'], detail: 'aws-node network policy agent present but --enable-network-policy is not true' });
        } else if (/amazon-k8s-cni/.test(img)) {
          const hasAgent = containers(ds).some(({ c: x }) => /aws-network-policy-agent/.test(imageOf(x)) || x?.name === 'aws-eks-nodeagent');
          if (!hasAgent) noneEvidence.push({ object: ds, path: [...path, 'image'], detail: 'aws-node (VPC CNI) without the network policy agent container: NetworkPolicy is not enforced by the CNI' });
        }
      } else if (/azure-npm/.test(img) || name === 'azure-npm') {
        add('azure-npm', 'kubernetes', ['NetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `Azure Network Policy Manager (${img || name})` });
      } else if (/antrea/.test(img) && /agent/.test(name + cname)) {
        add('antrea', 'kubernetes', ['NetworkPolicy', 'AdminNetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `antrea-agent (${img})` });
      } else if (/kube-router/.test(img)) {
        const args = argsOf(c).join(' ');
        if (/--run-firewall=false/.test(args)) noneEvidence.push({ object: ds, path: [...path, 'args'], detail: 'kube-router with --run-firewall=false does not enforce NetworkPolicy' });
        else add('kube-router', 'kubernetes', ['NetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `kube-router (${img})` });
      } else if (/weave-npc/.test(img) || cname === 'weave-npc') {
        add('weave', 'kubernetes', ['NetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `weave-npc (${img})` });
      } else if (/ovn-kubernetes|ovnkube/.test(img) && /node/.test(name + cname)) {
        add('ovn-kubernetes', 'kubernetes', ['NetworkPolicy', 'AdminNetworkPolicy'], { object: ds, path: [...path, 'image'], detail: `ovnkube-node (${img})` });
      }
      void envOf;
    }
  }

  // --- ConfigMap of the VPC CNI (amazon-vpc-cni enable-network-policy-controller)
  const vpcCm = configMap(state, 'kube-system', 'amazon-vpc-cni');
  if (vpcCm) {
    const v = String(((vpcCm.obj as Any).data ?? {})['enable-network-policy-controller'] ?? '');
    if (v === 'true') add('aws-vpc-cni', 'kubernetes', ['NetworkPolicy'], { object: vpcCm, path: ['data', 'enable-network-policy-controller'], detail: 'amazon-vpc-cni enable-network-policy-controller=true' });
  }

  // --- Cloud settings
  for (const addon of state.ofKind(cloudGroupKind('EKSAddon'))) {
    const spec: Any = (addon.obj as Any).spec ?? {};
    if (spec.addonName !== 'vpc-cni') continue;
    let cfg: Any = spec.configurationValues;
    if (typeof cfg === 'string') {
      try {
        cfg = JSON.parse(cfg);
      } catch {
        cfg = undefined;
      }
    }
    const on = cfg && String(cfg.enableNetworkPolicy) === 'true';
    if (on) add('aws-vpc-cni', 'kubernetes', ['NetworkPolicy'], { object: addon, path: ['spec', 'configurationValues'], detail: 'EKS vpc-cni add-on configurationValues enableNetworkPolicy=true' });
    else noneEvidence.push({ object: addon, path: ['spec', 'configurationValues'], detail: 'EKS vpc-cni add-on without enableNetworkPolicy=true: the VPC CNI does not enforce NetworkPolicy' });
  }
  for (const c of state.ofKind(cloudGroupKind('AKSCluster'))) {
    const spec: Any = (c.obj as Any).spec ?? {};
    const body = spec.properties && typeof spec.properties === 'object' ? spec.properties : spec;
    const eng = aksNetworkPolicyEngine(body);
    const path: ObjPath = ['spec', ...(body === spec ? [] : ['properties']), ...eng.path];
    if (eng.unknown) notes.push(`AKS cluster ${c.ref.name}: networkPolicy is a template expression`);
    else if (eng.engine === 'azure') add('azure-npm', 'kubernetes', ['NetworkPolicy'], { object: c, path, detail: 'AKS networkProfile.networkPolicy=azure (Azure Network Policy Manager)' });
    else if (eng.engine === 'calico') add('calico', 'calico', CALICO_FAMILIES, { object: c, path, detail: 'AKS networkProfile.networkPolicy=calico' });
    else if (eng.engine === 'cilium') add('cilium', 'cilium', ['NetworkPolicy', 'Cilium'], { object: c, path, detail: 'AKS Azure CNI powered by Cilium (networkPolicy/networkDataplane cilium)' }, { cilium: { enforcementMode: 'default', cidrMatchesNodes: false } });
    else noneEvidence.push({ object: c, path, detail: 'AKS networkProfile.networkPolicy is none/absent: no network policy engine' });
  }
  for (const c of state.ofKind(cloudGroupKind('GKECluster'))) {
    const spec: Any = (c.obj as Any).spec ?? {};
    const f = gkeFacts(spec);
    if (f.datapathProvider === 'ADVANCED_DATAPATH' || f.autopilot) add('gke-dataplane-v2', 'cilium', ['NetworkPolicy'], { object: c, path: f.autopilot ? ['spec', 'autopilot', 'enabled'] : ['spec', 'networkConfig', 'datapathProvider'], detail: f.autopilot ? 'GKE Autopilot (Dataplane V2)' : 'GKE networkConfig.datapathProvider=ADVANCED_DATAPATH (Dataplane V2)' }, { cilium: { enforcementMode: 'default', cidrMatchesNodes: false } });
    else if (f.networkPolicyEnabled === true) add('calico', 'calico', ['NetworkPolicy', 'Calico'], { object: c, path: ['spec', 'networkPolicy', 'enabled'], detail: `GKE networkPolicy.enabled (provider ${f.networkPolicyProvider ?? 'CALICO'})` });
    else noneEvidence.push({ object: c, path: ['spec', 'networkPolicy'], detail: 'GKE network policy enforcement disabled (networkPolicy.enabled false/absent, legacy datapath)' });
  }
  const list = [...enforcers.values()];
  if (list.length > 0) return { status: 'known', enforcers: list, notes, evidence: noneEvidence };
  if (noneEvidence.length > 0) return { status: 'none', enforcers: [], notes: [...notes, ...noneEvidence.map((e) => e.detail)], evidence: noneEvidence };
  return { status: 'unknown', enforcers: [], notes: [...notes, 'no cloud network settings and no policy agent DaemonSet in the model: whether policies are enforced is unknown'], evidence: [] };
}

/** The spec-level reading of each enforcer (where the specification leaves room). */
export function semanticsFor(e: Enforcer | undefined): Semantics {
  switch (e?.id) {
    case 'calico':
      return { name: 'calico', ipBlockPodIPs: true, ipBlockNodeIPs: true, endPort: true, hostNetworkPeers: false, hostNetworkSubjects: false };
    case 'cilium':
    case 'gke-dataplane-v2':
      return { name: e.id, ipBlockPodIPs: false, ipBlockNodeIPs: e.cilium?.cidrMatchesNodes ?? false, endPort: true, hostNetworkPeers: false, hostNetworkSubjects: false };
    case 'aws-vpc-cni':
    case 'azure-npm':
    case 'kube-router':
    case 'weave':
      return { name: e.id, ipBlockPodIPs: true, ipBlockNodeIPs: 'undefined', endPort: 'undefined', hostNetworkPeers: false, hostNetworkSubjects: false };
    case 'antrea':
    case 'ovn-kubernetes':
      return { name: e.id, ipBlockPodIPs: true, ipBlockNodeIPs: 'undefined', endPort: true, hostNetworkPeers: false, hostNetworkSubjects: false };
    default:
      return { name: 'kubernetes-spec', ipBlockPodIPs: 'undefined', ipBlockNodeIPs: 'undefined', endPort: 'undefined', hostNetworkPeers: 'undefined', hostNetworkSubjects: false };
  }
}
