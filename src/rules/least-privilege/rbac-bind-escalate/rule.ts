import { techniqueRule } from '../_lib.js';

export default techniqueRule('bind-escalate', {
  id: 'rbac-bind-escalate',
  title: 'Subject can grant permissions it does not hold (bind / escalate)',
  description:
    "The `bind` verb (with create or update on role bindings) or the `escalate` verb (with update on roles) switches off RBAC's privilege-escalation check: the subject can bind, or write into a role, permissions it does not have itself.",
  remediation:
    'Remove `bind` and `escalate`; if a controller must bind roles, restrict `bind` with `resourceNames` to the roles it hands out.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#bind-verb',
  ],
  compliance: { cis: ['CIS-K8S 5.1.8'], mitre: ['T1098'] },
});
