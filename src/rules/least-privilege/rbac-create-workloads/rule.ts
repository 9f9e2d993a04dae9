import { techniqueRule } from '../_lib.js';

export default techniqueRule('create-workloads', {
  id: 'rbac-create-workloads',
  title: 'Subject can create or change workloads',
  description:
    'Creating pods, or creating or updating Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs or ReplicationControllers, runs a pod as any service account of the namespace (and so takes its token and rights), with host paths or privileges unless Pod Security admission forbids them.',
  remediation:
    'Give workload writes to the deployment pipeline only, in the namespaces it deploys to; enforce Pod Security admission (baseline or restricted) in those namespaces.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
    'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
  ],
  compliance: { cis: ['CIS-K8S 5.1.4'], mitre: ['T1610', 'T1078.001'] },
});
