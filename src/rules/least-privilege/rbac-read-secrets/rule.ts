import { techniqueRule } from '../_lib.js';

export default techniqueRule('read-secrets', {
  id: 'rbac-read-secrets',
  title: 'Subject can read all secrets',
  description:
    '`get` without `resourceNames`, `list` or `watch` on secrets reads every Secret of the scope: service-account tokens, registry credentials, TLS keys, cloud keys. `list` returns their values, not only their names.',
  remediation:
    'Grant `get` on secrets only with `resourceNames` listing the secrets the workload reads; never `list` or `watch` secrets outside the controllers that need them.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets',
    'https://kubernetes.io/docs/concepts/configuration/secret/#information-security-for-secrets',
  ],
  compliance: { cis: ['CIS-K8S 5.1.2'], mitre: ['T1552.007', 'T1528'] },
});
