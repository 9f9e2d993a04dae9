import { defineRule } from '../../../core/rule.js';
import { actionText, describeRef, evaluateHoldings, holdingEvidence, holdingSeverity, isBroadGroupKey, scopeText, subjectIndexKey } from '../../../analysis/rbac/index.js';
import type { Severity } from '../../../core/types.js';
import { coveredByFull, PLATFORM_NOTE, RBAC_KINDS, riskOf } from '../_lib.js';

const WHO: Record<string, string> = {
  'system:authenticated': 'every authenticated user and service account',
  'system:unauthenticated': 'anonymous requests',
  'system:serviceaccounts': 'every service account of the cluster',
};

// A binding to system:authenticated, system:unauthenticated or system:serviceaccounts gives its
// role to everyone of that kind. Reported on the subject entry; critical when the role gives a
// technique of the catalogue. Platform bindings (the bootstrap system:basic-user, system:discovery,
// system:public-info-viewer...) are reported only when they give a technique, as info.
export default defineRule({
  meta: {
    id: 'rbac-broad-group-grant',
    title: 'Role granted to every user, service account or anonymous request',
    pillar: 'least-privilege',
    severity: 'medium',
    description:
      'A binding whose subject is group system:authenticated, system:unauthenticated or system:serviceaccounts grants its role to every identity of that kind: every user, every pod of every namespace, or anyone who can reach the API server.',
    remediation:
      'Bind the role to the specific users, groups or service accounts that need it; never bind anything beyond the bootstrap discovery roles to system:unauthenticated.',
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    ],
    compliance: { mitre: ['T1078'] },
    messages: {
      technique: '{binding} gives {role} to Group {group} ({who}), so all of them can {techniques}{note}',
      grant: '{binding} gives {role} to Group {group} ({who})',
    },
    reads: RBAC_KINDS,
  },
  handlers: {
    cluster(ctx) {
      const risk = riskOf(ctx.state);
      for (const b of risk.rbac.bindings()) {
        if (!b.role || b.role.rules.length === 0) continue;
        b.subjects.forEach((s, i) => {
          const key = subjectIndexKey(s, b.namespace);
          if (!key || !isBroadGroupKey(key) || risk.subjectIndex(b, key) !== i) return;
          const all = evaluateHoldings(risk.powerOf([{ binding: b, subjectKey: key }]));
          const holdings = all.filter((h) => !coveredByFull(h, all));
          const platform = risk.bindingPlatform(b) !== undefined;
          const group = key.slice(2);
          const base = { binding: describeRef(b.ref), role: describeRef(b.role!.ref), group, who: WHO[group] ?? group };
          if (holdings.length === 0) {
            if (platform) return;
            ctx.report({ object: b.object, messageId: 'grant', data: base, path: ['subjects', i], evidence: { group, platform: false } });
            return;
          }
          const techniques = holdings.map((h) => `${actionText(h)}${scopeText(h)}`).join('; ');
          const severity: Severity = platform ? 'info' : holdings.some((h) => holdingSeverity({ ...h, platform: false }) === 'critical' || h.scope === '') ? 'critical' : 'high';
          ctx.report({
            object: b.object,
            messageId: 'technique',
            data: { ...base, techniques, note: platform ? PLATFORM_NOTE : '' },
            path: ['subjects', i],
            severity,
            evidence: { group, platform, techniques: holdings.map(holdingEvidence) },
          });
        });
      }
    },
  },
});
