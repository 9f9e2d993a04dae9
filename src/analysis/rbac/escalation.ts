// Escalation paths: a graph from every subject, through the techniques of the catalogue, to
// "cluster-admin equivalent" (`*` on `*` cluster-wide through a ClusterRoleBinding, or membership
// of system:masters). Shortest paths come from one breadth-first search backwards from the
// target, so the cost is linear in the size of the graph whatever the number of subjects.
//
// Nodes: identities ('u:<user>' for users and service accounts, 'g:<group>'), the power of a role
// in a scope ('role:<id>@<scope>', reached by binding it), full control of a namespace
// ('nsadmin:<ns>'), and hubs that fan out: 'anysa:<ns>' (act as any service account of a
// namespace), 'exec:<ns>' (run code in the pods of a namespace), 'anyuser', with '*' variants for
// every namespace. Edges (a technique held by the source, with the grants that give it):
//   create workloads in ns     -> anysa:ns (a pod may name any service account of its namespace)
//   mint tokens / create token secrets -> the service accounts (named) or anysa:ns
//   exec / attach / ephemeral containers / update pods -> exec:ns -> service accounts of those pods
//   read secrets               -> service accounts whose legacy token Secret is in the input
//   impersonate users / groups / service accounts -> those identities (groups: system:masters)
//   bind (with create/update bindings) -> the roles it may bind (unrestricted: cluster-admin)
//   escalate + update roles    -> full power where those roles are bound to it
//   nodes/proxy                -> exec:* (the kubelet API runs commands in any pod)
//   mutating webhook config    -> exec:* (inject a container into every new pod)
//   create + approve CSRs for kube-apiserver-client -> cluster-admin (client cert in system:masters)
//   edit aws-auth (EKS inputs) -> cluster-admin (map an IAM principal to system:masters)
// Not modelled: escaping to the node from a privileged or hostPath pod (that is the workload
// pillar's concern), and credentials other than service-account tokens found in secrets.
import type { RbacEvaluator } from './evaluator.js';
import { SYSTEM_MASTERS, splitServiceAccountUsername } from './identity.js';
import { describeRef, roleId, type BindingInfo, type RoleInfo } from './model.js';
import {
  chainText,
  describeKey,
  evaluateHoldings,
  refString,
  riskFor,
  subjectOfKey,
  type AtomGrant,
  type Holding,
  type PodIdentity,
  type Power,
  type PowerLayers,
  type RiskAnalysis,
  type SubjectInfo,
} from './risk.js';
import { matchAtoms } from './techniques.js';

export const ADMIN = 'admin';

export interface EscalationStep {
  readonly from: string;
  readonly to: string;
  /** What is done, e.g. "create or change workloads in shop". */
  readonly action: string;
  /** The grants that allow the step (empty for fan-out steps such as "run as ServiceAccount x"). */
  readonly grants: readonly AtomGrant[];
  /** Other objects the step relies on (the pod exec'd into, the token Secret read...). */
  readonly objects: readonly string[];
  /** The technique used, for steps that use one. */
  readonly technique?: string;
}

export interface EscalationPath {
  readonly subject: SubjectInfo;
  readonly steps: readonly EscalationStep[];
  /** The subject is a platform identity, or the first step is granted by platform bindings only. */
  readonly platform: boolean;
}

interface Edge extends EscalationStep {}

const FULL_RULE = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] };
const FULL_ATOMS = matchAtoms(FULL_RULE);

const cache = new WeakMap<RbacEvaluator, EscalationGraph>();

/** The escalation graph of an evaluator, built once and shared. */
export function escalationFor(rbac: RbacEvaluator): EscalationGraph {
  let g = cache.get(rbac);
  if (!g) cache.set(rbac, (g = new EscalationGraph(riskFor(rbac))));
  return g;
}

