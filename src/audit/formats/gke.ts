// GKE: Cloud Logging entries whose protoPayload is a google.cloud.audit.AuditLog from service k8s.io
// (`gcloud logging read --format=json` arrays, log sink exports as JSON lines, Pub/Sub payloads).
// Lossy by nature (no groups, no stage, no requestURI): the provider fields are kept as evidence.
import { normaliseTime, type AuditObjectRef } from '../event.js';
import { isObject, str, type AuditFormat, type FormatContext, type Json } from './types.js';

/** google.rpc.Code -> HTTP status. */
const RPC_TO_HTTP: Readonly<Record<number, number>> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/** API groups without a domain: methodName io.k8s.apps.v1... means group "apps", not "apps.k8s.io". */
const DOTLESS_GROUPS = new Set(['apps', 'batch', 'autoscaling', 'policy', 'extensions']);

const VERSION_RE = /^v\d+((alpha|beta)\d+)?$/;

export interface ParsedMethod {
  verb: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
}

/** io.k8s.core.v1.pods.exec.create -> {verb: create, group: "", version: v1, resource: pods, subresource: exec}; io.k8s.get -> {verb: get}. */
export function parseMethodName(m: string): ParsedMethod {
  const parts = m.split('.');
  const verb = parts[parts.length - 1] ?? '';
  const vi = parts.findIndex((p, i) => i >= 2 && VERSION_RE.test(p));
  if (vi < 0) return { verb };
  // The group is written as a reversed domain: io.k8s.authorization.rbac = rbac.authorization.k8s.io.
  const k8s = parts[0] === 'io' && parts[1] === 'k8s';
  const groupKey = parts.slice(2, vi).join('.');
  const group = !k8s
    ? parts.slice(0, vi).reverse().join('.')
    : groupKey === 'core'
      ? ''
      : DOTLESS_GROUPS.has(groupKey)
        ? groupKey
        : groupKey === 'rbac' // short form seen in some exporters
          ? 'rbac.authorization.k8s.io'
          : parts.slice(0, vi).reverse().join('.');
  const rest = parts.slice(vi + 1, -1);
  return { verb, group, version: parts[vi], resource: rest[0], subresource: rest[1] };
}

/**
 * core/v1/namespaces/ns/pods/name/exec -> objectRef; returns undefined for non-resource names
 * ("readyz", "api/v1", "HNAP1"). `method` disambiguates namespaces/<name>/<subresource>.
 */
export function parseResourceName(rn: string, method: ParsedMethod): AuditObjectRef | undefined {
  const seg = rn.split('/');
  if (seg.length < 3 || !VERSION_RE.test(seg[1])) return undefined;
  const apiGroup = seg[0] === 'core' ? '' : seg[0];
  let i = 2;
  let namespace: string | undefined;
  if (seg[2] === 'namespaces' && seg.length >= 5 && method.resource !== 'namespaces') {
    namespace = seg[3];
    i = 4;
  }
  const resource = seg[i];
  const name = seg[i + 1];
  const subresource = seg[i + 2];
  return {
    apiGroup,
    apiVersion: seg[1],
    resource,
    subresource: subresource || undefined,
    namespace: namespace || undefined,
    name: name || undefined,
  };
}

function httpCode(pp: Json): number | undefined {
  const resp = pp.response;
  if (isObject(resp) && (resp.kind === 'Status' || resp.status === 'Failure')) {
    if (typeof resp.code === 'number') return resp.code;
    if (resp.status === 'Failure') return 500;
  }
  const st = pp.status;
  if (isObject(st)) {
    const c = typeof st.code === 'number' ? st.code : 0;
    if (c !== 0) return RPC_TO_HTTP[c] ?? 500;
  }
  const authz = pp.authorizationInfo;
  if (Array.isArray(authz) && authz.some((a) => isObject(a) && a.granted === false)) return 403;
  return isObject(st) ? 200 : undefined;
}

