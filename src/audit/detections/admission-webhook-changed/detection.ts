// Admission webhooks see (and mutating ones rewrite) every matching object, secrets included; a
// deleted or loosened validating webhook switches policy enforcement off.
import { defineDetection } from '../types.js';
import { arr, bodyOf, did, isObj, succeeded, target, who, WRITE_VERBS } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'admission-webhook-changed',
    title: 'Admission webhook or policy configuration changed',
    severity: 'medium',
    mitre: ['T1554', 'T1562.001'],
    description:
      'A mutating or validating webhook configuration (or a ValidatingAdmissionPolicy and its binding) was created, changed or deleted by an identity that is not the platform. A rogue mutating webhook can inject containers into every new pod and receives every object it matches; deleting or loosening a validating one disables policy enforcement (reported high).',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'] },
  check(ev, ctx) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !WRITE_VERBS.has(ev.verb)) return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    const hooks = arr(bodyOf(ev)?.webhooks)
      .filter(isObj)
      .map((w) => {
        const cc = isObj(w.clientConfig) ? w.clientConfig : {};
        const svc = isObj(cc.service) ? `${String(cc.service.namespace ?? '')}/${String(cc.service.name ?? '')}` : undefined;
        return { name: String(w.name ?? ''), ...(typeof w.failurePolicy === 'string' ? { failurePolicy: w.failurePolicy } : {}), ...(svc ? { service: svc } : typeof cc.url === 'string' ? { url: cc.url.replace(/\/\/[^/@]*@/, '//***@') } : {}) };
      });
    const removing = ev.verb === 'delete' || ev.verb === 'deletecollection';
    const ignoring = hooks.some((h) => h.failurePolicy === 'Ignore') && (ref.resource ?? '').startsWith('validating');
    ctx.report(ev, {
      message: `${who(ev)} ${did(ev)} ${ref.resource} ${target(ev)}${hooks.length ? ` (${hooks.map((h) => `${h.name}${'url' in h ? ' -> ' + h.url : 'service' in h ? ' -> ' + h.service : ''}`).join(', ')})` : ''}`,
      evidence: { resource: ref.resource, ...(hooks.length ? { webhooks: hooks } : {}) },
      severity: removing || ignoring ? 'high' : undefined,
    });
  },
});
