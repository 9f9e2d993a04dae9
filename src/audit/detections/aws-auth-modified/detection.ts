// kube-system/aws-auth maps IAM roles and users to Kubernetes users and groups on EKS: whoever
// edits it decides who is cluster-admin.
import { parse as parseYaml } from 'yaml';
import { defineDetection } from '../types.js';
import { bodyOf, did, isObj, strs, succeeded, who, WRITE_VERBS } from '../_lib.js';

/** IAM principals mapped to system:masters in the mapRoles / mapUsers YAML of the ConfigMap. */
export function mastersMappings(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['mapRoles', 'mapUsers']) {
    const text = data[key];
    if (typeof text !== 'string') continue;
    let entries: unknown;
    try {
      entries = parseYaml(text);
    } catch {
      continue;
    }
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (!isObj(e) || !strs(e.groups).includes('system:masters')) continue;
      const arn = e.rolearn ?? e.userarn;
      if (typeof arn === 'string') out.push(arn);
    }
  }
  return out;
}

export default defineDetection({
  meta: {
    id: 'aws-auth-modified',
    title: 'EKS aws-auth ConfigMap modified',
    severity: 'high',
    mitre: ['T1098', 'T1078.004'],
    description:
      'The kube-system/aws-auth ConfigMap was created, changed or deleted. On EKS clusters using it, this ConfigMap maps IAM roles and users to Kubernetes identities: adding an entry with the system:masters group makes an AWS principal cluster-admin (reported critical). Prefer EKS access entries.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['configmaps'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || ref.namespace !== 'kube-system' || ref.name !== 'aws-auth' || !WRITE_VERBS.has(ev.verb)) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const data = bodyOf(ev)?.data;
    const masters = isObj(data) ? mastersMappings(data) : [];
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} kube-system/aws-auth${masters.length ? `; system:masters is mapped to ${masters.join(', ')}` : ''}`,
      evidence: masters.length ? { systemMastersMappings: masters } : {},
      severity: masters.length ? 'critical' : undefined,
    });
  },
});
