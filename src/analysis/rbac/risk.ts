// Who holds which risky permission (the technique catalogue), where, and through what. Pure library
// over an RbacEvaluator: the least-privilege rules, `kubeward rbac explain` and the escalation graph
// all read the same analysis, built once per ClusterState.
//
// "Power" is the set of atoms (single permissions of the catalogue) granted to a set of bindings,
// per scope: '' for ClusterRoleBindings (every namespace and cluster-scoped requests) and the
// namespace of each RoleBinding. Techniques are evaluated on power with the scoping rules of the
// authorizer (a RoleBinding never grants a request without a namespace).
import type { LoadedObject } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import type { RbacEvaluator } from './evaluator.js';
import { ALL_AUTHENTICATED, BROAD_GROUPS, SA_GROUP_ALL, SA_GROUP_NS_PREFIX, splitServiceAccountUsername, withImpliedGroups } from './identity.js';
import { describeRef, subjectIndexKey, type BindingInfo, type RoleInfo } from './model.js';
import { platformOfObject, platformOfServiceAccount, platformOfUser, platformOfName } from './platform.js';
import { ATOM_INDEX, TECHNIQUES, lowerSeverity, matchAtoms, type AtomId, type AtomMatch, type Technique, type TechniqueId } from './techniques.js';
import type { ObjRef, SubjectRef } from './types.js';
import type { Severity } from '../../core/types.js';

/** One atom granted by one rule of one role through one binding (or synthetically, in the escalation graph). */
export interface AtomGrant {
  readonly atom: number;
  readonly binding?: BindingInfo;
  readonly role?: RoleInfo;
  readonly ruleIndex: number;
  /** resourceNames the grant is restricted to (undefined: every name). */
  readonly names?: readonly string[];
  readonly matched: readonly string[];
  /** The key ('u:<user>' / 'g:<group>') of the binding subject it applies through. */
  readonly subjectKey?: string;
  /** Granted by a platform binding or to a platform identity. */
  readonly platform: boolean;
}

/** scope ('' = cluster-wide, else a namespace) -> atom -> grants. */
export type Power = Map<string, Map<number, AtomGrant[]>>;

/**
 * The power of an identity as layers (one per key: the user, each group), never merged: the
 * grants of system:authenticated are shared by every identity instead of copied into each.
 */
export type PowerLayers = readonly Power[];

export interface HeldVariant {
  readonly index: number;
  readonly label: string;
  readonly grants: readonly AtomGrant[];
  /** Per atom of the variant: the names it is restricted to (undefined: all names). */
  readonly names: ReadonlyMap<AtomId, readonly string[] | undefined>;
}

export interface Holding {
  readonly technique: Technique;
  /** '' = cluster-wide (all namespaces / cluster-scoped resources), else the namespace. */
  readonly scope: string;
  /** Every variant of the technique that is satisfied in this scope. */
  readonly variants: readonly HeldVariant[];
  /** Every grant involved is a platform grant. */
  readonly platform: boolean;
  /** Every satisfied variant is restricted to some names (e.g. exec into pod "web-0" only). */
  readonly restricted: boolean;
}

export interface SubjectInfo extends SubjectRef {
  /** Index key in the model: 'u:<username>' or 'g:<group>'. */
  readonly key: string;
  readonly platform?: string;
}

/** A pod spec and the service account it runs as. */
export interface PodIdentity {
  readonly pod: PodTemplateView;
  readonly serviceAccount: string;
  readonly username: string;
  /** A token of the service account is available to the containers (automounted or projected). */
  readonly tokenMounted: boolean;
}

const cache = new WeakMap<RbacEvaluator, RiskAnalysis>();

/** The risk analysis of an evaluator, built once and shared. */
export function riskFor(rbac: RbacEvaluator): RiskAnalysis {
  let r = cache.get(rbac);
  if (!r) cache.set(rbac, (r = new RiskAnalysis(rbac)));
  return r;
}

