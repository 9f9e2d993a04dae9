import { defineRule } from '../../../core/rule.js';
import { actionText, holdingSeverity, platformOfServiceAccount, scopeText } from '../../../analysis/rbac/index.js';
import { SEVERITY_RANK } from '../../../core/types.js';
import { coveredByFull, PLATFORM_NOTE, RBAC_KINDS, riskOf } from '../_lib.js';

// Secrets of type kubernetes.io/service-account-token hold a token that never expires (until the
// Secret is deleted). Only the Secret's metadata and type are read: never its data.
export default defineRule({
  meta: {
    id: 'rbac-legacy-token-secret',
    title: 'Long-lived service-account token Secret',
    pillar: 'least-privilege',
    severity: 'medium',
    description:
      'A Secret of type kubernetes.io/service-account-token holds a service-account token that does not expire and is not bound to a pod: whoever reads it once (anyone who can read secrets of the namespace, a leaked backup, a CI log) keeps the service account’s rights until the Secret is deleted.',
    remediation:
      'Delete the Secret and use short-lived tokens: projected volumes in pods, `kubectl create token` or the TokenRequest API for clients outside the cluster.',
    references: [
      'https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets',
      'https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#manual-secret-management-for-serviceaccounts',
    ],
    compliance: { mitre: ['T1528', 'T1552.007'] },
    messages: {
      token: 'Secret {secret} holds a long-lived token of ServiceAccount {sa}{powers}{note}',
      noAccount: 'Secret {secret} is a service-account token Secret that names no service account',
    },
    reads: ['Secret', 'ServiceAccount', ...RBAC_KINDS],
  },
  handlers: {
    objects: {
      Secret(o, ctx) {
        if (o.obj.type !== 'kubernetes.io/service-account-token') return;
        const ns = o.ref.namespace ?? 'default';
        const secret = `${ns}/${o.ref.name}`;
        const saName = o.obj.metadata?.annotations?.['kubernetes.io/service-account.name'];
        if (typeof saName !== 'string' || saName === '') {
          ctx.report({ object: o, messageId: 'noAccount', data: { secret }, path: ['type'], evidence: { secret } });
          return;
        }
        const risk = riskOf(ctx.state);
        const { holdings: all } = risk.effective(`system:serviceaccount:${ns}:${saName}`);
        const holdings = all.filter((h) => !h.platform && !coveredByFull(h, all));
        const platform = platformOfServiceAccount(ns, saName) !== undefined;
        const powers = holdings.length > 0 ? `, which can ${holdings.map((h) => `${actionText(h)}${scopeText(h)}`).join('; ')}` : '';
        const worst = holdings.reduce((m, h) => Math.max(m, SEVERITY_RANK[holdingSeverity(h)]), 0);
        ctx.report({
          object: o,
          messageId: 'token',
          data: { secret, sa: `${ns}/${saName}`, powers, note: platform ? PLATFORM_NOTE : '' },
          path: ['type'],
          severity: platform ? 'info' : worst >= SEVERITY_RANK.high ? 'high' : 'medium',
          evidence: { secret, serviceAccount: `${ns}/${saName}`, platform, techniques: holdings.map((h) => h.technique.id) },
        });
      },
    },
  },
});
