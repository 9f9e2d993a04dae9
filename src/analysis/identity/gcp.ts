// GKE service account -> Google service account -> project roles, and who can take the Google
// service account over. Pure, over ClusterState (cloud objects of src/cloud/model.ts).
//
// Semantics (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity,
// https://cloud.google.com/iam/docs/service-account-permissions):
// - A Kubernetes service account (KSA) annotated `iam.gke.io/gcp-service-account: GSA` gets GSA's
//   tokens from the GKE metadata server when GSA's IAM policy grants roles/iam.workloadIdentityUser
//   to `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]` (granted on the project, the member may
//   impersonate every service account of the project).
// - Workload Identity Federation for GKE also lets a project policy name the KSA directly:
//   `principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/subject/ns/NS/sa/KSA`
//   (or principalSet://.../namespace/NS, .../kubernetes.cluster/URL).
// - Holders of roles/iam.serviceAccountUser (actAs), roles/iam.serviceAccountTokenCreator (mint
//   tokens), roles/iam.workloadIdentityUser and roles/iam.serviceAccountKeyAdmin (create keys) on a
//   service account, or on its whole project, can act as it: they take over its permissions.
import type { LoadedObject, ObjPath } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import { cloudGroupKind } from '../../cloud/model.js';
import { annotatedServiceAccounts, podsByServiceAccount } from './pod-service-accounts.js';

export const GKE_SA_ANNOTATION = 'iam.gke.io/gcp-service-account';

export const GKE_CLUSTER = cloudGroupKind('GKECluster');
export const GKE_NODE_POOL = cloudGroupKind('GKENodePool');
export const GCP_PROJECT_POLICY = cloudGroupKind('GCPProjectIAMPolicy');
export const GCP_SA_POLICY = cloudGroupKind('GCPServiceAccountIAMPolicy');

/** Roles that let their holder act as a service account, with what they allow. */
export const IMPERSONATION_ROLES: Readonly<Record<string, string>> = Object.freeze({
  'roles/iam.workloadIdentityUser': 'impersonate it from Workload Identity',
  'roles/iam.serviceAccountUser': 'act as it (run workloads and attach it to resources)',
  'roles/iam.serviceAccountTokenCreator': 'mint OAuth access and ID tokens for it',
  'roles/iam.serviceAccountKeyAdmin': 'create long-lived keys for it',
});

/** Roles that amount to control of the project (or of its IAM policy). */
export const PROJECT_ADMIN_ROLES: Readonly<Record<string, string>> = Object.freeze({
  'roles/owner': 'full control of the project, including its IAM policy',
  'roles/editor': 'write access to almost every resource of the project',
  'roles/resourcemanager.projectIamAdmin': 'can grant itself any role on the project',
  'roles/iam.securityAdmin': 'can grant itself any role on the project',
  'roles/iam.serviceAccountAdmin': 'can change the IAM policy of every service account of the project',
});

export type RoleLevel = 'admin' | 'impersonation' | 'service-admin' | 'other';

/** How dangerous a role is when held on a whole project. */
export function classifyProjectRole(role: string): { level: RoleLevel; why: string } {
  if (role in PROJECT_ADMIN_ROLES) return { level: 'admin', why: PROJECT_ADMIN_ROLES[role] };
  if (role in IMPERSONATION_ROLES) return { level: 'impersonation', why: `can ${IMPERSONATION_ROLES[role]} for every service account of the project` };
  if (/^roles\/[a-z]+\.admin$/.test(role)) return { level: 'service-admin', why: `full control of ${role.slice(6, -6)} resources of the project` };
  return { level: 'other', why: '' };
}

export interface GcpBinding {
  policy: LoadedObject;
  scope: 'project' | 'service-account';
  /** Project id (project policies; may be unknown) or service-account email. */
  target: string;
  role: string;
  members: string[];
  /** Condition title or expression, when the binding is conditional. */
  condition?: string;
  /** Path of the binding inside the policy object (['spec', 'bindings', i]). */
  path: ObjPath;
}

