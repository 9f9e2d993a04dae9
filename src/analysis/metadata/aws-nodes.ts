// Effective EC2 instance metadata (IMDS) options of EKS nodes, per node group (and per instance not
// in a loaded node group). Pure, over ClusterState.
//
// Precedence (EC2 User Guide, "Order of precedence for instance metadata options"): a value set at
// launch (the launch template) wins; else the account-level default of the region
// (GetInstanceMetadataDefaults); else the AMI (ImdsSupport v2.0 means tokens required); else the EC2
// defaults (tokens optional, hop limit 1). EKS managed node groups without a hop limit in their
// launch template get hop limit 2 (EKS default; eksctl too). The running instances' MetadataOptions
// are the truth for nodes that exist: they are used when the launch template leaves a value unset.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { AWS_KINDS, clusterOf, specOf, type Spec } from '../identity/aws.js';

export type Source = 'launch-template' | 'instance' | 'account-default' | 'eks-default' | 'karpenter' | 'karpenter-default';

/** Where a setting came from, in words for findings. */
export const SOURCE_TEXT: Readonly<Record<Source, string>> = {
  'launch-template': 'its launch template',
  instance: 'its running instances',
  'account-default': 'the account default of the region',
  'eks-default': 'the EKS managed node group default, as the launch template does not set it',
  karpenter: 'its Karpenter EC2NodeClass metadataOptions',
  'karpenter-default': 'the Karpenter default',
};

/** Karpenter's AWS node class (v1beta1 and v1) and NodePool: in-cluster objects, not cloud descriptions. */
export const KARPENTER_NODECLASS = 'karpenter.k8s.aws/EC2NodeClass';
export const KARPENTER_NODEPOOL = 'karpenter.sh/NodePool';

export interface Setting<T> {
  value: T;
  source: Source;
  /** The object that holds the value (the place to fix it), and the path to it. */
  object: LoadedObject;
  path: ObjPath;
}

export interface NodeImds {
  /** "node group shop-ng" or "instance i-0abc". */
  label: string;
  subject: LoadedObject;
  cluster: string;
  tokens?: Setting<'optional' | 'required'>;
  hopLimit?: Setting<number>;
  endpoint: 'enabled' | 'disabled' | 'unknown';
  /** Launch template version used, when found. */
  launchTemplate?: LoadedObject;
  /** Instances of the group that are loaded. */
  instances: LoadedObject[];
  /** What is missing to decide tokens / hop limit (IAM action + object), empty when decided. */
  missing: Array<{ what: string; need: string }>;
}

function tag(inst: LoadedObject, key: string): string | undefined {
  const tags = specOf(inst).Tags;
  if (!Array.isArray(tags)) return undefined;
  for (const t of tags) if (t && t.Key === key && typeof t.Value === 'string') return t.Value;
  return undefined;
}

/** The launch template version a node group uses, if loaded. */
export function launchTemplateOf(state: ClusterState, ng: LoadedObject): { ref?: Spec; version?: LoadedObject } {
  const ref = specOf(ng).launchTemplate as Spec | undefined;
  if (!ref || typeof ref !== 'object') return {};
  const versions = state.ofKind(AWS_KINDS.launchTemplate).filter((v) => {
    const s = specOf(v);
    return (ref.id && s.LaunchTemplateId === ref.id) || (ref.name && s.LaunchTemplateName === ref.name);
  });
  const want = ref.version === undefined ? '$Default' : String(ref.version);
  let version: LoadedObject | undefined;
  if (want === '$Default') version = versions.find((v) => specOf(v).DefaultVersion === true);
  else if (want === '$Latest') version = [...versions].sort((a, b) => Number(specOf(b).VersionNumber) - Number(specOf(a).VersionNumber))[0];
  else version = versions.find((v) => String(specOf(v).VersionNumber) === want);
  return { ref, version };
}

function accountDefaults(state: ClusterState): { obj?: LoadedObject; spec: Spec } {
  const o = state.ofKind(AWS_KINDS.imdsDefaults)[0];
  return { obj: o, spec: o ? specOf(o) : {} };
}

