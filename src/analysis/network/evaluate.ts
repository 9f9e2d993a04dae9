// The network policy evaluator: one object per ClusterState, answering "may this pod send this flow
// to that destination (egress) / receive it (ingress)?" with the policies that decided, the path of
// the evaluation and the enforcement that applies.
//
// Pipelines, per enforcer found by detectEnforcement():
// - kubernetes (VPC CNI agent, Azure NPM, Antrea, kube-router, ...): Admin tier (AdminNetworkPolicy,
//   ClusterNetworkPolicy tier Admin) -> NetworkPolicy -> Baseline tier (BaselineAdminNetworkPolicy,
//   ClusterNetworkPolicy tier Baseline) -> allow; admin tiers only where the enforcer supports them;
// - calico: Calico tiers (kube-admin, user tiers, default with NetworkPolicy, kube-baseline);
// - cilium: NetworkPolicy + CiliumNetworkPolicy + CiliumClusterwideNetworkPolicy (allow union, deny wins).
// Several enforcers: a flow passes only if every pipeline lets it. No enforcer: policies are moot
// (verdict allowed, `asWritten` tells what they would do). Unknown enforcement: the policies as
// written (every family, with the pipeline its objects imply), `enforced: 'unknown'`.
import type { ClusterState } from '../../model/cluster-state.js';
import { ANP_GK, BANP_GK, CNP_GK, compileAdminPolicy, sortAdmin, type AdminPolicy } from './admin.js';
import { buildCalicoPipeline, CALICO_GROUPS, evaluateCalico, type CalicoPipeline } from './calico.js';
import { buildCiliumPipeline, evaluateCilium, type CiliumPipeline } from './cilium.js';
import { PolicyIndex, SPEC_SEMANTICS, type CompiledPolicy, type EvalCtx, type Semantics, type Step } from './engine.js';
import { detectEnforcement, semanticsFor, type Enforcement, type Enforcer, type PolicyFamily } from './enforcement.js';
import { compileNetworkPolicy, evaluateUnion, NETWORK_POLICY_GK } from './kubernetes.js';
import { NetworkModel, type ModelOptions } from './model.js';
import { walkOrdered } from './ordered.js';
import {
  describePeer,
  describePolicy,
  Doubts,
  type ConnectionResult,
  type Decision,
  type Direction,
  type DirectionResult,
  type Flow,
  type Peer,
  type PodEndpoint,
  type PolicyRef,
  type Verdict,
} from './types.js';

export interface EvaluatorOptions {
  /** Who enforces what; default: detectEnforcement(state). */
  enforcement?: Enforcement;
  /** Overrides of the open points of the specifications, applied on top of each enforcer's reading. */
  semantics?: Partial<Semantics>;
  model?: ModelOptions;
}

const ALL_FAMILIES: PolicyFamily[] = ['NetworkPolicy', 'AdminNetworkPolicy', 'ClusterNetworkPolicy', 'Calico', 'Cilium'];

/** An Enforcement that says "engine X enforces these families" (tests, what-if questions, conformance). */
export function assumeEnforcement(engine: 'kubernetes' | 'calico' | 'cilium', families: PolicyFamily[] = ALL_FAMILIES): Enforcement {
  const id = engine === 'kubernetes' ? 'kube-router' : engine;
  const e: Enforcer = { id, engine, enforces: families, evidence: [], notes: ['assumed'], ...(engine === 'cilium' ? { cilium: { enforcementMode: 'default' as const, cidrMatchesNodes: false } } : {}) };
  return { status: 'known', enforcers: [e], notes: ['assumed by the caller'], evidence: [] };
}

interface Pipeline {
  readonly label: string;
  readonly engine: 'kubernetes' | 'calico' | 'cilium';
  readonly sem: Semantics;
  readonly families: ReadonlySet<PolicyFamily>;
  readonly calico?: CalicoPipeline;
  readonly cilium?: CiliumPipeline;
  /** Admin / Baseline tier policies (sorted by priority) of the admin families this pipeline enforces. */
  readonly adminGroups: AdminPolicy[];
  readonly baseGroups: AdminPolicy[];
}

