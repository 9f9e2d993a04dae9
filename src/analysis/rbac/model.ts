// Reads Roles, ClusterRoles, RoleBindings and ClusterRoleBindings out of a ClusterState into a
// normalised, indexed form: effective (aggregated) ClusterRole rules, role references resolved
// the way pkg/registry/rbac/validation/rule.go (GetRoleReferenceRules) resolves them, and every
// oddity recorded as a problem instead of thrown. Pure: no I/O.
import type { KubeObject, LoadedObject } from '../../core/types.js';
import { BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-roles.js';
import type { ClusterState } from '../../model/cluster-state.js';
import { selectorMatches } from '../../model/cluster-state.js';
import type { BindingKind, BindingSubject, ObjRef, PolicyRule, RbacProblem, RoleKind, RoleRef, RuleOrigin } from './types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const GK = {
  Role: `${RBAC_GROUP}/Role`,
  ClusterRole: `${RBAC_GROUP}/ClusterRole`,
  RoleBinding: `${RBAC_GROUP}/RoleBinding`,
  ClusterRoleBinding: `${RBAC_GROUP}/ClusterRoleBinding`,
} as const;

/**
 * How the rules of an aggregated ClusterRole are computed.
 * - 'union' (default): the rules the object already has, plus the rules of every ClusterRole its
 *   selectors match. In a live cluster the stored rules are the controller's output, so keeping
 *   them never loses a permission when the input lacks some of the aggregated roles.
 * - 'controller': what the clusterrole-aggregation controller writes after a fresh apply: the
 *   union of the matched roles' rules replaces the declared ones (declared rules stay only when
 *   nothing is matched, since the controller's server-side apply then omits the field).
 */
export type AggregationMode = 'union' | 'controller';

export interface RbacModelOptions {
  readonly aggregation?: AggregationMode;
  /**
   * Add the API server's bootstrap ClusterRoles (cluster-admin, admin, edit, view, system:*) that
   * the input does not define, as every real cluster has them (bootstrap-roles.ts). Default false;
   * rbacFor() turns it on for manifests, snapshots and live clusters.
   */
  readonly builtinRoles?: boolean;
}

export interface RoleInfo {
  readonly id: string;
  readonly kind: RoleKind;
  readonly ref: ObjRef;
  readonly object: LoadedObject;
  readonly labels: Readonly<Record<string, string>>;
  /** The rules as written in the object (normalised). */
  readonly declaredRules: readonly PolicyRule[];
  /** The rules the authorizer uses (for aggregated ClusterRoles: computed). */
  readonly rules: readonly PolicyRule[];
  /** Per effective rule, where an aggregated role got it from (undefined: declared in this role). */
  readonly origins: ReadonlyArray<RuleOrigin | undefined>;
  readonly aggregated: boolean;
  /** A bootstrap ClusterRole added because the input does not define it (builtinRoles). */
  readonly builtin?: boolean;
}

export interface BindingInfo {
  readonly id: string;
  readonly kind: BindingKind;
  readonly ref: ObjRef;
  readonly object: LoadedObject;
  /** The RoleBinding's namespace; '' for ClusterRoleBindings. */
  readonly namespace: string;
  readonly roleRef: RoleRef | undefined;
  /** Id of the role the reference points at (whether or not it exists); undefined if it cannot point at any. */
  readonly roleId: string | undefined;
  /** The referenced role, when it exists. */
  readonly role: RoleInfo | undefined;
  /** Why the reference does not resolve, in the API server's words. */
  readonly roleError: string | undefined;
  readonly subjects: readonly BindingSubject[];
  /** Visiting order within its list (ClusterRoleBindings / RoleBindings of one namespace). */
  readonly order: number;
}

export const roleId = (kind: RoleKind, namespace: string, name: string): string =>
  kind === 'ClusterRole' ? `ClusterRole|${name}` : `Role|${namespace}|${name}`;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
}

export class RbacModel {
  readonly roles = new Map<string, RoleInfo>();
  readonly clusterRoleBindings: BindingInfo[] = [];
  readonly roleBindingsByNs = new Map<string, BindingInfo[]>();
  readonly allBindings: BindingInfo[] = [];
  readonly bindingsByRole = new Map<string, BindingInfo[]>();
  /** 'u:<username>' (User subjects and resolved ServiceAccount subjects) and 'g:<group>' -> bindings naming it. */
  readonly bySubject = new Map<string, BindingInfo[]>();
  readonly problems: RbacProblem[] = [];

