// The one registry of audit-log formats: name -> {title, detect, parse}. Records are matched per
// record, in this order (a file may mix shapes); container formats hand their elements back to the
// dispatcher, so any nesting the providers produce (CloudTrail in CloudWatch, Event Hub exports of
// AKS records, gzip+base64 subscription payloads...) resolves to events.
import { k8sEvent, k8sEventList, k8sEventLoose } from './kubernetes.js';
import { gkeAuditLog } from './gke.js';
import { aksAuditTable, aksDiagnosticRecord, aksRecordsExport } from './aks.js';
import { awsEncodedPayload, cloudwatchEventsOutput, cloudwatchLogEvent, cloudwatchSubscription } from './cloudwatch.js';
import { cloudTrailFile, cloudTrailRecord, eventBridgeCloudTrail } from './cloudtrail.js';
import type { AuditFormat } from './types.js';

const jsonArray: AuditFormat = {
  title: 'JSON array of records (gcloud logging read --format=json, az / jq exports)',
  detect: (v) => Array.isArray(v),
  parse: (v: unknown[], ctx) => {
    for (const x of v) ctx.record(x, ctx.hint, ctx.envelope);
  },
};

export const formats = {
  'k8s-event': k8sEvent,
  'k8s-event-list': k8sEventList,
  'gke-cloud-audit-log': gkeAuditLog,
  'aks-diagnostic-record': aksDiagnosticRecord,
  'aks-audit-table': aksAuditTable,
  'azure-records-export': aksRecordsExport,
  'cloudwatch-subscription': cloudwatchSubscription,
  'cloudwatch-log-event': cloudwatchLogEvent,
  'cloudwatch-events-output': cloudwatchEventsOutput,
  'cloudtrail-record': cloudTrailRecord,
  'cloudtrail-file': cloudTrailFile,
  'eventbridge-cloudtrail': eventBridgeCloudTrail,
  'aws-encoded-payload': awsEncodedPayload,
  'json-array': jsonArray,
  'k8s-event-loose': k8sEventLoose,
} as const satisfies Record<string, AuditFormat>;

export type FormatName = keyof typeof formats;
export const FORMAT_NAMES = Object.keys(formats) as FormatName[];

/** Keys of a top-level JSON object whose array elements are records (streamed one by one). */
export const CONTAINER_KEYS: ReadonlySet<string> = new Set(['Records', 'records', 'items', 'events', 'logEvents']);

export type { AuditFormat, FormatContext } from './types.js';
