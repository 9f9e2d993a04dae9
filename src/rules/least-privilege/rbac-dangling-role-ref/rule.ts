import { defineRule } from '../../../core/rule.js';
import { describeRef } from '../../../analysis/rbac/index.js';
import { RBAC_KINDS, riskOf } from '../_lib.js';

// A binding whose roleRef names a Role or ClusterRole that is not there grants nothing today, and
// grants whatever a role of that name will say to whoever creates it. The API server's bootstrap
// ClusterRoles (cluster-admin, admin, edit, view, system:*) count as present even when a manifests
// folder does not define them. Where the input could not list roles (a live cluster refusing
// ClusterRoles), nothing is said.
export default defineRule({
  meta: {
    id: 'rbac-dangling-role-ref',
    title: 'Binding to a role that does not exist',
    pillar: 'least-privilege',
    severity: 'low',
    description:
      'A RoleBinding or ClusterRoleBinding references a Role or ClusterRole that does not exist: it grants nothing now, and anyone who can create a role with that name decides what its subjects get.',
    remediation: 'Delete the binding, or create the intended role; check for a typo in `roleRef.name` or a Role expected in another namespace (a RoleBinding resolves a Role in its own namespace).',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding'],
    compliance: { mitre: ['T1098'] },
    messages: {
      dangling: '{binding} references {role}, which does not exist{where}; it grants nothing until someone creates it',
    },
    reads: RBAC_KINDS,
  },
  handlers: {
    cluster(ctx) {
      const state = ctx.state;
      const risk = riskOf(state);
      const live = state.origin !== 'manifests';
      const unassessed = new Set(state.notAssessed.map((n) => n.what));
      const byRef = new Map(risk.rbac.bindings().map((x) => [`${x.ref.kind}|${x.ref.namespace ?? ''}|${x.ref.name}`, x]));
      for (const d of risk.rbac.danglingRefs()) {
        const kind = d.missing.kind === 'Role' ? 'rbac.authorization.k8s.io/Role' : 'rbac.authorization.k8s.io/ClusterRole';
        if (unassessed.has(kind)) continue;
        const b = byRef.get(`${d.binding.kind}|${d.binding.namespace ?? ''}|${d.binding.name}`);
        if (!b) continue;
        ctx.report({
          object: b.object,
          messageId: 'dangling',
          data: { binding: describeRef(d.binding), role: describeRef(d.missing), where: live ? '' : ' in the input' },
          path: ['roleRef', 'name'],
          severity: live ? 'medium' : 'low',
          evidence: { missing: describeRef(d.missing), platform: risk.bindingPlatform(b) !== undefined },
        });
      }
    },
  },
});
