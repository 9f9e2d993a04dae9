// The catalogue of risky permissions and escalation techniques (guide: "Risky permissions and
// escalation techniques"), as data. A technique is held when every permission ("atom") of one of its
// variants is granted, each checked with the authorizer's exact matching (verbs, apiGroups,
// resources and subresources, resourceNames) and in the right scope: `ns` atoms are requests in a
// namespace (granted by ClusterRoleBindings and by RoleBindings of that namespace), `cluster` atoms
// are requests without a namespace (granted by ClusterRoleBindings only).
import type { Severity } from '../../core/types.js';
import { apiGroupMatches, combinedResource, resourceMatches, resourceNameMatches, verbMatches } from './match.js';
import type { PolicyRule } from './types.js';

/**
 * How the request's name is chosen when an atom is checked against a rule:
 * - unnamed: the request carries no name (create, list, watch, deletecollection, or "every object"):
 *   a rule with resourceNames never matches;
 * - any-name: the request names some object: a rule with resourceNames matches, restricted to them;
 * - named: the request names exactly `name`.
 */
export type AtomMode = 'unnamed' | 'any-name' | 'named';

export interface AtomTarget {
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
}

export interface Atom {
  readonly id: string;
  readonly verbs: readonly string[];
  readonly targets: readonly AtomTarget[];
  readonly mode: AtomMode;
  /** For mode 'named'. */
  readonly name?: string;
}

const RBAC = 'rbac.authorization.k8s.io';
const t = (apiGroup: string, combined: string): AtomTarget => {
  const i = combined.indexOf('/');
  return i < 0 ? { apiGroup, resource: combined } : { apiGroup, resource: combined.slice(0, i), subresource: combined.slice(i + 1) };
};
const CONTROLLERS: AtomTarget[] = [
  t('apps', 'deployments'), t('apps', 'daemonsets'), t('apps', 'statefulsets'), t('apps', 'replicasets'),
  t('batch', 'jobs'), t('batch', 'cronjobs'), t('', 'replicationcontrollers'),
];
const WEBHOOK_GROUP = 'admissionregistration.k8s.io';

