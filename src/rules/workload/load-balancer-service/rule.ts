import { defineRule } from '../../../core/rule.js';

const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const AWS_SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const AWS_INTERNAL = 'service.beta.kubernetes.io/aws-load-balancer-internal';
const AWS_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';

/** Annotation -> test of its value that makes the cloud provision an internal (private) load balancer. */
const INTERNAL_MARKERS: ReadonlyArray<[string, (v: string) => boolean]> = [
  // In-tree AWS provider: any value but "false" (old docs used "0.0.0.0/0"); the AWS LB controller reads "true".
  [AWS_INTERNAL, (v) => v !== '' && v.toLowerCase() !== 'false'],
  [AWS_SCHEME, (v) => v.toLowerCase() === 'internal'],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', (v) => v.toLowerCase() === 'true'],
  ['networking.gke.io/load-balancer-type', (v) => v.toLowerCase() === 'internal'],
  ['cloud.google.com/load-balancer-type', (v) => v.toLowerCase() === 'internal'],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', (v) => v.toLowerCase() === 'true'],
  ['service.beta.kubernetes.io/openstack-internal-load-balancer', (v) => v.toLowerCase() === 'true'],
  ['service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type', (v) => v.toLowerCase() === 'private'],
  ['service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type', (v) => v.toLowerCase() === 'intranet'],
];

const OPEN_RANGES = new Set(['0.0.0.0/0', '::/0']);

// A LoadBalancer Service without source ranges and without an "internal" marker gets a public address.
export default defineRule({
  meta: {
    id: 'load-balancer-service',
    title: 'LoadBalancer Service open to the internet',
    pillar: 'workload',
    severity: 'medium',
    description:
      'A Service of type LoadBalancer gets a public cloud load balancer unless it is marked internal, and accepts traffic from any address unless `loadBalancerSourceRanges` restricts it; admin consoles, databases and metrics endpoints exposed this way are found by internet scanners within hours.',
    remediation:
      'Mark the Service internal with the annotation of your cloud (EKS: `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`; AKS: `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`; GKE: `networking.gke.io/load-balancer-type: Internal`), or list the allowed client CIDRs in `spec.loadBalancerSourceRanges`; publish web traffic through an Ingress or Gateway with TLS instead.',
    references: [
      'https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer',
      'https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/',
      'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#lb-scheme',
      'https://learn.microsoft.com/azure/aks/internal-lb',
      'https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing',
    ],
    compliance: { mitre: ['T1133', 'T1190'], nsa: ['Network separation and hardening'] },
    messages: {
      open: 'LoadBalancer Service is reachable from the internet: no loadBalancerSourceRanges and no internal load balancer annotation',
      openRange: 'loadBalancerSourceRanges contains {range}, which admits the whole internet',
    },
    reads: ['Service'],
  },
  handlers: {
    objects: {
      Service(svc, ctx) {
        const spec = svc.obj.spec as { type?: unknown; loadBalancerSourceRanges?: unknown; loadBalancerClass?: unknown } | undefined;
        if (spec?.type !== 'LoadBalancer') return;
        const annotations = svc.obj.metadata?.annotations ?? {};
        if (isInternal(annotations, spec.loadBalancerClass)) return;

        // The spec field wins over the older annotation when both are set.
        const specRanges = Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges.map((r) => String(r).trim()) : [];
        if (specRanges.length > 0) {
          specRanges.forEach((range, j) => {
            if (OPEN_RANGES.has(range)) {
              ctx.report({ object: svc, messageId: 'openRange', data: { range }, path: ['spec', 'loadBalancerSourceRanges', j] });
            }
          });
          return;
        }
        const annotated = (annotations[SOURCE_RANGES_ANNOTATION] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
        if (annotated.length > 0) {
          const open = annotated.find((r) => OPEN_RANGES.has(r));
          if (open) ctx.report({ object: svc, messageId: 'openRange', data: { range: open }, path: ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION] });
          return;
        }
        ctx.report({ object: svc, messageId: 'open', path: ['spec', 'type'] });
      },
    },
  },
});

function isInternal(annotations: Readonly<Record<string, string>>, loadBalancerClass: unknown): boolean {
  for (const [key, test] of INTERNAL_MARKERS) {
    const v = annotations[key];
    if (typeof v === 'string' && test(v.trim())) return true;
  }
  // The AWS Load Balancer Controller provisions internal NLBs unless the scheme says internet-facing.
  const lbc =
    loadBalancerClass === 'service.k8s.aws/nlb' || ['external', 'nlb-ip'].includes(String(annotations[AWS_TYPE] ?? '').toLowerCase());
  return lbc && annotations[AWS_SCHEME] === undefined && annotations[AWS_INTERNAL] === undefined;
}
