import { techniqueRule } from '../_lib.js';

export default techniqueRule('token-create', {
  id: 'rbac-token-create',
  title: 'Subject can mint service-account tokens',
  description:
    '`create` on `serviceaccounts/token` issues a token for a service account; `create` on secrets can create a Secret of type kubernetes.io/service-account-token that the token controller fills in. Either way the subject acts as that service account.',
  remediation:
    'Remove `create` on serviceaccounts/token (or restrict it with `resourceNames`); limit `create` on secrets to the controllers that need it.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request',
  ],
  compliance: { cis: ['CIS-K8S 5.1.13'], mitre: ['T1528'] },
});
