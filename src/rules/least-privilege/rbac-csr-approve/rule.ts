import { techniqueRule } from '../_lib.js';

export default techniqueRule('csr-approve', {
  id: 'rbac-csr-approve',
  title: 'Subject can create and approve certificate signing requests',
  description:
    'Creating CSRs, updating `certificatesigningrequests/approval` and holding `approve` on a signer lets a subject issue itself client certificates, for any user and group the signer accepts (on some setups system:masters).',
  remediation:
    'Keep CSR approval to the controller manager and to approvers restricted with `resourceNames` to the signers they own.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing',
  ],
  compliance: { cis: ['CIS-K8S 5.1.11'], mitre: ['T1649'] },
});