interface PipelineResult {
  readonly outcomes: ReadonlySet<'allow' | 'deny'>;
  readonly steps: Step[];
  readonly label: string;
}

export class NetworkPolicyEvaluator {
  readonly model: NetworkModel;
  readonly enforcement: Enforcement;
  private readonly np: PolicyIndex<CompiledPolicy>;
  private readonly admin: AdminPolicy[];
  private readonly adminTier: AdminPolicy[];
  private readonly baselineTier: AdminPolicy[];
  private readonly pipelines: Pipeline[];
  private readonly asWrittenPipelines: Pipeline[];
  private readonly hasCalico: boolean;
  private readonly hasCilium: boolean;
  /** Policy families with at least one object in the state. */
  private readonly present = new Set<PolicyFamily>();

  constructor(readonly state: ClusterState, opts: EvaluatorOptions = {}) {
    this.model = new NetworkModel(state, opts.model);
    this.enforcement = opts.enforcement ?? detectEnforcement(state);
    const nps: CompiledPolicy[] = [];
    for (const o of state.ofKind(NETWORK_POLICY_GK)) {
      const p = compileNetworkPolicy(o);
      if (p) nps.push(p);
    }
    this.np = new PolicyIndex(nps);
    this.admin = [];
    for (const gk of [ANP_GK, BANP_GK, CNP_GK]) for (const o of state.ofKind(gk)) {
      const p = compileAdminPolicy(o);
      if (p) this.admin.push(p);
    }
    this.adminTier = sortAdmin(this.admin.filter((p) => p.tier === 'Admin'));
    this.baselineTier = sortAdmin(this.admin.filter((p) => p.tier === 'Baseline'));
    this.hasCalico = CALICO_GROUPS.some((g) => state.ofKind(`${g}/NetworkPolicy`).length + state.ofKind(`${g}/GlobalNetworkPolicy`).length > 0);
    this.hasCilium = state.ofKind('cilium.io/CiliumNetworkPolicy').length + state.ofKind('cilium.io/CiliumClusterwideNetworkPolicy').length > 0;
    if (nps.length > 0) this.present.add('NetworkPolicy');
    if (this.admin.some((a) => a.ref.kind === 'ClusterNetworkPolicy')) this.present.add('ClusterNetworkPolicy');
    if (this.admin.some((a) => a.ref.kind !== 'ClusterNetworkPolicy')) this.present.add('AdminNetworkPolicy');
    if (this.hasCalico) this.present.add('Calico');
    if (this.hasCilium) this.present.add('Cilium');
    const over = opts.semantics ?? {};
    const mk = (engine: Pipeline['engine'], e: Enforcer | undefined, families: PolicyFamily[], label: string): Pipeline => {
      const sem = { ...semanticsFor(e), ...over };
      const fam = new Set(families);
      const keep = (a: AdminPolicy): boolean => fam.has(a.ref.kind === 'ClusterNetworkPolicy' ? 'ClusterNetworkPolicy' : 'AdminNetworkPolicy');
      return {
        adminGroups: this.adminTier.filter(keep),
        baseGroups: this.baselineTier.filter(keep),
        label,
        engine,
        sem,
        families: fam,
        calico: engine === 'calico' ? buildCalicoPipeline(state, fam.has('NetworkPolicy') ? nps : [], this.admin.filter((a) => fam.has(a.ref.kind === 'ClusterNetworkPolicy' ? 'ClusterNetworkPolicy' : 'AdminNetworkPolicy')), true) : undefined,
        cilium: engine === 'cilium' ? buildCiliumPipeline(state, { cidrMatchesNodes: e?.cilium?.cidrMatchesNodes ?? false, enforcementMode: e?.cilium?.enforcementMode ?? 'default' }) : undefined,
      };
    };
    this.pipelines = this.enforcement.enforcers.map((e) => mk(e.engine, e, [...e.enforces], e.id));
    // As written: the pipeline each family's objects imply.
    const aw: Pipeline[] = [];
    if (this.hasCalico) aw.push(mk('calico', { id: 'calico', engine: 'calico', enforces: ALL_FAMILIES, evidence: [], notes: [] }, ['NetworkPolicy', 'AdminNetworkPolicy', 'ClusterNetworkPolicy', 'Calico'], 'as written (Calico)'));
    if (this.hasCilium) aw.push(mk('cilium', { id: 'cilium', engine: 'cilium', enforces: ALL_FAMILIES, evidence: [], notes: [] }, ['NetworkPolicy', 'Cilium'], 'as written (Cilium)'));
    if (aw.length === 0) aw.push(mk('kubernetes', undefined, ['NetworkPolicy', 'AdminNetworkPolicy', 'ClusterNetworkPolicy'], 'as written (Kubernetes)'));
    if (this.hasCilium && !this.hasCalico && this.admin.length > 0) aw.push(mk('kubernetes', undefined, ['AdminNetworkPolicy', 'ClusterNetworkPolicy'], 'as written (admin network policies)'));
    this.asWrittenPipelines = aw;
  }

