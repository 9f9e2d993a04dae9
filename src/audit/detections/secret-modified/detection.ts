// Secrets created, changed or deleted by someone other than the platform: planted credentials,
// swapped TLS keys or registry credentials, destroyed ones, and token minting (a Secret of type
// kubernetes.io/service-account-token that the token controller fills with a token that never
// expires). Only the secret's name, namespace, type and number of keys are reported, never its data.
import { globToRegExp } from '../../allow-list.js';
import type { AuditEvent } from '../../event.js';
import type { Severity } from '../../../core/types.js';
import { defineDetection } from '../types.js';
import { bodyOf, isDryRun, isObj, succeeded, SYSTEM_NAMESPACES, target, who, WRITE_VERBS } from '../_lib.js';

type Obj = Record<string, unknown>;

const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/** The Secret (or, for a patch logged without a response, the patch document) the request carried. */
function secretOf(ev: AuditEvent): Obj | undefined {
  const isSecret = (o: unknown): o is Obj => isObj(o) && (o.kind === 'Secret' || (o.kind === undefined && ('type' in o || 'data' in o || 'stringData' in o || 'metadata' in o)));
  const b = bodyOf(ev);
  if (isSecret(b)) return b;
  // delete: the request is DeleteOptions, the response (RequestResponse) the deleted Secret.
  if (isSecret(ev.responseObject)) return ev.responseObject;
  return isSecret(ev.requestObject) ? ev.requestObject : undefined;
}

/** Number of keys in data and stringData (their names and values are never reported). */
function keyCount(s: Obj): number | undefined {
  const keys = new Set<string>();
  let any = false;
  for (const f of ['data', 'stringData']) {
    const d = s[f];
    if (isObj(d)) {
      any = true;
      for (const k of Object.keys(d)) keys.add(k);
    }
  }
  return any ? keys.size : undefined;
}

export default defineDetection({
  meta: {
    id: 'secret-modified',
    title: 'Secret created, changed or deleted by a non-platform identity',
    severity: 'low',
    mitre: ['T1098', 'T1528', 'T1485'],
    description:
      'A Secret was created, updated, patched, deleted or deleted in bulk (deletecollection) by an identity that is not the platform. Attackers plant or replace credentials (registry pulls, TLS keys, webhook tokens), destroy them, or mint service-account tokens: a Secret of type `kubernetes.io/service-account-token` created by a person is filled by the token controller with a token that never expires (reported high, needs Request level to see the type). Deletes are reported medium, bulk deletes and any change in a system namespace (`systemNamespaces`) high. Helm release records (`ignoreNames`, `ignoreTypes`) and dry runs are skipped. Only name, namespace, type and the number of keys are reported, never the data.',
    allowList: 'platform',
    needs: 'Metadata',
  },
  on: { resources: ['secrets'] },
  options: {
    ignoreNames: ['sh.helm.release.v1.*'] as readonly string[],
    ignoreTypes: ['helm.sh/release.v1'] as readonly string[],
    systemNamespaces: SYSTEM_NAMESPACES as readonly string[],
  },
  init: (o) => ({
    names: o.ignoreNames.map((g) => globToRegExp(g)),
    types: new Set(o.ignoreTypes),
    system: o.systemNamespaces.map((g) => globToRegExp(g)),
  }),
  check(ev, ctx, s) {
    const ref = ev.objectRef;
    if (!ref || ref.subresource || !WRITE_VERBS.has(ev.verb)) return;
    if (!succeeded(ev) || isDryRun(ev) || ctx.allowed(ev)) return;
    const bulk = ev.verb === 'deletecollection' || (ev.verb === 'delete' && !ref.name);
    const secret = bulk ? undefined : secretOf(ev);
    const meta = secret && isObj(secret.metadata) ? secret.metadata : undefined;
    const name = ref.name ?? (typeof meta?.name === 'string' ? meta.name : undefined);
    const type = typeof secret?.type === 'string' && secret.type !== '' ? secret.type : undefined;
    if (name && s.names.some((r) => r.test(name))) return;
    if (type && s.types.has(type)) return;

    const ns = ref.namespace;
    const system = ns !== undefined && s.system.some((r) => r.test(ns));
    const keys = secret && ev.verb !== 'delete' ? keyCount(secret) : undefined;
    const annotations = meta && isObj(meta.annotations) ? meta.annotations : undefined;
    const saName = typeof annotations?.[SA_NAME_ANNOTATION] === 'string' ? (annotations[SA_NAME_ANNOTATION] as string) : undefined;
    const minting = ev.verb === 'create' && type === SA_TOKEN_TYPE;

    let severity: Severity = 'low';
    if (ev.verb === 'delete') severity = 'medium';
    if (bulk || system || minting) severity = 'high';

    const where = system ? ` in system namespace ${ns}` : '';
    let message: string;
    if (bulk) {
      message = `${who(ev)} deleted all secrets ${ns ? `in namespace ${ns}` : 'in the cluster'}${system ? ' (a system namespace)' : ''}`;
    } else {
      const verb = ev.verb === 'create' ? 'created' : ev.verb === 'update' ? 'updated' : ev.verb === 'patch' ? 'patched' : 'deleted';
      const patchDoc = ev.verb === 'patch' && secret === ev.requestObject;
      const details = [type ? `type ${type}` : '', keys !== undefined ? `${keys} key${keys === 1 ? '' : 's'}${patchDoc ? ' in the patch' : ''}` : ''].filter(Boolean).join(', ');
      message = `${who(ev)} ${verb} secret ${target(ev)}${details ? ` (${details})` : ''}${where}`;
      if (minting) {
        message += `: token minting, the token controller fills it with a non-expiring token${saName ? ` for service account ${ns ? `${ns}/` : ''}${saName}` : ''}`;
      }
    }
    ctx.report(ev, {
      message,
      severity,
      evidence: {
        ...(ns ? { namespace: ns } : {}),
        ...(name ? { secret: name } : {}),
        ...(type ? { type } : {}),
        ...(keys !== undefined ? { keys } : {}),
        ...(bulk ? { bulk: true } : {}),
        ...(system ? { systemNamespace: true } : {}),
        ...(minting ? { tokenMinting: true, ...(saName ? { serviceAccount: saName } : {}) } : {}),
      },
    });
  },
});
