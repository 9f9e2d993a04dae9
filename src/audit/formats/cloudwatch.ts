// EKS control-plane logs in CloudWatch Logs: exported log events ({timestamp, message}),
// `aws logs filter-log-events` / `get-log-events` output ({events: [...]}), subscription filter
// payloads ({messageType, logGroup, logStream, logEvents}), and the base64+gzip wrappers those
// payloads travel in (Lambda `awslogs.data`, Kinesis `kinesis.data`, Firehose `{recordId, data}`).
// Only EKS writes Kubernetes audit events to CloudWatch Logs by itself: events found here are "eks".
import type { Envelope } from '../event.js';
import { isObject, str, type AuditFormat, type FormatContext, type Json } from './types.js';

/** Streams of the EKS control-plane log group that hold audit events. */
function isAuditStream(stream: string | undefined): boolean {
  return stream === undefined || stream.startsWith('kube-apiserver-audit');
}

function logEnvelope(group: string | undefined, stream: string | undefined, id: string | undefined): Envelope {
  return { logGroup: group, logStream: stream, eventId: id };
}

export const cloudwatchLogEvent: AuditFormat = {
  title: 'CloudWatch Logs event ({timestamp, message}: EKS kube-apiserver-audit stream export)',
  detect: (v) => isObject(v) && typeof v.message === 'string' && ('timestamp' in v || 'ingestionTime' in v || 'logStreamName' in v || 'eventId' in v || 'id' in v),
  parse: (r: Json, ctx: FormatContext) => {
    const stream = str(r.logStreamName) ?? (ctx.envelope?.logStream as string | undefined);
    const group = str(r.logGroupName) ?? (ctx.envelope?.logGroup as string | undefined);
    const message = r.message as string;
    if (message.startsWith('CWL CONTROL MESSAGE')) {
      ctx.skip('CloudWatch Logs control message');
      return;
    }
    if (!isAuditStream(stream)) {
      ctx.skip(`CloudWatch Logs event of stream ${stream}: not an audit stream`);
      return;
    }
    ctx.text(message, 'CloudWatch message', 'eks', logEnvelope(group, stream, str(r.eventId) ?? str(r.id)));
  },
};

export const cloudwatchEventsOutput: AuditFormat = {
  title: 'aws logs filter-log-events / get-log-events output ({"events": [...]})',
  detect: (v) => isObject(v) && Array.isArray(v.events) && !isObject(v.protoPayload),
  parse: (r: Json, ctx) => {
    for (const e of r.events as unknown[]) ctx.record(e, 'eks', ctx.envelope);
  },
};

export const cloudwatchSubscription: AuditFormat = {
  title: 'CloudWatch Logs subscription payload (messageType DATA_MESSAGE / CONTROL_MESSAGE)',
  detect: (v) => isObject(v) && typeof v.messageType === 'string' && Array.isArray(v.logEvents),
  parse: (r: Json, ctx: FormatContext) => {
    if (r.messageType !== 'DATA_MESSAGE') {
      ctx.skip(`CloudWatch Logs subscription ${String(r.messageType)}`);
      return;
    }
    const group = str(r.logGroup);
    const stream = str(r.logStream);
    if (!isAuditStream(stream)) {
      ctx.skip(`CloudWatch Logs subscription payload of stream ${stream}: not an audit stream`);
      return;
    }
    for (const e of r.logEvents as unknown[]) {
      if (isObject(e) && typeof e.message === 'string') ctx.text(e.message, 'CloudWatch message', 'eks', logEnvelope(group, stream, str(e.id)));
      else ctx.skip('CloudWatch Logs log event without a message');
    }
  },
};

export const awsEncodedPayload: AuditFormat = {
  title: 'base64+gzip payload wrapper (Lambda awslogs.data, Kinesis kinesis.data, Firehose {recordId, data})',
  detect: (v) =>
    isObject(v) &&
    ((isObject(v.awslogs) && typeof v.awslogs.data === 'string') ||
      (isObject(v.kinesis) && typeof v.kinesis.data === 'string') ||
      (typeof v.recordId === 'string' && typeof v.data === 'string')),
  parse: (r: Json, ctx) => {
    const data = isObject(r.awslogs) ? r.awslogs.data : isObject(r.kinesis) ? r.kinesis.data : r.data;
    ctx.text(data as string, 'encoded payload', ctx.hint, ctx.envelope);
  },
};
