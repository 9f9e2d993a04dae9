// Native kube-apiserver audit events (audit.k8s.io/v1 and v1beta1): log backend JSON lines, webhook
// EventList batches, and the same Event carried inside EKS / AKS envelopes.
import { EMPTY_USER, normaliseTime, type AuditEvent, type AuditObjectRef, type AuditProvider, type AuditUser, type Envelope } from '../event.js';
import { isObject, type AuditFormat, type FormatContext, type Json } from './types.js';

/** What AKS writes instead of a request/response body over its size limit. */
export const AKS_SKIPPED_BODY = 'skipped-too-big-size-object';

export function toUser(u: unknown): AuditUser {
  if (!isObject(u)) return EMPTY_USER;
  const groups = Array.isArray(u.groups) ? (u.groups as string[]) : [];
  return {
    username: typeof u.username === 'string' ? u.username : '',
    uid: typeof u.uid === 'string' ? u.uid : undefined,
    groups,
    extra: isObject(u.extra) ? (u.extra as Record<string, string[]>) : undefined,
  };
}

export function toObjectRef(o: unknown): AuditObjectRef | undefined {
  if (!isObject(o)) return undefined;
  return {
    apiGroup: typeof o.apiGroup === 'string' ? o.apiGroup : '',
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : undefined,
    resource: typeof o.resource === 'string' ? o.resource : undefined,
    subresource: typeof o.subresource === 'string' && o.subresource ? o.subresource : undefined,
    namespace: typeof o.namespace === 'string' && o.namespace ? o.namespace : undefined,
    name: typeof o.name === 'string' && o.name ? o.name : undefined,
  };
}

/** Builds the event from an audit.k8s.io Event object. Hot path: keep it allocation-light. */
export function fromK8sEvent(r: Json, provider: AuditProvider, format: string, file: string, line: number, envelope?: Envelope): AuditEvent {
  const ann = r.annotations as Record<string, string> | undefined;
  let decision: 'allow' | 'forbid' | undefined;
  let reason: string | undefined;
  if (ann !== undefined && ann !== null && typeof ann === 'object') {
    const d = ann['authorization.k8s.io/decision'];
    if (d === 'allow' || d === 'forbid') decision = d;
    reason = ann['authorization.k8s.io/reason'];
  }
  const rs = r.responseStatus as { code?: unknown } | undefined;
  const code = rs !== undefined && rs !== null && typeof rs.code === 'number' ? rs.code : undefined;
  let requestObject = r.requestObject;
  let responseObject = r.responseObject;
  let omitted: boolean | undefined;
  if (requestObject === AKS_SKIPPED_BODY) {
    requestObject = undefined;
    omitted = true;
  }
  if (responseObject === AKS_SKIPPED_BODY) {
    responseObject = undefined;
    omitted = true;
  }
  const meta = r.metadata as { creationTimestamp?: unknown } | undefined;
  return {
    provider,
    format,
    auditID: typeof r.auditID === 'string' ? r.auditID : '',
    stage: typeof r.stage === 'string' ? r.stage : undefined,
    level: typeof r.level === 'string' ? r.level : undefined,
    time: normaliseTime(r.stageTimestamp ?? r.requestReceivedTimestamp ?? r.timestamp ?? meta?.creationTimestamp),
    verb: typeof r.verb === 'string' ? r.verb : '',
    user: toUser(r.user),
    impersonatedUser: r.impersonatedUser ? toUser(r.impersonatedUser) : undefined,
    sourceIPs: Array.isArray(r.sourceIPs) ? (r.sourceIPs as string[]) : [],
    userAgent: typeof r.userAgent === 'string' ? r.userAgent : undefined,
    objectRef: toObjectRef(r.objectRef),
    requestURI: typeof r.requestURI === 'string' ? r.requestURI : undefined,
    code,
    decision,
    reason,
    annotations: ann,
    requestObject,
    responseObject,
    bodiesOmitted: omitted,
    cloudtrail: undefined,
    envelope,
    file,
    line,
  };
}

export function isAuditApiVersion(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('audit.k8s.io/');
}

function parseEvent(name: string) {
  return (r: Json, ctx: FormatContext): void => {
    const ev = fromK8sEvent(r, ctx.hint ?? 'kubernetes', name, ctx.file, ctx.line, ctx.envelope);
    if (ev.bodiesOmitted) ctx.partial(`request/response body of ${ev.auditID || 'an event'} omitted by the provider (${AKS_SKIPPED_BODY})`);
    ctx.emit(ev);
  };
}

export const k8sEvent: AuditFormat = {
  title: 'Kubernetes audit Event (audit.k8s.io/v1, v1beta1): log backend JSON lines, EKS/AKS payloads',
  detect: (v) => isObject(v) && v.kind === 'Event' && (v.apiVersion === undefined || isAuditApiVersion(v.apiVersion)),
  parse: parseEvent('k8s-event'),
};

export const k8sEventList: AuditFormat = {
  title: 'Kubernetes audit EventList (webhook backend batch)',
  detect: (v) => isObject(v) && v.kind === 'EventList' && Array.isArray(v.items),
  parse: (r: Json, ctx) => {
    for (const item of r.items as unknown[]) ctx.record(isObject(item) && item.kind === undefined ? { kind: 'Event', ...item } : item);
  },
};

/**
 * An Event without `kind` (some exporters drop it): has the event's own fields and none of the
 * envelopes'. Tried last.
 */
export const k8sEventLoose: AuditFormat = {
  title: 'Kubernetes audit Event without kind/apiVersion',
  detect: (v) =>
    isObject(v) &&
    v.kind === undefined &&
    (isObject(v.user) || Array.isArray(v.sourceIPs)) &&
    (typeof v.verb === 'string' || typeof v.requestURI === 'string' || isObject(v.objectRef) || typeof v.auditID === 'string'),
  parse: parseEvent('k8s-event'),
};
