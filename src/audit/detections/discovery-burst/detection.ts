// One identity enumerating the API: reads of many different resource types, or lists in many
// namespaces, within a minute. The first thing done with a stolen token or kubeconfig ("what can I
// see here?"), scripted with kubectl or curl. Applications read a few known resource types.
import { effectiveUser, eventTimeMs, resourceLabel, type AuditEvent } from '../../event.js';
import { defineDetection } from '../types.js';
import { isoOrEmpty, isServiceAccount, succeeded, who, Windows } from '../_lib.js';

interface Burst {
  /** Resource types read (list or get) in the window. */
  read: Set<string>;
  /** Resource types the identity also wrote in the window: reads before a write are how `kubectl apply` and Helm work. */
  written: Set<string>;
  /** Types read and not written. */
  readOnly: number;
  /** Namespaces listed in. */
  namespaces: Set<string>;
  reads: number;
  /** GETs of the discovery documents (/api, /apis, /openapi). */
  discovery: number;
}

const MAX_TYPES = 1000;
const READ_VERBS: ReadonlySet<string> = new Set(['get', 'list']);
const WRITES: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** /api, /api/v1, /apis, /apis/apps, /apis/apps/v1, /openapi/v2, /openapi/v3/... */
const DISCOVERY_PATH = /^\/(?:api(?:\/[^/]+)?|apis(?:\/[^/]+){0,2}|openapi\/.*)\/?$/;

/** A list served from the watch cache with resourceVersion=0: how client-go informers start, not how people or scripts list. */
function informerList(ev: AuditEvent): boolean {
  const uri = ev.requestURI;
  return ev.verb === 'list' && uri !== undefined && /[?&]resourceVersion=0(?:&|$)/.test(uri);
}

export default defineDetection({
  meta: {
    id: 'discovery-burst',
    title: 'API enumeration: one identity reading many resource types',
    severity: 'medium',
    mitre: ['T1613'],
    description:
      'One identity successfully read (get or list) at least `resourceThreshold` different resource types, or listed in at least `namespaceThreshold` different namespaces, within `windowSeconds`. This is how the API is enumerated with a stolen token or kubeconfig (`kubectl get` over everything, curl loops over namespaces); applications and controllers read a few known types. Watches and informer start-up lists (resourceVersion=0) are not counted, nor reads of a type the identity also changes in the window (`kubectl apply` and Helm read before they write). GETs of the API discovery documents (/api, /apis, /openapi) only count as context, reported with the burst. Reported once per window and identity (per source address for anonymous requests).',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { all: true },
  options: { resourceThreshold: 15, namespaceThreshold: 10, windowSeconds: 60 },
  // Windows bounds itself: finished windows are swept once per window length of log time.
  init: (o) => new Windows<Burst>(o.windowSeconds * 1000, () => ({ read: new Set(), written: new Set(), readOnly: 0, namespaces: new Set(), reads: 0, discovery: 0 })),
  check(ev, ctx, windows) {
    const ref = ev.objectRef;
    const v = ev.verb;
    let kind: 'read' | 'write' | 'discovery';
    if (ref?.resource) {
      if (READ_VERBS.has(v)) kind = 'read';
      else if (WRITES.has(v)) kind = 'write';
      else return;
    } else if (v === 'get' && ev.requestURI && DISCOVERY_PATH.test(ev.requestURI.split('?')[0]!)) kind = 'discovery';
    else return;
    if (!succeeded(ev) || ctx.allowed(ev)) return;
    if (kind === 'read' && informerList(ev)) return;

    const user = effectiveUser(ev).username;
    const anonymous = user === '' || user === 'system:anonymous';
    const w = windows.at(anonymous ? `ip:${ev.sourceIPs[0] ?? ''}` : `user:${user}`, ev);
    if (w.reported) return;
    const b = w.value;
    if (kind === 'discovery') {
      b.discovery++;
      return;
    }
    const type = resourceLabel(ref);
    if (kind === 'write') {
      if (!b.written.has(type) && b.written.size < MAX_TYPES) {
        b.written.add(type);
        if (b.read.has(type)) b.readOnly--;
      }
      return;
    }
    b.reads++;
    if (!b.read.has(type) && b.read.size < MAX_TYPES) {
      b.read.add(type);
      if (!b.written.has(type)) b.readOnly++;
    }
    if (v === 'list' && !ref!.name && ref!.namespace && b.namespaces.size < ctx.options.namespaceThreshold) b.namespaces.add(ref!.namespace);
    const byTypes = b.readOnly >= ctx.options.resourceThreshold;
    const byNamespaces = b.namespaces.size >= ctx.options.namespaceThreshold;
    if (!byTypes && !byNamespaces) return;
    w.mark();
    const types = [...b.read].filter((t) => !b.written.has(t));
    const nss = [...b.namespaces];
    const sa = !anonymous && isServiceAccount(user);
    const seconds = ctx.options.windowSeconds;
    const elapsed = Math.max(0, Math.round((eventTimeMs(ev) - w.start) / 1000));
    const span = Number.isNaN(elapsed) ? `within ${seconds} s` : `in ${elapsed} s`;
    const what = byTypes
      ? `read ${types.length} different resource types ${span} (${types.slice(0, 6).join(', ')}${types.length > 6 ? ', ...' : ''})`
      : `listed resources in ${nss.length} namespaces ${span} (${nss.slice(0, 6).join(', ')}${nss.length > 6 ? ', ...' : ''})`;
    const actor = anonymous ? `unauthenticated client ${ev.sourceIPs[0] ?? '(no address)'}` : `${sa ? 'service account ' : ''}${who(ev)}`;
    ctx.report(ev, {
      message: `${actor} ${what}${b.discovery ? `, after ${b.discovery} API discovery request${b.discovery === 1 ? '' : 's'}` : ''}`,
      evidence: {
        resourceTypes: types.length,
        namespaces: nss.length,
        reads: b.reads,
        discoveryRequests: b.discovery,
        windowSeconds: seconds,
        ...(Number.isNaN(elapsed) ? {} : { seconds: elapsed }),
        windowStart: isoOrEmpty(w.start),
        types: types.slice(0, 30),
        ...(nss.length ? { listedNamespaces: nss.slice(0, 20) } : {}),
        ...(sa ? { serviceAccount: true } : {}),
      },
    });
  },
});
