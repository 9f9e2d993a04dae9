// AWS CloudTrail: trail files ({"Records": [...]}, usually gzipped), single records (CloudTrail Lake,
// CloudWatch Logs delivery, Athena exports) and EventBridge "AWS API Call via CloudTrail" envelopes.
// EKS API calls (CreateAccessEntry, AssociateAccessPolicy, UpdateClusterConfig) and EC2 metadata
// settings are management events there.
import { normaliseTime } from '../event.js';
import { isObject, str, type AuditFormat, type FormatContext, type Json } from './types.js';

/** The caller as one string: the ARN when there is one. */
export function cloudTrailPrincipal(ui: Json | undefined): string {
  if (!ui) return '';
  const issuer = isObject(ui.sessionContext) && isObject(ui.sessionContext.sessionIssuer) ? ui.sessionContext.sessionIssuer : undefined;
  return str(ui.arn) ?? str(issuer?.arn) ?? str(ui.userName) ?? str(ui.principalId) ?? str(ui.invokedBy) ?? str(ui.type) ?? '';
}

function errorToHttp(code: string): number {
  return /AccessDenied|Unauthorized|Forbidden/i.test(code) ? 403 : /NotFound/i.test(code) ? 404 : /Throttl/i.test(code) ? 429 : 400;
}

export const cloudTrailRecord: AuditFormat = {
  title: 'AWS CloudTrail record',
  detect: (v) => isObject(v) && typeof v.eventSource === 'string' && typeof v.eventName === 'string' && ('eventTime' in v || 'eventVersion' in v),
  parse: (r: Json, ctx: FormatContext) => {
    const ui = isObject(r.userIdentity) ? r.userIdentity : undefined;
    const errorCode = str(r.errorCode);
    const ip = str(r.sourceIPAddress);
    const eventSource = r.eventSource as string;
    const eventName = r.eventName as string;
    ctx.emit({
      provider: 'cloudtrail',
      format: 'cloudtrail-record',
      auditID: str(r.eventID) ?? '',
      stage: undefined,
      level: undefined,
      time: normaliseTime(r.eventTime),
      verb: eventName,
      user: { username: cloudTrailPrincipal(ui), uid: str(ui?.principalId), groups: [] },
      impersonatedUser: undefined,
      sourceIPs: ip ? [ip] : [],
      userAgent: str(r.userAgent),
      objectRef: undefined,
      requestURI: undefined,
      code: errorCode ? errorToHttp(errorCode) : 200,
      decision: undefined,
      reason: undefined,
      annotations: undefined,
      requestObject: r.requestParameters,
      responseObject: r.responseElements,
      bodiesOmitted: undefined,
      cloudtrail: {
        eventSource,
        eventName,
        awsRegion: str(r.awsRegion),
        eventID: str(r.eventID),
        eventType: str(r.eventType),
        readOnly: typeof r.readOnly === 'boolean' ? r.readOnly : r.readOnly === 'true' ? true : r.readOnly === 'false' ? false : undefined,
        recipientAccountId: str(r.recipientAccountId),
        sourceIPAddress: ip,
        userIdentity: ui,
        requestParameters: r.requestParameters,
        responseElements: r.responseElements,
        errorCode,
        errorMessage: str(r.errorMessage),
      },
      envelope: { eventSource, eventName, awsRegion: str(r.awsRegion), account: str(r.recipientAccountId) },
      file: ctx.file,
      line: ctx.line,
    });
  },
};

export const cloudTrailFile: AuditFormat = {
  title: 'AWS CloudTrail log file ({"Records": [...]})',
  detect: (v) => isObject(v) && Array.isArray(v.Records),
  parse: (r: Json, ctx) => {
    for (const x of r.Records as unknown[]) ctx.record(x);
  },
};

export const eventBridgeCloudTrail: AuditFormat = {
  title: 'EventBridge event carrying a CloudTrail record ("AWS API Call via CloudTrail")',
  detect: (v) => isObject(v) && typeof v['detail-type'] === 'string' && isObject(v.detail) && typeof v.detail.eventSource === 'string',
  parse: (r: Json, ctx) => ctx.record(r.detail),
};
