// Instance metadata options: IMDSv1 (httpTokens optional) or a hop limit above 1 let pods on the
// node fetch the node role's credentials (SSRF or any container).
import { defineDetection } from '../types.js';
import { isObj } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'imds-options-weakened',
    title: 'Instance metadata protection weakened (CloudTrail)',
    severity: 'medium',
    mitre: ['T1552.005'],
    description:
      'ModifyInstanceMetadataOptions (or the account default, ModifyInstanceMetadataDefaults) allowed IMDSv1 (httpTokens optional: reported high), raised the PUT response hop limit above 1 (containers on the node can then reach IMDS), or re-enabled the endpoint. Pods reaching IMDS obtain the node\'s IAM role credentials.',
    allowList: 'user',
    needs: 'Metadata',
  },
  on: { cloudtrail: ['ModifyInstanceMetadataOptions', 'ModifyInstanceMetadataDefaults'] },
  check(ev, ctx) {
    const ct = ev.cloudtrail;
    if (!ct || ct.eventSource !== 'ec2.amazonaws.com' || ct.errorCode || ctx.allowed(ev)) return;
    const p0 = isObj(ct.requestParameters) ? ct.requestParameters : {};
    const p = isObj(p0.ModifyInstanceMetadataDefaultsRequest) ? p0.ModifyInstanceMetadataDefaultsRequest : p0;
    const get = (k: string): unknown => p[k] ?? p[k.charAt(0).toUpperCase() + k.slice(1)];
    const tokens = get('httpTokens');
    const hop = Number(get('httpPutResponseHopLimit'));
    const endpoint = get('httpEndpoint');
    const weak: string[] = [];
    if (tokens === 'optional') weak.push('IMDSv1 allowed (httpTokens optional)');
    if (Number.isFinite(hop) && hop > 1) weak.push(`hop limit ${hop} (reachable from containers)`);
    if (endpoint === 'enabled') weak.push('metadata endpoint enabled');
    if (weak.length === 0) return;
    const instance = typeof p.instanceId === 'string' ? p.instanceId : ct.eventName === 'ModifyInstanceMetadataDefaults' ? 'account default' : '(unknown)';
    ctx.report(ev, {
      message: `${ev.user.username || 'an AWS principal'} changed instance metadata options of ${instance}: ${weak.join(', ')}`,
      evidence: { instance, ...(tokens !== undefined ? { httpTokens: tokens } : {}), ...(Number.isFinite(hop) ? { httpPutResponseHopLimit: hop } : {}), ...(endpoint !== undefined ? { httpEndpoint: endpoint } : {}), region: ct.awsRegion },
      severity: tokens === 'optional' ? 'high' : weak.length === 1 && endpoint === 'enabled' ? 'low' : undefined,
    });
  },
});
