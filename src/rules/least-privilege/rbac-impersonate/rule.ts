import { techniqueRule } from '../_lib.js';

export default techniqueRule('impersonate', {
  id: 'rbac-impersonate',
  title: 'Subject can impersonate users, groups or service accounts',
  description:
    'The `impersonate` verb on users, groups or serviceaccounts lets a subject send requests as someone else, including group system:masters, which no RBAC rule limits.',
  remediation:
    'Remove `impersonate` from the role, or restrict it with `resourceNames` to the exact identities a tool must act as; never allow impersonating groups.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#impersonate-verb',
  ],
  compliance: { cis: ['CIS-K8S 5.1.8'], mitre: ['T1078', 'T1134'] },
});
