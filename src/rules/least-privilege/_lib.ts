// Helpers shared by the least-privilege rules: one analysis per ClusterState (src/analysis/rbac),
// and the factory of the catalogue's technique rules, which all report the same way:
//   - on every binding that gives the technique to a subject it names (at that subject's entry):
//     "ServiceAccount shop/storefront can read all secrets in shop via RoleBinding shop/x -> Role shop/everything";
//   - on every workload whose service account holds it (through any binding, its groups included)
//     and gets a token: "Deployment shop/web runs as ServiceAccount shop/web, which can ...".
// Grants to system:authenticated, system:unauthenticated and system:serviceaccounts are left to
// rbac-broad-group-grant on the binding (still reported on the workloads). A subject holding
// `*` on `*` in a scope is reported by rbac-cluster-admin-binding only, not by every technique.
// Platform grants (platform.ts) are reported with severity info and evidence.platform = true.
import { defineRule, type Rule, type RuleContext } from '../../core/rule.js';
import type { ComplianceMappings } from '../../core/types.js';
import type { ClusterState, PodTemplateView } from '../../model/cluster-state.js';
import {
  actionText,
  describeKey,
  holdingBindings,
  holdingChain,
  holdingEvidence,
  holdingSeverity,
  isBroadGroupKey,
  rbacFor,
  riskFor,
  scopeText,
  serviceAccountPath,
  TECHNIQUE_BY_ID,
  coveredByFull,
  type Holding,
  type RiskAnalysis,
  type TechniqueId,
} from '../../analysis/rbac/index.js';
import { POD_SPEC_KINDS } from '../workload/_pss.js';

export const RBAC_KINDS = [
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
];

/** Kinds a rule that reports on bindings and on workloads reads. */
export const RBAC_AND_WORKLOAD_KINDS = [...RBAC_KINDS, 'ServiceAccount', ...POD_SPEC_KINDS];

export function riskOf(state: ClusterState): RiskAnalysis {
  return riskFor(rbacFor(state));
}

export const PLATFORM_NOTE = ' (platform identity: reported for information)';

export interface TechniqueRuleMeta {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly remediation: string;
  readonly references: string[];
  readonly compliance: ComplianceMappings;
}

const MESSAGES = {
  binding: '{subject} can {action}{scope} via {chain}{note}',
  workload: '{workload} runs as {subject}, which can {action}{scope} via {chain}{note}',
} as const;

/** A rule of the catalogue: reports holders of one technique on their bindings and workloads. */
export function techniqueRule(technique: TechniqueId, meta: TechniqueRuleMeta): Rule<keyof typeof MESSAGES> {
  const tech = TECHNIQUE_BY_ID[technique];
  if (tech.ruleId !== meta.id) throw new Error(`technique ${technique} is reported by ${tech.ruleId}, not ${meta.id}`);
  return defineRule({
    meta: {
      ...meta,
      pillar: 'least-privilege',
      severity: tech.severity,
      messages: MESSAGES,
      reads: RBAC_AND_WORKLOAD_KINDS,
    },
    handlers: {
      cluster(ctx) {
        const risk = riskOf(ctx.state);
        for (const s of risk.subjects()) {
          if (isBroadGroupKey(s.key)) continue;
          for (const h of byTechnique(risk.directHoldings(s.key)).get(technique) ?? []) reportOnBindings(ctx, risk, s.key, h);
        }
      },
      podTemplate(pod, ctx) {
        reportOnWorkload(ctx, riskOf(ctx.state), pod, (all) => byTechnique(all).get(technique) ?? []);
      },
    },
  });
}

const byTechniqueMemo = new WeakMap<readonly Holding[], Map<TechniqueId, Holding[]>>();

/** The holdings of a list that are not made redundant by `*` on `*`, by technique (once per list: 17 rules read it). */
function byTechnique(all: readonly Holding[]): Map<TechniqueId, Holding[]> {
  let m = byTechniqueMemo.get(all);
  if (!m) {
    m = new Map();
    for (const h of all) {
      if (coveredByFull(h, all)) continue;
      const l = m.get(h.technique.id);
      if (l) l.push(h);
      else m.set(h.technique.id, [h]);
    }
    byTechniqueMemo.set(all, m);
  }
  return m;
}

function reportOnBindings(ctx: RuleContext<keyof typeof MESSAGES>, risk: RiskAnalysis, key: string, h: Holding): void {
  for (const b of holdingBindings(h)) {
    const idx = risk.subjectIndex(b, key);
    if (idx < 0) continue;
    ctx.report({
      object: b.object,
      messageId: 'binding',
      data: { subject: describeKey(key), action: actionText(h), scope: scopeText(h), chain: holdingChain(h, key), note: h.platform ? PLATFORM_NOTE : '' },
      path: ['subjects', idx],
      severity: holdingSeverity(h),
      evidence: { subject: describeKey(key), ...holdingEvidence(h) },
    });
  }
}

/** Reports the holdings of a pod's service account that `select` picks, when the pod gets a token. */
export function reportOnWorkload(
  ctx: RuleContext<'workload'> | RuleContext<keyof typeof MESSAGES>,
  risk: RiskAnalysis,
  pod: PodTemplateView,
  select: (all: readonly Holding[]) => readonly Holding[],
): void {
  const id = risk.podIdentity(pod);
  if (!id || !id.tokenMounted) return;
  const { holdings } = risk.effective(id.username);
  const selected = select(holdings);
  if (selected.length === 0) return; // (17 rules ask this of every pod: most have nothing to report)
  const subject = describeKey(`u:${id.username}`);
  for (const h of selected) {
    (ctx as RuleContext<'workload'>).report({
      object: pod.owner,
      messageId: 'workload',
      data: {
        workload: `${pod.owner.ref.kind} ${pod.owner.ref.namespace ? `${pod.owner.ref.namespace}/` : ''}${pod.owner.ref.name}`,
        subject,
        action: actionText(h),
        scope: scopeText(h),
        chain: holdingChain(h, `u:${id.username}`),
        note: h.platform ? PLATFORM_NOTE : '',
      },
      path: serviceAccountPath(pod),
      severity: holdingSeverity(h),
      evidence: { subject, workload: `${pod.owner.ref.kind}/${pod.owner.ref.namespace ?? ''}/${pod.owner.ref.name}`, tokenMounted: true, ...holdingEvidence(h) },
    });
  }
}

export { TECHNIQUE_BY_ID, coveredByFull };