export const gkeAuditLog: AuditFormat = {
  title: 'GKE Cloud Logging entry (protoPayload AuditLog, serviceName k8s.io)',
  detect: (v) => isObject(v) && isObject(v.protoPayload),
  parse: (e: Json, ctx: FormatContext) => {
    const pp = e.protoPayload as Json;
    const service = str(pp.serviceName);
    const methodName = str(pp.methodName) ?? '';
    if (service !== 'k8s.io' && !methodName.startsWith('io.k8s.')) {
      ctx.skip(`Cloud Audit Log entry of ${service ?? 'an unknown service'}${methodName ? ` (${methodName})` : ''}: not a Kubernetes API request`);
      return;
    }
    const labels = isObject(e.labels) ? (e.labels as Record<string, string>) : undefined;
    const method = parseMethodName(methodName);
    const resourceName = str(pp.resourceName) ?? '';
    let objectRef = resourceName ? parseResourceName(resourceName, method) : undefined;
    if (!objectRef && method.resource) {
      objectRef = { apiGroup: method.group ?? '', apiVersion: method.version, resource: method.resource, subresource: method.subresource };
    }
    if (objectRef && method.resource && objectRef.resource === method.resource && method.subresource && !objectRef.subresource) {
      objectRef = { ...objectRef, subresource: method.subresource };
    }
    const auth = isObject(pp.authenticationInfo) ? pp.authenticationInfo : {};
    const meta = isObject(pp.requestMetadata) ? pp.requestMetadata : {};
    const ip = str(meta.callerIp) ?? str(meta.callerIP);
    let decision: 'allow' | 'forbid' | undefined;
    const d = labels?.['authorization.k8s.io/decision'];
    if (d === 'allow' || d === 'forbid') decision = d;
    else if (Array.isArray(pp.authorizationInfo) && pp.authorizationInfo.length > 0) {
      decision = pp.authorizationInfo.every((a) => isObject(a) && a.granted === true) ? 'allow' : pp.authorizationInfo.some((a) => isObject(a) && a.granted === false) ? 'forbid' : undefined;
    }
    const truncated = labels?.['audit.k8s.io/truncated'] === 'true';
    const resLabels = isObject(e.resource) && isObject((e.resource as Json).labels) ? ((e.resource as Json).labels as Json) : {};
    const logName = str(e.logName);
    const insertId = str(e.insertId) ?? (isObject(e.operation) ? str((e.operation as Json).id) : undefined) ?? '';
    if (truncated) ctx.partial(`GKE entry ${insertId || '(no insertId)'} is labelled audit.k8s.io/truncated: request/response bodies dropped by Cloud Logging`);
    ctx.emit({
      provider: 'gke',
      format: 'gke-cloud-audit-log',
      auditID: insertId,
      stage: undefined,
      level: undefined,
      time: normaliseTime(e.timestamp ?? pp.timestamp ?? e.receiveTimestamp),
      verb: method.verb,
      user: { username: str(auth.principalEmail) ?? '', groups: [] },
      impersonatedUser: undefined,
      sourceIPs: ip ? [ip] : [],
      userAgent: str(meta.callerSuppliedUserAgent),
      objectRef,
      requestURI: str(pp.requestURI) ?? (objectRef ? undefined : resourceName ? '/' + resourceName : undefined),
      code: httpCode(pp),
      decision,
      reason: labels?.['authorization.k8s.io/reason'],
      annotations: labels,
      requestObject: pp.request,
      responseObject: pp.response,
      bodiesOmitted: truncated || undefined,
      cloudtrail: undefined,
      envelope: {
        insertId: insertId || undefined,
        logName: logName ? decodeURIComponent(logName.slice(logName.lastIndexOf('/') + 1)) : undefined,
        methodName: methodName || undefined,
        resourceName: resourceName || undefined,
        cluster: str(resLabels.cluster_name),
        location: str(resLabels.location),
        project: str(resLabels.project_id),
      },
      file: ctx.file,
      line: ctx.line,
    });
  },
};