  constructor(
    readonly state: ClusterState,
    readonly options: RbacModelOptions = {},
  ) {
    this.loadRoles('Role');
    this.loadRoles('ClusterRole');
    if (options.builtinRoles) this.addBuiltinRoles();
    this.aggregate(options.aggregation ?? 'union');
    this.loadBindings('ClusterRoleBinding');
    this.loadBindings('RoleBinding');
  }

  private problem(code: RbacProblem['code'], object: ObjRef, message: string, path?: ReadonlyArray<string | number>): void {
    this.problems.push(path ? { code, object, message, path } : { code, object, message });
  }

  // ------------------------------------------------------------------ roles
  private loadRoles(kind: RoleKind): void {
    for (const o of this.state.ofKind(GK[kind])) {
      const ns = kind === 'Role' ? (o.ref.namespace ?? 'default') : '';
      const ref: ObjRef = kind === 'Role' ? { kind, namespace: ns, name: o.ref.name } : { kind, name: o.ref.name };
      const id = roleId(kind, ns, o.ref.name);
      if (this.roles.has(id)) {
        this.problem('duplicate-object', ref, `${describeRef(ref)} is defined more than once; the first definition is used`);
        continue;
      }
      const declared = this.readRules(o, ref, kind);
      const agg = kind === 'ClusterRole' ? o.obj.aggregationRule : undefined;
      const aggregated = kind === 'ClusterRole' && agg !== undefined && agg !== null;
      const labels = isObj(o.obj.metadata?.labels) ? (o.obj.metadata!.labels as Record<string, string>) : {};
      this.roles.set(id, {
        id,
        kind,
        ref,
        object: o,
        labels,
        declaredRules: declared,
        rules: declared,
        origins: declared.map(() => undefined),
        aggregated,
      });
    }
  }

  private addBuiltinRoles(): void {
    for (const b of BOOTSTRAP_CLUSTER_ROLES) {
      const id = roleId('ClusterRole', '', b.name);
      if (this.roles.has(id)) continue;
      const obj: KubeObject = {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'ClusterRole',
        metadata: { name: b.name, labels: { ...b.labels } },
        ...(b.aggregationRule ? { aggregationRule: b.aggregationRule } : {}),
        rules: b.rules,
      };
      const ref: ObjRef = { kind: 'ClusterRole', name: b.name };
      const object: LoadedObject = Object.freeze({
        obj,
        ref: { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', name: b.name },
        group: RBAC_GROUP,
        file: '<built-in>',
        locate: () => undefined,
      });
      const declared = this.readRules(object, ref, 'ClusterRole');
      this.roles.set(id, {
        id,
        kind: 'ClusterRole',
        ref,
        object,
        labels: b.labels,
        declaredRules: declared,
        rules: declared,
        origins: declared.map(() => undefined),
        aggregated: b.aggregationRule !== undefined,
        builtin: true,
      });
    }
  }

  private readRules(o: LoadedObject, ref: ObjRef, kind: RoleKind): PolicyRule[] {
    const raw = o.obj.rules;
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.problem('malformed-object', ref, `${describeRef(ref)}: rules is not a list; no rule read`, ['rules']);
      return [];
    }
    const out: PolicyRule[] = [];
    raw.forEach((r, i) => {
      if (!isObj(r)) {
        this.problem('malformed-object', ref, `${describeRef(ref)}: rules[${i}] is not an object; skipped`, ['rules', i]);
        return;
      }
      const bad: string[] = [];
      const list = (field: string): string[] => {
        const v = r[field];
        if (v === undefined || v === null) return [];
        if (!Array.isArray(v)) {
          bad.push(field);
          return [];
        }
        const strs = v.filter((x): x is string => typeof x === 'string');
        if (strs.length !== v.length) bad.push(field);
        return strs;
      };
      const rule: PolicyRule = Object.freeze({
        verbs: Object.freeze(list('verbs')),
        apiGroups: Object.freeze(list('apiGroups')),
        resources: Object.freeze(list('resources')),
        resourceNames: Object.freeze(list('resourceNames')),
        nonResourceURLs: Object.freeze(list('nonResourceURLs')),
      });
      if (bad.length > 0) {
        this.problem('malformed-object', ref, `${describeRef(ref)}: rules[${i}] has non-string entries or non-list values in ${bad.join(', ')}; only the strings are used`, ['rules', i]);
      }
      if (rule.nonResourceURLs.length > 0 && kind === 'Role') {
        this.problem(
          'namespaced-non-resource-rule',
          ref,
          `${describeRef(ref)}: rules[${i}] lists nonResourceURLs, which a Role cannot grant (the API server rejects it; a RoleBinding never grants non-resource URLs)`,
          ['rules', i, 'nonResourceURLs'],
        );
      } else if (rule.nonResourceURLs.length > 0 && rule.resources.length > 0) {
        this.problem(
          'mixed-rule',
          ref,
          `${describeRef(ref)}: rules[${i}] lists both resources and nonResourceURLs (the API server rejects this); each part is evaluated on its own`,
          ['rules', i],
        );
      }
      out.push(rule);
    });
    return out;
  }

