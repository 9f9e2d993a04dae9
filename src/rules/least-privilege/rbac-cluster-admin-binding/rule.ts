import { techniqueRule } from '../_lib.js';

export default techniqueRule('cluster-admin', {
  id: 'rbac-cluster-admin-binding',
  title: 'Cluster-admin or equivalent granted',
  description:
    'A binding grants `*` verbs on `*` resources in `*` API groups: cluster-wide through a ClusterRoleBinding that is full control of the cluster, through a RoleBinding full control of the namespace.',
  remediation:
    'Bind a role with only the verbs and resources the subject needs; keep cluster-admin to break-glass groups, and never give it to service accounts of workloads or CI.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles',
  ],
  compliance: { cis: ['CIS-K8S 5.1.1'], mitre: ['T1078.001', 'T1098'] },
});
