import { defineRule } from '../../../core/rule.js';
import { describeRef, evaluateHoldings, platformOfServiceAccount } from '../../../analysis/rbac/index.js';
import { RBAC_KINDS, riskOf } from '../_lib.js';

// Binding subjects that match nobody: ServiceAccounts that do not exist, subjects of an unknown
// kind ("serviceaccount", "user": kinds are case-sensitive), and ServiceAccount subjects without a
// namespace in a ClusterRoleBinding. A binding to a missing ServiceAccount waits for whoever creates
// one with that name: anyone allowed to create service accounts there inherits the grant.
// Existence is judged only where the input can tell: in a live cluster or snapshot whose
// ServiceAccounts were read, and in manifests for namespaces whose ServiceAccounts the input declares.
export default defineRule({
  meta: {
    id: 'rbac-missing-subject',
    title: 'Binding to a subject that does not exist',
    pillar: 'least-privilege',
    severity: 'low',
    description:
      'A RoleBinding or ClusterRoleBinding names a ServiceAccount that does not exist, or a subject no identity can match (unknown kind, ServiceAccount without namespace in a ClusterRoleBinding): the grant is dead today and goes to whoever later creates that account.',
    remediation: 'Remove the subject (or the binding), or fix its kind, name and namespace.',
    references: [
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects',
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review',
    ],
    compliance: { mitre: ['T1098'] },
    messages: {
      missing: '{binding} grants {role} to ServiceAccount {sa}, which does not exist{where}; whoever creates it gets the grant',
      unknownKind: '{binding} subjects[{index}] has kind "{kind}", which matches nobody (User, Group and ServiceAccount are the only kinds; case matters)',
      noNamespace: '{binding} names ServiceAccount "{name}" without a namespace, which in a ClusterRoleBinding matches nobody',
    },
    reads: [...RBAC_KINDS, 'ServiceAccount'],
  },
  handlers: {
    cluster(ctx) {
      const state = ctx.state;
      const risk = riskOf(state);
      const live = state.origin !== 'manifests';
      const saAssessed = !state.notAssessed.some((n) => n.what === 'ServiceAccount');
      const nsWithSas = new Set(state.ofKind('ServiceAccount').map((o) => o.ref.namespace ?? 'default'));
      for (const b of risk.rbac.bindings()) {
        const role = !b.roleRef ? 'nothing' : b.roleRef.kind === 'Role' ? `Role ${b.namespace}/${b.roleRef.name}` : `${b.roleRef.kind} ${b.roleRef.name}`;
        let granting: boolean | undefined;
        const grants = () => (granting ??= b.role ? evaluateHoldings(risk.powerOf([{ binding: b, subjectKey: '' }])).length > 0 : false);
        b.subjects.forEach((s, i) => {
          const base = { binding: describeRef(b.ref), role };
          if (s.kind === '' && s.name === '') return; // malformed: reported by the loader's problems
          if (s.kind !== 'User' && s.kind !== 'Group' && s.kind !== 'ServiceAccount') {
            ctx.report({ object: b.object, messageId: 'unknownKind', data: { ...base, index: i, kind: s.kind }, path: ['subjects', i, 'kind'], evidence: { subject: { ...s } } });
            return;
          }
          if (s.kind !== 'ServiceAccount') return;
          const ns = s.namespace ?? b.namespace;
          if (ns === '') {
            ctx.report({ object: b.object, messageId: 'noNamespace', data: { ...base, name: s.name }, path: ['subjects', i], evidence: { subject: { ...s } } });
            return;
          }
          if (state.get('ServiceAccount', ns, s.name)) return;
          if (live ? !saAssessed : !nsWithSas.has(ns) || s.name === 'default') return;
          if (live && s.name === 'default' && state.namespaceNames().includes(ns)) return;
          const platform = platformOfServiceAccount(ns, s.name) !== undefined || risk.bindingPlatform(b) !== undefined;
          ctx.report({
            object: b.object,
            messageId: 'missing',
            data: { ...base, sa: `${ns}/${s.name}`, where: live ? '' : ' in the input' },
            path: ['subjects', i],
            severity: platform ? 'info' : grants() ? 'medium' : 'low',
            evidence: { serviceAccount: `${ns}/${s.name}`, platform, grantsTechnique: grants() },
          });
        });
      }
    },
  },
});
