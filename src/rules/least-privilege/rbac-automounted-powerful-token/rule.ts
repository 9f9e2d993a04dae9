import { defineRule } from '../../../core/rule.js';
import { actionText, describeRef, holdingSeverity, scopeText, type Holding, type PodIdentity } from '../../../analysis/rbac/index.js';
import type { Severity } from '../../../core/types.js';
import { SEVERITY_RANK } from '../../../core/types.js';
import { coveredByFull, PLATFORM_NOTE, RBAC_AND_WORKLOAD_KINDS, riskOf } from '../_lib.js';

/** Techniques that make an automounted token dangerous: creating pods or reading secrets (cluster-admin implies both). */
const POWERFUL = new Set(['cluster-admin', 'create-workloads', 'read-secrets']);

/** Mounted by automount (not by an explicit projected token volume, which is a deliberate choice). */
function automounted(p: PodIdentity, saAutomount: unknown): 'pod' | 'sa' | undefined {
  const podValue = p.pod.spec.automountServiceAccountToken;
  if (podValue === false) return undefined;
  if (podValue === true) return 'pod';
  return saAutomount === false ? undefined : 'sa';
}

function summary(holdings: readonly Holding[]): string {
  return holdings.map((h) => `${actionText(h)}${scopeText(h)}`).join(' and ');
}

function maxSeverity(holdings: readonly Holding[]): Severity {
  let best: Severity = 'info';
  for (const h of holdings) {
    const s = holdingSeverity(h);
    if (SEVERITY_RANK[s] > SEVERITY_RANK[best]) best = s;
  }
  return best;
}

// Reported where the fix goes: on the ServiceAccount when it is in the input and its own setting
// lets the token be mounted (one finding listing the pods), on the pod spec when the pod asks for
// the token itself (automountServiceAccountToken: true) or its ServiceAccount is not in the input.
export default defineRule({
  meta: {
    id: 'rbac-automounted-powerful-token',
    title: 'Powerful service-account token mounted automatically',
    pillar: 'least-privilege',
    severity: 'high',
    description:
      'A service account that can create pods or read all secrets has its token mounted automatically into pods: anyone who compromises one of their containers gets those rights.',
    remediation:
      'Set `automountServiceAccountToken: false` on the ServiceAccount and mount a projected, short-lived token only in the pods that call the API; better, split the permissions so the pods that run application code do not hold them.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
    ],
    compliance: { cis: ['CIS-K8S 5.1.6'], mitre: ['T1528', 'T1552.007'] },
    messages: {
      serviceAccount: 'ServiceAccount {sa} can {powers}, and its token is mounted automatically into {pods}{note}',
      pod: '{workload} mounts the token of ServiceAccount {sa}, which can {powers}{note}',
    },
    reads: RBAC_AND_WORKLOAD_KINDS,
  },
  handlers: {
    cluster(ctx) {
      const risk = riskOf(ctx.state);
      for (const [username, pods] of risk.podsBySa()) {
        const { holdings: all } = risk.effective(username);
        const powerful = all.filter((h) => POWERFUL.has(h.technique.id) && !coveredByFull(h, all));
        if (powerful.length === 0) continue;
        const { namespace, serviceAccount } = { namespace: pods[0].pod.namespace, serviceAccount: pods[0].serviceAccount };
        const saObj = ctx.state.get('ServiceAccount', namespace, serviceAccount);
        const platform = powerful.every((h) => h.platform);
        const data = { sa: `${namespace}/${serviceAccount}`, powers: summary(powerful), note: platform ? PLATFORM_NOTE : '' };
        const severity = maxSeverity(powerful);
        const evidence = { serviceAccount: `${namespace}/${serviceAccount}`, platform, techniques: powerful.map((h) => ({ technique: h.technique.id, scope: h.scope || 'cluster' })) };
        const viaSa: PodIdentity[] = [];
        for (const p of pods) {
          const how = automounted(p, saObj?.obj.automountServiceAccountToken);
          if (how === 'pod' || (how === 'sa' && !saObj)) {
            const o = p.pod.owner;
            if (p.pod.controller) continue; // its controller carries the finding
            ctx.report({
              object: o,
              messageId: 'pod',
              data: { ...data, workload: describeRef({ kind: o.ref.kind, namespace: o.ref.namespace, name: o.ref.name }) },
              path: how === 'pod' ? [...p.pod.specPath, 'automountServiceAccountToken'] : p.pod.spec.serviceAccountName ? [...p.pod.specPath, 'serviceAccountName'] : p.pod.specPath,
              severity,
              evidence,
            });
          } else if (how === 'sa') viaSa.push(p);
        }
        if (saObj && viaSa.length > 0) {
          const names = viaSa.filter((p) => !p.pod.controller).map((p) => describeRef({ kind: p.pod.owner.ref.kind, namespace: p.pod.owner.ref.namespace, name: p.pod.owner.ref.name }));
          const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
          ctx.report({
            object: saObj,
            messageId: 'serviceAccount',
            data: { ...data, pods: shown || 'its pods' },
            path: saObj.obj.automountServiceAccountToken === true ? ['automountServiceAccountToken'] : ['metadata', 'name'],
            severity,
            evidence: { ...evidence, pods: names },
          });
        }
      }
    },
  },
});
