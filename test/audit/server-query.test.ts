// kubeward audit query over a SQLite store filled by the receiver's ingest path, the workload policy
// check on audit events, and audit analyze --summary / policy violations. No network.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseObjectSpec, parseTime, resourceForKind } from '../../src/audit/query.js';
import { openStore } from '../../src/audit/server/store/index.js';
import { Ingestor } from '../../src/audit/server/ingest.js';
import { parseBatch, DEFAULT_LIMITS } from '../../src/audit/server/body.js';
import { DetectionEngine } from '../../src/audit/engine.js';
import { allDetections } from '../../src/audit/detections/index.js';
import { WorkloadPolicyChecker, policyRules } from '../../src/audit/workload-check.js';
import { fromK8sEvent } from '../../src/audit/formats/kubernetes.js';
import { kubeward, tempDir } from '../helpers/cli.js';

let n = 0;
function ev(extra: Record<string, unknown>): Record<string, unknown> {
  n++;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Request',
    auditID: `q-${n}`,
    stage: 'ResponseComplete',
    verb: 'get',
    user: { username: 'alice@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    responseStatus: { code: 200 },
    stageTimestamp: `2025-03-01T10:00:${String(n % 60).padStart(2, '0')}Z`,
    ...extra,
  };
}

const pod = (name: string, spec: Record<string, unknown>, user = 'alice@example.com', extra: Record<string, unknown> = {}) =>
  ev({
    verb: 'create',
    user: { username: user, groups: [] },
    requestURI: '/api/v1/namespaces/shop/pods',
    objectRef: { resource: 'pods', namespace: 'shop', name, apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec },
    ...extra,
  });

