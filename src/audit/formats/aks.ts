// AKS: diagnostic setting exports (Event Hub / storage: {"records": [{category, properties: {log}}]}),
// the legacy AzureDiagnostics table (log_s), and the resource-specific Log Analytics tables
// AKSAudit / AKSAuditAdmin (one column per Event field, dynamic columns possibly exported as text).
import { normaliseTime, type Envelope } from '../event.js';
import { AKS_SKIPPED_BODY, toObjectRef, toUser } from './kubernetes.js';
import { isObject, maybeJson, str, type AuditFormat, type FormatContext, type Json } from './types.js';

const AUDIT_CATEGORIES = new Set(['kube-audit', 'kube-audit-admin']);

function clusterOf(resourceId: unknown): string | undefined {
  const s = str(resourceId) ?? str(maybeJson(resourceId));
  if (!s) return undefined;
  return s.slice(s.lastIndexOf('/') + 1).toLowerCase() || undefined;
}

function envelopeOf(category: string, r: Json, props: Json): Envelope {
  return { category, cluster: clusterOf(r.resourceId ?? r._ResourceId ?? r.ResourceId), pod: str(props.pod) ?? str(r.pod_s) };
}

export const aksDiagnosticRecord: AuditFormat = {
  title: 'AKS diagnostic record (category kube-audit / kube-audit-admin, properties.log as object or JSON string)',
  detect: (v) => isObject(v) && ((isObject(v.properties) && 'log' in v.properties && typeof v.category === 'string') || (typeof v.log_s === 'string' && typeof v.Category === 'string')),
  parse: (r: Json, ctx: FormatContext) => {
    const props = (isObject(r.properties) ? r.properties : {}) as Json;
    const category = str(r.category) ?? str(r.Category) ?? '';
    if (!AUDIT_CATEGORIES.has(category)) {
      ctx.skip(`AKS diagnostic record of category "${category}"${category === 'guard' ? ' (Entra ID / Azure RBAC authorizer log)' : ''}: not an audit event`);
      return;
    }
    const env = envelopeOf(category, r, props);
    const log = 'log' in props ? props.log : r.log_s;
    if (typeof log === 'string') ctx.text(log, 'AKS properties.log', 'aks', env);
    else if (isObject(log)) ctx.record(log.kind === undefined ? { kind: 'Event', ...log } : log, 'aks', env);
    else ctx.skip('AKS diagnostic record without a log');
  },
};

export const aksRecordsExport: AuditFormat = {
  title: 'Azure Monitor export ({"records": [...]}, Event Hub / storage account)',
  detect: (v) => isObject(v) && Array.isArray(v.records) && !('recordId' in v),
  parse: (r: Json, ctx) => {
    for (const x of r.records as unknown[]) ctx.record(x, ctx.hint, ctx.envelope);
  },
};

/** Column value: dynamic columns come as objects or as JSON text. */
function col(r: Json, name: string): unknown {
  return maybeJson(r[name]);
}

export const aksAuditTable: AuditFormat = {
  title: 'AKS Log Analytics table row (AKSAudit / AKSAuditAdmin)',
  detect: (v) => isObject(v) && (v.Type === 'AKSAudit' || v.Type === 'AKSAuditAdmin' || (typeof v.AuditId === 'string' && 'Verb' in v)),
  parse: (r: Json, ctx: FormatContext) => {
    let requestObject = col(r, 'RequestObject');
    let responseObject = col(r, 'ResponseObject');
    let omitted = false;
    if (requestObject === AKS_SKIPPED_BODY) {
      requestObject = undefined;
      omitted = true;
    }
    if (responseObject === AKS_SKIPPED_BODY) {
      responseObject = undefined;
      omitted = true;
    }
    if (requestObject === '' || requestObject === null) requestObject = undefined;
    if (responseObject === '' || responseObject === null) responseObject = undefined;
    const annotations = col(r, 'Annotations');
    const ann = isObject(annotations) ? (annotations as Record<string, string>) : undefined;
    const d = ann?.['authorization.k8s.io/decision'];
    const status = col(r, 'ResponseStatus');
    const ips = col(r, 'SourceIps');
    const imp = col(r, 'ImpersonatedUser');
    const auditId = str(r.AuditId) ?? '';
    if (omitted) ctx.partial(`request/response body of ${auditId || 'an event'} omitted by AKS (${AKS_SKIPPED_BODY})`);
    ctx.emit({
      provider: 'aks',
      format: 'aks-audit-table',
      auditID: auditId,
      stage: str(r.Stage),
      level: str(r.Level),
      time: normaliseTime(r.StageReceivedTime ?? r.TimeGenerated ?? r.RequestReceivedTime),
      verb: str(r.Verb) ?? '',
      user: toUser(col(r, 'User')),
      impersonatedUser: isObject(imp) && imp.username ? toUser(imp) : undefined,
      sourceIPs: Array.isArray(ips) ? (ips as string[]) : typeof ips === 'string' && ips ? [ips] : [],
      userAgent: str(r.UserAgent),
      objectRef: toObjectRef(col(r, 'ObjectRef')),
      requestURI: str(r.RequestUri),
      code: isObject(status) && typeof status.code === 'number' ? status.code : undefined,
      decision: d === 'allow' || d === 'forbid' ? d : undefined,
      reason: ann?.['authorization.k8s.io/reason'],
      annotations: ann,
      requestObject,
      responseObject,
      bodiesOmitted: omitted || undefined,
      cloudtrail: undefined,
      envelope: { table: str(r.Type), cluster: clusterOf(r._ResourceId), pod: str(r.PodName) },
      file: ctx.file,
      line: ctx.line,
    });
  },
};