  // ------------------------------------------------------------------ aggregation
  private aggregate(mode: AggregationMode): void {
    const clusterRoles = [...this.roles.values()].filter((r) => r.kind === 'ClusterRole').sort((a, b) => cmp(a.ref.name, b.ref.name));
    type Sel = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
    const aggregators: Array<{ role: RoleInfo; selectors: Sel[] }> = [];
    for (const role of clusterRoles) {
      if (!role.aggregated) continue;
      const ar = role.object.obj.aggregationRule;
      const rawSelectors = isObj(ar) ? ar.clusterRoleSelectors : undefined;
      const list = Array.isArray(rawSelectors) ? rawSelectors : [];
      // A null list item unmarshals to an empty selector, which selects every ClusterRole.
      const selectors = list.map((s) => (isObj(s) ? (s as Sel) : {}));
      const invalid = selectors.map(selectorError).find((e) => e !== undefined);
      if (invalid !== undefined) {
        // LabelSelectorAsSelector fails: the controller gives up and the stored rules stay.
        this.problem('invalid-aggregation-selector', role.ref, `${describeRef(role.ref)}: ${invalid}; the aggregation controller cannot aggregate it, its declared rules are used`, ['aggregationRule']);
        continue;
      }
      if (role.declaredRules.length > 0) {
        this.problem(
          'aggregated-role-declares-rules',
          role.ref,
          mode === 'union'
            ? `${describeRef(role.ref)} has an aggregationRule and also declares rules; the aggregation controller overwrites them (kept here in the union)`
            : `${describeRef(role.ref)} has an aggregationRule and also declares rules; the aggregation controller overwrites them`,
          ['rules'],
        );
      }
      aggregators.push({ role, selectors });
    }
    if (aggregators.length === 0) return;

    type Eff = { rules: PolicyRule[]; origins: Array<RuleOrigin | undefined>; keys: string[] };
    const eff = new Map<string, Eff>();
    const declaredEff = (r: RoleInfo): Eff => ({ rules: [...r.declaredRules], origins: r.declaredRules.map(() => undefined), keys: r.declaredRules.map(ruleKey) });
    for (const r of clusterRoles) eff.set(r.ref.name, declaredEff(r));
    if (mode === 'controller') for (const a of aggregators) eff.set(a.role.ref.name, { rules: [], origins: [], keys: [] });

    // Least fixpoint: aggregated roles can select each other (nested and even cyclic aggregation).
    for (let round = 0; round <= aggregators.length + 1; round++) {
      let changed = false;
      for (const { role, selectors } of aggregators) {
        const self = role.ref.name;
        const next: Eff = mode === 'union' ? declaredEff(role) : { rules: [], origins: [], keys: [] };
        const seen = new Set(next.keys);
        for (const sel of selectors) {
          for (const other of clusterRoles) {
            if (other.ref.name === self || !selectorMatches(sel, other.labels)) continue;
            const src = eff.get(other.ref.name)!;
            src.rules.forEach((rule, i) => {
              const k = src.keys[i];
              if (seen.has(k)) return;
              seen.add(k);
              next.rules.push(rule);
              next.keys.push(k);
              // Point at the role that declares the rule, through nested aggregation.
              next.origins.push(src.origins[i] ?? { kind: 'ClusterRole', name: other.ref.name, ruleIndex: declaredIndex(other, rule) });
            });
          }
        }
        if (mode === 'controller' && next.rules.length === 0) {
          const d = declaredEff(role);
          next.rules = d.rules;
          next.origins = d.origins;
          next.keys = d.keys;
        }
        const cur = eff.get(self)!;
        if (cur.keys.length !== next.keys.length || cur.keys.some((k, i) => k !== next.keys[i])) {
          eff.set(self, next);
          changed = true;
        }
      }
      if (!changed) break;
    }
    for (const { role } of aggregators) {
      const e = eff.get(role.ref.name)!;
      this.roles.set(role.id, { ...role, rules: Object.freeze(e.rules), origins: Object.freeze(e.origins) });
    }
  }

