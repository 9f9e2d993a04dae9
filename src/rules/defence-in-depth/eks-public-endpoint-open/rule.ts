import { defineRule } from '../../../core/rule.js';
import { AWS_KINDS, regionFlag, specOf, tfName } from '../../_aws.js';

const OPEN = new Set(['0.0.0.0/0', '::/0']);

export default defineRule({
  meta: {
    id: 'eks-public-endpoint-open',
    title: 'EKS API endpoint is public to the whole internet',
    pillar: 'defence-in-depth',
    provider: 'aws',
    severity: 'medium',
    description:
      'The cluster\'s Kubernetes API endpoint accepts connections from any address (`endpointPublicAccess: true` with `publicAccessCidrs` 0.0.0.0/0, the default). Authentication still applies, but leaked credentials, token-handling bugs and API server vulnerabilities become exploitable from anywhere.',
    remediation:
      'Turn on the private endpoint and either turn the public one off or restrict publicAccessCidrs to your egress ranges (aws eks update-cluster-config --resources-vpc-config ...; Terraform vpc_config in evidence).',
    references: [
      'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
      'https://docs.aws.amazon.com/eks/latest/best-practices/network-security.html',
    ],
    compliance: { cis: ['CIS-EKS 5.4.1', 'CIS-EKS 5.4.2'], mitre: ['T1133'] },
    messages: {
      open: 'cluster {cluster}: the API endpoint is public and open to {cidrs}{private}',
    },
    reads: [AWS_KINDS.cluster],
  },
  handlers: {
    objects: {
      [AWS_KINDS.cluster](o, ctx) {
        const vpc = specOf(o).resourcesVpcConfig;
        if (!vpc || typeof vpc !== 'object') return;
        if (vpc.endpointPublicAccess === false) return;
        const cidrs: unknown = vpc.publicAccessCidrs;
        const list = Array.isArray(cidrs) ? cidrs.filter((c): c is string => typeof c === 'string') : undefined;
        const open = list === undefined ? ['0.0.0.0/0 (default)'] : list.filter((c) => OPEN.has(c));
        if (open.length === 0) return;
        const name = o.ref.name;
        ctx.report({
          object: o,
          messageId: 'open',
          path: ['spec', 'resourcesVpcConfig', list ? 'publicAccessCidrs' : 'endpointPublicAccess'],
          data: { cluster: name, cidrs: open.join(', '), private: vpc.endpointPrivateAccess === true ? '' : ' (and the private endpoint is off: nodes reach the API over the internet)' },
          evidence: {
            endpointPublicAccess: vpc.endpointPublicAccess ?? true,
            endpointPrivateAccess: vpc.endpointPrivateAccess ?? false,
            publicAccessCidrs: list ?? null,
            awsCli: `aws eks update-cluster-config${regionFlag(o)} --name ${name} --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs="203.0.113.0/24"   # your egress ranges; or endpointPublicAccess=false`,
            terraform: `resource "aws_eks_cluster" "${tfName(name)}" {\n  vpc_config {\n    endpoint_private_access = true\n    endpoint_public_access  = true\n    public_access_cidrs     = ["203.0.113.0/24"]   # your egress ranges; or endpoint_public_access = false\n  }\n}`,
          },
        });
      },
    },
  },
});
