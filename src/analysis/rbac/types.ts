// Types of the RBAC evaluator. Shapes follow k8s.io/api/rbac/v1 and the authorizer's attributes
// (k8s.io/apiserver/pkg/authorization/authorizer.Attributes), so a test can feed the same objects and
// requests to kube-apiserver's SubjectAccessReview and to this library.

/** rbac/v1 PolicyRule, normalised: every list present (possibly empty), strings only. */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';
export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/** A Role/ClusterRole/RoleBinding/ClusterRoleBinding (namespace only for the namespaced kinds). */
export interface ObjRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** rbac/v1 RoleRef as written in a binding. */
export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

/** rbac/v1 Subject as written in a binding (kind not checked: unknown kinds match nobody). */
export interface BindingSubject {
  readonly kind: string;
  readonly apiGroup?: string;
  readonly name: string;
  readonly namespace?: string;
}

/** A subject as reported by who-can: ServiceAccount namespaces resolved (a RoleBinding's namespace when omitted). */
export interface SubjectRef {
  readonly kind: SubjectKind;
  readonly name: string;
  /** ServiceAccounts only. */
  readonly namespace?: string;
}

/**
 * The identity a request is made as (authenticator.Info without uid/extra). `user` may be omitted
 * when asking about a group alone (then no User or ServiceAccount subject matches).
 */
export interface Identity {
  readonly user?: string;
  readonly groups?: readonly string[];
}

interface RequestBase extends Identity {
  readonly verb: string;
}

/** A resource request, as SubjectAccessReview.spec.resourceAttributes. Fields are taken literally. */
export interface ResourceRequest extends RequestBase {
  /** '' (core) when omitted. */
  readonly apiGroup?: string;
  /** Plural resource, e.g. "pods". Never split: put the subresource in `subresource`. */
  readonly resource: string;
  readonly subresource?: string;
  /** Object name; '' or omitted for create, list, watch, deletecollection (unless a metadata.name field selector names it). */
  readonly name?: string;
  /** Omitted or '' for cluster-scoped resources and all-namespace requests: RoleBindings are then never consulted. */
  readonly namespace?: string;
}

/** A non-resource request, as SubjectAccessReview.spec.nonResourceAttributes. */
export interface NonResourceRequest extends RequestBase {
  readonly path: string;
}

export type AuthzRequest = ResourceRequest | NonResourceRequest;

export function isNonResourceRequest<T extends AuthzRequest | WhoCanQuery>(r: T): r is Extract<T, { readonly path: string }> {
  return typeof (r as { path?: unknown }).path === 'string';
}

/** Where an effective rule of an aggregated ClusterRole was declared. */
export interface RuleOrigin {
  readonly kind: 'ClusterRole';
  readonly name: string;
  readonly ruleIndex: number;
}

/** One (binding, role, rule) that grants something, with the binding subject that matched. */
export interface Grant {
  readonly binding: ObjRef;
  readonly role: ObjRef;
  /** Index into the role's effective rules (for an aggregated ClusterRole: the computed rules). */
  readonly ruleIndex: number;
  readonly rule: PolicyRule;
  /** The binding's subject that made it apply (the first one, as the API server reports it). */
  readonly subject: BindingSubject;
  /** For rules of aggregated ClusterRoles: the ClusterRole that declares the rule. */
  readonly aggregatedFrom?: RuleOrigin;
}

export interface Decision {
  readonly allowed: boolean;
  /**
   * True when the identity is in group system:masters. That is not RBAC: it is the built-in
   * superuser authorizer placed before RBAC in kube-apiserver's chain; no binding is needed.
   */
  readonly superuser: boolean;
  /** Every RBAC grant that allows the request, in the API server's visiting order (ClusterRoleBindings, then RoleBindings of the namespace). */
  readonly via: readonly Grant[];
  /** Text as kube-apiserver reports it: "RBAC: allowed by ...", the superuser note, or the resolution errors. */
  readonly reason: string;
  /** Role resolution failures of bindings that apply to the identity (e.g. "clusterrole.rbac.authorization.k8s.io \"x\" not found"). */
  readonly errors: readonly string[];
  /** The identity evaluated (after implied groups, unless `exactGroups`). */
  readonly identity: { readonly user: string | undefined; readonly groups: readonly string[] };
}