export class RiskAnalysis {
  readonly state: ClusterState;
  private readonly roleAtomsMemo = new Map<RoleInfo, Array<{ ruleIndex: number; m: AtomMatch }>>();
  private readonly bindingPlatformMemo = new Map<BindingInfo, string | undefined>();
  private readonly grantsMemo = new Map<BindingInfo, Map<string, AtomGrant[]>>();
  private readonly keyPowerMemo = new Map<string, Power>();
  private readonly directMemo = new Map<string, Holding[]>();
  private readonly effectiveMemo = new Map<string, { power: PowerLayers; holdings: Holding[] }>();
  private readonly byUserMemo = new Map<string, { power: PowerLayers; holdings: Holding[] }>();
  private subjectsMemo?: readonly SubjectInfo[];
  private podsMemo?: PodIdentity[];
  private podsBySaMemo?: Map<string, PodIdentity[]>;
  private podByViewMemo?: Map<PodTemplateView, PodIdentity>;

  constructor(readonly rbac: RbacEvaluator) {
    this.state = rbac.model.state;
  }

  // ------------------------------------------------------------------ roles and bindings
  /** The atoms each rule of a role grants. */
  roleAtoms(role: RoleInfo): ReadonlyArray<{ ruleIndex: number; m: AtomMatch }> {
    let r = this.roleAtomsMemo.get(role);
    if (!r) {
      r = [];
      role.rules.forEach((rule, ruleIndex) => {
        for (const m of matchAtoms(rule)) r!.push({ ruleIndex, m });
      });
      this.roleAtomsMemo.set(role, r);
    }
    return r;
  }

  /** Platform that installed a binding (labels or reserved name), if any. */
  bindingPlatform(b: BindingInfo): string | undefined {
    if (this.bindingPlatformMemo.has(b)) return this.bindingPlatformMemo.get(b);
    const p = platformOfObject(b.object);
    this.bindingPlatformMemo.set(b, p);
    return p;
  }

  /**
   * Is a grant through this binding to this subject a platform grant? Yes when the platform made
   * the binding, or when it names a platform identity, except a full wildcard (cluster-admin
   * equivalent) given to a platform identity by a binding the platform did not make: that is how a
   * backdoor would hide, so it is reported as the owner's.
   */
  isPlatformGrant(b: BindingInfo, subjectKey: string): boolean {
    if (this.bindingPlatform(b)) return true;
    if (platformOfKey(subjectKey) === undefined) return false;
    return !(b.role && this.roleAtoms(b.role).some((x) => x.m.atom === FULL_ATOM));
  }

  // ------------------------------------------------------------------ power
  /** The power of a list of (binding, subject key) pairs. */
  powerOf(entries: Iterable<{ binding: BindingInfo; subjectKey: string }>): Power {
    const power: Power = new Map();
    for (const { binding: b, subjectKey } of entries) addGrants(power, b.kind === 'ClusterRoleBinding' ? '' : b.namespace, this.bindingGrants(b, subjectKey));
    return power;
  }

  /** The atom grants of one binding through one of its subjects (built once, shared by every power). */
  bindingGrants(b: BindingInfo, subjectKey: string): readonly AtomGrant[] {
    let bySubject = this.grantsMemo.get(b);
    if (!bySubject) this.grantsMemo.set(b, (bySubject = new Map()));
    let gs = bySubject.get(subjectKey);
    if (!gs) {
      gs = [];
      if (b.role) {
        const atoms = this.roleAtoms(b.role);
        if (atoms.length > 0) {
          const platform = this.isPlatformGrant(b, subjectKey);
          for (const { ruleIndex, m } of atoms) gs.push({ atom: m.atom, binding: b, role: b.role, ruleIndex, names: m.names, matched: m.matched, subjectKey, platform });
        }
      }
      bySubject.set(subjectKey, gs);
    }
    return gs;
  }

  /** Bindings naming a subject key directly. */
  bindingsOf(key: string): readonly BindingInfo[] {
    return this.rbac.model.bySubject.get(key) ?? [];
  }

  /** Power from the bindings that name `key` itself (built once per key). */
  directPower(key: string): Power {
    let p = this.keyPowerMemo.get(key);
    if (!p) this.keyPowerMemo.set(key, (p = this.powerOf(this.bindingsOf(key).map((binding) => ({ binding, subjectKey: key })))));
    return p;
  }

  /** Techniques held through bindings that name the subject itself (not through its groups). */
  directHoldings(key: string): Holding[] {
    let h = this.directMemo.get(key);
    if (!h) this.directMemo.set(key, (h = evaluateHoldings(this.directPower(key))));
    return h;
  }

