// Audit-log readers: every provider shape, nesting, gzip, streaming splits, and how bad input is counted.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { AuditAnalyzer } from '../../src/audit/analyze.js';
import { Dispatcher, emptyStats, ProblemLog } from '../../src/audit/dispatch.js';
import type { AuditEvent } from '../../src/audit/event.js';
import { bufferInput, readInput, sniffMode } from '../../src/audit/reader.js';
import { JsonSplitter, splitJsonValues } from '../../src/audit/json-splitter.js';
import { parseMethodName, parseResourceName } from '../../src/audit/formats/gke.js';
import { formats } from '../../src/audit/formats/index.js';

function native(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${i}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/ns${i}/pods/p${i}`,
    verb: 'get',
    user: { username: `user${i}`, groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'],
    objectRef: { resource: 'pods', namespace: `ns${i}`, name: `p${i}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2025-03-01T10:00:00.000000Z',
    stageTimestamp: '2025-03-01T10:00:00.100000Z',
    ...extra,
  };
}

async function read(data: string | Buffer, name = 'input') {
  const events: AuditEvent[] = [];
  const stats = emptyStats();
  const problems = new ProblemLog();
  const d = new Dispatcher((e) => events.push(e), stats, problems);
  const report = await readInput(bufferInput(name, data), d, {});
  return { events, stats, problems: problems.items, report };
}

const lines = (...xs: unknown[]): string => xs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n') + '\n';
const b64gz = (x: unknown): string => gzipSync(Buffer.from(typeof x === 'string' ? x : JSON.stringify(x))).toString('base64');