export class EscalationGraph {
  private readonly edges = new Map<string, Edge[]>();
  private readonly next = new Map<string, Edge>();
  private readonly dist = new Map<string, number>();
  private readonly rbac: RbacEvaluator;
  private readonly sasByNs = new Map<string, Set<string>>();
  private readonly tokenSecrets: Array<{ namespace: string; secret: string; username: string }> = [];
  private readonly eks: boolean;
  private readonly podsByNs = new Map<string, PodIdentity[]>();
  private readonly rolesByNs = new Map<string, RoleInfo[]>();

  constructor(readonly risk: RiskAnalysis) {
    this.rbac = risk.rbac;
    const state = risk.state;
    // Service accounts known per namespace: objects, binding subjects, pods, and every namespace's default.
    const addSa = (ns: string, name: string) => {
      let s = this.sasByNs.get(ns);
      if (!s) this.sasByNs.set(ns, (s = new Set()));
      s.add(name);
    };
    for (const o of state.ofKind('ServiceAccount')) addSa(o.ref.namespace ?? 'default', o.ref.name);
    for (const key of this.rbac.model.bySubject.keys()) {
      const sa = key.startsWith('u:') ? splitServiceAccountUsername(key.slice(2)) : undefined;
      if (sa) addSa(sa.namespace, sa.name);
    }
    for (const p of risk.pods()) addSa(p.pod.namespace, p.serviceAccount);
    for (const ns of state.namespaceNames()) addSa(ns, 'default');
    for (const o of state.ofKind('Secret')) {
      if (o.obj.type !== 'kubernetes.io/service-account-token') continue;
      const saName = o.obj.metadata?.annotations?.['kubernetes.io/service-account.name'];
      if (typeof saName !== 'string' || saName === '') continue;
      const ns = o.ref.namespace ?? 'default';
      this.tokenSecrets.push({ namespace: ns, secret: o.ref.name, username: `system:serviceaccount:${ns}:${saName}` });
    }
    this.eks = isEks(state);
    for (const p of risk.pods()) {
      const l = this.podsByNs.get(p.pod.namespace);
      if (l) l.push(p);
      else this.podsByNs.set(p.pod.namespace, [p]);
    }
    for (const r of this.rbac.model.roles.values()) {
      if (r.kind !== 'Role') continue;
      const ns = r.ref.namespace ?? 'default';
      const l = this.rolesByNs.get(ns);
      if (l) l.push(r);
      else this.rolesByNs.set(ns, [r]);
    }
    this.build();
  }

  // ------------------------------------------------------------------ building
  private build(): void {
    const work: string[] = [];
    const queued = new Set<string>();
    const enqueue = (k: string) => {
      if (queued.has(k)) return;
      queued.add(k);
      work.push(k);
    };
    for (const key of [...this.rbac.model.bySubject.keys()].sort()) enqueue(key);
    for (const [ns, names] of [...this.sasByNs].sort(([a], [b]) => cmp(a, b))) for (const n of [...names].sort()) enqueue(`u:system:serviceaccount:${ns}:${n}`);
    enqueue(`g:${SYSTEM_MASTERS}`);
    for (let i = 0; i < work.length; i++) {
      const node = work[i];
      const out = this.edgesOf(node);
      this.edges.set(node, out);
      for (const e of out) if (e.to !== ADMIN) enqueue(e.to);
    }
    // Backwards breadth-first search from the target.
    const rev = new Map<string, Edge[]>();
    for (const out of this.edges.values()) {
      for (const e of out) {
        const l = rev.get(e.to);
        if (l) l.push(e);
        else rev.set(e.to, [e]);
      }
    }
    this.dist.set(ADMIN, 0);
    let frontier = [ADMIN];
    let d = 0;
    while (frontier.length > 0) {
      d++;
      const nextFrontier: string[] = [];
      for (const n of frontier) {
        for (const e of rev.get(n) ?? []) {
          if (this.dist.has(e.from)) continue;
          this.dist.set(e.from, d);
          this.next.set(e.from, e);
          nextFrontier.push(e.from);
        }
      }
      frontier = nextFrontier;
    }
  }

