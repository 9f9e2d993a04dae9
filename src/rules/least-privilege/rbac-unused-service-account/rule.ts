import { defineRule } from '../../../core/rule.js';
import { describeRef, platformOfServiceAccount } from '../../../analysis/rbac/index.js';
import { POD_SPEC_KINDS } from '../../workload/_pss.js';
import { PLATFORM_NOTE, RBAC_KINDS, riskOf } from '../_lib.js';

// A ServiceAccount (not "default") that no pod of the input runs as. In a manifests folder that
// has no pod at all in the namespace nothing is said (the workloads are elsewhere); a live cluster
// or a snapshot lists every pod, so there it is reported whatever the namespace holds.
export default defineRule({
  meta: {
    id: 'rbac-unused-service-account',
    title: 'Service account not used by any pod',
    pillar: 'least-privilege',
    severity: 'info',
    description:
      'A ServiceAccount that no pod runs as is either left over (and its bindings are rights nobody needs) or used from outside the cluster with a token, which deserves to be known and reviewed.',
    remediation: 'Delete service accounts that are no longer used, with their bindings; document the ones used by external systems (CI, operators outside the cluster).',
    references: ['https://kubernetes.io/docs/concepts/security/service-accounts/', 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review'],
    compliance: { mitre: ['T1078.001'] },
    messages: {
      unused: 'ServiceAccount {sa} is not used by any pod in the input{bound}{note}',
    },
    reads: ['ServiceAccount', ...POD_SPEC_KINDS, ...RBAC_KINDS],
  },
  handlers: {
    objects: {
      ServiceAccount(o, ctx) {
        if (o.ref.name === 'default') return;
        const ns = o.ref.namespace ?? 'default';
        const risk = riskOf(ctx.state);
        const username = `system:serviceaccount:${ns}:${o.ref.name}`;
        if (risk.podsBySa().has(username)) return;
        if (ctx.state.origin === 'manifests' && !risk.pods().some((p) => p.pod.namespace === ns)) return;
        const bindings = risk.bindingsOf(`u:${username}`);
        const bound = bindings.length > 0 ? `; it is still bound by ${bindings.slice(0, 3).map((b) => describeRef(b.ref)).join(', ')}${bindings.length > 3 ? ` and ${bindings.length - 3} more` : ''}` : '';
        const platform = platformOfServiceAccount(ns, o.ref.name) !== undefined;
        ctx.report({
          object: o,
          messageId: 'unused',
          data: { sa: `${ns}/${o.ref.name}`, bound, note: platform ? PLATFORM_NOTE : '' },
          path: ['metadata', 'name'],
          evidence: { serviceAccount: `${ns}/${o.ref.name}`, platform, bindings: bindings.map((b) => describeRef(b.ref)) },
        });
      },
    },
  },
});
