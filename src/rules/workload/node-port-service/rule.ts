import { defineRule } from '../../../core/rule.js';

// type: NodePort opens the service port on every node's address (kube-proxy listens on all nodes).
export default defineRule({
  meta: {
    id: 'node-port-service',
    title: 'Service of type NodePort',
    pillar: 'workload',
    severity: 'medium',
    description:
      "A NodePort Service is reachable on a port of every node's IP address, bypassing the Ingress or load balancer and its TLS, authentication and source filtering; nodes with public IPs (common on GKE and AKS node pools) expose it to the internet.",
    remediation:
      'Use `type: ClusterIP` behind an Ingress or Gateway, or an internal LoadBalancer; if a NodePort is really needed, restrict the node port range with firewall rules or security groups.',
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport',
      'https://attack.mitre.org/techniques/T1133/',
    ],
    compliance: { mitre: ['T1133', 'T1190'], nsa: ['Network separation and hardening'] },
    messages: {
      nodePort: 'Service exposes {ports} on every node (type NodePort)',
    },
    reads: ['Service'],
  },
  handlers: {
    objects: {
      Service(svc, ctx) {
        const spec = svc.obj.spec as { type?: unknown; ports?: unknown } | undefined;
        if (spec?.type !== 'NodePort') return;
        const ports = Array.isArray(spec.ports) ? (spec.ports as Array<Record<string, unknown>>) : [];
        const described = ports
          .filter((p) => p && typeof p === 'object')
          .map((p) => (p.nodePort != null ? `node port ${String(p.nodePort)}` : `port ${String(p.port)} (node port allocated)`));
        ctx.report({
          object: svc,
          messageId: 'nodePort',
          data: { ports: described.length > 0 ? described.join(', ') : 'its ports' },
          path: ['spec', 'type'],
        });
      },
    },
  },
});