function bindingsOf(o: LoadedObject, scope: GcpBinding['scope'], target: string): GcpBinding[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spec = (o.obj as any).spec ?? {};
  const list = Array.isArray(spec.bindings) ? spec.bindings : [];
  const out: GcpBinding[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  list.forEach((b: any, i: number) => {
    if (!b || typeof b.role !== 'string') return;
    const members = Array.isArray(b.members) ? b.members.filter((m: unknown): m is string => typeof m === 'string') : [];
    const cond = b.condition ? String(b.condition.title ?? b.condition.expression ?? 'conditional') : undefined;
    out.push({ policy: o, scope, target, role: b.role, members, ...(cond ? { condition: cond } : {}), path: ['spec', 'bindings', i] });
  });
  return out;
}

/** The project id a project policy belongs to ('' when unknown: the policy is then taken to be the cluster's project). */
export function policyProject(o: LoadedObject): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const p = (o.obj as any).spec?.project;
  return typeof p === 'string' ? p : '';
}

export function projectBindings(state: ClusterState): GcpBinding[] {
  return state.ofKind(GCP_PROJECT_POLICY).flatMap((o) => bindingsOf(o, 'project', policyProject(o)));
}

/** The service account a service-account IAM policy belongs to (spec.serviceAccount, else the object name). */
export function policyServiceAccount(o: LoadedObject): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const e = (o.obj as any).spec?.serviceAccount;
  return (typeof e === 'string' && e !== '' ? e : o.ref.name).toLowerCase();
}

export function serviceAccountPolicies(state: ClusterState, email?: string): LoadedObject[] {
  const all = state.ofKind(GCP_SA_POLICY);
  return email === undefined ? [...all] : all.filter((o) => policyServiceAccount(o) === email.toLowerCase());
}

export function serviceAccountBindings(state: ClusterState, email?: string): GcpBinding[] {
  return serviceAccountPolicies(state, email).flatMap((o) => bindingsOf(o, 'service-account', policyServiceAccount(o)));
}

/** Project of a service account email: NAME@PROJECT.iam.gserviceaccount.com; default compute SA has only a number. */
export function serviceAccountProject(email: string): string | undefined {
  const m = /@([^.]+)\.iam\.gserviceaccount\.com$/i.exec(email);
  return m?.[1];
}

/** Project-level bindings that hold `member` (e.g. "serviceAccount:x@p.iam.gserviceaccount.com"). */
export function projectRolesOf(state: ClusterState, member: string): GcpBinding[] {
  const m = member.toLowerCase();
  return projectBindings(state).filter((b) => b.members.some((x) => x.toLowerCase() === m));
}

/** Does a project policy for `project` (or of unknown project) apply to a service account of `project`? */
function sameProject(policyProjectId: string, saProject: string | undefined): boolean {
  return policyProjectId === '' || saProject === undefined || policyProjectId === saProject;
}

export interface TakeoverGrant {
  binding: GcpBinding;
  /** Members that can act as the service account through this binding. */
  members: string[];
  why: string;
}

/**
 * Who can act as `email`: holders of an impersonation role on it, or on its whole project.
 * `exclude(member, binding)` filters expected grants (e.g. the one KSA meant to use it).
 */
export function takeoverGrants(state: ClusterState, email: string, exclude?: (member: string, b: GcpBinding) => boolean): TakeoverGrant[] {
  const saProject = serviceAccountProject(email);
  const out: TakeoverGrant[] = [];
  const consider = (b: GcpBinding) => {
    const why = IMPERSONATION_ROLES[b.role];
    if (!why) return;
    const members = b.members.filter((m) => !exclude?.(m, b));
    if (members.length > 0) out.push({ binding: b, members, why });
  };
  for (const b of serviceAccountBindings(state, email)) consider(b);
  for (const b of projectBindings(state)) if (sameProject(b.target, saProject)) consider(b);
  return out;
}

/** Workload identity pools of the loaded GKE clusters ("PROJECT.svc.id.goog"). */
export function workloadPools(state: ClusterState): string[] {
  const pools = new Set<string>();
  for (const c of state.ofKind(GKE_CLUSTER)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = (c.obj as any).spec?.workloadIdentityConfig?.workloadPool;
    if (typeof p === 'string' && p !== '') pools.add(p);
  }
  return [...pools];
}

