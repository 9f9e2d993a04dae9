import { defineRule } from '../../../core/rule.js';
import { evaluatePodTemplate, pssRank, PSS_LEVELS, type PssLevel } from '../_pss-level.js';
import { POD_SPEC_KINDS } from '../_pss.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

// Pod Security admission enforces what a Namespace's labels say. Only Namespace objects present in
// the input are judged: a namespace that workloads merely reference has no labels we could read.
export default defineRule({
  meta: {
    id: 'namespace-pss-labels',
    title: 'Namespace does not enforce a Pod Security level',
    pillar: 'workload',
    severity: 'medium',
    description:
      'Pod Security admission only blocks insecure pods in namespaces labelled `pod-security.kubernetes.io/enforce`; without the label (or with `privileged`) anyone who can create a pod there can create a privileged, host-namespace pod and take over the node.',
    remediation:
      'Label every application namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline` where a workload needs it), with a matching `enforce-version`; use the `warn` and `audit` labels first to find workloads that would be rejected.',
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-admission/',
      'https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/',
    ],
    compliance: { cis: ['CIS-K8S 5.2.1'], mitre: ['T1610', 'T1611'] },
    messages: {
      missing:
        'namespace "{namespace}" has no pod-security.kubernetes.io/enforce label, so only the cluster-wide default applies (privileged unless the admission configuration says otherwise)',
      invalid:
        'namespace "{namespace}" sets pod-security.kubernetes.io/enforce to "{value}", which is not a level (privileged, baseline, restricted); admission falls back to restricted and reports an error',
      privileged: 'namespace "{namespace}" enforces the privileged Pod Security level, so admission checks nothing',
      weaker:
        'namespace "{namespace}" enforces {enforce}, but every workload in it ({count}) already meets {level}: enforcing {level} costs nothing today',
    },
    reads: ['Namespace', ...POD_SPEC_KINDS],
  },
  handlers: {
    cluster(ctx) {
      const namespaces = ctx.state.ofKind('Namespace');
      if (namespaces.length === 0) return;
      // The strictest level that every pod spec of each namespace meets.
      const met = new Map<string, { level: PssLevel; count: number }>();
      for (const pod of ctx.state.podTemplates()) {
        const level = evaluatePodTemplate(pod).level;
        const prev = met.get(pod.namespace);
        met.set(pod.namespace, {
          level: prev && pssRank(prev.level) < pssRank(level) ? prev.level : level,
          count: (prev?.count ?? 0) + 1,
        });
      }
      for (const ns of namespaces) {
        const name = ns.ref.name;
        const labels = ns.obj.metadata?.labels ?? {};
        const enforce = labels[ENFORCE];
        const workloads = met.get(name);
        const evidence = { workloads: workloads?.count ?? 0, strictestLevelMet: workloads?.level ?? null };
        if (enforce === undefined) {
          // kube-system runs node agents that need privileged; Pod Security admission is usually exempted there.
          if (name === 'kube-system') continue;
          const path = ns.obj.metadata?.labels ? ['metadata', 'labels'] : ['metadata'];
          ctx.report({ object: ns, messageId: 'missing', data: { namespace: name }, path, evidence });
          continue;
        }
        const path = ['metadata', 'labels', ENFORCE];
        const value = String(enforce);
        if (!(PSS_LEVELS as readonly string[]).includes(value)) {
          ctx.report({ object: ns, messageId: 'invalid', data: { namespace: name, value }, path, severity: 'low' });
          continue;
        }
        if (value === 'privileged') {
          if (name !== 'kube-system') ctx.report({ object: ns, messageId: 'privileged', data: { namespace: name }, path, evidence });
          continue;
        }
        if (workloads && pssRank(workloads.level) > pssRank(value as PssLevel)) {
          ctx.report({
            object: ns,
            messageId: 'weaker',
            data: { namespace: name, enforce: value, level: workloads.level, count: workloads.count },
            path,
            severity: 'low',
            evidence,
          });
        }
      }
    },
  },
});
