import { techniqueRule } from '../_lib.js';

export default techniqueRule('node-pod-status', {
  id: 'rbac-status-update',
  title: 'Subject can rewrite node or pod status',
  description:
    '`update`/`patch` on `nodes/status` or `pods/status` lets a subject report fake conditions, addresses or readiness, misleading the scheduler, endpoints and controllers.',
  remediation:
    'Leave status writes to kubelets and controllers.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  compliance: { mitre: ['T1565'] },
});
