import { defineRule, type RuleContext } from '../../../core/rule.js';
import type { LoadedObject, Severity } from '../../../core/types.js';
import { platformOfObject } from '../../../analysis/rbac/index.js';
import { PLATFORM_NOTE, RBAC_KINDS } from '../_lib.js';

type M = 'all' | 'verbs' | 'resources' | 'urls';

// One finding per rule of a Role or ClusterRole that uses `*` for verbs, resources or
// nonResourceURLs, at the first such field. `apiGroups: ["*"]` alone (specific resources in any
// group) is not reported. Platform roles (bootstrap labels, system: names) are info.
function check(o: LoadedObject, ctx: RuleContext<M>): void {
  const rules = o.obj.rules;
  if (!Array.isArray(rules)) return;
  const platform = platformOfObject(o) !== undefined;
  const kind = o.ref.kind;
  const name = o.ref.namespace ? `${o.ref.namespace}/${o.ref.name}` : o.ref.name;
  rules.forEach((r, i) => {
    if (!r || typeof r !== 'object') return;
    const has = (f: string) => Array.isArray(r[f]) && (r[f] as unknown[]).includes('*');
    const verbs = has('verbs');
    const resources = has('resources');
    const groups = has('apiGroups');
    let messageId: M;
    let field: string;
    let severity: Severity;
    if (verbs && resources && groups) [messageId, field, severity] = ['all', 'verbs', 'high'];
    else if (verbs) [messageId, field, severity] = ['verbs', 'verbs', 'medium'];
    else if (resources) [messageId, field, severity] = ['resources', 'resources', 'medium'];
    else if (has('nonResourceURLs')) [messageId, field, severity] = ['urls', 'nonResourceURLs', 'low'];
    else return;
    ctx.report({
      object: o,
      messageId,
      data: { role: `${kind} ${name}`, index: i, note: platform ? PLATFORM_NOTE : '' },
      path: ['rules', i, field],
      severity: platform ? 'info' : severity,
      evidence: { rule: i, platform, verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], nonResourceURLs: r.nonResourceURLs ?? [] },
    });
  });
}

export default defineRule({
  meta: {
    id: 'rbac-wildcard',
    title: 'RBAC rule with wildcards',
    pillar: 'least-privilege',
    severity: 'medium',
    description:
      'A Role or ClusterRole rule that uses `*` for verbs, resources or non-resource URLs grants everything that exists now and everything added later (new subresources, CRDs, verbs such as escalate, bind and impersonate).',
    remediation: 'List the exact verbs, API groups and resources the subject needs (`kubeward rbac explain` shows what a subject holds).',
    references: [
      'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege',
      'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources',
    ],
    compliance: { cis: ['CIS-K8S 5.1.3'], mitre: ['T1078'] },
    messages: {
      all: '{role} rules[{index}] grants every verb on every resource of every API group (* on * in *){note}',
      verbs: '{role} rules[{index}] grants every verb (*), including escalate, bind and impersonate where they apply{note}',
      resources: '{role} rules[{index}] grants every resource and subresource (*) of its API groups{note}',
      urls: '{role} rules[{index}] grants every non-resource URL (*){note}',
    },
    reads: RBAC_KINDS,
  },
  handlers: {
    objects: {
      'rbac.authorization.k8s.io/Role': check,
      'rbac.authorization.k8s.io/ClusterRole': check,
    },
  },
});
