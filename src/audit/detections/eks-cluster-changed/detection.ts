// EKS cluster lifecycle and exposure: clusters created or deleted, and API endpoints opened to the
// internet.
import { defineDetection } from '../types.js';
import { isObj, strs } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'eks-cluster-changed',
    title: 'EKS cluster created, deleted or its endpoint opened (CloudTrail)',
    severity: 'low',
    mitre: ['T1578', 'T1485'],
    description:
      'An EKS cluster was created or deleted, or UpdateClusterConfig made its API endpoint public to any address (0.0.0.0/0). Deletion is destructive (reported medium), a public endpoint exposes the API server and its anonymous paths to the internet (reported medium).',
    allowList: 'user',
    needs: 'Metadata',
  },
  on: { cloudtrail: ['CreateCluster', 'DeleteCluster', 'UpdateClusterConfig'] },
  check(ev, ctx) {
    const ct = ev.cloudtrail;
    if (!ct || ct.eventSource !== 'eks.amazonaws.com' || ct.errorCode || ctx.allowed(ev)) return;
    const p = isObj(ct.requestParameters) ? ct.requestParameters : {};
    const cluster = typeof p.name === 'string' ? p.name : undefined;
    const by = ev.user.username || 'an AWS principal';
    if (ct.eventName === 'UpdateClusterConfig') {
      const vpc = isObj(p.resourcesVpcConfig) ? p.resourcesVpcConfig : undefined;
      if (!vpc || vpc.endpointPublicAccess !== true) return;
      const cidrs = strs(vpc.publicAccessCidrs);
      if (cidrs.length > 0 && !cidrs.includes('0.0.0.0/0')) return;
      ctx.report(ev, { message: `${by} made the API endpoint of EKS cluster ${cluster ?? '(unknown)'} public to any address`, evidence: { cluster, publicAccessCidrs: cidrs.length ? cidrs : ['0.0.0.0/0 (default)'], region: ct.awsRegion }, severity: 'medium' });
      return;
    }
    ctx.report(ev, {
      message: `${by} ${ct.eventName === 'CreateCluster' ? 'created' : 'deleted'} EKS cluster ${cluster ?? '(unknown)'}`,
      evidence: { cluster, region: ct.awsRegion },
      severity: ct.eventName === 'DeleteCluster' ? 'medium' : undefined,
    });
  },
});
