import { techniqueRule } from '../_lib.js';

export default techniqueRule('coredns', {
  id: 'rbac-coredns-edit',
  title: 'Subject can edit the CoreDNS configuration',
  description:
    "Whoever can update or patch ConfigMap kube-system/coredns (directly or through `resourceNames: [coredns]`) can redirect the cluster's DNS names to addresses it controls.",
  remediation:
    "Remove update/patch on configmaps in kube-system except for the platform's DNS operator.",
  references: [
    'https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/',
  ],
  compliance: { mitre: ['T1565'] },
});