  private edgesOf(node: string): Edge[] {
    if (node.startsWith('u:') || node.startsWith('g:')) {
      if (node === `g:${SYSTEM_MASTERS}`) return [edge(node, ADMIN, 'is a member of system:masters (allowed everything, no binding needed)', [], [], 'system:masters')];
      // The identity holds the union of the grants of its keys (user and groups). Identities with
      // the same bound keys (e.g. the service accounts of a namespace that no binding names) share
      // one 'keys:' node, so their edges are computed once.
      const keys = node.startsWith('u:') ? this.risk.identityKeys(node.slice(2)) : this.risk.groupKeys(node.slice(2));
      const sig = this.risk.signature(keys);
      return sig === '' ? [] : [edge(node, `keys:${sig}`, 'holds')];
    }
    const [kind, arg] = splitNode(node);
    switch (kind) {
      case 'keys': {
        const keys = arg.split('\n');
        return this.powerEdges(node, this.risk.effectiveOfKeys(keys).power, keys);
      }
      case 'anysa': {
        if (arg === '*') return [...this.sasByNs.keys()].sort().map((ns) => edge(node, `anysa:${ns}`, `in namespace ${ns}`));
        return [...(this.sasByNs.get(arg) ?? [])].sort().map((n) => edge(node, `u:system:serviceaccount:${arg}:${n}`, `act as ServiceAccount ${arg}/${n}`));
      }
      case 'tokens': {
        if (arg === '*') return [...new Set(this.tokenSecrets.map((t) => t.namespace))].sort().map((ns) => edge(node, `tokens:${ns}`, `in namespace ${ns}`));
        return this.tokenSecrets
          .filter((t) => t.namespace === arg)
          .map((t) => edge(node, `u:${t.username}`, `read Secret ${t.namespace}/${t.secret} (a token of ${describeKey(`u:${t.username}`)})`, [], [`Secret/${t.namespace}/${t.secret}`]));
      }
      case 'roles':
        return (this.rolesByNs.get(arg) ?? []).map((r) => edge(node, `role:${r.id}@${arg}`, `bind Role ${arg}/${r.ref.name} with a RoleBinding`));
      case 'exec': {
        if (arg === '*') return [...this.podsByNs.keys()].sort().map((ns) => edge(node, `exec:${ns}`, `in namespace ${ns}`));
        // One edge per service account (the first pod mounting its token): the search keeps the first
        // edge to each identity anyway, and a 50,000-pod cluster had one edge (and text) per pod.
        const out: Edge[] = [];
        const seen = new Set<string>();
        for (const p of this.podsByNs.get(arg) ?? []) {
          if (!p.tokenMounted || seen.has(p.username)) continue;
          seen.add(p.username);
          out.push(edge(node, `u:${p.username}`, `use the token of ServiceAccount ${arg}/${p.serviceAccount} mounted in ${describeRef(p.pod.owner.ref)}`, [], [refString(p.pod.owner.ref)]));
        }
        return out;
      }
      case 'nsadmin': {
        if (arg === '*') return this.rbac.model.state.namespaceNames().map((ns) => edge(node, `nsadmin:${ns}`, `in namespace ${ns}`));
        const power: Power = new Map([[arg, new Map(FULL_ATOMS.map((m) => [m.atom, [{ atom: m.atom, ruleIndex: 0, matched: m.matched, platform: false }]]))]]);
        return this.powerEdges(node, power, []);
      }
      case 'role': {
        const at = arg.lastIndexOf('@');
        const id = arg.slice(0, at);
        const scope = arg.slice(at + 1);
        const role = this.rbac.model.roles.get(id);
        if (!role) return [];
        const power: Power = new Map([[scope, new Map()]]);
        for (const { ruleIndex, m } of this.risk.roleAtoms(role)) {
          const byAtom = power.get(scope)!;
          const g: AtomGrant = { atom: m.atom, role, ruleIndex, names: m.names, matched: m.matched, platform: false };
          const l = byAtom.get(m.atom);
          if (l) l.push(g);
          else byAtom.set(m.atom, [g]);
        }
        return this.powerEdges(node, power, []);
      }
      case 'anyuser': {
        const out: Edge[] = [];
        for (const key of this.rbac.model.bySubject.keys()) {
          if (key.startsWith('u:') && !splitServiceAccountUsername(key.slice(2))) out.push(edge(node, key, `act as User ${key.slice(2)}`));
        }
        return out.sort((a, b) => cmp(a.to, b.to));
      }
      default:
        return [];
    }
  }