/** Every atom; the index in this list is the atom's number. */
export const ATOMS = [
  { id: 'full', verbs: ['*'], targets: [t('*', '*')], mode: 'unnamed' },
  { id: 'create-pods', verbs: ['create'], targets: [t('', 'pods')], mode: 'unnamed' },
  { id: 'create-controllers', verbs: ['create'], targets: CONTROLLERS, mode: 'unnamed' },
  { id: 'update-controllers', verbs: ['update', 'patch'], targets: CONTROLLERS, mode: 'any-name' },
  { id: 'update-pods', verbs: ['update', 'patch'], targets: [t('', 'pods')], mode: 'any-name' },
  { id: 'exec-attach', verbs: ['create', 'get'], targets: [t('', 'pods/exec'), t('', 'pods/attach')], mode: 'any-name' },
  { id: 'ephemeral-containers', verbs: ['update', 'patch'], targets: [t('', 'pods/ephemeralcontainers')], mode: 'any-name' },
  { id: 'portforward', verbs: ['create', 'get'], targets: [t('', 'pods/portforward')], mode: 'any-name' },
  { id: 'read-secrets', verbs: ['get', 'list', 'watch'], targets: [t('', 'secrets')], mode: 'unnamed' },
  { id: 'create-token', verbs: ['create'], targets: [t('', 'serviceaccounts/token')], mode: 'any-name' },
  { id: 'create-secrets', verbs: ['create'], targets: [t('', 'secrets')], mode: 'unnamed' },
  { id: 'create-clusterrolebindings', verbs: ['create'], targets: [t(RBAC, 'clusterrolebindings')], mode: 'unnamed' },
  { id: 'update-clusterrolebindings', verbs: ['update', 'patch'], targets: [t(RBAC, 'clusterrolebindings')], mode: 'any-name' },
  { id: 'create-rolebindings', verbs: ['create'], targets: [t(RBAC, 'rolebindings')], mode: 'unnamed' },
  { id: 'update-rolebindings', verbs: ['update', 'patch'], targets: [t(RBAC, 'rolebindings')], mode: 'any-name' },
  { id: 'bind-clusterroles', verbs: ['bind'], targets: [t(RBAC, 'clusterroles')], mode: 'any-name' },
  { id: 'bind-roles', verbs: ['bind'], targets: [t(RBAC, 'roles')], mode: 'any-name' },
  { id: 'escalate-clusterroles', verbs: ['escalate'], targets: [t(RBAC, 'clusterroles')], mode: 'any-name' },
  { id: 'update-clusterroles', verbs: ['update', 'patch'], targets: [t(RBAC, 'clusterroles')], mode: 'any-name' },
  { id: 'escalate-roles', verbs: ['escalate'], targets: [t(RBAC, 'roles')], mode: 'any-name' },
  { id: 'update-roles', verbs: ['update', 'patch'], targets: [t(RBAC, 'roles')], mode: 'any-name' },
  { id: 'impersonate-users', verbs: ['impersonate'], targets: [t('', 'users')], mode: 'any-name' },
  { id: 'impersonate-groups', verbs: ['impersonate'], targets: [t('', 'groups')], mode: 'any-name' },
  { id: 'impersonate-serviceaccounts', verbs: ['impersonate'], targets: [t('', 'serviceaccounts')], mode: 'any-name' },
  { id: 'nodes-proxy', verbs: ['get', 'create'], targets: [t('', 'nodes/proxy')], mode: 'any-name' },
  { id: 'create-csr', verbs: ['create'], targets: [t('certificates.k8s.io', 'certificatesigningrequests')], mode: 'unnamed' },
  { id: 'approve-csr', verbs: ['update', 'patch'], targets: [t('certificates.k8s.io', 'certificatesigningrequests/approval')], mode: 'any-name' },
  { id: 'approve-signers', verbs: ['approve'], targets: [t('certificates.k8s.io', 'signers')], mode: 'any-name' },
  { id: 'create-mutating-webhooks', verbs: ['create'], targets: [t(WEBHOOK_GROUP, 'mutatingwebhookconfigurations')], mode: 'unnamed' },
  { id: 'update-mutating-webhooks', verbs: ['update', 'patch'], targets: [t(WEBHOOK_GROUP, 'mutatingwebhookconfigurations')], mode: 'any-name' },
  { id: 'create-validating-webhooks', verbs: ['create'], targets: [t(WEBHOOK_GROUP, 'validatingwebhookconfigurations')], mode: 'unnamed' },
  { id: 'update-validating-webhooks', verbs: ['update', 'patch'], targets: [t(WEBHOOK_GROUP, 'validatingwebhookconfigurations')], mode: 'any-name' },
  { id: 'update-node-status', verbs: ['update', 'patch'], targets: [t('', 'nodes/status')], mode: 'any-name' },
  { id: 'update-pod-status', verbs: ['update', 'patch'], targets: [t('', 'pods/status')], mode: 'any-name' },
  { id: 'delete-pods', verbs: ['delete'], targets: [t('', 'pods')], mode: 'any-name' },
  { id: 'evict-pods', verbs: ['create'], targets: [t('', 'pods/eviction')], mode: 'any-name' },
  { id: 'update-nodes', verbs: ['update', 'patch'], targets: [t('', 'nodes')], mode: 'any-name' },
  { id: 'update-services-status', verbs: ['update', 'patch'], targets: [t('', 'services/status')], mode: 'any-name' },
  { id: 'update-aws-auth', verbs: ['update', 'patch'], targets: [t('', 'configmaps')], mode: 'named', name: 'aws-auth' },
  { id: 'update-coredns', verbs: ['update', 'patch'], targets: [t('', 'configmaps')], mode: 'named', name: 'coredns' },
  { id: 'create-persistentvolumes', verbs: ['create'], targets: [t('', 'persistentvolumes')], mode: 'unnamed' },
] as const satisfies readonly Atom[];

export type AtomId = (typeof ATOMS)[number]['id'];
export const ATOM_INDEX: Readonly<Record<AtomId, number>> = Object.freeze(
  Object.fromEntries(ATOMS.map((a, i) => [a.id, i])) as Record<AtomId, number>,
);

/** Where a variant's atom is requested: in the namespace being evaluated, or without a namespace. */
export type AtomWhere = 'ns' | 'cluster';

export interface VariantAtom {
  readonly atom: AtomId;
  readonly where: AtomWhere;
}

