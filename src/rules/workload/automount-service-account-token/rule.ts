import { defineRule } from '../../../core/rule.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// The kubelet mounts the service account token unless the pod, or else its ServiceAccount, says
// automountServiceAccountToken: false. The pod's value wins over the ServiceAccount's.
export default defineRule({
  meta: {
    id: 'automount-service-account-token',
    title: 'Service account token mounted automatically',
    pillar: 'workload',
    severity: 'low',
    description:
      "Every container of a pod that does not opt out gets a Kubernetes API token for its service account at /var/run/secrets/kubernetes.io/serviceaccount; anyone who compromises the container can use that identity against the API server.",
    remediation:
      'Set `automountServiceAccountToken: false` on the ServiceAccount (or in the pod spec) for workloads that do not call the Kubernetes API; workloads that do can mount a short-lived, audience-bound token through a projected volume.',
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
      'https://kubernetes.io/docs/concepts/security/service-accounts/',
      'https://attack.mitre.org/techniques/T1528/',
    ],
    compliance: { cis: ['CIS-K8S 5.1.5', 'CIS-K8S 5.1.6'], mitre: ['T1528', 'T1552.007'] },
    messages: {
      podTrue: 'pod sets automountServiceAccountToken: true, so every container gets the token of service account "{serviceAccount}"',
      saAllows:
        'pod mounts the token of service account "{serviceAccount}": neither the pod nor the ServiceAccount sets automountServiceAccountToken: false',
      saNotFound:
        'pod mounts the token of service account "{serviceAccount}": the pod does not set automountServiceAccountToken: false and the ServiceAccount is not in the input, so its setting is unknown',
      defaultServiceAccount:
        'the default service account of namespace {namespace} does not set automountServiceAccountToken: false, so every pod that does not choose a service account gets its token',
    },
    reads: [...POD_SPEC_KINDS, 'ServiceAccount'],
  },
  handlers: {
    // CIS 5.1.5: the "default" ServiceAccount itself should opt out, since every pod that names no
    // service account runs as it.
    objects: {
      ServiceAccount(sa, ctx) {
        if (sa.ref.name !== 'default' || sa.obj.automountServiceAccountToken === false) return;
        ctx.report({
          object: sa,
          messageId: 'defaultServiceAccount',
          data: { namespace: sa.ref.namespace ?? 'default' },
          path: sa.obj.automountServiceAccountToken === undefined ? ['metadata', 'name'] : ['automountServiceAccountToken'],
        });
      },
    },
    podTemplate(pod, ctx) {
      const podValue = pod.spec.automountServiceAccountToken;
      if (podValue === false) return;
      const serviceAccount = serviceAccountOf(pod.spec);
      if (podValue === true) {
        ctx.report({
          object: pod.owner,
          messageId: 'podTrue',
          data: { serviceAccount },
          path: [...pod.specPath, 'automountServiceAccountToken'],
        });
        return;
      }
      const sa = ctx.state.get('ServiceAccount', pod.namespace, serviceAccount);
      if (sa && sa.obj.automountServiceAccountToken === false) return;
      const path = pod.spec.serviceAccountName
        ? [...pod.specPath, 'serviceAccountName']
        : pod.spec.serviceAccount
          ? [...pod.specPath, 'serviceAccount']
          : pod.specPath;
      ctx.report({
        object: pod.owner,
        messageId: sa ? 'saAllows' : 'saNotFound',
        data: { serviceAccount },
        path,
        evidence: { serviceAccount, namespace: pod.namespace, serviceAccountInInput: sa !== undefined },
      });
    },
  },
});

/** serviceAccountName, else the deprecated serviceAccount alias, else "default". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function serviceAccountOf(spec: Readonly<Record<string, any>>): string {
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return spec.serviceAccountName;
  if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') return spec.serviceAccount;
  return 'default';
}
