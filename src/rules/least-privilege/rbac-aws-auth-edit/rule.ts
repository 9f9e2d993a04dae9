import { techniqueRule } from '../_lib.js';

export default techniqueRule('aws-auth', {
  id: 'rbac-aws-auth-edit',
  title: 'Subject can edit the EKS aws-auth ConfigMap',
  description:
    'On EKS, ConfigMap kube-system/aws-auth maps IAM roles and users to Kubernetes users and groups; whoever can update or patch it (including through `resourceNames: [aws-auth]`) can map an IAM principal it controls to system:masters.',
  remediation:
    "Remove update/patch on configmaps in kube-system; manage cluster access with EKS access entries and keep aws-auth changes to the cluster's infrastructure pipeline.",
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
  ],
  compliance: { mitre: ['T1098', 'T1078.004'] },
});