  /** The subject keys an identity is matched by: its user and every group (implied groups added). */
  identityKeys(user: string | undefined, groups: readonly string[] = [], exactGroups = false): string[] {
    const id = exactGroups ? { user, groups: [...groups] } : withImpliedGroups({ user, groups });
    return [...(id.user !== undefined ? [`u:${id.user}`] : []), ...id.groups.map((g) => `g:${g}`)];
  }

  /** Power of an identity through all its keys, as layers (a binding naming two keys counts twice, harmlessly). */
  powerOfKeys(keys: readonly string[]): PowerLayers {
    return keys.filter((k) => this.bindingsOf(k).length > 0).map((k) => this.directPower(k));
  }

  /** The keys of an identity that some binding names, as a cache signature. */
  signature(keys: readonly string[]): string {
    return keys.filter((k) => this.bindingsOf(k).length > 0).join('\n');
  }

  /**
   * Everything a user (a service-account username included) holds with the groups a real request
   * would carry (system:authenticated; system:serviceaccounts[:<ns>] for service accounts).
   */
  effective(user: string): { power: PowerLayers; holdings: Holding[] } {
    let e = this.byUserMemo.get(user);
    if (!e) this.byUserMemo.set(user, (e = this.effectiveOfKeys(this.identityKeys(user))));
    return e;
  }

  /** Power and holdings of an identity given by its keys, cached by the keys that have bindings. */
  effectiveOfKeys(keys: readonly string[]): { power: PowerLayers; holdings: Holding[] } {
    const sig = this.signature(keys);
    let e = this.effectiveMemo.get(sig);
    if (!e) {
      const power = this.powerOfKeys(keys);
      e = { power, holdings: evaluateHoldings(power) };
      this.effectiveMemo.set(sig, e);
    }
    return e;
  }

  /** A group as an identity would hold it when impersonated (the group plus system:authenticated). */
  effectiveGroup(group: string): { power: PowerLayers; holdings: Holding[] } {
    return this.effectiveOfKeys(this.groupKeys(group));
  }

  /** The keys of a group as an impersonated identity: the group and system:authenticated. */
  groupKeys(group: string): string[] {
    return [`g:${group}`, ...(group === ALL_AUTHENTICATED || group === 'system:unauthenticated' ? [] : [`g:${ALL_AUTHENTICATED}`])];
  }

  // ------------------------------------------------------------------ subjects
  /** Every subject named by some binding (service accounts resolved), sorted. */
  subjects(): readonly SubjectInfo[] {
    if (!this.subjectsMemo) {
      const out: SubjectInfo[] = [];
      for (const key of this.rbac.model.bySubject.keys()) out.push(subjectOfKey(key));
      this.subjectsMemo = Object.freeze(out.sort(compareSubjects));
    }
    return this.subjectsMemo;
  }

  /** Index in `b.subjects` of the first entry that resolves to `key`. */
  subjectIndex(b: BindingInfo, key: string): number {
    return b.subjects.findIndex((s) => subjectIndexKey(s, b.namespace) === key);
  }

  // ------------------------------------------------------------------ pods
  /** Every pod spec (Pods and workload templates, controlled ones included) with its identity. */
  pods(): readonly PodIdentity[] {
    if (!this.podsMemo) {
      this.podsMemo = this.state.podTemplates().map((pod) => {
        const serviceAccount = serviceAccountOf(pod.spec);
        return {
          pod,
          serviceAccount,
          username: `system:serviceaccount:${pod.namespace}:${serviceAccount}`,
          tokenMounted: tokenMounted(pod, this.state.get('ServiceAccount', pod.namespace, serviceAccount)),
        };
      });
    }
    return this.podsMemo;
  }

  /** The identity of one pod spec of the state. */
  podIdentity(pod: PodTemplateView): PodIdentity | undefined {
    if (!this.podByViewMemo) this.podByViewMemo = new Map(this.pods().map((p) => [p.pod, p]));
    return this.podByViewMemo.get(pod);
  }

