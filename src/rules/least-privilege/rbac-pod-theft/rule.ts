import { techniqueRule } from '../_lib.js';

export default techniqueRule('pod-theft', {
  id: 'rbac-pod-theft',
  title: 'Subject can evict pods and cordon nodes',
  description:
    'Deleting or evicting pods together with updating nodes (cordon, taints, labels) lets a subject push pods off their nodes until they land on a node it controls.',
  remediation:
    "Give node maintenance (update nodes + evictions) to the platform's node lifecycle tooling only.",
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  compliance: { mitre: ['T1578'] },
});
