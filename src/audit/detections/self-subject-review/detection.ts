// `kubectl auth can-i --list` from inside a pod or with a node's credentials: the first thing an
// attacker does with a stolen token.
import { defineDetection } from '../types.js';
import { isServiceAccount, succeeded, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'self-subject-review',
    title: 'Permission self-check by a service account or node',
    severity: 'low',
    mitre: ['T1613', 'T1069'],
    description:
      'A service account or a node asked the API server what it may do (SelfSubjectRulesReview, SelfSubjectAccessReview: `kubectl auth can-i`). Workloads rarely need to; it is the first step of enumeration with a stolen pod or node credential. Reported once per identity; only user allow-list entries apply.',
    allowList: 'user',
    needs: 'Metadata',
  },
  on: { resources: ['selfsubjectrulesreviews', 'selfsubjectaccessreviews'] },
  init: () => new Set<string>(),
  check(ev, ctx, seen) {
    const u = ev.user.username;
    if (ev.verb !== 'create' || !(isServiceAccount(u) || u.startsWith('system:node:'))) return;
    if (!succeeded(ev) || ctx.allowed(ev) || seen.has(u)) return;
    if (seen.size > 10_000) seen.clear();
    seen.add(u);
    const rules = ev.objectRef?.resource === 'selfsubjectrulesreviews';
    ctx.report(ev, {
      message: `${who(ev)} ${rules ? 'listed its own permissions (kubectl auth can-i --list)' : 'checked its own permissions (kubectl auth can-i)'}`,
      evidence: { review: ev.objectRef?.resource },
      severity: rules ? undefined : 'info',
    });
  },
});