  /** Pods by service-account username. */
  podsBySa(): ReadonlyMap<string, readonly PodIdentity[]> {
    if (!this.podsBySaMemo) {
      const m = new Map<string, PodIdentity[]>();
      for (const p of this.pods()) {
        const l = m.get(p.username);
        if (l) l.push(p);
        else m.set(p.username, [p]);
      }
      this.podsBySaMemo = m;
    }
    return this.podsBySaMemo;
  }
}

// ------------------------------------------------------------------ evaluation
const FULL_ATOM = ATOM_INDEX.full;

interface PowerIndex {
  /** scope -> atoms with at least one grant there. */
  readonly present: ReadonlyMap<string, ReadonlySet<number>>;
  /** atom -> namespaces (not '') where it is granted. */
  readonly nsOfAtom: ReadonlyMap<number, readonly string[]>;
  readonly anywhere: ReadonlySet<number>;
}

const indexMemo = new WeakMap<Power, PowerIndex>();

/** Which atoms a power grants where (built once per power: layers are shared by many identities). */
function indexOf(power: Power): PowerIndex {
  let ix = indexMemo.get(power);
  if (!ix) {
    const present = new Map<string, Set<number>>();
    const nsOfAtom = new Map<number, string[]>();
    const anywhere = new Set<number>();
    for (const [scope, m] of power) {
      const set = new Set<number>();
      for (const [a, gs] of m) {
        if (gs.length === 0) continue;
        set.add(a);
        anywhere.add(a);
        if (scope === '') continue;
        const l = nsOfAtom.get(a);
        if (l) l.push(scope);
        else nsOfAtom.set(a, [scope]);
      }
      present.set(scope, set);
    }
    indexMemo.set(power, (ix = { present, nsOfAtom, anywhere }));
  }
  return ix;
}

/** Techniques held with a given power (or layers of powers), most dangerous first, cluster-wide before namespaces. */
export function evaluateHoldings(power: Power | PowerLayers): Holding[] {
  const layers: PowerLayers = power instanceof Map ? [power] : power;
  const out: Holding[] = [];
  const ixs = layers.map(indexOf);
  if (ixs.every((x) => x.anywhere.size === 0)) return out;
  const inCluster = (a: number) => ixs.some((x) => x.present.get('')?.has(a) === true);
  const anywhere = (a: number) => ixs.some((x) => x.anywhere.has(a));
  const possible = (tech: Technique) => tech.variants.some((v) => v.atoms.every((va) => (va.where === 'cluster' ? inCluster : anywhere)(ATOM_INDEX[va.atom])));
  const at = (ns: string) => (a: number) => ixs.some((x) => x.present.get(ns)?.has(a) === true);
  for (const tech of TECHNIQUES) {
    if (!possible(tech)) continue;
    if (tech.scope === 'cluster') {
      push(out, check(layers, inCluster, undefined, tech, ''));
    } else if (tech.scope === 'kube-system') {
      push(out, check(layers, inCluster, at('kube-system'), tech, 'kube-system'));
    } else {
      const cw = check(layers, inCluster, undefined, tech, '');
      if (cw) out.push(cw);
      else {
        // Only the namespaces that hold an atom the technique lacks cluster-wide can complete it.
        const candidates = new Set<string>();
        for (const v of tech.variants) {
          const missing = v.atoms.find((va) => va.where === 'ns' && !inCluster(ATOM_INDEX[va.atom]));
          if (missing) for (const x of ixs) for (const ns of x.nsOfAtom.get(ATOM_INDEX[missing.atom]) ?? []) candidates.add(ns);
        }
        for (const ns of [...candidates].sort()) push(out, check(layers, inCluster, at(ns), tech, ns));
      }
    }
  }
  return out;
}

function push(out: Holding[], h: Holding | undefined): void {
  if (h) out.push(h);
}

const EMPTY: readonly AtomGrant[] = Object.freeze([]);

/** A satisfied variant; its grants are the shared lists of the power, flattened only when read. */
class Held implements HeldVariant {
  private flat?: readonly AtomGrant[];
  constructor(
    readonly index: number,
    readonly label: string,
    readonly parts: ReadonlyArray<readonly AtomGrant[]>,
    readonly names: ReadonlyMap<AtomId, readonly string[] | undefined>,
  ) {}
  get grants(): readonly AtomGrant[] {
    if (!this.flat) this.flat = this.parts.length === 1 ? this.parts[0] : this.parts.flat();
    return this.flat;
  }
}