export interface Variant {
  /** What this variant lets the holder do, e.g. "create pods". */
  readonly label: string;
  readonly atoms: readonly VariantAtom[];
}

/**
 * - namespaced: evaluated cluster-wide (ClusterRoleBindings alone) and per namespace;
 * - cluster: about cluster-scoped resources, only ClusterRoleBindings can grant it;
 * - kube-system: only meaningful in namespace kube-system.
 */
export type TechniqueScope = 'namespaced' | 'cluster' | 'kube-system';

export const TECHNIQUE_IDS = [
  'cluster-admin',
  'impersonate',
  'bind-escalate',
  'nodes-proxy',
  'webhook-config',
  'aws-auth',
  'read-secrets',
  'create-workloads',
  'token-create',
  'pod-exec',
  'csr-approve',
  'pv-create',
  'coredns',
  'modify-pods',
  'node-pod-status',
  'pod-theft',
  'services-status',
] as const;
export type TechniqueId = (typeof TECHNIQUE_IDS)[number];

export interface Technique {
  readonly id: TechniqueId;
  /** The least-privilege rule that reports it. */
  readonly ruleId: string;
  /** Verb phrase for messages: "{subject} can {action} in shop". */
  readonly action: string;
  /** Severity when held cluster-wide (or in kube-system); one step lower in another namespace. */
  readonly severity: Severity;
  readonly scope: TechniqueScope;
  readonly variants: readonly Variant[];
  /** What the holder gains, for explanations. */
  readonly effect: string;
}

const v = (label: string, ...atoms: Array<[AtomId, AtomWhere]>): Variant => ({ label, atoms: atoms.map(([atom, where]) => ({ atom, where })) });