const LOG = [
  pod('web', { containers: [{ name: 'web', image: 'nginx' }] }),
  ev({ verb: 'create', user: { username: 'bob', groups: [] }, objectRef: { resource: 'pods', namespace: 'shop', name: 'web', subresource: 'exec', apiVersion: 'v1' }, requestURI: '/api/v1/namespaces/shop/pods/web/exec?command=sh', responseStatus: { code: 101 } }),
  ev({ verb: 'delete', objectRef: { resource: 'pods', namespace: 'shop', name: 'web', apiVersion: 'v1' } }),
  ev({ verb: 'get', objectRef: { resource: 'pods', namespace: 'other', name: 'web', apiVersion: 'v1' } }),
  ev({ verb: 'list', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, objectRef: { resource: 'secrets', apiVersion: 'v1' }, requestURI: '/api/v1/secrets', responseStatus: { code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' } }),
  ev({ verb: 'get', user: { username: 'system:anonymous', groups: [] }, requestURI: '/version', responseStatus: { code: 200 } }),
  ev({ verb: 'get', user: { username: 'system:serviceaccount:ci:deployer', groups: [] }, objectRef: { resource: 'secrets', namespace: 'kube-system', name: 'x', apiVersion: 'v1' }, responseStatus: { code: 403 } }),
  ev({
    verb: 'create',
    user: { username: 'mallory', groups: [] },
    objectRef: { resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'pwn', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestObject: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'pwn' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory' }] },
  }),
  pod('miner', { hostPID: true, containers: [{ name: 'x', image: 'busybox', securityContext: { privileged: true } }] }, 'mallory'),
];

async function filledStore(): Promise<string> {
  const db = path.join(tempDir(), 'q.db');
  const store = await openStore(db);
  const checker = new WorkloadPolicyChecker({ rules: policyRules('baseline').rules });
  const ing = new Ingestor({ store, engine: () => new DetectionEngine(allDetections), checker, onAlert: () => undefined });
  await ing.submit(parseBatch(Buffer.from(JSON.stringify({ kind: 'EventList', items: LOG })), DEFAULT_LIMITS).events);
  await store.close();
  return db;
}

describe('audit query', () => {
  test('kinds, object specs and times', () => {
    assert.equal(resourceForKind('Pod'), 'pods');
    assert.equal(resourceForKind('pods'), 'pods');
    assert.equal(resourceForKind('NetworkPolicy'), 'networkpolicies');
    assert.equal(resourceForKind('Ingress'), 'ingresses');
    assert.equal(resourceForKind('deployments.apps'), 'deployments');
    assert.equal(resourceForKind('ClusterRoleBinding'), 'clusterrolebindings');
    assert.deepEqual(parseObjectSpec('pod/shop/web'), { resource: 'pods', namespace: 'shop', name: 'web' });
    assert.deepEqual(parseObjectSpec('clusterrolebinding/pwn'), { resource: 'clusterrolebindings', name: 'pwn' });
    assert.deepEqual(parseObjectSpec('secret//x'), { resource: 'secrets', namespace: '', name: 'x' });
    assert.throws(() => parseObjectSpec('a/b/c/d'), /expected kind/);
    assert.equal(parseTime('2h', '--since', 10 * 3600e3), 8 * 3600e3);
    assert.equal(parseTime('2025-03-01T10:00:00Z', '--since'), Date.parse('2025-03-01T10:00:00Z'));
    assert.throws(() => parseTime('yesterday', '--since'), /expected a time/);
  });

  test('everything that touched an object: its own requests and its subresources, in time order', async () => {
    const db = await filledStore();
    const r = await kubeward(['audit', 'query', '--store', db, '--object', 'pod/shop/web', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.json().events.map((e: { verb: string; subresource: string | null; username: string }) => `${e.username} ${e.verb}${e.subresource ? '/' + e.subresource : ''}`),
      ['alice@example.com create', 'bob create/exec', 'alice@example.com delete'],
    );
    const t = await kubeward(['audit', 'query', '--store', db, '--object', 'pod/web']);
    assert.match(t.stdout, /4 events/);
    assert.match(t.stdout, /bob  create pods\/exec shop\/web  101/);
    const lim = await kubeward(['audit', 'query', '--store', db, '--limit', '2']);
    assert.match(lim.stdout, /2 events \(stopped at --limit/);
  });

  test('who did what, denied and anonymous requests', async () => {
    const db = await filledStore();
    const s = (await kubeward(['audit', 'query', '--store', db, '--summary', '--format', 'json'])).json().summary;
    const mallory = s.identities.find((i: { user: string }) => i.user === 'mallory');
    assert.equal(mallory.writes, 2);
    assert.deepEqual(mallory.verbs, { create: 2 });
    assert.equal(s.identities.find((i: { user: string }) => i.user === 'system:serviceaccount:ci:deployer').kind, 'serviceaccount');
    const denied = (await kubeward(['audit', 'query', '--store', db, '--denied', '--format', 'json'])).json().summary.denied;
    assert.deepEqual(denied.map((d: { user: string; target: string }) => `${d.user} ${d.target}`).sort(), ['system:anonymous secrets', 'system:serviceaccount:ci:deployer secrets']);
    const anon = await kubeward(['audit', 'query', '--store', db, '--anonymous']);
    assert.match(anon.stdout, /Anonymous requests \(system:anonymous\): 2/);
    assert.match(anon.stdout, /1x  get \/version  200/);
    assert.doesNotMatch(anon.stdout, /Who did what/);
  });

  test('stored detections and policy violations, by id and glob', async () => {
    const db = await filledStore();
    const all = (await kubeward(['audit', 'query', '--store', db, '--detection', '--format', 'json'])).json().detections.map((d: { id: string }) => d.id);
    for (const id of ['pod-exec', 'privileged-role-binding', 'privileged-pod', 'policy/privileged-container', 'policy/host-pid']) assert.ok(all.includes(id), `${id} in ${all.join(', ')}`);
    const pol = (await kubeward(['audit', 'query', '--store', db, '--detection', 'policy/*', '--format', 'json'])).json().detections;
    assert.ok(pol.every((d: { type: string; user: string; name: string }) => d.type === 'policy-violation' && d.user === 'mallory' && d.name === 'miner'));
    const txt = await kubeward(['audit', 'query', '--store', db, '--detection', 'privileged-role-binding']);
    assert.match(txt.stdout, /CRITICAL privileged-role-binding .* user mallory/);
    assert.match(txt.stdout, /1 detection\n/);
  });

  test('a missing SQLite store is a user error', async () => {
    const r = await kubeward(['audit', 'query', '--store', 'nope.db']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot open SQLite store .*nope\.db/);
  });
});

describe('workload policy checks on audit events', () => {
  const asEvent = (r: Record<string, unknown>) => fromK8sEvent(r, 'kubernetes', 'k8s-event', 'x', 1);

  test('rules run on requestObject (create) and responseObject (patch), not on failed or platform requests', () => {
    const c = new WorkloadPolicyChecker({ rules: policyRules('baseline').rules });
    const found = c.check([
      asEvent(pod('p1', { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] })),
      asEvent(pod('p2', { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] }, 'alice', { responseStatus: { code: 403 } })),
      asEvent(pod('p3', { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] }, 'system:serviceaccount:kube-system:replicaset-controller')),
      asEvent(
        ev({
          verb: 'patch',
          objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'shop', name: 'api', apiVersion: 'v1' },
          requestObject: { spec: { template: { spec: { hostNetwork: true } } } },
          responseObject: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'api', image: 'x' }] } } } },
        }),
      ),
      asEvent(ev({ verb: 'patch', objectRef: { resource: 'pods', namespace: 'shop', name: 'p4', apiVersion: 'v1' }, requestObject: { spec: { containers: [{ name: 'a', securityContext: { privileged: true } }] } } })),
    ]);
    assert.deepEqual(found.map((v) => `${v.ruleId} ${v.kind} ${v.name} ${v.user}`).sort(), ['host-network Deployment api alice@example.com', 'privileged-container Pod p1 alice@example.com']);
    assert.equal(c.stats.patchesWithoutObject, 1);
    assert.equal(c.stats.allowListed, 1);
    const p1 = found.find((v) => v.name === 'p1')!;
    assert.equal(p1.namespace, 'shop', 'namespace from objectRef');
    assert.equal(p1.path, 'spec.containers[0].securityContext.privileged');
  });

  test('rule sets: baseline < restricted < workload; unknown ids reported', () => {
    const b = policyRules('baseline').rules.length;
    const r = policyRules('restricted').rules.length;
    const w = policyRules('workload').rules.length;
    assert.ok(b > 5 && b < r && r <= w, `${b} ${r} ${w}`);
    assert.deepEqual(policyRules(['privileged-container', 'nope']).unknown, ['nope']);
    assert.equal(policyRules('none').rules.length, 0);
  });

  test('audit analyze lists violations with who, when and the auditID; --summary adds who-did-what', async () => {
    const files = { 'a.log': LOG.map((e) => JSON.stringify(e)).join('\n') + '\n' };
    const r = await kubeward(['audit', 'analyze', 'a.log', '--summary'], { files });
    assert.match(r.stdout, /Workload policy violations: 2 /);
    assert.match(r.stdout, /CRITICAL privileged-container  Pod shop\/miner  2025-03-01T10:00:\d\dZ  audit:q-\d+/);
    assert.match(r.stdout, /create by mallory from 203\.0\.113\.9/);
    assert.match(r.stdout, /Who did what \(9 events/);
    assert.match(r.stdout, /Denied requests .*: 2/);
    const j = (await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '--summary', '--policy-rules', 'host-pid'], { files })).json();
    assert.deepEqual(j.policyViolations.map((v: { id: string }) => v.id), ['policy/host-pid']);
    assert.equal(j.summary.anonymous.length, 2);
    const none = (await kubeward(['audit', 'analyze', 'a.log', '--format', 'json', '--policy-rules', 'none'], { files })).json();
    assert.equal(none.policyViolations, undefined);
  });
});