function check(layers: PowerLayers, inCluster: (a: number) => boolean, inNs: ((a: number) => boolean) | undefined, tech: Technique, ns: string): Holding | undefined {
  let variants: HeldVariant[] | undefined;
  for (let index = 0; index < tech.variants.length; index++) {
    const variant = tech.variants[index];
    let ok = true;
    // Indexed: asked for every technique of every identity, mostly before V8 optimizes it (a for-of
    // there makes an iterator and a result object per step).
    for (let i = 0; i < variant.atoms.length; i++) {
      const va = variant.atoms[i];
      const a = ATOM_INDEX[va.atom];
      if (!inCluster(a) && (va.where !== 'ns' || !inNs?.(a))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const parts: Array<readonly AtomGrant[]> = [];
    const names = new Map<AtomId, readonly string[] | undefined>();
    for (const va of variant.atoms) {
      const a = ATOM_INDEX[va.atom];
      let all = false;
      let set: Set<string> | undefined;
      const take = (part: readonly AtomGrant[] | undefined) => {
        if (!part || part.length === 0) return;
        parts.push(part);
        if (all) return;
        for (const g of part) {
          if (g.names === undefined) {
            all = true;
            return;
          }
          for (const n of g.names) (set ??= new Set()).add(n);
        }
      };
      for (const l of layers) {
        take(l.get('')?.get(a));
        if (va.where === 'ns' && ns !== '') take(l.get(ns)?.get(a));
      }
      names.set(va.atom, all ? undefined : [...(set ?? [])].sort());
    }
    (variants ??= []).push(new Held(index, variant.label, parts, names));
  }
  if (!variants) return undefined;
  let platform = true;
  for (const v of variants) for (const part of (v as Held).parts) for (const g of part) if (!g.platform) platform = false;
  const restricted = variants.every((v) => [...v.names.values()].some((n) => n !== undefined));
  return { technique: tech, scope: ns, variants, platform, restricted };
}

function addGrants(power: Power, scope: string, grants: readonly AtomGrant[]): void {
  if (grants.length === 0) return;
  let byAtom = power.get(scope);
  if (!byAtom) power.set(scope, (byAtom = new Map()));
  for (const g of grants) {
    const l = byAtom.get(g.atom);
    if (l) l.push(g);
    else byAtom.set(g.atom, [g]);
  }
}

/** Does a holding of `*` on `*` in the same scope (or cluster-wide) make `h` redundant? */
export function coveredByFull(h: Holding, all: readonly Holding[]): boolean {
  if (h.technique.id === 'cluster-admin') return false;
  for (const o of all) {
    if (o.technique.id !== 'cluster-admin') continue;
    if (o.scope === '') return true;
    if (h.technique.scope !== 'cluster' && o.scope === h.scope) return true;
  }
  return false;
}

/** Severity of a holding: the technique's, one step lower in an ordinary namespace, info for platform grants. */
export function holdingSeverity(h: Holding): Severity {
  if (h.platform) return 'info';
  let s = h.technique.severity;
  if (h.scope !== '' && h.scope !== 'kube-system') s = lowerSeverity(s);
  // Names restrict most techniques (exec into one pod); a CSR approver restricted to a signer is no safer.
  if (h.restricted && h.technique.id !== 'csr-approve') s = lowerSeverity(s);
  return s;
}

/** " in shop", " in every namespace", " cluster-wide". */
export function scopeText(h: Holding): string {
  if (h.technique.scope === 'cluster') return ' cluster-wide';
  if (h.scope === '') {
    const clusterAtoms = h.variants.some((v) => h.technique.variants[v.index].atoms.some((a) => a.where === 'cluster'));
    return clusterAtoms || h.technique.id === 'cluster-admin' ? ' cluster-wide' : ' in every namespace';
  }
  return ` in ${h.scope}`;
}

/** The technique's action, with the names it is restricted to when every variant is restricted. */
export function actionText(h: Holding): string {
  if (!h.restricted) return h.technique.action;
  const names = new Set<string>();
  for (const v of h.variants) for (const n of v.names.values()) for (const x of n ?? []) names.add(x);
  return `${h.technique.action} (only ${[...names].sort().map((n) => JSON.stringify(n)).join(', ')})`;
}

/** The unique bindings involved in a holding, in order. */
export function holdingBindings(h: Holding): BindingInfo[] {
  const seen = new Set<BindingInfo>();
  for (const v of h.variants) for (const g of v.grants) if (g.binding) seen.add(g.binding);
  return [...seen];
}

/** "RoleBinding shop/x -> Role shop/everything" for each binding of the grants (group membership noted). */
export function chainText(grants: readonly AtomGrant[], forKey?: string): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const g of grants) {
    if (!g.binding) continue;
    const roleRef: ObjRef = g.role?.ref ?? { kind: g.binding.roleRef?.kind ?? 'Role', name: g.binding.roleRef?.name ?? '?' };
    const via = g.subjectKey && g.subjectKey !== forKey && g.subjectKey.startsWith('g:') ? ` (as member of Group ${g.subjectKey.slice(2)})` : '';
    const s = `${describeRef(g.binding.ref)}${via} -> ${describeRef(roleRef)}`;
    if (seen.has(s)) continue;
    seen.add(s);
    parts.push(s);
  }
  return parts.join(', ');
}

