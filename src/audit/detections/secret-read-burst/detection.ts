// One identity reading many different secrets in a short time: credential harvesting, one secret
// at a time (to stay under list-based detections).
import { effectiveUser } from '../../event.js';
import { defineDetection } from '../types.js';
import { isoOrEmpty, succeeded, who, Windows } from '../_lib.js';

export default defineDetection({
  meta: {
    id: 'secret-read-burst',
    title: 'Burst of secret reads by one identity',
    severity: 'medium',
    mitre: ['T1552.007'],
    description:
      'One identity read at least `threshold` different secrets (get, or namespace-wide list/watch) within `windowSeconds`. Applications read a few known secrets; reading many is credential harvesting.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['secrets'] },
  options: { threshold: 10, windowSeconds: 600 },
  init: (o) => new Windows<Set<string>>(o.windowSeconds * 1000, () => new Set()),
  check(ev, ctx, windows) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource) return;
    let item: string | undefined;
    if (ev.verb === 'get' && ref.name) item = `${ref.namespace ?? ''}/${ref.name}`;
    else if ((ev.verb === 'list' || ev.verb === 'watch') && ref.namespace && !ref.name) item = `${ref.namespace}/*`;
    if (!item || !succeeded(ev) || ctx.allowed(ev)) return;
    const w = windows.at(effectiveUser(ev).username, ev);
    if (w.reported) return;
    w.value.add(item);
    if (w.value.size < ctx.options.threshold) return;
    w.mark();
    const names = [...w.value];
    ctx.report(ev, {
      message: `${who(ev)} read ${names.length} different secrets within ${Math.round(ctx.options.windowSeconds / 60)} minutes (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
      evidence: { count: names.length, windowSeconds: ctx.options.windowSeconds, windowStart: isoOrEmpty(w.start), secrets: names.slice(0, 20) },
    });
  },
});