  /** Edges given by the techniques a power holds. `keys`: the identity's subject keys (for escalate). */
  private powerEdges(node: string, power: Power | PowerLayers, keys: readonly string[]): Edge[] {
    const out: Edge[] = [];
    for (const h of evaluateHoldings(power)) {
      const add = (to: string, action: string, grants: readonly AtomGrant[], objects: string[] = []) => {
        if (to !== node) out.push({ from: node, to, action, grants, objects, technique: h.technique.id });
      };
      this.holdingEdges(h, keys, add);
    }
    // One edge per target: the first (most dangerous technique first) wins.
    const seen = new Set<string>();
    return out.filter((e) => (seen.has(e.to) ? false : (seen.add(e.to), true)));
  }

  private holdingEdges(
    h: Holding,
    keys: readonly string[],
    add: (to: string, action: string, grants: readonly AtomGrant[], objects?: string[]) => void,
  ): void {
    const ns = h.scope;
    const where = ns === '' ? 'in every namespace' : `in ${ns}`;
    const anysa = ns === '' ? 'anysa:*' : `anysa:${ns}`;
    const exec = ns === '' ? 'exec:*' : `exec:${ns}`;
    const saNamed = (name: string): string[] =>
      ns === '' ? [...this.sasByNs].filter(([, s]) => s.has(name)).map(([n]) => `u:system:serviceaccount:${n}:${name}`) : [`u:system:serviceaccount:${ns}:${name}`];
    for (const v of h.variants) {
      const g = v.grants;
      switch (h.technique.id) {
        case 'cluster-admin':
          if (ns === '') add(ADMIN, 'holds * on * cluster-wide', g);
          else add(`nsadmin:${ns}`, `holds * on * in ${ns}`, g);
          break;
        case 'create-workloads':
          add(anysa, `${v.label} ${where} (a pod may run as any ServiceAccount of its namespace)`, g);
          break;
        case 'token-create': {
          const names = v.names.get('create-token');
          if (v.index === 0 && names) for (const n of names) for (const to of saNamed(n)) add(to, `create a token for ${describeKey(to)}`, g);
          else add(anysa, `${v.label} ${where} (a token for any ServiceAccount)`, g);
          break;
        }
        case 'pod-exec':
        case 'modify-pods': {
          if (h.technique.id === 'pod-exec' && v.index === 2) break; // port-forward reaches ports, not code
          const names = [...v.names.values()][0];
          if (!names) {
            add(exec, `${v.label} ${where}`, g);
            break;
          }
          for (const p of this.risk.pods()) {
            if (p.pod.owner.ref.kind !== 'Pod' || !names.includes(p.pod.owner.ref.name) || !p.tokenMounted) continue;
            if (ns !== '' && p.pod.namespace !== ns) continue;
            add(`u:${p.username}`, `${v.label} Pod ${p.pod.namespace}/${p.pod.owner.ref.name} and use its token`, g, [refString(p.pod.owner.ref)]);
          }
          break;
        }
        case 'read-secrets':
          add(ns === '' ? 'tokens:*' : `tokens:${ns}`, `${v.label} ${where} (legacy service-account token Secrets)`, g);
          break;
        case 'impersonate': {
          const names = [...v.names.values()][0];
          if (v.index === 0) {
            if (!names) add('anyuser', 'impersonate any user', g);
            else for (const n of names) add(`u:${n}`, `impersonate User ${n}`, g);
          } else if (v.index === 1) {
            if (!names || names.includes(SYSTEM_MASTERS)) add(ADMIN, 'impersonate group system:masters', g);
            else for (const n of names) add(`g:${n}`, `impersonate Group ${n}`, g);
          } else {
            if (!names) add(anysa, `impersonate any ServiceAccount ${where}`, g);
            else for (const n of names) for (const to of saNamed(n)) add(to, `impersonate ${describeKey(to)}`, g);
          }
          break;
        }
        case 'bind-escalate':
          this.bindEdges(h, v.index, v.names, g, keys, add);
          break;
        case 'nodes-proxy':
          add('exec:*', 'run commands in any pod through the kubelet API (nodes/proxy)', g);
          break;
        case 'webhook-config':
          if (v.index <= 1) add('exec:*', `${v.label}: inject a container into every new pod`, g);
          break;
        case 'csr-approve': {
          const signers = v.names.get('approve-signers');
          if (!signers || signers.some((s) => s === 'kubernetes.io/kube-apiserver-client' || s === 'kubernetes.io/*')) {
            add(ADMIN, 'create and approve a kube-apiserver-client CSR for a system:masters client certificate', g);
          }
          break;
        }
        case 'aws-auth':
          if (this.eks) add(ADMIN, 'edit ConfigMap kube-system/aws-auth to map an IAM principal to system:masters (EKS)', g);
          break;
        default:
          break;
      }
    }
  }

