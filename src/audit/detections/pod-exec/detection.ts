// kubectl exec / attach into a running container: interactive access that bypasses the image and
// the deployment pipeline. The command is decoded from the requestURI `command=` parameters.
import { defineDetection } from '../types.js';
import { execCall, redactCommand, succeeded, target, who } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'pod-exec',
    title: 'Exec or attach into a container',
    severity: 'medium',
    mitre: ['T1609'],
    description:
      'A user ran a command in (exec) or attached to a running container. Interactive access is how attackers move from API access to code execution inside workloads, and how secrets mounted in pods are read.',
    allowList: 'platform',
    needs: 'Metadata',
    references: ['https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/'],
  },
  on: { resources: ['pods'] },
  check(ev, ctx) {
    const sub = ev.objectRef?.subresource;
    if (sub !== 'exec' && sub !== 'attach') return;
    if (ev.verb !== 'create' && ev.verb !== 'get') return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const call = execCall(ev);
    const cmd = call.argv.length > 0 ? redactCommand(call.argv) : undefined;
    ctx.report(ev, {
      message:
        sub === 'exec'
          ? `${who(ev)} ran ${cmd ? `\`${cmd}\`` : 'a command'} in ${target(ev)}${call.container ? ` (container ${call.container})` : ''}${call.tty ? ' with a terminal' : ''}`
          : `${who(ev)} attached to ${target(ev)}${call.container ? ` (container ${call.container})` : ''}`,
      evidence: { subresource: sub, ...(cmd ? { command: cmd } : {}), ...(call.container ? { container: call.container } : {}), ...(call.tty !== undefined ? { tty: call.tty } : {}) },
    });
  },
});
