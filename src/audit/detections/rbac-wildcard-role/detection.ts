// Roles with "*" verbs or resources: they grant everything, including what does not exist yet
// (new subresources, CRDs), and are the usual shape of attacker-made admin roles.
import { defineDetection } from '../types.js';
import { bodyOf, did, MUTATING_VERBS, rulesOf, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'rbac-wildcard-role',
    title: 'Role or ClusterRole with wildcard verbs or resources',
    severity: 'high',
    mitre: ['T1098'],
    description:
      'A Role or ClusterRole was created or changed with "*" in verbs or resources. Wildcards grant every current and future permission (secrets, exec, escalate, impersonate) and are the usual shape of a backdoor admin role. Changes are checked too: adding a wildcard to an existing role is the same grant.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['clusterroles', 'roles'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !MUTATING_VERBS.has(ev.verb)) return;
    const rules = rulesOf(bodyOf(ev));
    const wild = rules
      .map((r, i) => ({ rule: i, apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }))
      .filter((r) => r.verbs.includes('*') || r.resources.includes('*'));
    if (wild.length === 0 || !succeeded(ev) || ctx.allowed(ev)) return;
    const kind = ref.resource === 'clusterroles' ? 'ClusterRole' : 'Role';
    const all = wild.some((r) => r.verbs.includes('*') && r.resources.includes('*'));
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${kind} ${target(ev)} with ${all ? 'all verbs on all resources' : wild.map((r) => `verbs [${r.verbs.join(', ')}] on [${r.resources.join(', ')}]`).join('; ')}`,
      evidence: { kind, rules: wild },
      severity: all ? 'critical' : undefined,
    });
  },
});