  private bindEdges(
    h: Holding,
    variant: number,
    names: ReadonlyMap<string, readonly string[] | undefined>,
    g: readonly AtomGrant[],
    keys: readonly string[],
    add: (to: string, action: string, grants: readonly AtomGrant[], objects?: string[]) => void,
  ): void {
    const ns = h.scope;
    const roles = this.rbac.model.roles;
    if (variant <= 1) {
      // ClusterRoleBinding to a ClusterRole it may bind.
      const n = names.get('bind-clusterroles');
      if (!n || n.includes('cluster-admin')) add(ADMIN, 'bind ClusterRole cluster-admin with a ClusterRoleBinding', g);
      else for (const r of n) if (roles.has(roleId('ClusterRole', '', r))) add(`role:${roleId('ClusterRole', '', r)}@`, `bind ClusterRole ${r} with a ClusterRoleBinding`, g);
      return;
    }
    if (variant <= 5) {
      const target = ns === '' ? '*' : ns;
      const where = ns === '' ? 'in any namespace' : `in ${ns}`;
      if (variant <= 3) {
        const n = names.get('bind-clusterroles');
        if (!n || n.includes('cluster-admin') || n.includes('admin')) add(`nsadmin:${target}`, `bind ClusterRole ${n && !n.includes('cluster-admin') ? 'admin' : 'cluster-admin'} with a RoleBinding ${where}`, g);
        else if (ns !== '') for (const r of n) if (roles.has(roleId('ClusterRole', '', r))) add(`role:${roleId('ClusterRole', '', r)}@${ns}`, `bind ClusterRole ${r} with a RoleBinding in ${ns}`, g);
      } else if (ns !== '') {
        const n = names.get('bind-roles');
        if (!n) add(`roles:${ns}`, `bind any Role of ${ns} with a RoleBinding`, g);
        else for (const r of n) if (roles.has(roleId('Role', ns, r))) add(`role:${roleId('Role', ns, r)}@${ns}`, `bind Role ${ns}/${r} with a RoleBinding`, g);
      }
      return;
    }
    // escalate + update roles: full power wherever an updatable role is bound to the identity.
    const isCluster = variant === 6;
    const n = names.get(isCluster ? 'update-clusterroles' : 'update-roles');
    const e = names.get(isCluster ? 'escalate-clusterroles' : 'escalate-roles');
    const may = (name: string) => (!n || n.includes(name)) && (!e || e.includes(name));
    if (isCluster && !n && !e) {
      add(ADMIN, 'add * on * to a ClusterRole bound to everyone (e.g. system:basic-user) with escalate', g);
      return;
    }
    const seen = new Set<BindingInfo>();
    for (const key of keys) {
      for (const b of this.rbac.model.bySubject.get(key) ?? []) {
        if (seen.has(b) || !b.role) continue;
        seen.add(b);
        if (isCluster ? b.role.kind !== 'ClusterRole' : b.role.kind !== 'Role' || (ns !== '' && b.role.ref.namespace !== ns)) continue;
        if (!may(b.role.ref.name)) continue;
        const to = b.kind === 'ClusterRoleBinding' ? ADMIN : `nsadmin:${b.namespace}`;
        add(to, `escalate and rewrite ${describeRef(b.role.ref)}, bound to it by ${describeRef(b.ref)}`, g, [refString(b.ref)]);
      }
    }
  }