  // ------------------------------------------------------------------ bindings
  private loadBindings(kind: BindingKind): void {
    const seen = new Set<string>();
    for (const o of this.state.ofKind(GK[kind])) {
      const ns = kind === 'RoleBinding' ? (o.ref.namespace ?? 'default') : '';
      const ref: ObjRef = kind === 'RoleBinding' ? { kind, namespace: ns, name: o.ref.name } : { kind, name: o.ref.name };
      const id = `${kind}|${ns}|${o.ref.name}`;
      if (seen.has(id)) {
        this.problem('duplicate-object', ref, `${describeRef(ref)} is defined more than once; the first definition is used`);
        continue;
      }
      seen.add(id);

      // roleRef
      let roleRef: RoleRef | undefined;
      const rr = o.obj.roleRef;
      if (isObj(rr) && typeof rr.kind === 'string' && typeof rr.name === 'string') {
        roleRef = { apiGroup: typeof rr.apiGroup === 'string' ? rr.apiGroup : '', kind: rr.kind, name: rr.name };
      } else {
        this.problem('malformed-object', ref, `${describeRef(ref)} has no valid roleRef (kind and name); it grants nothing`, ['roleRef']);
      }
      let rid: string | undefined;
      let roleError: string | undefined;
      if (roleRef) {
        if (roleRef.apiGroup !== RBAC_GROUP) {
          this.problem('invalid-role-ref', ref, `${describeRef(ref)}: roleRef.apiGroup is ${JSON.stringify(roleRef.apiGroup)}, not ${RBAC_GROUP} (the API server rejects it)`, ['roleRef', 'apiGroup']);
        }
        if (roleRef.kind === 'ClusterRole') {
          rid = roleId('ClusterRole', '', roleRef.name);
          roleError = `clusterrole.${RBAC_GROUP} ${JSON.stringify(roleRef.name)} not found`;
        } else if (roleRef.kind === 'Role') {
          // Resolved in the binding's namespace; for a ClusterRoleBinding that is '' and never found.
          if (kind === 'ClusterRoleBinding') {
            this.problem('invalid-role-ref', ref, `${describeRef(ref)} references Role ${JSON.stringify(roleRef.name)}: a ClusterRoleBinding can only reference a ClusterRole; it grants nothing`, ['roleRef', 'kind']);
          } else {
            rid = roleId('Role', ns, roleRef.name);
          }
          roleError = `role.${RBAC_GROUP} ${JSON.stringify(roleRef.name)} not found`;
        } else {
          roleError = `unsupported role reference kind: ${JSON.stringify(roleRef.kind)}`;
          this.problem('invalid-role-ref', ref, `${describeRef(ref)}: roleRef.kind ${JSON.stringify(roleRef.kind)} is neither Role nor ClusterRole; it grants nothing`, ['roleRef', 'kind']);
        }
      }
      const role = rid !== undefined ? this.roles.get(rid) : undefined;
      if (role) roleError = undefined;
      else if (rid !== undefined) {
        const missing: ObjRef = roleRef!.kind === 'Role' ? { kind: 'Role', namespace: ns, name: roleRef!.name } : { kind: 'ClusterRole', name: roleRef!.name };
        this.problem('dangling-role-ref', ref, `${describeRef(ref)} references ${describeRef(missing)}, which is not in the input; it grants nothing`, ['roleRef']);
      }

      // subjects
      const subjects: BindingSubject[] = [];
      const rawSubjects = o.obj.subjects;
      if (rawSubjects !== undefined && rawSubjects !== null && !Array.isArray(rawSubjects)) {
        this.problem('malformed-object', ref, `${describeRef(ref)}: subjects is not a list; no subject read`, ['subjects']);
      } else if (Array.isArray(rawSubjects)) {
        rawSubjects.forEach((s, i) => {
          if (!isObj(s) || typeof s.kind !== 'string' || typeof s.name !== 'string') {
            this.problem('malformed-object', ref, `${describeRef(ref)}: subjects[${i}] has no kind or name; it matches nobody`, ['subjects', i]);
            // Keep the index aligned with the object's list.
            subjects.push({ kind: '', name: '' });
            return;
          }
          const subj: BindingSubject = {
            kind: s.kind,
            name: s.name,
            ...(typeof s.apiGroup === 'string' ? { apiGroup: s.apiGroup } : {}),
            ...(typeof s.namespace === 'string' && s.namespace !== '' ? { namespace: s.namespace } : {}),
          };
          subjects.push(subj);
          if (subj.kind !== 'User' && subj.kind !== 'Group' && subj.kind !== 'ServiceAccount') {
            this.problem('unknown-subject-kind', ref, `${describeRef(ref)}: subjects[${i}] has kind ${JSON.stringify(subj.kind)} (User, Group and ServiceAccount are the only kinds; case matters); it matches nobody`, ['subjects', i, 'kind']);
          } else if (subj.kind === 'ServiceAccount' && !subj.namespace && kind === 'ClusterRoleBinding') {
            this.problem('sa-subject-without-namespace', ref, `${describeRef(ref)}: ServiceAccount subject ${JSON.stringify(subj.name)} has no namespace; in a ClusterRoleBinding it matches nobody`, ['subjects', i]);
          }
        });
      }

      const list = kind === 'ClusterRoleBinding' ? this.clusterRoleBindings : getOrCreate(this.roleBindingsByNs, ns);
      const info: BindingInfo = { id, kind, ref, object: o, namespace: ns, roleRef, roleId: rid, role, roleError, subjects, order: list.length };
      list.push(info);
      this.allBindings.push(info);
      if (rid !== undefined) getOrCreate(this.bindingsByRole, rid).push(info);
      const keys = new Set<string>();
      for (const s of subjects) {
        const k = subjectIndexKey(s, ns);
        if (k !== undefined) keys.add(k);
      }
      for (const k of keys) getOrCreate(this.bySubject, k).push(info);
    }
  }
}

