import { techniqueRule } from '../_lib.js';

export default techniqueRule('webhook-config', {
  id: 'rbac-webhook-config',
  title: 'Subject can write admission webhook configurations',
  description:
    'Writing MutatingWebhookConfigurations or ValidatingWebhookConfigurations lets a subject send every matching API request, secrets included, to a server of its choice and, for mutating webhooks, rewrite the objects: inject a container into every new pod.',
  remediation:
    'Keep webhook configuration writes to the operators that install them (restrict with `resourceNames` to their own configuration).',
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks',
    'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/',
  ],
  compliance: { cis: ['CIS-K8S 5.1.12'], mitre: ['T1546', 'T1610'] },
});
