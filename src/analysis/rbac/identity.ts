// Identities and subjects, as kube-apiserver sees them:
//   k8s.io/apiserver/pkg/authentication/serviceaccount/util.go (MakeUsername, MatchesUsername,
//     SplitUsername, MakeGroupNames)
//   k8s.io/apiserver/pkg/authentication/group/authenticated_group_adder.go
//   k8s.io/apiserver/pkg/authentication/user/user.go (well-known names)
//   pkg/registry/rbac/validation/rule.go (appliesToUser)
import type { BindingSubject, Identity, SubjectRef } from './types.js';

export const SA_USER_PREFIX = 'system:serviceaccount:';
export const SA_GROUP_ALL = 'system:serviceaccounts';
export const SA_GROUP_NS_PREFIX = 'system:serviceaccounts:';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
/** Members are allowed everything by the superuser authorizer ahead of RBAC, and skip RBAC's escalation checks. */
export const SYSTEM_MASTERS = 'system:masters';

/** Groups that every identity of a kind holds: a grant to them is a grant to everyone of that kind. */
export const BROAD_GROUPS: ReadonlySet<string> = new Set([ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SA_GROUP_ALL]);

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_USER_PREFIX}${namespace}:${name}`;
}

/** serviceaccount.MatchesUsername: the username is exactly system:serviceaccount:<ns>:<name>. */
export function matchesServiceAccountUsername(namespace: string, name: string, username: string | undefined): boolean {
  return username !== undefined && username === serviceAccountUsername(namespace, name);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** serviceaccount.SplitUsername: namespace and name of a service-account username, if it is a valid one. */
export function splitServiceAccountUsername(username: string | undefined): { namespace: string; name: string } | undefined {
  if (username === undefined || !username.startsWith(SA_USER_PREFIX)) return undefined;
  const parts = username.slice(SA_USER_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * The groups a real request made as `user` would carry: the service-account token authenticator
 * adds system:serviceaccounts and system:serviceaccounts:<ns>; the anonymous authenticator gives
 * system:unauthenticated; the authenticated-group adder adds system:authenticated unless the user
 * is system:anonymous or already has system:authenticated / system:unauthenticated.
 */
export function withImpliedGroups(id: Identity): { user: string | undefined; groups: string[] } {
  const groups = [...(id.groups ?? [])];
  const add = (g: string) => {
    if (!groups.includes(g)) groups.push(g);
  };
  const user = id.user;
  if (user === undefined) return { user, groups };
  const sa = splitServiceAccountUsername(user);
  if (sa) {
    add(SA_GROUP_ALL);
    add(SA_GROUP_NS_PREFIX + sa.namespace);
  }
  if (user === ANONYMOUS) {
    add(ALL_UNAUTHENTICATED);
  } else if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_AUTHENTICATED);
  }
  return { user, groups };
}

/** The identity of a subject: a ServiceAccount or User subject as a user; a Group as that group alone. */
export function identityOfSubject(s: SubjectRef): Identity {
  switch (s.kind) {
    case 'ServiceAccount':
      return { user: serviceAccountUsername(s.namespace ?? '', s.name), groups: [] };
    case 'User':
      return { user: s.name, groups: [] };
    case 'Group':
      return { user: undefined, groups: [s.name] };
  }
}

/**
 * appliesToUser: does a binding subject apply to the identity? `namespace` is the namespace of the
 * request, which is the RoleBinding's namespace ('' for ClusterRoleBindings).
 */
export function subjectApplies(id: { user: string | undefined; groups: readonly string[] }, s: BindingSubject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return id.user !== undefined && id.user === s.name;
    case 'Group':
      return id.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace && s.namespace.length > 0 ? s.namespace : namespace;
      if (ns.length === 0) return false;
      return matchesServiceAccountUsername(ns, s.name, id.user);
    }
    default:
      return false;
  }
}

/** kube-apiserver's describeSubject: `User "alice"`, `ServiceAccount "name/ns"`. */
export function describeSubject(s: BindingSubject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace && s.namespace.length > 0 ? s.namespace : bindingNamespace;
    return `${s.kind} ${JSON.stringify(`${s.name}/${ns}`)}`;
  }
  return `${s.kind} ${JSON.stringify(s.name)}`;
}
