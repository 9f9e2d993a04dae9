// Rows of the audit store (src/audit/server/store) for store tests: an event and its detection.
import type { DetectionRow, EventRow } from '../../src/audit/server/store/types.js';

/** A stored `get pods/shop/p<n>` event by alice; no time when `eventMs` is null. */
export function eventRow(auditId: string, n: number, eventMs: number | null, receivedMs: number): EventRow {
  return {
    auditId,
    stage: 'ResponseComplete',
    eventTime: eventMs === null ? '' : new Date(eventMs).toISOString(),
    eventMs,
    receivedMs,
    level: 'Metadata',
    verb: 'get',
    username: 'alice',
    impersonated: null,
    sourceIp: null,
    userAgent: null,
    apiGroup: '',
    resource: 'pods',
    subresource: null,
    namespace: 'shop',
    name: `p${n}`,
    requestUri: null,
    code: 200,
    decision: null,
    bodiesOmitted: false,
    event: '{}',
  };
}

/** A pod-exec detection of that event. */
export const detectionRow = (r: EventRow): DetectionRow => ({
  detectionId: 'pod-exec',
  auditId: r.auditId,
  detail: '',
  severity: 'medium',
  eventTime: r.eventTime,
  eventMs: r.eventMs,
  username: r.username,
  resource: 'pods/exec',
  namespace: 'shop',
  name: r.name,
  message: 'x',
  json: '{}',
});
