import { defineRule } from '../../../core/rule.js';
import type { ObjPath, Severity } from '../../../core/types.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt, podLevelReach } from '../_pss.js';
import type { RuleContext } from '../../../core/rule.js';
import type { PodTemplateView } from '../../../model/cluster-state.js';

// PSS baseline "SELinux": seLinuxOptions.type may only be unset, "", container_t, container_init_t,
// container_kvm_t or container_engine_t; seLinuxOptions.user and .role must be unset or "".
// A container's seLinuxOptions replaces the pod's as a whole (the kubelet does not merge fields).
export const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Types that switch SELinux confinement off altogether. */
const UNCONFINED_TYPES = new Set(['spc_t', 'unconfined_t', 'kernel_t', 'super_t']);

type M = 'type' | 'userRole';

function check(
  opts: Record<string, unknown>,
  base: ObjPath,
  where: string,
  note: string,
  severityOverride: Severity | undefined,
  pod: PodTemplateView,
  ctx: RuleContext<M>,
): void {
  const t = opts.type;
  if (typeof t === 'string' && !ALLOWED_SELINUX_TYPES.has(t)) {
    const severity = severityOverride ?? (UNCONFINED_TYPES.has(t) ? 'high' : undefined);
    ctx.report({ object: pod.owner, messageId: 'type', data: { where, value: t, note }, path: [...base, 'type'], severity });
  }
  for (const field of ['user', 'role'] as const) {
    const v = opts[field];
    if (typeof v === 'string' && v !== '') {
      ctx.report({ object: pod.owner, messageId: 'userRole', data: { where, field, value: v, note }, path: [...base, field], severity: severityOverride });
    }
  }
}

export default defineRule({
  meta: {
    id: 'selinux-options',
    title: 'Container sets a custom SELinux type, user or role',
    pillar: 'workload',
    severity: 'medium',
    description:
      'A custom SELinux type (such as `spc_t`, which is unconfined) or an SELinux user or role lifts the container out of the `container_t` confinement that keeps it away from host files and processes.',
    remediation:
      'Remove `seLinuxOptions.type`, `.user` and `.role` (keep only `level` if you need MCS labels), or use one of container_t, container_init_t, container_kvm_t, container_engine_t.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', mitre: ['T1611', 'T1562.001'] },
    messages: {
      type: '{where} sets SELinux type "{value}", outside container_t, container_init_t, container_kvm_t, container_engine_t{note}',
      userRole: '{where} sets SELinux {field} "{value}"{note}',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (isWindows(pod)) return;
      const opts = objectAt(pod.spec.securityContext?.seLinuxOptions);
      if (!opts) return;
      const reach = podLevelReach(pod, (c) => objectAt(c.spec.securityContext?.seLinuxOptions) !== undefined);
      check(opts, [...pod.specPath, 'securityContext', 'seLinuxOptions'], 'pod', ` (${reach.note})`, reach.severity, pod, ctx);
    },
    container(c, pod, ctx) {
      if (isWindows(pod)) return;
      const opts = objectAt(c.spec.securityContext?.seLinuxOptions);
      if (!opts) return;
      check(opts, [...c.path, 'securityContext', 'seLinuxOptions'], containerLabel(c), '', undefined, pod, ctx);
    },
  },
});