  // ------------------------------------------------------------------ queries
  /** Number of nodes and edges (for benchmarks). */
  size(): { nodes: number; edges: number } {
    let edges = 0;
    for (const l of this.edges.values()) edges += l.length;
    return { nodes: this.edges.size, edges };
  }

  /** Steps from a subject key ('u:<user>' / 'g:<group>') to cluster-admin, if any. */
  pathFrom(key: string): EscalationStep[] | undefined {
    const raw = this.rawPath(key, 0);
    return raw?.filter((e) => !e.to.startsWith('keys:'));
  }

  private rawPath(key: string, depth: number): Edge[] | undefined {
    if (key === ADMIN) return [];
    if (this.dist.has(key)) {
      const steps: Edge[] = [];
      let cur = key;
      while (cur !== ADMIN) {
        const e = this.next.get(cur);
        if (!e) return undefined;
        steps.push(e);
        cur = e.to;
      }
      return steps;
    }
    if (this.edges.has(key) || depth > 1) return undefined;
    // Not in the graph (a subject asked on the command line that no binding names): evaluate it alone.
    let best: Edge[] | undefined;
    for (const e of this.edgesOf(key)) {
      const rest = this.rawPath(e.to, depth + 1);
      if (rest && (!best || rest.length + 1 < best.length)) best = [e, ...rest];
    }
    return best;
  }

  /**
   * Shortest path of every bound subject (and every service account run by a pod) that reaches
   * cluster-admin without holding it directly, sorted by subject.
   */
  paths(): EscalationPath[] {
    const keys = new Set<string>(this.rbac.model.bySubject.keys());
    for (const p of this.risk.pods()) keys.add(`u:${p.username}`);
    const out: EscalationPath[] = [];
    for (const key of [...keys].sort()) {
      const steps = this.pathFrom(key);
      if (!steps || steps.length === 0) continue;
      if (steps.length === 1 && steps[0].technique === 'cluster-admin') continue;
      if (key === `g:${SYSTEM_MASTERS}`) continue;
      const subject = subjectOfKey(key);
      const first = steps[0].grants;
      const platform = subject.platform !== undefined || (first.length > 0 && first.every((x) => x.platform));
      out.push({ subject, steps, platform });
    }
    const order = { User: 0, Group: 1, ServiceAccount: 2 } as const;
    return out.sort((a, b) => order[a.subject.kind] - order[b.subject.kind] || cmp(a.subject.namespace ?? '', b.subject.namespace ?? '') || cmp(a.subject.name, b.subject.name));
  }

  /** Distance (steps) from a node to cluster-admin. */
  distance(key: string): number | undefined {
    return this.dist.get(key);
  }
}

/**
 * "create pods in ci [RoleBinding ci/b -> Role ci/r] => ServiceAccount ci/deployer => holds * on *
 * cluster-wide [ClusterRoleBinding d -> ClusterRole cluster-admin] => cluster-admin". `key` is the
 * subject's key, so that grants through its groups say so.
 */
export function describePath(subject: string, steps: readonly EscalationStep[], key?: string): string {
  const parts: string[] = [subject];
  steps.forEach((s, i) => {
    const forKey = i === 0 ? key : s.from;
    if (s.grants.length > 0) parts.push(`${s.action} [${chainText(s.grants, forKey) || roleOnly(s.grants)}]`);
    else if (s.objects.length > 0) parts.push(s.action);
    const hub = /^(anysa|exec|tokens|roles):/.test(s.to) || s.to === 'anyuser' || s.to === 'nsadmin:*';
    if (s.to !== ADMIN && !hub) parts.push(nodeLabel(s.to));
  });
  parts.push('cluster-admin');
  return dedupeAdjacent(parts).join(' => ');
}

