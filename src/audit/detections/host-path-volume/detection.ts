// hostPath volumes: node files inside the pod. Sensitive paths (the root, /proc, /etc, runtime
// sockets, kubelet credentials, logs) give the node away; other paths still tie the pod to the node.
import { defineDetection } from '../types.js';
import { arr, did, isObj, podSpecOfRequest, succeeded, target, who } from '../_lib.js';

export const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/etc',
  '/root',
  '/home',
  '/var/run',
  '/run',
  '/var/run/docker.sock',
  '/run/containerd',
  '/var/run/containerd',
  '/run/crio',
  '/var/run/crio',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/log',
];

export function isSensitiveHostPath(p: string): boolean {
  const n = p.length > 1 ? p.replace(/\/+$/, '') : p;
  return SENSITIVE_HOST_PATHS.some((s) => n === s || (s !== '/' && n.startsWith(s + '/')));
}

export default defineDetection({
  meta: {
    id: 'host-path-volume',
    title: 'hostPath volume mounted (high for sensitive node paths)',
    severity: 'high',
    mitre: ['T1611', 'T1552.001'],
    description:
      'A pod or pod controller was created or changed with a hostPath volume. Sensitive paths (/, /proc, /etc, /root, container runtime sockets, /var/lib/kubelet, /var/log...) give access to node credentials or to the runtime, which is a node takeover (reported high); other host paths are reported low.',
    allowList: 'platform',
    needs: 'Request',
  },
  on: { resources: ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'] },
  check(ev, ctx) {
    const p = podSpecOfRequest(ev);
    if (!p || p.ephemeralOnly || !succeeded(ev) || ctx.allowed(ev)) return;
    const vols: Array<{ volume: string; path: string; sensitive: boolean }> = [];
    for (const v of arr(p.spec.volumes)) {
      if (!isObj(v) || !isObj(v.hostPath) || typeof v.hostPath.path !== 'string') continue;
      vols.push({ volume: typeof v.name === 'string' ? v.name : '', path: v.hostPath.path, sensitive: isSensitiveHostPath(v.hostPath.path) });
    }
    if (vols.length === 0) return;
    const sensitive = vols.filter((v) => v.sensitive);
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${p.kind} ${target(ev)} mounting host path${vols.length > 1 ? 's' : ''} ${vols.map((v) => v.path).join(', ')}${sensitive.length ? ' (sensitive)' : ''}`,
      evidence: { kind: p.kind, volumes: vols },
      severity: sensitive.length > 0 ? 'high' : 'low',
    });
  },
});
