import { techniqueRule } from '../_lib.js';

export default techniqueRule('services-status', {
  id: 'rbac-services-status',
  title: 'Subject can rewrite service status',
  description:
    '`update`/`patch` on `services/status` sets the LoadBalancer ingress IPs of a service, which kube-proxy then routes: traffic for any address can be intercepted (CVE-2020-8554).',
  remediation:
    'Leave services/status to the cloud controller and load-balancer controllers.',
  references: [
    'https://github.com/kubernetes/kubernetes/issues/97076',
  ],
  compliance: { mitre: ['T1557'] },
});
