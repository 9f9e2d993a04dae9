// Added Linux capabilities that amount to root on the node: SYS_ADMIN (mount, cgroups), SYS_MODULE
// (kernel modules), SYS_PTRACE (other processes), BPF/PERFMON (kernel programs), NET_ADMIN, ALL...
import { defineDetection } from '../types.js';
import { containersOf, did, isObj, podSpecOfRequest, strs, succeeded, target, who } from '../_lib.js';

export const DANGEROUS_CAPABILITIES: ReadonlySet<string> = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_BOOT', 'BPF', 'PERFMON', 'NET_ADMIN', 'DAC_READ_SEARCH', 'DAC_OVERRIDE', 'SYS_TIME', 'MAC_ADMIN', 'MAC_OVERRIDE']);

export default defineDetection({
  meta: {
    id: 'dangerous-capabilities',
    title: 'Container with dangerous added capabilities',
    severity: 'high',
    mitre: ['T1610', 'T1611'],
    description:
      'A pod or pod controller was created or changed with a container that adds a capability such as SYS_ADMIN, SYS_MODULE, SYS_PTRACE, BPF, NET_ADMIN or ALL. These capabilities allow known container escapes or control of the node\'s network.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'] },
  check(ev, ctx) {
    const p = podSpecOfRequest(ev);
    if (!p || !succeeded(ev) || ctx.allowed(ev)) return;
    const hits: Array<{ container: string; where: string; capabilities: string[] }> = [];
    for (const c of containersOf(p.spec)) {
      if (p.ephemeralOnly && !c.where.startsWith('ephemeralContainers')) continue;
      const caps = isObj(c.c.securityContext) && isObj(c.c.securityContext.capabilities) ? strs(c.c.securityContext.capabilities.add) : [];
      const bad = caps.map((x) => x.toUpperCase().replace(/^CAP_/, '')).filter((x) => DANGEROUS_CAPABILITIES.has(x));
      if (bad.length > 0) hits.push({ container: c.name, where: c.where, capabilities: bad });
    }
    if (hits.length === 0) return;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${p.kind} ${target(ev)} adding ${hits.map((h) => `${h.capabilities.join(', ')} to ${h.container}`).join('; ')}`,
      evidence: { kind: p.kind, containers: hits },
    });
  },
});