  /** Every pod template of the state as an endpoint. */
  pods(): readonly PodEndpoint[] {
    return this.model.pods;
  }

  /** Resolve an address: a loaded pod or node when it is one of theirs, else an external address. */
  peerOf(dst: Peer | string, extra: { hostnames?: string[]; label?: string } = {}): Peer {
    if (typeof dst === 'string') return this.model.resolveIp(dst, extra);
    if (dst.kind === 'pod') return this.model.asPeer(dst);
    return dst;
  }

  /**
   * `explain`: the caller reads the explanation (`path`) right away, so it is rendered from this
   * evaluation instead of by evaluating again on first read (the default keeps results small for
   * callers that hold thousands and read few explanations).
   */
  evaluateEgress(src: PodEndpoint, dst: Peer | string, flow: Flow, opts: { explain?: boolean } = {}): DirectionResult {
    return this.evaluate('egress', src, this.peerOf(dst), flow, opts.explain === true);
  }

  evaluateIngress(dst: PodEndpoint, src: Peer | string, flow: Flow): DirectionResult {
    return this.evaluate('ingress', dst, this.peerOf(src), flow);
  }

  /** Both directions: egress of the source pod (when it is a pod) and ingress of the destination pod (when it is one). */
  evaluateConnection(src: PodEndpoint | Peer | string, dst: PodEndpoint | Peer | string, flow: Flow): ConnectionResult {
    const s = typeof src === 'string' ? this.peerOf(src) : src;
    const d = typeof dst === 'string' ? this.peerOf(dst) : dst;
    const egress = s.kind === 'pod' ? this.evaluate('egress', s, this.peerOf(d), flow) : externalAllowed('egress', s);
    const ingress = d.kind === 'pod' ? this.evaluate('ingress', d, this.peerOf(s), flow) : undefined;
    return { verdict: combine([egress.verdict, ...(ingress ? [ingress.verdict] : [])]), egress, ...(ingress ? { ingress } : {}) };
  }

  private evaluate(dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, explain = false): DirectionResult {
    const status = this.enforcement.status;
    if (status === 'known') {
      const r = this.run(this.pipelines, dir, subject, peer, flow, explain);
      const unenforced = this.unenforced(dir, subject, peer, flow);
      return Object.assign(r, { enforced: true as const }, unenforced.length > 0 ? { unenforced } : {});
    }
    const written = this.run(this.asWrittenPipelines, dir, subject, peer, flow, explain);
    if (status === 'none') {
      const refs = uniqueRefs(written.decidedBy.map((d) => d.policy));
      return {
        direction: dir,
        verdict: 'allowed',
        decidedBy: [],
        path: [`no network policy enforcement on this cluster (${this.enforcement.notes.join('; ')}): every ${dir} flow is allowed`, ...(refs.length > 0 ? [`policies that would decide if enforced: ${refs.map(describePolicy).join(', ')} (as written: ${written.verdict})`] : [])],
        uncertainties: [],
        engines: [],
        enforced: false,
        ...(refs.length > 0 ? { unenforced: refs } : {}),
        asWritten: written.verdict,
      };
    }
    const out = Object.assign(written, { enforced: 'unknown' as const, asWritten: written.verdict });
    const base = Object.getOwnPropertyDescriptor(written, 'path')!.get!;
    lazyPath(out, () => [...base(), 'enforcement unknown: this is what the policies say if a conformant implementation enforces them']);
    return out;
  }

