// The RBAC evaluator: answers as kube-apiserver's authorizer chain does for the built-in
// superuser group (system:masters) followed by RBAC (plugin/pkg/auth/authorizer/rbac/rbac.go,
// pkg/registry/rbac/validation/rule.go), plus who-can, rules-for, and the escalation checks of the
// RBAC registry (pkg/registry/rbac/escalation_check.go and the policybased storages).
// Pure library over a ClusterState: no I/O, no clock.
import type { ClusterState } from '../../model/cluster-state.js';
import { covers, compactString, FULL_AUTHORITY } from './covers.js';
import { describeSubject, identityOfSubject, subjectApplies, SYSTEM_MASTERS, withImpliedGroups } from './identity.js';
import { ALL, apiGroupMatches, combinedResource, resourceNameMatches, ruleAllows } from './match.js';
import { parseResourceArg } from './resources.js';
import { cmp, RBAC_GROUP, RbacModel, roleId, type BindingInfo, type RbacModelOptions, type RoleInfo } from './model.js';
import type {
  AuthorizeOptions,
  AuthzRequest,
  BindingSubject,
  Decision,
  DanglingRef,
  EscalationCheck,
  Grant,
  GrantedRule,
  Identity,
  MissingSubject,
  ObjRef,
  PolicyRule,
  RbacProblem,
  RoleRef,
  RulesForResult,
  SubjectKind,
  SubjectRef,
  WhoCanQuery,
  WhoCanResult,
  WhoCanSubject,
  WhoCanVia,
} from './types.js';
import { isNonResourceRequest } from './types.js';

type EvalIdentity = { user: string | undefined; groups: string[] };

export interface WhoCanOptions {
  /** List group system:masters (allowed everything by the superuser authorizer). Default true. */
  readonly includeSuperuser?: boolean;
}

export interface RulesForOptions extends AuthorizeOptions {}

/** Entry of the who-can index: a rule of a role. */
interface RuleRef {
  readonly role: RoleInfo;
  readonly ruleIndex: number;
  readonly rule: PolicyRule;
}

export class RbacEvaluator {
  readonly model: RbacModel;
  private resourceIndex?: Map<string, Map<string, RuleRef[]>>;
  private nonResourceRules?: RuleRef[];

  constructor(state: ClusterState, options: RbacModelOptions = {}) {
    this.model = new RbacModel(state, options);
  }

  // ------------------------------------------------------------------ data
  /** Every Role and ClusterRole (first copy of duplicates), with effective rules. */
  roles(): RoleInfo[] {
    return [...this.model.roles.values()];
  }

  /** Every RoleBinding and ClusterRoleBinding (first copy of duplicates). */
  bindings(): readonly BindingInfo[] {
    return this.model.allBindings;
  }

  role(ref: ObjRef): RoleInfo | undefined {
    const kind = ref.kind === 'Role' ? 'Role' : 'ClusterRole';
    return this.model.roles.get(roleId(kind, ref.namespace ?? '', ref.name));
  }

  problems(): readonly RbacProblem[] {
    return this.model.problems;
  }

  /** Bindings whose roleRef names a role that is not in the input. */
  danglingRefs(): DanglingRef[] {
    const out: DanglingRef[] = [];
    for (const b of this.model.allBindings) {
      if (b.role || !b.roleRef || b.roleId === undefined) continue;
      const missing: ObjRef = b.roleRef.kind === 'Role' ? { kind: 'Role', namespace: b.namespace, name: b.roleRef.name } : { kind: 'ClusterRole', name: b.roleRef.name };
      out.push({ binding: b.ref, roleRef: b.roleRef, missing });
    }
    return out;
  }

