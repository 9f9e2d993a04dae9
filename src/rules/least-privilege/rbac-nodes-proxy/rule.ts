import { techniqueRule } from '../_lib.js';

export default techniqueRule('nodes-proxy', {
  id: 'rbac-nodes-proxy',
  title: 'Subject can reach the kubelet API (nodes/proxy)',
  description:
    "`get` or `create` on `nodes/proxy` gives direct access to every kubelet's API, which runs commands in any pod of the node without going through pods/exec authorization, admission or the usual audit records.",
  remediation:
    'Remove `nodes/proxy` from the role; monitoring agents can read metrics from `nodes/metrics` or `/metrics` instead.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy-subresource',
    'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
  ],
  compliance: { cis: ['CIS-K8S 5.1.10'], mitre: ['T1609', 'T1611'] },
});
