// A sequence: an identity changes RBAC, then within minutes creates or changes a workload (or execs
// into one). Granting oneself a permission and using it right away is the shape of an escalation;
// each step alone looks routine.
import { effectiveUser, eventTimeMs, objectName } from '../../event.js';
import { defineDetection } from '../types.js';
import { MUTATING_VERBS, POD_CONTROLLERS, succeeded, target, who, WRITE_VERBS } from '../_lib.js';

const RBAC = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

interface Change {
  at: number;
  what: string;
  time: string;
  auditID: string;
  reported: boolean;
}

export default defineDetection({
  meta: {
    id: 'rbac-then-workload',
    title: 'RBAC change followed by a workload change by the same identity',
    severity: 'medium',
    mitre: ['T1098', 'T1610'],
    description:
      'The same identity changed a Role, ClusterRole or binding and then, within `windowSeconds`, created or changed a pod or pod controller or exec\'d into a pod. Granting a permission and using it at once is how escalations look; each step alone is routine. Reported once per RBAC change.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: [...RBAC, ...POD_CONTROLLERS] },
  options: { windowSeconds: 300 },
  init: () => new Map<string, Change>(),
  check(ev, ctx, last) {
    const ref = ev.objectRef;
    if (!ref || !ref.resource || !succeeded(ev) || ctx.allowed(ev)) return;
    const user = effectiveUser(ev).username;
    if (!user) return;
    if (RBAC.has(ref.resource)) {
      if (ref.subresource || !WRITE_VERBS.has(ev.verb)) return;
      if (last.size > 50_000) {
        // Changes older than the window can no longer match; if that is not enough, start over.
        const t = eventTimeMs(ev);
        const before = t - ctx.options.windowSeconds * 1000;
        if (!Number.isNaN(before)) for (const [k, c] of last) if (c.at < before) last.delete(k);
        if (last.size > 45_000) last.clear();
      }
      last.set(user, { at: eventTimeMs(ev), what: `${ev.verb} ${ref.resource} ${objectName(ref)}`, time: ev.time, auditID: ev.auditID, reported: false });
      return;
    }
    const workload = ref.subresource ? ref.resource === 'pods' && (ref.subresource === 'exec' || ref.subresource === 'attach' || ref.subresource === 'ephemeralcontainers') : MUTATING_VERBS.has(ev.verb);
    if (!workload) return;
    const c = last.get(user);
    if (!c || c.reported) return;
    const t = eventTimeMs(ev);
    const dt = t - c.at;
    if (!Number.isNaN(dt) && (dt < 0 || dt > ctx.options.windowSeconds * 1000)) return;
    c.reported = true;
    const action = ref.subresource ? `${ref.subresource} into pod ${target(ev)}` : `${ev.verb} ${ref.resource} ${target(ev)}`;
    ctx.report(ev, {
      message: `${who(ev)} changed RBAC (${c.what}) and then ${Number.isNaN(dt) ? 'soon after' : `${Math.round(dt / 1000)} s later`} did ${action}`,
      evidence: { rbacChange: c.what, rbacAuditID: c.auditID || undefined, rbacTime: c.time || undefined, secondsBetween: Number.isNaN(dt) ? undefined : Math.round(dt / 1000) },
    });
  },
});
