import { techniqueRule } from '../_lib.js';

export default techniqueRule('pod-exec', {
  id: 'rbac-pod-exec',
  title: 'Subject can run commands in pods',
  description:
    '`create` (or `get`, for older clients) on `pods/exec` or `pods/attach`, `update`/`patch` on `pods/ephemeralcontainers`, and `pods/portforward` give a shell in, a debugging container next to, or a network path into running pods, with their service-account tokens and mounted secrets. Only `*` or the exact subresource grants them: `pods` and `pods/*` do not.',
  remediation:
    'Give exec and attach to on-call groups through a separate, audited role; use `resourceNames` when a tool must reach one pod.',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalation-via-pod-exec',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources',
  ],
  compliance: { mitre: ['T1609'] },
});