export interface AuthorizeOptions {
  /**
   * Use `groups` exactly as given (SubjectAccessReview semantics). Default false: add the groups
   * an authenticator would (system:authenticated, or system:unauthenticated for system:anonymous;
   * system:serviceaccounts and system:serviceaccounts:<ns> for service accounts).
   */
  readonly exactGroups?: boolean;
}

/** who-can: a resource question. */
export interface ResourceQuery {
  readonly verb: string;
  readonly apiGroup?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
  /** Omitted: a cluster-scoped / all-namespaces request (ClusterRoleBindings only). */
  readonly namespace?: string;
  /** Also count RoleBindings of every namespace (each grant says in which namespace it applies). */
  readonly allNamespaces?: boolean;
}

export interface NonResourceQuery {
  readonly verb: string;
  readonly path: string;
}

export type WhoCanQuery = ResourceQuery | NonResourceQuery;

export interface WhoCanVia {
  readonly binding: ObjRef;
  readonly role: ObjRef;
  readonly ruleIndex: number;
  /** 'cluster' for ClusterRoleBindings, else the namespace the RoleBinding grants in. */
  readonly scope: string;
  readonly aggregatedFrom?: RuleOrigin;
}

export interface WhoCanSubject {
  readonly kind: SubjectKind;
  readonly name: string;
  readonly namespace?: string;
  /** Group system:masters: allowed by the built-in superuser authorizer, not by RBAC. */
  readonly superuser?: boolean;
  readonly via: readonly WhoCanVia[];
}

export interface WhoCanResult {
  readonly query: WhoCanQuery;
  readonly subjects: readonly WhoCanSubject[];
}

export interface GrantedRule extends Grant {
  /** Why the rule can never authorize anything where it is granted, if so. */
  readonly inert?: string;
}

export interface RulesForResult {
  readonly identity: { readonly user: string | undefined; readonly groups: readonly string[] };
  readonly superuser: boolean;
  /** From ClusterRoleBindings: apply cluster-wide and in every namespace. */
  readonly clusterWide: readonly GrantedRule[];
  /** From RoleBindings, by namespace (sorted). */
  readonly namespaces: Readonly<Record<string, readonly GrantedRule[]>>;
  readonly errors: readonly string[];
}

export type ProblemCode =
  | 'dangling-role-ref'
  | 'invalid-role-ref'
  | 'sa-subject-without-namespace'
  | 'unknown-subject-kind'
  | 'duplicate-object'
  | 'malformed-object'
  | 'namespaced-non-resource-rule'
  | 'mixed-rule'
  | 'aggregated-role-declares-rules'
  | 'invalid-aggregation-selector';

export interface RbacProblem {
  readonly code: ProblemCode;
  readonly object: ObjRef;
  readonly message: string;
  /** Path inside the object, when it points at a field (e.g. ['roleRef'], ['subjects', 2]). */
  readonly path?: ReadonlyArray<string | number>;
}

export interface DanglingRef {
  readonly binding: ObjRef;
  readonly roleRef: RoleRef;
  /** The role that was looked up and not found (kind/namespace/name). */
  readonly missing: ObjRef;
}

export interface MissingSubject {
  readonly binding: ObjRef;
  readonly subject: SubjectRef;
  /** The subject's namespace is declared or used in the input. */
  readonly namespaceKnown: boolean;
  /** "default" in a known namespace: the ServiceAccount controller creates it, so it exists in a real cluster. */
  readonly autoCreated: boolean;
}

export interface EscalationCheck {
  readonly allowed: boolean;
  /**
   * not-authorized: the plain RBAC check of the write itself failed;
   * superuser: system:masters skips the escalation checks;
   * escalate / bind: explicitly allowed to escalate the role / bind the referenced role;
   * covered: the requester already holds every granted permission;
   * escalation: none of the above (see `missing`); role-not-found: binding to a role that does not exist.
   */
  readonly reason: 'not-authorized' | 'superuser' | 'escalate' | 'bind' | 'covered' | 'escalation' | 'role-not-found';
  /** Granted permissions the requester does not hold (broken down to one verb/resource/name each). */
  readonly missing: readonly PolicyRule[];
  readonly message: string;
}
