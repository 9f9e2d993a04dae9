// CronJobs and DaemonSets are the persistence mechanisms of Kubernetes: a CronJob re-runs a payload
// on a schedule, a DaemonSet puts it on every node (including future ones).
import { defineDetection } from '../types.js';
import { bodyOf, did, isObj, MUTATING_VERBS, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'persistence-workload-changed',
    title: 'CronJob created or changed, DaemonSet created',
    severity: 'low',
    mitre: ['T1053.007', 'T1610'],
    description:
      'A CronJob was created or changed, or a DaemonSet was created, by an identity that is not the platform. These are the Kubernetes persistence mechanisms: a schedule that re-runs a payload, or a pod on every node. Expected from deployment pipelines (allow-list them), suspicious from people and workloads.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['cronjobs', 'daemonsets'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource) return;
    if (ref.resource === 'cronjobs' ? !MUTATING_VERBS.has(ev.verb) : ev.verb !== 'create') return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const spec = bodyOf(ev)?.spec;
    const schedule = ref.resource === 'cronjobs' && isObj(spec) && typeof spec.schedule === 'string' ? spec.schedule : undefined;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${ref.resource === 'cronjobs' ? 'CronJob' : 'DaemonSet'} ${target(ev)}${schedule ? ` (schedule "${schedule}")` : ''}`,
      evidence: { kind: ref.resource === 'cronjobs' ? 'CronJob' : 'DaemonSet', ...(schedule ? { schedule } : {}) },
    });
  },
});