  /** ServiceAccount subjects of bindings whose ServiceAccount is not in the input. */
  missingSubjects(): MissingSubject[] {
    const state = this.model.state;
    const namespaces = new Set(state.namespaceNames());
    const out: MissingSubject[] = [];
    for (const b of this.model.allBindings) {
      for (const s of b.subjects) {
        if (s.kind !== 'ServiceAccount') continue;
        const ns = s.namespace ?? b.namespace;
        if (ns === '') continue; // matches nobody; reported as a problem
        if (state.get('ServiceAccount', ns, s.name)) continue;
        const namespaceKnown = namespaces.has(ns);
        out.push({ binding: b.ref, subject: { kind: 'ServiceAccount', namespace: ns, name: s.name }, namespaceKnown, autoCreated: namespaceKnown && s.name === 'default' });
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ authorize
  /** The identity a request is evaluated as. */
  identity(id: Identity, opts: AuthorizeOptions = {}): EvalIdentity {
    return opts.exactGroups ? { user: id.user, groups: [...(id.groups ?? [])] } : withImpliedGroups(id);
  }

  /** Would kube-apiserver allow this request (superuser group, then RBAC)? */
  authorize(req: AuthzRequest, opts: AuthorizeOptions = {}): Decision {
    const id = this.identity(req, opts);
    const superuser = id.groups.includes(SYSTEM_MASTERS);
    const namespace = isNonResourceRequest(req) ? '' : (req.namespace ?? '');
    const via: Grant[] = [];
    const errors: string[] = [];
    for (const b of this.applicableBindings(id, namespace)) {
      const subject = firstApplyingSubject(id, b);
      if (!subject) continue;
      if (!b.role) {
        if (b.roleError) errors.push(b.roleError);
        continue;
      }
      const rules = b.role.rules;
      for (let i = 0; i < rules.length; i++) if (ruleAllows(req, rules[i])) via.push(grant(b, b.role, i, subject));
    }
    let reason: string;
    if (superuser) reason = `allowed: member of group ${SYSTEM_MASTERS} (built-in superuser authorizer ahead of RBAC, not an RBAC grant)`;
    else if (via.length > 0) reason = `RBAC: allowed by ${describeGrant(via[0])}`;
    else if (errors.length === 1) reason = `RBAC: ${errors[0]}`;
    else if (errors.length > 1) reason = `RBAC: [${errors.join(', ')}]`;
    else reason = '';
    return { allowed: superuser || via.length > 0, superuser, via, reason, errors, identity: id };
  }

  /**
   * The bindings the API server visits for this identity and namespace, in its order: every
   * ClusterRoleBinding, then (only when the request has a namespace) the RoleBindings of that
   * namespace. Only bindings that name the identity (by user, group or service account) are returned.
   */
  private applicableBindings(id: EvalIdentity, namespace: string): BindingInfo[] {
    const set = new Set<BindingInfo>();
    const add = (key: string) => {
      for (const b of this.model.bySubject.get(key) ?? []) set.add(b);
    };
    if (id.user !== undefined) add(`u:${id.user}`);
    for (const g of id.groups) add(`g:${g}`);
    const crbs: BindingInfo[] = [];
    const rbs: BindingInfo[] = [];
    for (const b of set) {
      if (b.kind === 'ClusterRoleBinding') crbs.push(b);
      else if (namespace !== '' && b.namespace === namespace) rbs.push(b);
    }
    crbs.sort((a, b) => a.order - b.order);
    rbs.sort((a, b) => a.order - b.order);
    return [...crbs, ...rbs];
  }

  // ------------------------------------------------------------------ rules for
  /**
   * Everything an identity (or a subject) can do, with provenance: cluster-wide (ClusterRoleBindings)
   * and per namespace (RoleBindings). A ServiceAccount or User subject is evaluated as that user with
   * the implied groups; a Group subject as that group alone.
   */
  rulesFor(who: Identity | SubjectRef, opts: RulesForOptions = {}): RulesForResult {
    const base = isSubjectRef(who) ? identityOfSubject(who) : who;
    const id = this.identity(base, opts);
    const clusterWide: GrantedRule[] = [];
    const namespaces: Record<string, GrantedRule[]> = {};
    const errors: string[] = [];
    const seen = new Set<BindingInfo>();
    const keys: string[] = [...(id.user !== undefined ? [`u:${id.user}`] : []), ...id.groups.map((g) => `g:${g}`)];
    for (const k of keys) for (const b of this.model.bySubject.get(k) ?? []) seen.add(b);
    const ordered = [...seen].sort((a, b) => (a.kind === b.kind ? cmp(a.namespace, b.namespace) || a.order - b.order : a.kind === 'ClusterRoleBinding' ? -1 : 1));
    for (const b of ordered) {
      const subject = firstApplyingSubject(id, b);
      if (!subject) continue;
      if (!b.role) {
        if (b.roleError) errors.push(b.roleError);
        continue;
      }
      const out = b.kind === 'ClusterRoleBinding' ? clusterWide : (namespaces[b.namespace] ??= []);
      b.role.rules.forEach((rule, i) => {
        const g: GrantedRule = grant(b, b.role!, i, subject);
        const inert =
          b.kind === 'RoleBinding' && rule.nonResourceURLs.length > 0 && rule.resources.length === 0
            ? 'non-resource URLs are never granted through a RoleBinding (non-resource requests have no namespace)'
            : undefined;
        out.push(inert ? { ...g, inert } : g);
      });
    }
    const sorted: Record<string, GrantedRule[]> = {};
    for (const ns of Object.keys(namespaces).sort()) sorted[ns] = namespaces[ns];
    return { identity: id, superuser: id.groups.includes(SYSTEM_MASTERS), clusterWide, namespaces: sorted, errors };
  }

  /** The API server's RulesFor(user, namespace): rules of ClusterRoleBindings plus RoleBindings of `namespace`. */
  ownerRules(id: EvalIdentity, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    for (const b of this.applicableBindings(id, namespace)) {
      if (!firstApplyingSubject(id, b) || !b.role) continue;
      out.push(...b.role.rules);
    }
    return out;
  }

  // ------------------------------------------------------------------ who can
  private buildIndex(): void {
    const idx = new Map<string, Map<string, RuleRef[]>>();
    const nonRes: RuleRef[] = [];
    for (const role of this.model.roles.values()) {
      if (!this.model.bindingsByRole.has(role.id)) continue; // unbound roles grant nothing
      role.rules.forEach((rule, ruleIndex) => {
        const ref: RuleRef = { role, ruleIndex, rule };
        if (rule.nonResourceURLs.length > 0) nonRes.push(ref);
        if (rule.resources.length === 0 || rule.apiGroups.length === 0) return;
        for (const verb of new Set(rule.verbs)) {
          let byRes = idx.get(verb);
          if (!byRes) idx.set(verb, (byRes = new Map()));
          for (const res of new Set(rule.resources)) {
            const l = byRes.get(res);
            if (l) l.push(ref);
            else byRes.set(res, [ref]);
          }
        }
      });
    }
    this.resourceIndex = idx;
    this.nonResourceRules = nonRes;
  }

  /** The (role, rule) pairs that allow the request, whoever is bound to them. */
  private matchingRules(q: WhoCanQuery): RuleRef[] {
    if (!this.resourceIndex) this.buildIndex();
    if (isNonResourceRequest(q)) return this.nonResourceRules!.filter((r) => ruleAllows({ verb: q.verb, path: q.path }, r.rule));
    const sub = q.subresource ?? '';
    const combined = combinedResource(q);
    const group = q.apiGroup ?? '';
    const name = q.name ?? '';
    const verbs = q.verb === ALL ? [ALL] : [q.verb, ALL];
    const resources = [combined, ALL];
    if (sub !== '') resources.push(`*/${sub}`);
    const seen = new Set<RuleRef>();
    const out: RuleRef[] = [];
    for (const v of verbs) {
      const byRes = this.resourceIndex!.get(v);
      if (!byRes) continue;
      for (const r of resources) {
        for (const ref of byRes.get(r) ?? []) {
          if (seen.has(ref)) continue;
          seen.add(ref);
          if (apiGroupMatches(ref.rule, group) && resourceNameMatches(ref.rule, name)) out.push(ref);
        }
      }
    }
    return out;
  }

  /**
   * Every subject (User, Group, ServiceAccount) that a binding allows to make the request, with the
   * bindings and roles that allow it. Without `namespace` the request is cluster-scoped (only
   * ClusterRoleBindings count); with `allNamespaces` RoleBindings of every namespace count too.
   * Subjects are listed as bound: members of a listed group are not expanded.
   */
  whoCan(query: WhoCanQuery, opts?: WhoCanOptions): WhoCanResult;
  /** Positional form: `resource` is "res[.group][/sub]" (parseResourceArg: a bare built-in name gets its usual group, e.g. deployments -> apps). */
  whoCan(verb: string, resource: string, name?: string, namespace?: string, opts?: WhoCanOptions): WhoCanResult;
  whoCan(a: WhoCanQuery | string, b?: string | WhoCanOptions, name?: string, namespace?: string, opts?: WhoCanOptions): WhoCanResult {
    let q: WhoCanQuery;
    let o: WhoCanOptions;
    if (typeof a === 'string') {
      const r = parseResourceArg(String(b ?? ''));
      q = {
        verb: a,
        apiGroup: r.apiGroup,
        resource: r.resource,
        ...(r.subresource !== undefined ? { subresource: r.subresource } : {}),
        ...(name ? { name } : {}),
        ...(namespace ? { namespace } : {}),
      };
      o = opts ?? {};
    } else {
      q = a;
      o = (b as WhoCanOptions | undefined) ?? {};
    }
    let ns = '';
    let allNs = false;
    if (!isNonResourceRequest(q)) {
      ns = q.namespace ?? '';
      allNs = q.allNamespaces === true;
    }

    const byRole = new Map<RoleInfo, number>(); // role -> first (lowest) matching rule index
    for (const r of this.matchingRules(q)) {
      const cur = byRole.get(r.role);
      if (cur === undefined || r.ruleIndex < cur) byRole.set(r.role, r.ruleIndex);
    }
    const subjects = new Map<string, { kind: SubjectKind; name: string; namespace?: string; superuser?: boolean; via: Array<WhoCanVia & { _o: BindingInfo }> }>();
    const entry = (kind: SubjectKind, sname: string, sns?: string) => {
      const key = `${kind}|${sns ?? ''}|${sname}`;
      let e = subjects.get(key);
      if (!e) subjects.set(key, (e = { kind, name: sname, ...(sns !== undefined ? { namespace: sns } : {}), via: [] }));
      return e;
    };
    for (const [role, ruleIndex] of byRole) {
      for (const b of this.model.bindingsByRole.get(role.id) ?? []) {
        if (b.role !== role) continue;
        if (b.kind === 'RoleBinding' && !(allNs || (ns !== '' && b.namespace === ns))) continue;
        const via: WhoCanVia & { _o: BindingInfo } = {
          binding: b.ref,
          role: role.ref,
          ruleIndex,
          scope: b.kind === 'ClusterRoleBinding' ? 'cluster' : b.namespace,
          ...(role.origins[ruleIndex] ? { aggregatedFrom: role.origins[ruleIndex] } : {}),
          _o: b,
        };
        const done = new Set<string>();
        for (const s of b.subjects) {
          const resolved = resolveSubject(s, b.namespace);
          if (!resolved) continue;
          const k = `${resolved.kind}|${resolved.namespace ?? ''}|${resolved.name}`;
          if (done.has(k)) continue;
          done.add(k);
          entry(resolved.kind, resolved.name, resolved.namespace).via.push(via);
        }
      }
    }
    if (o.includeSuperuser !== false) entry('Group', SYSTEM_MASTERS).superuser = true;

    const kindOrder: Record<SubjectKind, number> = { User: 0, Group: 1, ServiceAccount: 2 };
    const list: WhoCanSubject[] = [...subjects.values()]
      .sort((x, y) => kindOrder[x.kind] - kindOrder[y.kind] || cmp(x.namespace ?? '', y.namespace ?? '') || cmp(x.name, y.name))
      .map((s) => ({
        kind: s.kind,
        name: s.name,
        ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
        ...(s.superuser ? { superuser: true } : {}),
        via: s.via
          .sort((x, y) => (x._o.kind === y._o.kind ? cmp(x._o.namespace, y._o.namespace) || x._o.order - y._o.order : x._o.kind === 'ClusterRoleBinding' ? -1 : 1))
          .map(({ _o, ...v }) => v),
      }));
    return { query: q, subjects: list };
  }

  // ------------------------------------------------------------------ escalation checks
  /**
   * Can `who` create (or update) this Role/ClusterRole? The write must be authorized, then
   * (pkg/registry/rbac/role[clusterrole]/policybased): system:masters skips the checks; `escalate`
   * on the role resource allows anything (the name is '' on create); otherwise the requester's own
   * rules (RulesFor in the role's namespace) must cover every rule; setting (or having) an
   * aggregationRule needs full authority.
   */
  canWriteRole(
    who: Identity,
    role: { kind: 'Role' | 'ClusterRole'; name: string; namespace?: string; rules: readonly PolicyRule[]; aggregationRule?: boolean; oldAggregationRule?: boolean },
    verb: 'create' | 'update' = 'create',
    opts: AuthorizeOptions = {},
  ): EscalationCheck {
    const id = this.identity(who, opts);
    const resource = role.kind === 'Role' ? 'roles' : 'clusterroles';
    const namespace = role.kind === 'Role' ? (role.namespace ?? 'default') : '';
    const name = verb === 'create' ? '' : role.name;
    const attrs = { user: id.user, groups: id.groups, apiGroup: RBAC_GROUP, resource, name, namespace };
    if (!this.authorize({ ...attrs, verb }, { exactGroups: true }).allowed) return deny('not-authorized', [], `not allowed to ${verb} ${resource}`);
    if (id.groups.includes(SYSTEM_MASTERS)) return allow('superuser', `member of ${SYSTEM_MASTERS}: escalation checks are skipped`);
    if (this.authorize({ ...attrs, verb: 'escalate' }, { exactGroups: true }).allowed) return allow('escalate', `holds escalate on ${resource}`);
    const owner = this.ownerRules(id, namespace);
    const c = covers(owner, role.rules);
    if (!c.covered) return deny('escalation', c.missing, escalationMessage(id, c.missing));
    if (role.kind === 'ClusterRole' && (role.aggregationRule || role.oldAggregationRule)) {
      const full = covers(owner, FULL_AUTHORITY);
      if (!full.covered) return deny('escalation', full.missing, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return allow('covered', 'already holds every permission being granted');
  }

  /**
   * Can `who` create (or update) a RoleBinding/ClusterRoleBinding to `roleRef`? The write must be
   * authorized, then (pkg/registry/rbac/[cluster]rolebinding/policybased): system:masters skips the
   * checks; `bind` on the referenced role (by name, in the binding's namespace) allows it;
   * otherwise the referenced role must exist and the requester's rules must cover all of its rules.
   */
  canWriteBinding(
    who: Identity,
    binding: { kind: 'RoleBinding' | 'ClusterRoleBinding'; name?: string; namespace?: string; roleRef: RoleRef },
    verb: 'create' | 'update' = 'create',
    opts: AuthorizeOptions = {},
  ): EscalationCheck {
    const id = this.identity(who, opts);
    const resource = binding.kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings';
    const namespace = binding.kind === 'RoleBinding' ? (binding.namespace ?? 'default') : '';
    const name = verb === 'create' ? '' : (binding.name ?? '');
    const base = { user: id.user, groups: id.groups };
    if (!this.authorize({ ...base, verb, apiGroup: RBAC_GROUP, resource, name, namespace }, { exactGroups: true }).allowed) {
      return deny('not-authorized', [], `not allowed to ${verb} ${resource}`);
    }
    if (id.groups.includes(SYSTEM_MASTERS)) return allow('superuser', `member of ${SYSTEM_MASTERS}: escalation checks are skipped`);
    const ref = binding.roleRef;
    if (ref.kind === 'ClusterRole' || ref.kind === 'Role') {
      const bindReq = { ...base, verb: 'bind', apiGroup: ref.apiGroup, resource: ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles', name: ref.name, namespace };
      if (this.authorize(bindReq, { exactGroups: true }).allowed) return allow('bind', `holds bind on ${bindReq.resource} ${JSON.stringify(ref.name)}`);
    }
    let rules: readonly PolicyRule[] | undefined;
    if (ref.kind === 'ClusterRole') rules = this.model.roles.get(roleId('ClusterRole', '', ref.name))?.rules;
    else if (ref.kind === 'Role' && namespace !== '') rules = this.model.roles.get(roleId('Role', namespace, ref.name))?.rules;
    if (!rules) {
      const what = ref.kind === 'ClusterRole' ? 'clusterrole' : ref.kind === 'Role' ? 'role' : undefined;
      return deny('role-not-found', [], what ? `${what}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found` : `unsupported role reference kind: ${JSON.stringify(ref.kind)}`);
    }
    const c = covers(this.ownerRules(id, namespace), rules);
    if (!c.covered) return deny('escalation', c.missing, escalationMessage(id, c.missing));
    return allow('covered', 'already holds every permission of the referenced role');
  }
}

function isSubjectRef(x: Identity | SubjectRef): x is SubjectRef {
  return typeof (x as SubjectRef).kind === 'string';
}

function firstApplyingSubject(id: EvalIdentity, b: BindingInfo): BindingSubject | undefined {
  for (const s of b.subjects) if (subjectApplies(id, s, b.namespace)) return s;
  return undefined;
}

function resolveSubject(s: BindingSubject, bindingNamespace: string): SubjectRef | undefined {
  switch (s.kind) {
    case 'User':
    case 'Group':
      return { kind: s.kind, name: s.name };
    case 'ServiceAccount': {
      const ns = s.namespace ?? bindingNamespace;
      return ns === '' ? undefined : { kind: 'ServiceAccount', namespace: ns, name: s.name };
    }
    default:
      return undefined;
  }
}

function grant(b: BindingInfo, role: RoleInfo, ruleIndex: number, subject: BindingSubject): Grant {
  const origin = role.origins[ruleIndex];
  return {
    binding: b.ref,
    role: role.ref,
    ruleIndex,
    rule: role.rules[ruleIndex],
    subject,
    ...(origin ? { aggregatedFrom: origin } : {}),
  };
}

/** As the API server's binding describers: `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`. */
export function describeGrant(g: Grant): string {
  const b = g.binding.namespace !== undefined ? `${g.binding.name}/${g.binding.namespace}` : g.binding.name;
  return `${g.binding.kind} ${JSON.stringify(b)} of ${g.role.kind} ${JSON.stringify(g.role.name)} to ${describeSubject(g.subject, g.binding.namespace ?? '')}`;
}

function allow(reason: EscalationCheck['reason'], message: string): EscalationCheck {
  return { allowed: true, reason, missing: [], message };
}

function deny(reason: EscalationCheck['reason'], missing: PolicyRule[], message: string): EscalationCheck {
  return { allowed: false, reason, missing, message };
}

function escalationMessage(id: EvalIdentity, missing: readonly PolicyRule[]): string {
  const lines = [...new Set(missing.map(compactString))].sort();
  return `user ${JSON.stringify(id.user ?? '')} (groups=${JSON.stringify(id.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