/** Chain of every grant of a holding (computed once per holding and subject). */
export function holdingChain(h: Holding, forKey?: string): string {
  let m = chainMemo.get(h);
  if (!m) chainMemo.set(h, (m = new Map()));
  const k = forKey ?? '';
  let c = m.get(k);
  if (c === undefined) {
    c = chainText(
      h.variants.flatMap((v) => v.grants),
      forKey,
    );
    m.set(k, c);
  }
  return c;
}

const evidenceMemo = new WeakMap<Holding, Record<string, unknown>>();
const chainMemo = new WeakMap<Holding, Map<string, string>>();

/** JSON-friendly description of a holding (evidence, --format json); computed once per holding. */
export function holdingEvidence(h: Holding): Record<string, unknown> {
  let e = evidenceMemo.get(h);
  if (!e) evidenceMemo.set(h, (e = computeEvidence(h)));
  return e;
}

function computeEvidence(h: Holding): Record<string, unknown> {
  return {
    technique: h.technique.id,
    scope: h.scope === '' ? (h.technique.scope === 'cluster' ? 'cluster' : 'all-namespaces') : h.scope,
    platform: h.platform,
    variants: h.variants.map((v) => ({
      label: v.label,
      ...(hasNames(v) ? { names: Object.fromEntries([...v.names].filter(([, n]) => n !== undefined)) } : {}),
      ...limitedGrants(v.grants),
    })),
  };
}

/** At most 10 grants in evidence (a broad group can hold hundreds), with the total. */
function limitedGrants(gs: readonly AtomGrant[]): Record<string, unknown> {
  const u = uniqueGrants(gs);
  return u.length <= 10 ? { grants: u.map(grantEvidence) } : { grants: u.slice(0, 10).map(grantEvidence), grantCount: u.length };
}

function hasNames(v: HeldVariant): boolean {
  return [...v.names.values()].some((n) => n !== undefined);
}

function uniqueGrants(gs: readonly AtomGrant[]): AtomGrant[] {
  const seen = new Map<unknown, Set<number>>();
  const out: AtomGrant[] = [];
  for (const g of gs) {
    const k = g.binding ?? g.role;
    let rules = seen.get(k);
    if (!rules) seen.set(k, (rules = new Set()));
    if (rules.has(g.ruleIndex)) continue;
    rules.add(g.ruleIndex);
    out.push(g);
  }
  return out;
}

const grantEvidenceMemo = new WeakMap<AtomGrant, Record<string, unknown>>();

export function grantEvidence(g: AtomGrant): Record<string, unknown> {
  let e = grantEvidenceMemo.get(g);
  if (!e) grantEvidenceMemo.set(g, (e = computeGrantEvidence(g)));
  return e;
}