/** The catalogue, most dangerous first (the order `explain` and messages use). */
export const TECHNIQUES: readonly Technique[] = Object.freeze([
  {
    id: 'cluster-admin', ruleId: 'rbac-cluster-admin-binding', action: 'do anything (* on * in *)', severity: 'critical', scope: 'namespaced',
    effect: 'every permission', variants: [v('* on *', ['full', 'ns'])],
  },
  {
    id: 'impersonate', ruleId: 'rbac-impersonate', action: 'impersonate other identities', severity: 'critical', scope: 'namespaced',
    effect: 'act as any user, group (including system:masters) or service account it may impersonate',
    variants: [
      v('impersonate users', ['impersonate-users', 'cluster']),
      v('impersonate groups', ['impersonate-groups', 'cluster']),
      v('impersonate service accounts', ['impersonate-serviceaccounts', 'ns']),
    ],
  },
  {
    id: 'bind-escalate', ruleId: 'rbac-bind-escalate', action: 'grant permissions it does not hold (bind / escalate)', severity: 'critical', scope: 'namespaced',
    effect: 'bind roles it does not hold, or write rules it does not hold into roles, and so grant itself more',
    variants: [
      v('create ClusterRoleBindings to ClusterRoles it may bind', ['create-clusterrolebindings', 'cluster'], ['bind-clusterroles', 'cluster']),
      v('update ClusterRoleBindings to ClusterRoles it may bind', ['update-clusterrolebindings', 'cluster'], ['bind-clusterroles', 'cluster']),
      v('create RoleBindings to ClusterRoles it may bind', ['create-rolebindings', 'ns'], ['bind-clusterroles', 'ns']),
      v('update RoleBindings to ClusterRoles it may bind', ['update-rolebindings', 'ns'], ['bind-clusterroles', 'ns']),
      v('create RoleBindings to Roles it may bind', ['create-rolebindings', 'ns'], ['bind-roles', 'ns']),
      v('update RoleBindings to Roles it may bind', ['update-rolebindings', 'ns'], ['bind-roles', 'ns']),
      v('escalate ClusterRoles it may update', ['escalate-clusterroles', 'cluster'], ['update-clusterroles', 'cluster']),
      v('escalate Roles it may update', ['escalate-roles', 'ns'], ['update-roles', 'ns']),
    ],
  },
  {
    id: 'nodes-proxy', ruleId: 'rbac-nodes-proxy', action: 'reach the kubelet API through nodes/proxy', severity: 'critical', scope: 'cluster',
    effect: 'run commands in any pod of any node through the kubelet API, bypassing admission and audit of pods/exec',
    variants: [v('get/create nodes/proxy', ['nodes-proxy', 'cluster'])],
  },
  {
    id: 'webhook-config', ruleId: 'rbac-webhook-config', action: 'write admission webhook configurations', severity: 'critical', scope: 'cluster',
    effect: 'intercept (validating) or alter (mutating) every object written to the API, e.g. inject a container into every new pod',
    variants: [
      v('create MutatingWebhookConfigurations', ['create-mutating-webhooks', 'cluster']),
      v('update MutatingWebhookConfigurations', ['update-mutating-webhooks', 'cluster']),
      v('create ValidatingWebhookConfigurations', ['create-validating-webhooks', 'cluster']),
      v('update ValidatingWebhookConfigurations', ['update-validating-webhooks', 'cluster']),
    ],
  },
  {
    id: 'aws-auth', ruleId: 'rbac-aws-auth-edit', action: 'edit the EKS aws-auth ConfigMap', severity: 'critical', scope: 'kube-system',
    effect: 'map any IAM principal to system:masters (EKS)',
    variants: [v('update/patch ConfigMap kube-system/aws-auth', ['update-aws-auth', 'ns'])],
  },
  {
    id: 'read-secrets', ruleId: 'rbac-read-secrets', action: 'read all secrets', severity: 'critical', scope: 'namespaced',
    effect: 'read every credential stored in Secrets, including service-account tokens',
    variants: [v('get/list/watch secrets', ['read-secrets', 'ns'])],
  },
  {
    id: 'create-workloads', ruleId: 'rbac-create-workloads', action: 'create or change workloads', severity: 'critical', scope: 'namespaced',
    effect: 'run a pod as any service account of the namespace (and steal its token), mount host paths, run privileged',
    variants: [
      v('create pods', ['create-pods', 'ns']),
      v('create workload controllers', ['create-controllers', 'ns']),
      v('update workload controllers', ['update-controllers', 'ns']),
    ],
  },
  {
    id: 'token-create', ruleId: 'rbac-token-create', action: 'mint service-account tokens', severity: 'critical', scope: 'namespaced',
    effect: 'obtain a token for a service account and act as it',
    variants: [
      v('create serviceaccounts/token', ['create-token', 'ns']),
      v('create secrets (of type kubernetes.io/service-account-token)', ['create-secrets', 'ns']),
    ],
  },
  {
    id: 'pod-exec', ruleId: 'rbac-pod-exec', action: 'run commands in pods (exec, attach, ephemeral containers, port-forward)', severity: 'high', scope: 'namespaced',
    effect: 'execute code in running pods and use their service-account tokens',
    variants: [
      v('exec / attach', ['exec-attach', 'ns']),
      v('add ephemeral containers', ['ephemeral-containers', 'ns']),
      v('port-forward', ['portforward', 'ns']),
    ],
  },
  {
    id: 'csr-approve', ruleId: 'rbac-csr-approve', action: 'create and approve certificate signing requests', severity: 'critical', scope: 'cluster',
    effect: 'obtain client certificates for any user or group the signer accepts (system:masters on some setups)',
    variants: [v('create + approve CSRs', ['create-csr', 'cluster'], ['approve-csr', 'cluster'], ['approve-signers', 'cluster'])],
  },
  {
    id: 'pv-create', ruleId: 'rbac-pv-create', action: 'create PersistentVolumes', severity: 'high', scope: 'cluster',
    effect: 'create hostPath volumes and read or write node files from a pod that claims them',
    variants: [v('create persistentvolumes', ['create-persistentvolumes', 'cluster'])],
  },
  {
    id: 'coredns', ruleId: 'rbac-coredns-edit', action: 'edit the CoreDNS ConfigMap', severity: 'high', scope: 'kube-system',
    effect: 'redirect cluster DNS',
    variants: [v('update/patch ConfigMap kube-system/coredns', ['update-coredns', 'ns'])],
  },
  {
    id: 'modify-pods', ruleId: 'rbac-modify-pods', action: 'update running pods', severity: 'high', scope: 'namespaced',
    effect: "change the image of a running pod's containers and so run code with its token",
    variants: [v('update/patch pods', ['update-pods', 'ns'])],
  },
  {
    id: 'node-pod-status', ruleId: 'rbac-status-update', action: 'rewrite node or pod status', severity: 'medium', scope: 'namespaced',
    effect: 'mislead the scheduler and controllers (e.g. fake readiness, node addresses)',
    variants: [v('update/patch nodes/status', ['update-node-status', 'cluster']), v('update/patch pods/status', ['update-pod-status', 'ns'])],
  },
  {
    id: 'pod-theft', ruleId: 'rbac-pod-theft', action: 'evict pods and cordon nodes', severity: 'medium', scope: 'namespaced',
    effect: 'move pods onto a node it controls',
    variants: [
      v('delete pods + update nodes', ['delete-pods', 'ns'], ['update-nodes', 'cluster']),
      v('evict pods + update nodes', ['evict-pods', 'ns'], ['update-nodes', 'cluster']),
    ],
  },
  {
    id: 'services-status', ruleId: 'rbac-services-status', action: 'rewrite service status', severity: 'medium', scope: 'namespaced',
    effect: 'set LoadBalancer ingress IPs and intercept traffic (CVE-2020-8554)',
    variants: [v('update/patch services/status', ['update-services-status', 'ns'])],
  },
] satisfies Technique[]);

