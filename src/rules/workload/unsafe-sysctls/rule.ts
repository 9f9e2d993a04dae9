import { defineRule } from '../../../core/rule.js';
import { isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt } from '../_pss.js';

// PSS baseline "Sysctls": spec.securityContext.sysctls[*].name must be in the safe set below
// (the current Pod Security Standards list; the kubelet allows the same set without configuration).
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/**
 * The kubelet's reading of a sysctl name: when the first separator is "/", "/" and "." swap
 * ("net/ipv4/conf/eno2.100/rp_filter" is "net.ipv4.conf.eno2/100.rp_filter").
 */
export function normaliseSysctl(name: string): string {
  const i = name.search(/[./]/);
  if (i < 0 || name[i] === '.') return name;
  return name.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

export default defineRule({
  meta: {
    id: 'unsafe-sysctls',
    title: 'Pod sets sysctls outside the safe set',
    pillar: 'workload',
    severity: 'medium',
    description:
      "Sysctls outside the Pod Security Standards safe set can change kernel behaviour for other pods on the node or starve it of resources; they need the node's `--allowed-unsafe-sysctls` and a node dedicated to the workload.",
    remediation:
      'Remove the sysctl, or run the workload on dedicated, tainted nodes whose kubelet allows that sysctl, in a namespace with a documented Pod Security exception.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/',
      'https://nvd.nist.gov/vuln/detail/CVE-2022-0811',
    ],
    compliance: { pss: 'baseline', mitre: ['T1611'] },
    messages: {
      unsafe: 'pod sets sysctl {name}, outside the Pod Security Standards safe set',
      spelling:
        'pod sets sysctl "{name}", which the kubelet reads as the safe {normalised}, but Pod Security admission compares names exactly and rejects it; write "{normalised}"',
      injection:
        'pod sets sysctl {name} to a value containing "+" or "=", which CRI-O before 1.19.6/1.20.7/1.21.6/1.22.3/1.23.2 parses as further sysctls (CVE-2022-0811, container escape)',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      if (isWindows(pod)) return;
      const sysctls: unknown = pod.spec.securityContext?.sysctls;
      if (!Array.isArray(sysctls)) return;
      const base = [...pod.specPath, 'securityContext', 'sysctls'];
      sysctls.forEach((s: unknown, i) => {
        const entry = objectAt(s);
        const name: unknown = entry?.name;
        if (typeof name !== 'string' || name === '') return;
        const value: unknown = entry?.value;
        if (typeof value === 'string' && /[+=]/.test(value)) {
          ctx.report({ object: pod.owner, messageId: 'injection', data: { name }, path: [...base, i, 'value'], severity: 'critical' });
        }
        if (SAFE_SYSCTLS.has(name)) return;
        const normalised = normaliseSysctl(name);
        if (SAFE_SYSCTLS.has(normalised)) {
          ctx.report({ object: pod.owner, messageId: 'spelling', data: { name, normalised }, path: [...base, i, 'name'], severity: 'low' });
          return;
        }
        ctx.report({
          object: pod.owner,
          messageId: 'unsafe',
          data: { name: normalised === name ? name : `${name} (${normalised})` },
          path: [...base, i, 'name'],
          evidence: { sysctl: normalised },
        });
      });
    },
  },
});
