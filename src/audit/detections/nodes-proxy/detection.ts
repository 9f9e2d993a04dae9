// nodes/proxy reaches the kubelet API through the API server: /exec, /run and /pods on every pod
// of the node, with the API server's own credentials and without pod-level audit entries.
import { defineDetection } from '../types.js';
import { succeeded, target, who } from '../_lib.js';

const KUBELET_EXEC = /\/proxy\/(exec|run|attach|portForward|cri)\//i;

export default defineDetection({
  meta: {
    id: 'nodes-proxy',
    title: 'Kubelet API used through nodes/proxy',
    severity: 'medium',
    mitre: ['T1609', 'T1613'],
    description:
      'An identity called the kubelet API through the API server (nodes/proxy). Besides metrics, the kubelet API runs commands in any pod of the node (/exec, /run) and these calls leave no pods/exec audit entry; such paths are reported high.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['nodes'] },
  check(ev, ctx) {
    if (ev.objectRef?.subresource !== 'proxy' || !succeeded(ev) || ctx.allowed(ev)) return;
    const path = ev.requestURI ? ev.requestURI.split('?')[0] : undefined;
    const exec = path !== undefined && KUBELET_EXEC.test(path);
    ctx.report(ev, {
      message: `${who(ev)} called the kubelet of node ${target(ev)} through nodes/proxy${path ? ` (${ev.verb} ${path})` : ''}`,
      evidence: path ? { path } : {},
      severity: exec ? 'high' : undefined,
    });
  },
});
