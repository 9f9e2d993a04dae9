import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt } from '../_pss.js';

// PSS baseline "Host Ports": containers[*].ports[*].hostPort must be unset or 0.
export default defineRule({
  meta: {
    id: 'host-port',
    title: 'Container binds a port on the node',
    pillar: 'workload',
    severity: 'medium',
    description:
      "A `hostPort` publishes the container on the node's own IP address: it bypasses Services and, with many CNI plugins, NetworkPolicy, exposes the pod to anything that can reach the node, and pins one replica per node.",
    remediation: 'Remove `hostPort` (or set it to 0) and expose the container through a Service (ClusterIP, NodePort or LoadBalancer).',
    references: [PSS_BASELINE_URL, 'https://kubernetes.io/docs/concepts/configuration/overview/#services'],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.13'] },
    messages: {
      hostPort: '{container} binds node port {hostPort}/{protocol} (hostPort) to container port {containerPort}',
      hostNetwork:
        '{container} binds node port {hostPort}/{protocol} (hostPort, as every port of a hostNetwork pod: the API server sets it to containerPort {containerPort})',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      const ports: unknown = c.spec.ports;
      if (!Array.isArray(ports)) return;
      ports.forEach((p: unknown, i) => {
        const port = objectAt(p);
        const hostPort: unknown = port?.hostPort;
        // The API only accepts integers; a quoted number is still the same port to a lenient reader.
        const n = typeof hostPort === 'string' && /^\d+$/.test(hostPort) ? Number(hostPort) : hostPort;
        if (typeof n !== 'number' || n === 0) return;
        // With hostNetwork the API server sets hostPort = containerPort itself (and accepts no other
        // value); Pod Security admission still counts it, so it is reported, saying why it is there.
        const viaHostNetwork = pod.spec.hostNetwork === true && n === port?.containerPort;
        ctx.report({
          object: pod.owner,
          messageId: viaHostNetwork ? 'hostNetwork' : 'hostPort',
          data: {
            container: containerLabel(c),
            hostPort: typeof port?.hostIP === 'string' && port.hostIP !== '' ? `${port.hostIP}:${n}` : n,
            protocol: typeof port?.protocol === 'string' ? port.protocol : 'TCP',
            containerPort: port?.containerPort ?? '?',
          },
          path: [...c.path, 'ports', i, 'hostPort'],
        });
      });
    },
  },
});
