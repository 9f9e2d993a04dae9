import { techniqueRule } from '../_lib.js';

export default techniqueRule('pv-create', {
  id: 'rbac-pv-create',
  title: 'Subject can create PersistentVolumes',
  description:
    "PersistentVolumes are cluster-scoped; whoever can create one can create a hostPath volume and read or write the node's files from any pod that binds it, bypassing Pod Security's hostPath restrictions.",
  remediation:
    'Let storage provisioners create PersistentVolumes; give users PersistentVolumeClaims and StorageClasses instead.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation',
  ],
  compliance: { cis: ['CIS-K8S 5.1.9'], mitre: ['T1611'] },
});