function fromInstances(instances: LoadedObject[]): { tokens?: Setting<'optional' | 'required'>; hop?: Setting<number>; endpoint?: 'enabled' | 'disabled' } {
  const out: ReturnType<typeof fromInstances> = {};
  const withMo = instances.filter((i) => specOf(i).MetadataOptions && typeof specOf(i).MetadataOptions === 'object');
  if (withMo.length === 0) return out;
  const open = withMo.find((i) => specOf(i).MetadataOptions.HttpTokens === 'optional');
  const tok = open ?? withMo.find((i) => specOf(i).MetadataOptions.HttpTokens === 'required');
  if (tok) out.tokens = { value: open ? 'optional' : 'required', source: 'instance', object: tok, path: ['spec', 'MetadataOptions', 'HttpTokens'] };
  let maxHop: LoadedObject | undefined;
  for (const i of withMo) {
    const h = specOf(i).MetadataOptions.HttpPutResponseHopLimit;
    if (typeof h === 'number' && (!maxHop || h > specOf(maxHop).MetadataOptions.HttpPutResponseHopLimit)) maxHop = i;
  }
  if (maxHop) out.hop = { value: specOf(maxHop).MetadataOptions.HttpPutResponseHopLimit, source: 'instance', object: maxHop, path: ['spec', 'MetadataOptions', 'HttpPutResponseHopLimit'] };
  const ep = withMo.map((i) => specOf(i).MetadataOptions.HttpEndpoint);
  out.endpoint = ep.some((e) => e !== 'disabled') ? 'enabled' : 'disabled';
  return out;
}

function resolve(state: ClusterState, label: string, subject: LoadedObject, cluster: string, lt: { ref?: Spec; version?: LoadedObject }, instances: LoadedObject[], managed: boolean): NodeImds {
  const r: NodeImds = { label, subject, cluster, endpoint: 'unknown', instances, missing: [] };
  if (lt.version) r.launchTemplate = lt.version;
  const mo = (lt.version ? specOf(lt.version).LaunchTemplateData?.MetadataOptions : undefined) as Spec | undefined;
  const moPath = ['spec', 'LaunchTemplateData', 'MetadataOptions'];
  const inst = fromInstances(instances);
  const acct = accountDefaults(state);
  const ltMissing = lt.ref && !lt.version;

  // Endpoint
  if (mo?.HttpEndpoint === 'disabled' || mo?.HttpEndpoint === 'enabled') r.endpoint = mo.HttpEndpoint;
  else if (inst.endpoint) r.endpoint = inst.endpoint;
  else if (acct.spec.HttpEndpoint === 'disabled' || acct.spec.HttpEndpoint === 'enabled') r.endpoint = acct.spec.HttpEndpoint;
  else if (!ltMissing) r.endpoint = 'enabled';

  // Tokens
  if (mo?.HttpTokens === 'optional' || mo?.HttpTokens === 'required') r.tokens = { value: mo.HttpTokens, source: 'launch-template', object: lt.version!, path: [...moPath, 'HttpTokens'] };
  else if (inst.tokens) r.tokens = inst.tokens;
  else if (!ltMissing && acct.obj && (acct.spec.HttpTokens === 'optional' || acct.spec.HttpTokens === 'required')) {
    r.tokens = { value: acct.spec.HttpTokens, source: 'account-default', object: acct.obj, path: ['spec', 'HttpTokens'] };
  }

  // Hop limit
  if (typeof mo?.HttpPutResponseHopLimit === 'number') r.hopLimit = { value: mo.HttpPutResponseHopLimit, source: 'launch-template', object: lt.version!, path: [...moPath, 'HttpPutResponseHopLimit'] };
  else if (inst.hop) r.hopLimit = inst.hop;
  else if (!ltMissing && acct.obj && typeof acct.spec.HttpPutResponseHopLimit === 'number' && acct.spec.HttpPutResponseHopLimit > 0) {
    r.hopLimit = { value: acct.spec.HttpPutResponseHopLimit, source: 'account-default', object: acct.obj, path: ['spec', 'HttpPutResponseHopLimit'] };
  } else if (!ltMissing && managed) {
    r.hopLimit = { value: 2, source: 'eks-default', object: lt.version ?? subject, path: lt.version ? moPath : ['spec', lt.ref ? 'launchTemplate' : 'nodegroupName'] };
  }

  if (r.endpoint !== 'disabled' && (!r.tokens || !r.hopLimit)) {
    const undecided = [!r.tokens ? 'HttpTokens' : '', !r.hopLimit ? 'hop limit' : ''].filter(Boolean).join(' and ');
    if (ltMissing) {
      r.missing.push({
        what: `launch template ${lt.ref!.id ?? lt.ref!.name} version ${lt.ref!.version ?? '$Default'} of ${label}`,
        need: `ec2:DescribeLaunchTemplateVersions (or ec2:DescribeInstances for its instances, tag eks:nodegroup-name)`,
      });
    } else {
      r.missing.push({
        what: `${undecided} of ${label} (${lt.version ? 'its launch template leaves it unset' : 'no launch template of its own'}, so the account default or the AMI decides)`,
        need: 'ec2:DescribeInstances (its instances, tag eks:nodegroup-name) or ec2:GetInstanceMetadataDefaults',
      });
    }
  }
  return r;
}