/** `serviceAccount:POOL[NS/KSA]` -> {pool, namespace, name}. */
export function parseWorkloadIdentityMember(member: string): { pool: string; namespace: string; name: string } | undefined {
  const m = /^serviceAccount:([^[\]]+\.svc\.id\.goog)\[([^/\]]+)\/([^\]]+)\]$/.exec(member);
  return m ? { pool: m[1], namespace: m[2], name: m[3] } : undefined;
}

/**
 * A principal / principalSet identifier of Workload Identity Federation for GKE that names Kubernetes
 * service accounts: one KSA (subject/ns/NS/sa/KSA), a namespace (namespace/NS), or a whole cluster.
 */
export function parseGkePrincipal(member: string): { pool: string; namespace?: string; name?: string; cluster?: string } | undefined {
  const m = /^principal(?:Set)?:\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/global\/workloadIdentityPools\/([^/]+\.svc\.id\.goog)\/(.+)$/.exec(member);
  if (!m) return undefined;
  const rest = m[2];
  let r = /^subject\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(rest);
  if (r) return { pool: m[1], namespace: r[1], name: r[2] };
  r = /^namespace\/([^/]+)$/.exec(rest);
  if (r) return { pool: m[1], namespace: r[1] };
  r = /^kubernetes\.cluster\/(.+)$/.exec(rest);
  if (r) return { pool: m[1], cluster: r[1] };
  return undefined;
}

export interface WorkloadIdentityLink {
  sa: LoadedObject;
  namespace: string;
  name: string;
  /** The Google service account email from the annotation. */
  gsa: string;
  annotationPath: ObjPath;
  pods: PodTemplateView[];
  /**
   * true: a loaded IAM policy grants this KSA roles/iam.workloadIdentityUser on the GSA (or project-wide);
   * false: the GSA's IAM policy is loaded and grants it nothing (the link does not work);
   * undefined: the GSA's policy was not given.
   */
  verified: boolean | undefined;
  /** The binding that lets the KSA impersonate the GSA, when found. */
  via?: GcpBinding;
}

function memberIsKsa(member: string, pools: readonly string[], namespace: string, name: string): boolean {
  const p = parseWorkloadIdentityMember(member);
  if (!p) return false;
  return p.namespace === namespace && p.name === name && (pools.length === 0 || pools.includes(p.pool));
}

export function workloadIdentityLinks(state: ClusterState): WorkloadIdentityLink[] {
  const pools = workloadPools(state);
  const pods = podsByServiceAccount(state);
  return annotatedServiceAccounts(state, GKE_SA_ANNOTATION).map(({ sa, namespace, name, value }) => {
    const gsa = value.toLowerCase();
    const grants = [
      ...serviceAccountBindings(state, gsa),
      ...projectBindings(state).filter((b) => sameProject(b.target, serviceAccountProject(gsa))),
    ].filter((b) => b.role === 'roles/iam.workloadIdentityUser' && b.members.some((m) => memberIsKsa(m, pools, namespace, name)));
    const policyKnown = serviceAccountPolicies(state, gsa).length > 0;
    return {
      sa,
      namespace,
      name,
      gsa,
      annotationPath: ['metadata', 'annotations', GKE_SA_ANNOTATION],
      pods: pods.get(`${namespace}/${name}`) ?? [],
      verified: grants.length > 0 ? true : policyKnown ? false : undefined,
      ...(grants[0] ? { via: grants[0] } : {}),
    };
  });
}

/** Project bindings that name Kubernetes service accounts directly (principal:// identifiers, or KSA members of impersonation roles). */
export interface DirectKsaGrant {
  binding: GcpBinding;
  member: string;
  namespace?: string;
  name?: string;
  cluster?: string;
}

export function directKsaGrants(state: ClusterState): DirectKsaGrant[] {
  const out: DirectKsaGrant[] = [];
  for (const b of projectBindings(state)) {
    for (const m of b.members) {
      const p = parseGkePrincipal(m);
      if (p) out.push({ binding: b, member: m, ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.name ? { name: p.name } : {}), ...(p.cluster ? { cluster: p.cluster } : {}) });
      const w = parseWorkloadIdentityMember(m);
      if (w) out.push({ binding: b, member: m, namespace: w.namespace, name: w.name });
    }
  }
  return out;
}

/** Members that stand for everyone (on the internet, or with a Google account). */
export function isPublicMember(m: string): boolean {
  return m === 'allUsers' || m === 'allAuthenticatedUsers';
}
