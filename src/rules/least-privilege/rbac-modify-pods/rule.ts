import { techniqueRule } from '../_lib.js';

export default techniqueRule('modify-pods', {
  id: 'rbac-modify-pods',
  title: 'Subject can update running pods',
  description:
    "`update` or `patch` on pods changes the image of a running pod's containers, so the subject runs code of its choice with that pod's service-account token and mounted secrets.",
  remediation:
    'Remove update/patch on pods; changes go through the workload controller (Deployment) and its review.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation',
  ],
  compliance: { mitre: ['T1525', 'T1609'] },
});
