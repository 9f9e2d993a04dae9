// EKS access entries (the API that replaces aws-auth): who can reach the cluster and with which
// access policy. AmazonEKSClusterAdminPolicy is cluster-admin.
import { defineDetection } from '../types.js';
import { isObj, strs } from '../_lib.js';

const ADMIN_POLICIES = /\/(AmazonEKSClusterAdminPolicy|AmazonEKSAdminPolicy)$/;

export default defineDetection({
  meta: {
    id: 'eks-access-entry-changed',
    title: 'EKS access entry or access policy changed (CloudTrail)',
    severity: 'medium',
    mitre: ['T1098', 'T1078.004'],
    description:
      'An EKS access entry was created, updated or deleted, or an access policy was associated or disassociated (CloudTrail CreateAccessEntry, UpdateAccessEntry, DeleteAccessEntry, AssociateAccessPolicy, DisassociateAccessPolicy). Associating AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy makes an IAM principal an administrator of the cluster (reported high, critical at cluster scope).',
    allowList: 'user',
    needs: 'Metadata',
    references: ['https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html'],
  },
  on: { cloudtrail: ['CreateAccessEntry', 'UpdateAccessEntry', 'DeleteAccessEntry', 'AssociateAccessPolicy', 'DisassociateAccessPolicy'] },
  check(ev, ctx) {
    const ct = ev.cloudtrail;
    if (!ct || ct.eventSource !== 'eks.amazonaws.com' || ct.errorCode || ctx.allowed(ev)) return;
    const p = isObj(ct.requestParameters) ? ct.requestParameters : {};
    const cluster = typeof p.name === 'string' ? p.name : typeof p.clusterName === 'string' ? p.clusterName : undefined;
    const principal = typeof p.principalArn === 'string' ? decodeURIComponent(p.principalArn) : undefined;
    const policy = typeof p.policyArn === 'string' ? p.policyArn : undefined;
    const scope = isObj(p.accessScope) ? { type: p.accessScope.type, namespaces: strs(p.accessScope.namespaces) } : undefined;
    const groups = strs(p.kubernetesGroups);
    const admin = ct.eventName === 'AssociateAccessPolicy' && policy !== undefined && ADMIN_POLICIES.test(policy);
    const clusterScope = scope === undefined || scope.type === 'cluster';
    ctx.report(ev, {
      message: `${ev.user.username || 'an AWS principal'} called ${ct.eventName} on EKS cluster ${cluster ?? '(unknown)'}${principal ? ` for ${principal}` : ''}${policy ? ` with ${policy.slice(policy.lastIndexOf('/') + 1)}` : ''}${scope ? ` (scope ${String(scope.type)}${scope.namespaces.length ? ': ' + scope.namespaces.join(', ') : ''})` : ''}`,
      evidence: { eventName: ct.eventName, cluster, principalArn: principal, ...(policy ? { policyArn: policy } : {}), ...(scope ? { accessScope: scope } : {}), ...(groups.length ? { kubernetesGroups: groups } : {}), region: ct.awsRegion },
      severity: admin ? (clusterScope && policy!.endsWith('AmazonEKSClusterAdminPolicy') ? 'critical' : 'high') : groups.some((g) => g.startsWith('system:')) ? 'high' : undefined,
    });
  },
});
