// Many 401/403 answers for one identity (or, unauthenticated, one address): permission probing
// after a credential theft, or a scanner. Service accounts have fixed permissions, so a few denials
// already stand out.
import { effectiveUser, resourceLabel } from '../../event.js';
import { defineDetection } from '../types.js';
import { denied, isoOrEmpty, isServiceAccount, who, Windows } from '../_lib.js';

interface Burst {
  count: number;
  samples: Set<string>;
}

export default defineDetection({
  meta: {
    id: 'forbidden-burst',
    title: 'Burst of denied requests (401/403)',
    severity: 'medium',
    mitre: ['T1613', 'T1069'],
    description:
      'One identity (or, for unauthenticated 401s, one source address) received at least `threshold` denied responses within `windowSeconds` (`serviceAccountThreshold` for service accounts, whose permissions do not change). This is what permission enumeration with a stolen credential, or an internet scanner, looks like.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { all: true },
  options: { threshold: 20, serviceAccountThreshold: 5, windowSeconds: 600 },
  init: (o) => new Windows<Burst>(o.windowSeconds * 1000, () => ({ count: 0, samples: new Set() })),
  check(ev, ctx, windows) {
    if (!denied(ev) || ctx.allowed(ev)) return;
    // Permissions were checked for the effective (impersonated) identity.
    const user = effectiveUser(ev).username;
    const anonymous = ev.code === 401 || user === '' || user === 'system:anonymous';
    const key = anonymous ? `ip:${ev.sourceIPs[0] ?? ''}` : `user:${user}`;
    const w = windows.at(key, ev);
    if (w.reported) return;
    const b = w.value;
    b.count++;
    if (b.samples.size < 5) b.samples.add(`${ev.verb} ${resourceLabel(ev.objectRef) || (ev.requestURI ?? '').split('?')[0]}`.trim());
    const sa = !anonymous && isServiceAccount(user);
    const threshold = sa ? ctx.options.serviceAccountThreshold : ctx.options.threshold;
    if (b.count < threshold) return;
    w.mark();
    const minutes = Math.round(ctx.options.windowSeconds / 60);
    ctx.report(ev, {
      message: `${anonymous ? `unauthenticated client ${ev.sourceIPs[0] ?? '(no address)'}` : `${sa ? 'service account ' : ''}${who(ev)}`} got ${b.count} denied responses within ${minutes} minutes (${[...b.samples].join('; ')})`,
      evidence: { count: b.count, threshold, windowSeconds: ctx.options.windowSeconds, windowStart: isoOrEmpty(w.start), samples: [...b.samples], ...(sa ? { serviceAccount: true } : {}) },
    });
  },
});