/** Index key of a binding subject: 'u:<username>' for Users and ServiceAccounts, 'g:<group>' for Groups. */
export function subjectIndexKey(s: BindingSubject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace ?? bindingNamespace;
      return ns === '' ? undefined : `u:system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return undefined;
  }
}

function declaredIndex(role: RoleInfo, rule: PolicyRule): number {
  return role.declaredRules.indexOf(rule);
}

/** metav1.LabelSelectorAsSelector's validation (operators and value counts). */
function selectorError(sel: { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }): string | undefined {
  const exprs = sel.matchExpressions;
  if (exprs === undefined || exprs === null) return undefined;
  if (!Array.isArray(exprs)) return 'matchExpressions is not a list';
  for (const e of exprs) {
    if (!isObj(e)) return 'a matchExpressions item is not an object';
    const vals = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (vals.length === 0) return `operator ${e.operator} needs values`;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (vals.length > 0) return `operator ${e.operator} takes no values`;
        break;
      default:
        return `${JSON.stringify(e.operator)} is not a valid label selector operator`;
    }
  }
  return undefined;
}

export function describeRef(r: ObjRef): string {
  return r.namespace !== undefined ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

function getOrCreate<K, V>(m: Map<K, V[]>, k: K): V[] {
  let l = m.get(k);
  if (!l) {
    l = [];
    m.set(k, l);
  }
  return l;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