/**
 * Karpenter EC2NodeClass metadataOptions. Karpenter fills unset fields with its defaults
 * (httpEndpoint enabled, httpTokens required, httpPutResponseHopLimit 1 in v1, 2 in v1beta1), and the
 * launch templates it creates carry them, so the node class decides for its nodes.
 */
function karpenterImds(state: ClusterState): NodeImds[] {
  const out: NodeImds[] = [];
  for (const nc of state.ofKind(KARPENTER_NODECLASS)) {
    const spec = specOf(nc);
    const mo = (spec.metadataOptions && typeof spec.metadataOptions === 'object' ? spec.metadataOptions : undefined) as Spec | undefined;
    const at = (f: string): string[] => (mo && mo[f] !== undefined ? ['spec', 'metadataOptions', f] : mo ? ['spec', 'metadataOptions'] : ['spec']);
    const tokens = mo?.httpTokens === 'optional' ? 'optional' : 'required';
    // Karpenter v1 defaults to hop limit 1; the v1beta1 API defaulted to 2.
    const hop = typeof mo?.httpPutResponseHopLimit === 'number' ? mo.httpPutResponseHopLimit : String(nc.obj.apiVersion).endsWith('/v1beta1') ? 2 : 1;
    out.push({
      label: `Karpenter EC2NodeClass ${nc.ref.name}`,
      subject: nc,
      cluster: '',
      endpoint: mo?.httpEndpoint === 'disabled' ? 'disabled' : 'enabled',
      tokens: { value: tokens, source: mo?.httpTokens !== undefined ? 'karpenter' : 'karpenter-default', object: nc, path: at('httpTokens') },
      hopLimit: { value: hop, source: mo?.httpPutResponseHopLimit !== undefined ? 'karpenter' : 'karpenter-default', object: nc, path: at('httpPutResponseHopLimit') },
      instances: [],
      missing: [],
    });
  }
  return out;
}

/** The EC2NodeClass name a Karpenter NodePool launches nodes with. */
export function nodePoolClass(pool: LoadedObject): string | undefined {
  const ref = (specOf(pool).template as Spec | undefined)?.spec?.nodeClassRef as Spec | undefined;
  return typeof ref?.name === 'string' ? ref.name : undefined;
}

/** IMDS settings of every loaded node group, Karpenter EC2NodeClass, and loaded instances outside them. */
export function nodeImdsSettings(state: ClusterState): NodeImds[] {
  const out: NodeImds[] = karpenterImds(state);
  const instances = state.ofKind(AWS_KINDS.instance);
  const claimed = new Set<LoadedObject>();
  for (const ng of state.ofKind(AWS_KINDS.nodegroup)) {
    const s = specOf(ng);
    if (s.nodeRole === undefined && s.status === undefined && s.launchTemplate === undefined && s.amiType === undefined) continue; // a name from list-nodegroups only
    const cluster = typeof s.clusterName === 'string' ? s.clusterName : clusterOf(ng);
    const mine = instances.filter((i) => tag(i, 'eks:nodegroup-name') === ng.ref.name && (!tag(i, 'eks:cluster-name') || !cluster || tag(i, 'eks:cluster-name') === cluster));
    for (const i of mine) claimed.add(i);
    out.push(resolve(state, `node group ${ng.ref.name}`, ng, cluster, launchTemplateOf(state, ng), mine, true));
  }
  for (const i of instances) {
    if (claimed.has(i)) continue;
    const s = specOf(i);
    if (s.State && typeof s.State === 'object' && s.State.Name === 'terminated') continue;
    out.push(resolve(state, `instance ${i.ref.name}`, i, tag(i, 'eks:cluster-name') ?? clusterOf(i), {}, [i], false));
  }
  return out;
}