function computeGrantEvidence(g: AtomGrant): Record<string, unknown> {
  return {
    ...(g.binding ? { binding: refString(g.binding.ref) } : {}),
    ...(g.role ? { role: refString(g.role.ref), rule: g.ruleIndex } : {}),
    ...(g.subjectKey ? { subject: g.subjectKey.startsWith('g:') ? `Group/${g.subjectKey.slice(2)}` : describeKeyShort(g.subjectKey) } : {}),
    grants: g.matched,
    ...(g.names ? { resourceNames: g.names } : {}),
  };
}

/** "RoleBinding/shop/x", "ClusterRole/cluster-admin". */
export function refString(r: ObjRef): string {
  return r.namespace !== undefined ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

// ------------------------------------------------------------------ subjects
export function subjectOfKey(key: string): SubjectInfo {
  if (key.startsWith('g:')) {
    const name = key.slice(2);
    const platform = platformOfName(name);
    return { kind: 'Group', name, key, ...(platform ? { platform } : {}) };
  }
  const user = key.slice(2);
  const sa = splitServiceAccountUsername(user);
  if (sa) {
    const platform = platformOfServiceAccount(sa.namespace, sa.name);
    return { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name, key, ...(platform ? { platform } : {}) };
  }
  const platform = platformOfUser(user);
  return { kind: 'User', name: user, key, ...(platform ? { platform } : {}) };
}

export function keyOfSubject(s: SubjectRef): string {
  if (s.kind === 'Group') return `g:${s.name}`;
  if (s.kind === 'ServiceAccount') return `u:system:serviceaccount:${s.namespace ?? 'default'}:${s.name}`;
  return `u:${s.name}`;
}

/** "ServiceAccount shop/storefront", "User alice", "Group devs". */
export function describeSubjectRef(s: SubjectRef): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

export function describeKey(key: string): string {
  return describeSubjectRef(subjectOfKey(key));
}

function describeKeyShort(key: string): string {
  const s = subjectOfKey(key);
  return s.kind === 'ServiceAccount' ? `ServiceAccount/${s.namespace}/${s.name}` : `${s.kind}/${s.name}`;
}

export function platformOfKey(key: string): string | undefined {
  return subjectOfKey(key).platform;
}

/** Groups every identity of a kind holds: grants to them are grants to everyone. */
export function isBroadGroupKey(key: string): boolean {
  return key.startsWith('g:') && BROAD_GROUPS.has(key.slice(2));
}

/** system:serviceaccounts:<ns> is broad within a namespace. */
export function isNamespaceSaGroupKey(key: string): boolean {
  return key.startsWith(`g:${SA_GROUP_NS_PREFIX}`) && key !== `g:${SA_GROUP_ALL}`;
}

function compareSubjects(a: SubjectInfo, b: SubjectInfo): number {
  const order = { User: 0, Group: 1, ServiceAccount: 2 } as const;
  return order[a.kind] - order[b.kind] || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ------------------------------------------------------------------ pods
/** serviceAccountName, else the deprecated serviceAccount alias, else "default". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function serviceAccountOf(spec: Readonly<Record<string, any>>): string {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return spec.serviceAccountName;
  if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') return spec.serviceAccount;
  return 'default';
}

/**
 * Does a pod get a token of its service account? Automounted unless the pod (whose value wins) or
 * else its ServiceAccount sets automountServiceAccountToken: false; a projected
 * serviceAccountToken volume gives one in any case.
 */
export function tokenMounted(pod: PodTemplateView, sa: LoadedObject | undefined): boolean {
  const volumes = pod.spec.volumes;
  if (Array.isArray(volumes)) {
    for (const v of volumes) {
      const sources = v?.projected?.sources;
      if (Array.isArray(sources) && sources.some((s: { serviceAccountToken?: unknown } | null) => s?.serviceAccountToken)) return true;
    }
  }
  const podValue = pod.spec.automountServiceAccountToken;
  if (podValue === false) return false;
  if (podValue === true) return true;
  return sa?.obj.automountServiceAccountToken !== false;
}

/** How a pod's service account is set, for pointing at it. */
export function serviceAccountPath(pod: PodTemplateView): ReadonlyArray<string | number> {
  if (pod.spec.serviceAccountName) return [...pod.specPath, 'serviceAccountName'];
  if (pod.spec.serviceAccount) return [...pod.specPath, 'serviceAccount'];
  return pod.specPath;
}

/** The ids of the techniques, for consumers that need them typed. */
export type { TechniqueId };