describe('native kube-apiserver events', () => {
  test('JSON lines: v1 and v1beta1, blank lines, CRLF, BOM; fields normalised', async () => {
    const v1beta1 = { kind: 'Event', apiVersion: 'audit.k8s.io/v1beta1', metadata: { creationTimestamp: '2019-01-01T00:00:00Z' }, timestamp: '2019-01-01T00:00:00Z', auditID: 'old', stage: 'ResponseComplete', verb: 'list', user: { username: 'bob' }, sourceIPs: ['::1'], objectRef: { resource: 'secrets', namespace: 'x' }, responseStatus: { code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'no' } };
    const text = '\ufeff' + JSON.stringify(native(1)) + '\r\n\r\n' + JSON.stringify(v1beta1) + '\r\n';
    const { events, stats, report } = await read(text);
    assert.equal(report.mode, 'json-lines');
    assert.deepEqual([stats.read, stats.parsed, stats.malformed], [2, 2, 0]);
    const [a, b] = events;
    assert.equal(a.provider, 'kubernetes');
    assert.deepEqual(a.objectRef, { apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: undefined, namespace: 'ns1', name: 'p1' });
    assert.equal(a.time, '2025-03-01T10:00:00.100000Z');
    assert.equal(a.line, 1);
    assert.equal(b.line, 3);
    assert.equal(b.time, '2019-01-01T00:00:00Z');
    assert.equal(b.code, 403);
    assert.equal(b.decision, 'forbid');
    assert.deepEqual(b.user.groups, []);
  });

  test('EventList (pretty-printed webhook batch, items without kind) and JSON arrays are streamed record by record', async () => {
    const list = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [1, 2, 3].map((i) => { const e = native(i); delete e.kind; delete e.apiVersion; return e; }) }, null, 2);
    const r1 = await read(list);
    assert.equal(r1.report.mode, 'json-document');
    assert.deepEqual(r1.report.containers, ['items']);
    assert.deepEqual(r1.events.map((e) => e.auditID), ['id-1', 'id-2', 'id-3']);
    assert.equal(r1.stats.read, 3);
    assert.ok(r1.events[1].line > r1.events[0].line, 'each item has its own line');
    const r2 = await read(JSON.stringify([native(1), native(2)]));
    assert.deepEqual(r2.events.map((e) => e.auditID), ['id-1', 'id-2']);
    // A compact EventList on one line goes through the JSON-lines path and is expanded there.
    const r3 = await read(JSON.stringify({ kind: 'EventList', items: [native(4)] }) + '\n' + JSON.stringify(native(5)) + '\n');
    assert.deepEqual(r3.events.map((e) => e.auditID), ['id-4', 'id-5']);
  });

  test('gzip is recognised by its magic bytes, whole files and CloudTrail-style single-line documents', async () => {
    const r = await read(gzipSync(lines(native(1), native(2))));
    assert.equal(r.report.gzip, true);
    assert.equal(r.stats.parsed, 2);
  });

  test('malformed lines are counted with file:line and never stop the run; over-long lines are skipped', async () => {
    const text = lines(native(1), '{"kind":"Event","verb":', 'plain text log line', native(2), '{"broken": ') + '{"unterminated';
    const { events, stats, problems } = await read(text, 'audit.log');
    assert.deepEqual(events.map((e) => e.auditID), ['id-1', 'id-2']);
    assert.equal(stats.malformed, 4);
    assert.deepEqual(problems.filter((p) => p.kind === 'malformed').map((p) => `${p.file}:${p.line}`), ['audit.log:2', 'audit.log:3', 'audit.log:5', 'audit.log:6']);
    const events2: AuditEvent[] = [];
    const stats2 = emptyStats();
    const d = new Dispatcher((e) => events2.push(e), stats2, new ProblemLog());
    await readInput(bufferInput('x', lines(native(1), native(2, { requestObject: { big: 'x'.repeat(5000) } }), native(3))), d, { maxRecordChars: 3000 });
    assert.deepEqual(events2.map((e) => e.auditID), ['id-1', 'id-3']);
    assert.equal(stats2.malformed, 1);
  });

  test('JSON lines read in tiny chunks (split lines, split UTF-8 characters) give the same events; long lines are skipped across chunks', async () => {
    const text = lines(native(1, { user: { username: 'zoë-ünïcødé-用户' } }), native(2, { requestObject: { pad: 'é'.repeat(400) } }), native(3)) + JSON.stringify(native(4));
    const bytes = Buffer.from(text);
    const chunked = (size: number) => ({
      name: 'chunked',
      open: async function* () {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      },
    });
    for (const size of [1, 5, 64, 1 << 20]) {
      const events: AuditEvent[] = [];
      const stats = emptyStats();
      const d = new Dispatcher((e) => events.push(e), stats, new ProblemLog());
      await readInput(chunked(size), d, { maxRecordChars: 700 });
      assert.deepEqual(events.map((e) => `${e.auditID}@${e.line}`), ['id-1@1', 'id-3@3', 'id-4@4'], `chunk size ${size}`);
      assert.equal(events[0].user.username, 'zoë-ünïcødé-用户');
      assert.equal(stats.malformed, 1, `the long line 2 is skipped (chunk size ${size})`);
    }
  });

  test('unrecognised records are skipped with a reason', async () => {
    const { stats } = await read(lines({ hello: 'world' }, [null], native(1)));
    assert.equal(stats.parsed, 1);
    assert.equal(stats.skipped, 2);
    assert.ok(stats.skippedReasons['unrecognised record (no known audit format)'] === 1);
  });
});

describe('EKS: CloudWatch Logs', () => {
  test('exported events, filter-log-events output, timestamp-prefixed S3 exports; truncated messages are counted, not parsed', async () => {
    const msg = (i: number) => JSON.stringify(native(i));
    const truncated = msg(9).slice(0, 300) + '[Truncated...]';
    const filter = { events: [{ logStreamName: 'kube-apiserver-audit-0123abcd', timestamp: 1740823200000, message: msg(2), ingestionTime: 1, eventId: '1' }, { logStreamName: 'authenticator-0123', timestamp: 1, message: 'time="x" level=info msg="access granted"', eventId: '2' }, { logStreamName: 'kube-apiserver-audit-0123abcd', timestamp: 1, message: truncated, eventId: '3' }], searchedLogStreams: [] };
    const text = lines({ timestamp: 1740823200000, message: msg(1), ingestionTime: 1740823201000 }, filter, `2025-03-01T10:00:00.000Z ${msg(3)}`);
    const { events, stats, problems } = await read(text, 'eks.json');
    assert.deepEqual(events.map((e) => `${e.auditID}:${e.provider}:${e.line}`), ['id-1:eks:1', 'id-2:eks:2', 'id-3:kubernetes:3']);
    assert.equal(events[1].envelope?.logStream, 'kube-apiserver-audit-0123abcd');
    assert.equal(stats.truncated, 1);
    assert.equal(stats.skipped, 1);
    assert.equal(stats.malformed, 0);
    const t = problems.find((p) => p.kind === 'truncated');
    assert.match(t!.message, /Truncated.*auditID id-9/);
    assert.equal(t!.line, 2);
  });

  test('subscription payloads: gzip+base64 lines (Kinesis/Firehose dumps), Lambda awslogs, concatenated envelopes, control messages', async () => {
    const data = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: '/aws/eks/prod/cluster', logStream: 'kube-apiserver-audit-abc', subscriptionFilters: ['f'], logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(native(1)) }, { id: '2', timestamp: 1, message: JSON.stringify(native(2)) }] };
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
    const firehose = gzipSync(Buffer.from(JSON.stringify(data) + JSON.stringify(control))).toString('base64');
    const text = lines(b64gz(data), { awslogs: { data: b64gz(data) } }, firehose, { Records: [{ kinesis: { data: b64gz(control) } }] });
    const { events, stats } = await read(text);
    assert.equal(events.length, 6);
    assert.ok(events.every((e) => e.provider === 'eks' && e.envelope?.logGroup === '/aws/eks/prod/cluster'));
    assert.equal(stats.skipped, 2);
    assert.equal(stats.malformed, 0);
  });
});

