// The built-in system: roles and bindings are maintained by the API server; a person changing them
// is either weakening the control plane's own permissions or hiding a grant in a trusted name.
import { defineDetection } from '../types.js';
import { did, succeeded, target, who, WRITE_VERBS } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'system-role-modified',
    title: 'Built-in system: role or binding modified',
    severity: 'high',
    mitre: ['T1098', 'T1036.005'],
    description:
      'A Role, ClusterRole or binding whose name starts with "system:" was created, changed or deleted by an identity that is not the platform. These objects belong to the control plane (the API server reconciles them): editing them grants permissions under a trusted name or breaks components.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !WRITE_VERBS.has(ev.verb) || !ref.name?.startsWith('system:')) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${ref.resource} ${target(ev)}`,
      evidence: { resource: ref.resource },
    });
  },
});
