import { defineRule } from '../../../core/rule.js';
import { describePath, describeSubjectRef, EscalationGraph, rbacFor, riskFor, stepCount, stepsEvidence } from '../../../analysis/rbac/index.js';
import { PLATFORM_NOTE, RBAC_AND_WORKLOAD_KINDS } from '../_lib.js';

// The shortest chain of techniques from a subject to cluster-admin (src/analysis/rbac/escalation.ts).
// Reported on the binding that gives the first step, at the entry naming the subject; a subject
// whose first step comes only through one of its groups is left to that group's own finding.
// Subjects that hold * on * cluster-wide directly are rbac-cluster-admin-binding's.
export default defineRule({
  meta: {
    id: 'rbac-escalation-path',
    title: 'Subject can escalate to cluster-admin',
    pillar: 'least-privilege',
    severity: 'critical',
    description:
      'Chaining the permissions it holds (create a pod as a more powerful service account, mint or steal its token, bind or escalate roles, impersonate, reach the kubelet, inject through a webhook...), the subject can reach the rights of cluster-admin.',
    remediation:
      'Break the chain at its first step: remove the permission that starts it (the binding named in the message), or the power of the identity it leads to. `kubeward rbac paths --subject ...` prints every step.',
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
    ],
    compliance: { cis: ['CIS-K8S 5.1.8'], mitre: ['T1078', 'T1098', 'T1528'] },
    messages: {
      path: '{subject} can become cluster-admin in {count} step(s): {path}{note}',
    },
    reads: RBAC_AND_WORKLOAD_KINDS,
  },
  handlers: {
    cluster(ctx) {
      const rbac = rbacFor(ctx.state);
      // Built for this rule only (not the shared escalationFor cache): no other rule reads the graph, and
      // cached on the state it would stay in memory for the rest of the scan (~55 MB on 50k pods).
      const graph = new EscalationGraph(riskFor(rbac));
      for (const p of graph.paths()) {
        const first = p.steps[0];
        const key = p.subject.key;
        const grant = first.grants.find((g) => g.subjectKey === key && g.binding);
        if (!grant || !grant.binding) continue;
        const idx = graph.risk.subjectIndex(grant.binding, key);
        if (idx < 0) continue;
        const subject = describeSubjectRef(p.subject);
        ctx.report({
          object: grant.binding.object,
          messageId: 'path',
          data: { subject, count: stepCount(p.steps), path: describePath(subject, p.steps, key).slice(subject.length + 4), note: p.platform ? PLATFORM_NOTE : '' },
          path: ['subjects', idx],
          severity: p.platform ? 'info' : 'critical',
          evidence: { subject, platform: p.platform, steps: stepsEvidence(p.steps) },
        });
      }
    },
  },
});