export const TECHNIQUE_BY_ID: Readonly<Record<TechniqueId, Technique>> = Object.freeze(
  Object.fromEntries(TECHNIQUES.map((x) => [x.id, x])) as Record<TechniqueId, Technique>,
);

export interface AtomMatch {
  readonly atom: number;
  /** resourceNames the rule restricts the atom to (undefined: every name). */
  readonly names?: readonly string[];
  /** "create pods", "patch deployments.apps": what of the atom the rule grants. */
  readonly matched: readonly string[];
}

const targetText = (tg: AtomTarget): string =>
  `${tg.resource}${tg.apiGroup && tg.apiGroup !== '*' ? `.${tg.apiGroup}` : ''}${tg.subresource ? `/${tg.subresource}` : ''}`;

/** The atoms a rule grants (exact authorizer matching; the request namespace never matters to a rule). */
/** Per atom, per target: what the match needs of it, worked out once (the resource with its subresource, and its text). */
let targetInfo: Array<Array<{ apiGroup: string; combined: string; sub: string; text: string }>> | undefined;

export function matchAtoms(rule: PolicyRule): AtomMatch[] {
  if (rule.resources.length === 0 || rule.verbs.length === 0 || rule.apiGroups.length === 0) return [];
  targetInfo ??= ATOMS.map((a) => a.targets.map((tg) => ({ apiGroup: tg.apiGroup, combined: combinedResource(tg), sub: tg.subresource ?? '', text: targetText(tg) })));
  const out: AtomMatch[] = [];
  const restricted = rule.resourceNames.length > 0;
  for (let i = 0; i < ATOMS.length; i++) {
    const a: Atom = ATOMS[i];
    let name: string;
    if (a.mode === 'unnamed') {
      if (restricted) continue;
      name = '';
    } else if (a.mode === 'named') name = a.name!;
    else name = restricted ? rule.resourceNames[0] : '';
    // ruleAllows for the resource request (verb, target, name), without making one per pair.
    if (!resourceNameMatches(rule, name)) continue;
    let matched: string[] | undefined;
    const targets = targetInfo[i];
    // Indexed loops: see match.ts.
    for (let v = 0; v < a.verbs.length; v++) {
      const verb = a.verbs[v];
      if (!verbMatches(rule, verb)) continue;
      for (let k = 0; k < targets.length; k++) {
        const tg = targets[k];
        if (apiGroupMatches(rule, tg.apiGroup) && resourceMatches(rule, tg.combined, tg.sub)) (matched ??= []).push(`${verb} ${tg.text}`);
      }
    }
    if (matched === undefined) continue;
    out.push(a.mode === 'any-name' && restricted ? { atom: i, names: [...new Set(rule.resourceNames)], matched } : { atom: i, matched });
  }
  return out;
}

/** One step lower, for techniques held in a single ordinary namespace. */
export function lowerSeverity(s: Severity): Severity {
  return s === 'critical' ? 'high' : s === 'high' ? 'medium' : s === 'medium' ? 'low' : s === 'low' ? 'info' : 'info';
}
