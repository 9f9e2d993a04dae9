// A workload with a privileged container (or a Windows HostProcess container): full access to the
// node's devices and kernel, the usual first step of a container escape.
import { defineDetection } from '../types.js';
import { containersOf, did, isObj, podSpecOfRequest, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'privileged-pod',
    title: 'Privileged container created',
    severity: 'high',
    mitre: ['T1610', 'T1611'],
    description:
      'A pod or pod controller was created or changed with a privileged container (securityContext.privileged, or a Windows HostProcess container). A privileged container has every capability and the node\'s devices: it can take over the node.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'] },
  check(ev, ctx) {
    const p = podSpecOfRequest(ev);
    if (!p || !succeeded(ev) || ctx.allowed(ev)) return;
    const podHostProcess = isObj(p.spec.securityContext) && isObj(p.spec.securityContext.windowsOptions) && p.spec.securityContext.windowsOptions.hostProcess === true;
    const hits: Array<{ container: string; where: string; reason: string }> = [];
    for (const c of containersOf(p.spec)) {
      if (p.ephemeralOnly && !c.where.startsWith('ephemeralContainers')) continue;
      const sc = isObj(c.c.securityContext) ? c.c.securityContext : undefined;
      if (sc?.privileged === true) hits.push({ container: c.name, where: c.where, reason: 'privileged' });
      else if ((isObj(sc?.windowsOptions) && sc.windowsOptions.hostProcess === true) || (podHostProcess && !p.ephemeralOnly)) hits.push({ container: c.name, where: c.where, reason: 'hostProcess' });
    }
    if (hits.length === 0) return;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${p.kind} ${target(ev)} with privileged container${hits.length > 1 ? 's' : ''} ${hits.map((h) => h.container).join(', ')}`,
      evidence: { kind: p.kind, containers: hits },
    });
  },
});
