import { defineRule } from '../../../core/rule.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// Pods that name no service account (or name "default") share the namespace's default identity.
export default defineRule({
  meta: {
    id: 'default-service-account',
    title: 'Pod uses the default service account',
    pillar: 'workload',
    severity: 'low',
    description:
      "Every pod that names no service account runs as the namespace's `default` ServiceAccount, so any permission or cloud IAM role granted to it is shared by all such workloads, and no workload can be given its own least-privilege identity.",
    remediation:
      'Create a dedicated ServiceAccount per workload and set `spec.serviceAccountName`; leave the `default` ServiceAccount with no RoleBindings and `automountServiceAccountToken: false`.',
    references: [
      'https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts',
      'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/',
    ],
    compliance: { cis: ['CIS-K8S 5.1.5'], mitre: ['T1078.001'] },
    messages: {
      // One wording for both: the API server's ServiceAccount admission writes serviceAccountName:
      // default into pods that name none, so a live cluster cannot tell the two apart. Whether the
      // manifest named it is in the evidence.
      default: 'pod runs as the "default" service account of namespace "{namespace}"',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      const { serviceAccountName: name, serviceAccount: legacy } = pod.spec;
      const data = { namespace: pod.namespace };
      // serviceAccountName wins; the deprecated serviceAccount alias is used only when it is empty.
      if (typeof name === 'string' && name !== '') {
        if (name === 'default') ctx.report({ object: pod.owner, messageId: 'default', data, path: [...pod.specPath, 'serviceAccountName'], evidence: { named: true } });
        return;
      }
      if (typeof legacy === 'string' && legacy !== '') {
        if (legacy === 'default') ctx.report({ object: pod.owner, messageId: 'default', data, path: [...pod.specPath, 'serviceAccount'], evidence: { named: true, field: 'serviceAccount (deprecated)' } });
        return;
      }
      ctx.report({ object: pod.owner, messageId: 'default', data, path: pod.specPath, evidence: { named: false } });
    },
  },
});