describe('AKS', () => {
  test('diagnostic export {records}: properties.log as string and object; guard and other categories skipped', async () => {
    const e1 = native(1, { user: { username: 'aksService', groups: ['system:masters'] } });
    const doc = {
      records: [
        { category: 'kube-audit', operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read', properties: { log: JSON.stringify(e1), pod: 'kube-apiserver-1' }, resourceId: '/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD', time: 't' },
        { category: 'kube-audit-admin', properties: { log: native(2) } },
        { category: 'guard', properties: { log: 'guard log line' } },
        { category: 'kube-apiserver', properties: { log: 'I0301 apiserver text' } },
      ],
    };
    const { events, stats } = await read(JSON.stringify(doc, null, 1));
    assert.deepEqual(events.map((e) => `${e.auditID}:${e.provider}`), ['id-1:aks', 'id-2:aks']);
    assert.equal(events[0].envelope?.cluster, 'prod');
    assert.equal(stats.skipped, 2);
  });

  test('Log Analytics AKSAudit rows: dynamic columns as objects or JSON text, skipped-too-big-size-object', async () => {
    const rows = [
      { TimeGenerated: '2025-03-01T10:00:00Z', Type: 'AKSAudit', Level: 'RequestResponse', AuditId: 'a1', Stage: 'ResponseComplete', RequestUri: '/api/v1/namespaces/x/pods', Verb: 'create', User: '{"username":"dev@contoso.com","groups":["system:authenticated"]}', SourceIps: '["203.0.113.9"]', UserAgent: 'kubectl/v1.30', ObjectRef: '{"resource":"pods","namespace":"x","name":"p","apiVersion":"v1"}', ResponseStatus: '{"code":201}', RequestObject: 'skipped-too-big-size-object', ResponseObject: '', Annotations: '{"authorization.k8s.io/decision":"allow"}', _ResourceId: '/subscriptions/x/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/prod' },
      { TimeGenerated: '2025-03-01 10:00:01.5', Type: 'AKSAuditAdmin', AuditId: 'a2', Verb: 'delete', User: { username: 'u' }, ObjectRef: { resource: 'secrets', namespace: 'x', name: 's' }, ResponseStatus: { code: 200 }, SourceIps: ['1.2.3.4'] },
    ];
    const { events, stats } = await read(JSON.stringify(rows, null, 2));
    assert.deepEqual(events.map((e) => `${e.auditID}:${e.verb}:${e.user.username}:${e.objectRef?.resource}:${e.code}`), ['a1:create:dev@contoso.com:pods:201', 'a2:delete:u:secrets:200']);
    assert.equal(events[0].bodiesOmitted, true);
    assert.equal(events[0].requestObject, undefined);
    assert.equal(events[1].time, '2025-03-01T10:00:01.5Z');
    assert.equal(stats.truncated, 1);
  });
});

describe('GKE Cloud Logging', () => {
  test('gcloud logging read --format=json arrays: methodName and resourceName mapped, truncated label, other services skipped', async () => {
    const entry = (methodName: string, resourceName: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
      insertId: `i-${methodName}`,
      labels: { 'authorization.k8s.io/decision': 'allow', ...labels },
      logName: 'projects/p/logs/cloudaudit.googleapis.com%2Factivity',
      protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', authenticationInfo: { principalEmail: 'dev@example.com' }, methodName, resourceName, serviceName: 'k8s.io', requestMetadata: { callerIp: '198.51.100.1', callerSuppliedUserAgent: 'kubectl' }, status: {}, ...extra },
      resource: { type: 'k8s_cluster', labels: { cluster_name: 'c', location: 'l', project_id: 'p' } },
      timestamp: '2025-03-01T10:00:00.123Z',
    });
    const arr = [
      entry('io.k8s.core.v1.pods.exec.create', 'core/v1/namespaces/ns/pods/web/exec'),
      entry('io.k8s.authorization.rbac.v1.clusterrolebindings.create', 'rbac.authorization.k8s.io/v1/clusterrolebindings/b', {}, { 'audit.k8s.io/truncated': 'true' }),
      entry('io.k8s.core.v1.namespaces.finalize.update', 'core/v1/namespaces/old/finalize'),
      entry('io.k8s.core.v1.secrets.get', 'core/v1/namespaces/ns/secrets/s', { status: { code: 7, message: 'PERMISSION_DENIED' } }),
      entry('io.k8s.get', 'livez'),
      { protoPayload: { serviceName: 'container.googleapis.com', methodName: 'google.container.v1.ClusterManager.UpdateCluster' }, resource: { type: 'gke_cluster' } },
    ];
    const { events, stats } = await read(JSON.stringify(arr, null, 2));
    const show = (e: AuditEvent) => [e.verb, e.objectRef?.apiGroup, e.objectRef?.resource, e.objectRef?.subresource, e.objectRef?.namespace, e.objectRef?.name, e.requestURI, e.code].map((x) => x ?? '-').join(' ');
    assert.deepEqual(events.map(show), [
      'create  pods exec ns web - 200',
      'create rbac.authorization.k8s.io clusterrolebindings - - b - 200',
      'update  namespaces finalize - old - 200',
      'get  secrets - ns s - 403',
      'get - - - - - /livez 200',
    ]);
    assert.ok(events.every((e) => e.provider === 'gke' && e.user.username === 'dev@example.com' && e.sourceIPs[0] === '198.51.100.1'));
    assert.equal(events[1].bodiesOmitted, true);
    assert.equal(events[0].envelope?.logName, 'cloudaudit.googleapis.com/activity');
    assert.equal(stats.truncated, 1);
    assert.equal(stats.skipped, 1);
  });

  test('methodName and resourceName parsing', () => {
    assert.deepEqual(parseMethodName('io.k8s.core.v1.pods.exec.create'), { verb: 'create', group: '', version: 'v1', resource: 'pods', subresource: 'exec' });
    assert.deepEqual(parseMethodName('io.k8s.apps.v1.deployments.patch'), { verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', subresource: undefined });
    assert.equal(parseMethodName('io.k8s.authorization.rbac.v1.roles.update').group, 'rbac.authorization.k8s.io');
    assert.equal(parseMethodName('io.k8s.networking.v1.networkpolicies.create').group, 'networking.k8s.io');
    assert.equal(parseMethodName('io.gke.networking.v1.managedcertificates.get').group, 'networking.gke.io');
    assert.deepEqual(parseMethodName('io.k8s.get'), { verb: 'get' });
    const m = parseMethodName('io.k8s.core.v1.namespaces.get');
    assert.deepEqual(parseResourceName('core/v1/namespaces/kube-system', m), { apiGroup: '', apiVersion: 'v1', resource: 'namespaces', subresource: undefined, namespace: undefined, name: 'kube-system' });
    assert.equal(parseResourceName('api/v1', m), undefined);
    assert.equal(parseResourceName('HNAP1', m), undefined);
  });
});

describe('CloudTrail', () => {
  test('gzipped {"Records"} files, EventBridge envelopes, errors; user is the ARN', async () => {
    const rec = (name: string, extra: Record<string, unknown> = {}) => ({ eventVersion: '1.09', eventTime: '2025-03-01T10:00:00Z', eventSource: 'eks.amazonaws.com', eventName: name, awsRegion: 'eu-west-1', sourceIPAddress: '203.0.113.1', userAgent: 'aws-cli', userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/s', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/Admin' } } }, requestParameters: { name: 'prod' }, eventID: name, ...extra });
    const r1 = await read(gzipSync(JSON.stringify({ Records: [rec('CreateAccessEntry'), rec('DeleteCluster', { errorCode: 'AccessDenied' })] })));
    assert.equal(r1.report.gzip, true);
    assert.deepEqual(r1.events.map((e) => `${e.verb}:${e.code}:${e.user.username}`), ['CreateAccessEntry:200:arn:aws:sts::111122223333:assumed-role/Admin/s', 'DeleteCluster:403:arn:aws:sts::111122223333:assumed-role/Admin/s']);
    assert.equal(r1.events[1].cloudtrail?.errorCode, 'AccessDenied');
    const r2 = await read(lines({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.eks', detail: rec('UpdateClusterConfig') }));
    assert.equal(r2.events[0].provider, 'cloudtrail');
  });
});

describe('registry and splitting', () => {
  test('a file mixing every shape is read record by record', async () => {
    const text = lines(
      native(1),
      { category: 'kube-audit', properties: { log: JSON.stringify(native(2)) } },
      { protoPayload: { serviceName: 'k8s.io', methodName: 'io.k8s.core.v1.pods.get', resourceName: 'core/v1/namespaces/a/pods/b', authenticationInfo: { principalEmail: 'x' } } },
      { eventVersion: '1.08', eventTime: 't', eventSource: 's3.amazonaws.com', eventName: 'GetObject', userIdentity: {} },
      { timestamp: 1, message: JSON.stringify(native(3)) },
    );
    const a = new AuditAnalyzer();
    await a.read(bufferInput('mixed.log', text));
    const r = a.result();
    assert.deepEqual(r.stats.byProvider, { kubernetes: 1, aks: 1, gke: 1, cloudtrail: 1, eks: 1 });
    assert.deepEqual(Object.keys(r.stats.byFormat).sort(), ['aks-diagnostic-record', 'cloudtrail-record', 'cloudwatch-log-event', 'gke-cloud-audit-log', 'k8s-event']);
  });

  test('every format of the registry recognises something and has a title', () => {
    for (const [name, f] of Object.entries(formats)) {
      assert.ok(f.title.length > 10, name);
      assert.equal(f.detect(null), false, `${name} rejects null`);
    }
  });

  test('the splitter gives the same records whatever the chunk boundaries', () => {
    const doc = JSON.stringify({ kind: 'EventList', items: [native(1, { requestObject: { s: 'a "quoted" ] } [ string\\' } }), native(2)], Records: ['str', 12, true, null, { x: [1, { y: '}' }] }] }, null, 2);
    const whole: string[] = [];
    const h = (out: string[]) => ({ record: (t: string) => out.push(t), error: (m: string) => out.push('ERR ' + m) });
    const s1 = new JsonSplitter(h(whole), { containers: new Set(['items', 'Records']) });
    s1.push(doc);
    s1.end();
    assert.equal(whole.length, 7);
    assert.deepEqual(JSON.parse(whole[6]), { x: [1, { y: '}' }] });
    for (const size of [1, 2, 3, 7, 64]) {
      const parts: string[] = [];
      const s = new JsonSplitter(h(parts), { containers: new Set(['items', 'Records']) });
      for (let i = 0; i < doc.length; i += size) s.push(doc.slice(i, i + size));
      s.end();
      assert.deepEqual(parts, whole, `chunk size ${size}`);
    }
  });

  test('concatenated values and errors', () => {
    const r = splitJsonValues('{"a":1}{"b":[2]}\n[{"c":3}] junk\n{"d":');
    assert.deepEqual(r.values.map((v) => v.text), ['{"a":1}', '{"b":[2]}', '{"c":3}']);
    assert.equal(r.errors.length, 2);
  });

  test('sniffing JSON lines versus documents', () => {
    assert.equal(sniffMode('{"a":1}\n{"b":2}\n', true), 'json-lines');
    assert.equal(sniffMode('{\n  "Records": [\n', false), 'json-document');
    assert.equal(sniffMode('{"Records":[\n{"a":1},\n{"b":2}\n]}\n', true), 'json-document');
    assert.equal(sniffMode('[\n{"a":1}\n]', true), 'json-document');
    assert.equal(sniffMode('{"kind":"Event","trunc[Truncated...]\n{"a":1}\n{"b":2}\n', true), 'json-lines');
    assert.equal(sniffMode('H4sIAAAA\n', true), 'json-lines');
  });
});
