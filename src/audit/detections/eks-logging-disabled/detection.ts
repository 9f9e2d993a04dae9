// Turning off EKS control-plane logging (audit, authenticator) blinds every detection here.
import { defineDetection } from '../types.js';
import { arr, isObj, strs } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'eks-logging-disabled',
    title: 'EKS control-plane logging disabled (CloudTrail)',
    severity: 'high',
    mitre: ['T1562.008'],
    description:
      'UpdateClusterConfig switched off EKS control-plane log types. Without the audit and authenticator logs nothing records what is done in the cluster (reported high); other types (api, controllerManager, scheduler) are reported medium.',
    allowList: 'user',
    needs: 'Metadata',
  },
  on: { cloudtrail: ['UpdateClusterConfig'] },
  check(ev, ctx) {
    const ct = ev.cloudtrail;
    if (!ct || ct.eventSource !== 'eks.amazonaws.com' || ct.errorCode || ctx.allowed(ev)) return;
    const p = isObj(ct.requestParameters) ? ct.requestParameters : {};
    const logging = isObj(p.logging) ? p.logging : undefined;
    const off = arr(logging?.clusterLogging)
      .filter(isObj)
      .filter((x) => x.enabled === false)
      .flatMap((x) => strs(x.types));
    if (off.length === 0) return;
    const cluster = typeof p.name === 'string' ? p.name : undefined;
    const critical = off.some((t) => t === 'audit' || t === 'authenticator');
    ctx.report(ev, {
      message: `${ev.user.username || 'an AWS principal'} disabled ${off.join(', ')} logging of EKS cluster ${cluster ?? '(unknown)'}`,
      evidence: { cluster, disabled: off, region: ct.awsRegion },
      severity: critical ? 'high' : 'medium',
    });
  },
});