  private run(pipes: Pipeline[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, explain = false): Mutable<DirectionResult> {
    const doubts = new Doubts();
    const results: PipelineResult[] = [];
    for (const p of pipes) {
      const ctx: EvalCtx = { model: this.model, sem: p.sem, doubts };
      results.push(this.runOne(p, dir, subject, peer, flow, ctx));
    }
    const canAllow = results.every((r) => r.outcomes.has('allow'));
    const canDeny = results.some((r) => r.outcomes.has('deny'));
    let verdict: Verdict;
    if (canAllow && !canDeny) verdict = 'allowed';
    else if (canDeny && !canAllow) verdict = 'denied';
    else verdict = doubts.list.some((d) => d.kind === 'implementation-defined') || doubts.list.length === 0 ? 'implementation-defined' : 'unknown';
    const decidedBy: Decision[] = [];
    for (const r of results) {
      for (const s of r.steps) {
        if (!s.policy) continue;
        const relevant = verdict === 'allowed' ? s.outcome === 'allow' || s.effect === 'pass' : verdict === 'denied' ? s.outcome === 'deny' || s.effect === 'pass' : true;
        if (!relevant || (verdict !== 'implementation-defined' && verdict !== 'unknown' && s.uncertain)) continue;
        decidedBy.push({
          policy: s.policy.ref,
          effect: s.effect ?? (s.outcome === 'allow' ? 'allow' : s.outcome === 'deny' ? 'deny' : 'pass'),
          ...(s.rule ? { rule: s.rule.index, path: s.rule.path } : { path: s.policy.specPath }),
          ...(s.rule?.name ? { ruleName: s.rule.name } : {}),
          ...(s.uncertain ? { uncertain: true } : {}),
        } as Decision);
      }
    }
    const out = { direction: dir, verdict, decidedBy, uncertainties: verdict === 'allowed' || verdict === 'denied' ? [] : doubts.list, engines: pipes.map((p) => p.label) } as unknown as Mutable<DirectionResult>;
    // The explanation is rendered on first read by evaluating again (evaluation is pure): results
    // stay small when callers keep thousands of them and only read verdicts. Unless the caller
    // reads it at once (`explain`): then from this evaluation.
    if (explain) {
      const path = renderSteps(results, doubts, dir, subject, peer, flow, verdict);
      lazyPath(out, () => path);
    } else lazyPath(out, () => this.renderPath(pipes, dir, subject, peer, flow, verdict));
    return out;
  }

  private renderPath(pipes: Pipeline[], dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, verdict: Verdict): string[] {
    const doubts = new Doubts();
    const results = pipes.map((p) => this.runOne(p, dir, subject, peer, flow, { model: this.model, sem: p.sem, doubts }));
    return renderSteps(results, doubts, dir, subject, peer, flow, verdict);
  }

  private runOne(p: Pipeline, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): PipelineResult {
    if (p.engine === 'calico') {
      if (subject.hostNetwork) return { label: p.label, outcomes: new Set(['allow']), steps: [{ outcome: 'allow', note: () => `${subject.namespace}/${subject.name} uses the host network: Calico workload policies and NetworkPolicies do not apply (host endpoints are not modelled)` }] };
      const r = evaluateCalico(p.calico!, dir, subject, peer, flow, ctx);
      return { label: p.label, outcomes: r.outcomes, steps: r.applied ? r.steps : [...r.steps, { outcome: 'allow', note: () => `no Calico tier applies to ${subject.namespace}/${subject.name} for ${dir}: the namespace profile allows` }] };
    }
    if (p.engine === 'cilium') {
      const np = p.families.has('NetworkPolicy') ? this.np.candidates(subject) : [];
      const r = evaluateCilium(p.cilium!, np, dir, subject, peer, flow, ctx);
      const steps = r.applied ? r.steps : [...r.steps, { outcome: 'allow' as const, note: () => `no policy selects ${subject.namespace}/${subject.name} for ${dir}: not isolated` }];
      return { label: p.label, outcomes: r.outcomes, steps };
    }
    return this.runKubernetes(p, dir, subject, peer, flow, ctx);
  }

  private runKubernetes(p: Pipeline, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, ctx: EvalCtx): PipelineResult {
    const steps: Step[] = [];
    const outcomes = new Set<'allow' | 'deny'>();
    const label = (a: CompiledPolicy): string => `[${(a as AdminPolicy).tier}] ${a.ref.kind} ${a.ref.name}${a.ref.priority !== undefined ? ` (priority ${a.ref.priority})` : ''}`;
    if (subject.hostNetwork && p.sem.hostNetworkSubjects === false) {
      steps.push({ outcome: 'allow', note: () => `${subject.namespace}/${subject.name} uses the host network: admin network policies never select it and NetworkPolicy does not apply in common implementations` });
      return { label: p.label, outcomes: new Set(['allow']), steps };
    }
    // 1. Admin tier
    let cont = true;
    const adminGroups = p.adminGroups;
    if (adminGroups.length > 0) {
      const r = walkOrdered(adminGroups, dir, subject, peer, flow, ctx, label, byPriority);
      steps.push(...r.steps);
      if (r.outcomes.has('allow')) outcomes.add('allow');
      if (r.outcomes.has('deny')) outcomes.add('deny');
      cont = r.outcomes.has('pass') || r.outcomes.has('none');
    }
    if (!cont) return { label: p.label, outcomes, steps };
    // 2. NetworkPolicy
    if (p.families.has('NetworkPolicy')) {
      const r = evaluateUnion(this.np.candidates(subject), dir, subject, peer, flow, ctx);
      steps.push(...r.steps);
      if (r.outcomes.has('allow')) outcomes.add('allow');
      if (r.outcomes.has('deny')) outcomes.add('deny');
      cont = r.outcomes.has('continue');
      if (!cont) return { label: p.label, outcomes, steps };
      if (r.selecting.length === 0) steps.push({ outcome: 'continue', note: () => `no NetworkPolicy isolates ${subject.namespace}/${subject.name} for ${dir}` });
    }
    // 3. Baseline tier
    const baseGroups = p.baseGroups;
    if (baseGroups.length > 0) {
      const r = walkOrdered(baseGroups, dir, subject, peer, flow, ctx, label, byPriority);
      steps.push(...r.steps);
      if (r.outcomes.has('allow')) outcomes.add('allow');
      if (r.outcomes.has('deny')) outcomes.add('deny');
      cont = r.outcomes.has('pass') || r.outcomes.has('none');
    }
    if (cont) {
      outcomes.add('allow');
      steps.push({ outcome: 'allow', note: 'no tier decided: allowed by default' });
    }
    return { label: p.label, outcomes, steps };
  }

  /** Policies that select the subject but that no enforcer applies (e.g. CiliumNetworkPolicy on a Calico cluster). */
  private unenforced(dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow): PolicyRef[] {
    const covered = new Set<PolicyFamily>();
    for (const e of this.enforcement.enforcers) if (!(e.cilium?.enforcementMode === 'never')) for (const f of e.enforces) covered.add(f);
    const missing = ALL_FAMILIES.filter((f) => !covered.has(f) && this.present.has(f));
    if (missing.length === 0) return [];
    const doubts = new Doubts();
    const ctx: EvalCtx = { model: this.model, sem: SPEC_SEMANTICS, doubts };
    const out: PolicyRef[] = [];
    const sel = (p: CompiledPolicy): boolean => p.types.has(dir) && p.selects(subject, ctx) !== false;
    if (missing.includes('NetworkPolicy')) for (const p of this.np.candidates(subject)) if (sel(p)) out.push(p.ref);
    for (const a of this.admin) {
      const fam: PolicyFamily = a.ref.kind === 'ClusterNetworkPolicy' ? 'ClusterNetworkPolicy' : 'AdminNetworkPolicy';
      if (missing.includes(fam) && sel(a)) out.push(a.ref);
    }
    if (missing.includes('Calico') && this.hasCalico) {
      const pipe = buildCalicoPipelineCached(this);
      for (const t of pipe.tiers) for (const list of [t.global ?? [], t.byNs?.get(subject.namespace) ?? []]) for (const p of list) if (p.ref.kind.startsWith('Calico') && sel(p)) out.push(p.ref);
    }
    if (missing.includes('Cilium') && this.hasCilium) {
      const pipe = buildCiliumPipelineCached(this);
      for (const list of [pipe.byNs.get(subject.namespace) ?? [], pipe.clusterwide]) {
        for (const s of list) if ((s.allow[dir].length > 0 || s.deny[dir].length > 0) && s.policy.selects(subject, ctx) !== false) out.push(s.policy.ref);
      }
    }
    void peer;
    void flow;
    return uniqueRefs(out);
  }

  /** @internal */ _calico?: CalicoPipeline;
  /** @internal */ _cilium?: CiliumPipeline;
}

function buildCalicoPipelineCached(ev: NetworkPolicyEvaluator): CalicoPipeline {
  if (!ev._calico) ev._calico = buildCalicoPipeline(ev.state, [], [], false);
  return ev._calico;
}

function buildCiliumPipelineCached(ev: NetworkPolicyEvaluator): CiliumPipeline {
  if (!ev._cilium) ev._cilium = buildCiliumPipeline(ev.state, { cidrMatchesNodes: false, enforcementMode: 'default' });
  return ev._cilium;
}

const byPriority = (p: CompiledPolicy): number => (p as AdminPolicy).priority;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function lazyPath(o: object, render: () => string[]): void {
  let cache: string[] | undefined;
  Object.defineProperty(o, 'path', { enumerable: true, configurable: true, get: () => (cache ??= render()) });
}

function uniqueRefs(refs: PolicyRef[]): PolicyRef[] {
  const seen = new Set<string>();
  const out: PolicyRef[] = [];
  for (const r of refs) {
    const k = `${r.kind}|${r.namespace ?? ''}|${r.name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

function externalAllowed(dir: Direction, p: Peer): DirectionResult {
  return { direction: dir, verdict: 'allowed', decidedBy: [], path: [`${describePeer(p)} is not a pod of the model: its ${dir} is not governed by policy here`], uncertainties: [], engines: [], enforced: true };
}

/** Combine the verdicts of both directions of a connection. */
export function combine(vs: Verdict[]): Verdict {
  if (vs.includes('denied')) return 'denied';
  if (vs.every((v) => v === 'allowed')) return 'allowed';
  if (vs.includes('implementation-defined')) return 'implementation-defined';
  return 'unknown';
}

/** The explanation of an evaluation from its pipeline results: the flow, each step's note, the verdict. */
function renderSteps(results: PipelineResult[], doubts: Doubts, dir: Direction, subject: PodEndpoint, peer: Peer, flow: Flow, verdict: Verdict): string[] {
  const path: string[] = [`${dir} ${subject.namespace}/${subject.name} ${dir === 'egress' ? '->' : '<-'} ${describePeer(peer)} ${flow.protocol}/${flow.port}`];
  for (const r of results) {
    if (results.length > 1) path.push(`[${r.label}]`);
    for (const s of r.steps) path.push(typeof s.note === 'string' ? s.note : s.note());
  }
  path.push(`=> ${verdict}${doubts.list.length > 0 && verdict !== 'allowed' && verdict !== 'denied' ? ` (${doubts.list.map((d) => d.reason).join('; ')})` : ''}`);
  return path;
}