function roleOnly(grants: readonly AtomGrant[]): string {
  return [...new Set(grants.filter((g) => g.role).map((g) => describeRef(g.role!.ref)))].join(', ');
}

function dedupeAdjacent(xs: string[]): string[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

/** Number of actions in a path: steps that use a technique or an object (fan-out steps such as "act as ServiceAccount x" do not count). */
export function stepCount(steps: readonly EscalationStep[]): number {
  return steps.filter((s) => s.technique !== undefined || s.objects.length > 0).length;
}

/** A readable name for a node. */
export function nodeLabel(node: string): string {
  if (node === ADMIN) return 'cluster-admin';
  if (node.startsWith('u:') || node.startsWith('g:')) return describeKey(node);
  const [kind, arg] = splitNode(node);
  switch (kind) {
    case 'anysa':
      return arg === '*' ? 'any ServiceAccount' : `any ServiceAccount of ${arg}`;
    case 'exec':
      return arg === '*' ? 'code execution in any pod' : `code execution in the pods of ${arg}`;
    case 'nsadmin':
      return arg === '*' ? 'full control of any namespace' : `full control of namespace ${arg}`;
    case 'anyuser':
      return 'any user';
    case 'tokens':
      return arg === '*' ? 'the token Secrets of every namespace' : `the token Secrets of ${arg}`;
    case 'roles':
      return `any Role of ${arg}`;
    case 'keys':
      return 'its grants';
    case 'role': {
      const at = arg.lastIndexOf('@');
      const [k, a, b] = arg.slice(0, at).split('|');
      const scope = arg.slice(at + 1);
      const r = k === 'ClusterRole' ? `ClusterRole ${a}` : `Role ${a}/${b}`;
      return `the permissions of ${r} ${scope === '' ? 'cluster-wide' : `in ${scope}`}`;
    }
    default:
      return node;
  }
}

/** JSON form of a path's steps: binding/role as "Kind/ns/name" strings. */
export function stepsEvidence(steps: readonly EscalationStep[]): Array<Record<string, unknown>> {
  return steps.map((s) => ({
    action: s.action,
    to: nodeLabel(s.to),
    via: uniqueVia(s.grants),
    ...(s.objects.length > 0 ? { objects: s.objects } : {}),
  }));
}

function uniqueVia(grants: readonly AtomGrant[]): Array<{ binding?: string; role?: string }> {
  const seen = new Set<string>();
  const out: Array<{ binding?: string; role?: string }> = [];
  for (const g of grants) {
    const v = { ...(g.binding ? { binding: refString(g.binding.ref) } : {}), ...(g.role ? { role: refString(g.role.ref) } : {}) };
    const k = JSON.stringify(v);
    if (seen.has(k) || (!v.binding && !v.role)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

function edge(from: string, to: string, action: string, grants: readonly AtomGrant[] = [], objects: string[] = [], technique?: string): Edge {
  return { from, to, action, grants, objects, ...(technique ? { technique } : {}) };
}

function splitNode(node: string): [string, string] {
  const i = node.indexOf(':');
  return i < 0 ? [node, ''] : [node.slice(0, i), node.slice(i + 1)];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Evidence that the input is an EKS cluster (aws-auth, EKS labels, IRSA annotations). */
function isEks(state: RbacEvaluator['model']['state']): boolean {
  if (state.get('ConfigMap', 'kube-system', 'aws-auth')) return true;
  for (const o of state.objects) {
    const labels = o.obj.metadata?.labels;
    if (labels && Object.keys(labels).some((k) => k.startsWith('eks.amazonaws.com/'))) return true;
    const ann = o.obj.metadata?.annotations;
    if (ann && typeof ann['eks.amazonaws.com/role-arn'] === 'string') return true;
  }
  return false;
}

