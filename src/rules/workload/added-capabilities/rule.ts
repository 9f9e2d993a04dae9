import { defineRule } from '../../../core/rule.js';
import type { Severity } from '../../../core/types.js';
import { containerLabel, isWindows } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL } from '../_pss.js';
import { BASELINE_CAPABILITIES } from '../_pss-level.js';

// PSS baseline "Capabilities": capabilities.add may only name capabilities from the default set below.
// PSS compares the strings exactly. Runtimes are looser: containerd and CRI-O upper-case the name and
// add the "CAP_" prefix ("sys_admin" is CAP_SYS_ADMIN); CRI-O (and Docker) also accept a name that
// already has the prefix ("CAP_SYS_ADMIN"), which containerd turns into an unknown CAP_CAP_SYS_ADMIN.
// Every spelling is therefore judged by the capability it may grant.
/** The one list of capabilities PSS baseline allows to add (shared with _pss-level.ts). */
export const BASELINE_ALLOWED = BASELINE_CAPABILITIES;

/** Capabilities that are a direct path to the node, with why. */
const CRITICAL: Readonly<Record<string, string>> = {
  ALL: 'every capability, as good as privileged',
  SYS_ADMIN: 'mount file systems, use namespaces and BPF: the classic container escape',
  SYS_PTRACE: 'trace and inject code into processes (host processes with hostPID)',
  SYS_MODULE: 'load kernel modules',
  NET_ADMIN: 'reconfigure interfaces, routes and iptables; intercept other traffic',
  BPF: 'load eBPF programs into the kernel',
  DAC_READ_SEARCH: 'read any file and open_by_handle_at, the "shocker" escape',
};

const NOTABLE: Readonly<Record<string, string>> = {
  NET_RAW: 'raw sockets: ARP and DNS spoofing on the pod network',
  SYS_RAWIO: 'raw I/O ports and /dev/mem',
  SYS_TIME: "set the node's clock",
  SYS_BOOT: 'reboot the node',
  SYSLOG: 'read the kernel log, with kernel addresses',
  SYS_RESOURCE: 'override resource limits',
  PERFMON: 'kernel performance monitoring',
  LINUX_IMMUTABLE: 'change immutable file flags',
  MAC_ADMIN: 'reconfigure AppArmor/SELinux',
  MAC_OVERRIDE: 'bypass AppArmor/SELinux',
  AUDIT_CONTROL: 'reconfigure kernel auditing',
  IPC_OWNER: 'bypass IPC permission checks',
};

/** The capability a name may grant: upper case, without the CAP_ prefix. */
export function canonicalCapability(raw: string): string {
  const up = raw.trim().toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}

/** For the message: how the runtimes read a name that is not written canonically. */
function spellingNote(raw: string): string {
  if (/^cap_/i.test(raw.trim())) return ` as "${raw}" (CRI-O and Docker accept the CAP_ prefix, containerd ignores such names)`;
  return ` as "${raw}" (runtimes upper-case capability names)`;
}

export default defineRule({
  meta: {
    id: 'added-capabilities',
    title: 'Container adds Linux capabilities beyond the baseline set',
    pillar: 'workload',
    severity: 'high',
    description:
      'Capabilities added beyond the default set the Pod Security Standards allow (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) widen the kernel attack surface; SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN, BPF, DAC_READ_SEARCH and ALL lead straight to the node.',
    remediation:
      'Remove the capability from `securityContext.capabilities.add`; start from `drop: ["ALL"]` and add back only what the process needs (usually nothing, or NET_BIND_SERVICE).',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container',
      'https://man7.org/linux/man-pages/man7/capabilities.7.html',
      'https://attack.mitre.org/techniques/T1611/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.8', 'CIS-K8S 5.2.9'], mitre: ['T1611', 'T1068'] },
    messages: {
      dangerous: '{container} adds capability {capability}{spelling}: {why}',
      added: '{container} adds capability {capability}{spelling}{why}',
      spelling:
        '{container} adds "{capability}", the allowed {canonical} under another spelling, which Pod Security admission rejects (it compares names exactly); write "{canonical}"',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      // The API server rejects capabilities on Windows pods; PSS exempts them.
      if (isWindows(pod)) return;
      const add: unknown = c.spec.securityContext?.capabilities?.add;
      if (!Array.isArray(add)) return;
      add.forEach((item: unknown, i) => {
        if (typeof item !== 'string' || BASELINE_ALLOWED.has(item)) return;
        const canonical = canonicalCapability(item);
        const path = [...c.path, 'securityContext', 'capabilities', 'add', i];
        const container = containerLabel(c);
        const evidence = { capability: canonical, as: item };
        if (BASELINE_ALLOWED.has(canonical)) {
          ctx.report({ object: pod.owner, messageId: 'spelling', data: { container, capability: item, canonical }, path, severity: 'low', evidence });
          return;
        }
        const spelling = item === canonical ? '' : spellingNote(item);
        const critical = CRITICAL[canonical];
        const severity: Severity = critical ? 'critical' : 'high';
        if (critical) {
          ctx.report({ object: pod.owner, messageId: 'dangerous', data: { container, capability: canonical, spelling, why: critical }, path, severity, evidence });
        } else {
          const why = NOTABLE[canonical];
          ctx.report({
            object: pod.owner,
            messageId: 'added',
            data: { container, capability: canonical, spelling, why: why ? `: ${why}` : '' },
            path,
            severity,
            evidence,
          });
        }
      });
    },
  },
});
