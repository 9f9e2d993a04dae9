// Proof of the audit policy lint and generator against a real kube-apiserver: for each generated
// profile and for a policy the lint flags, the server is started with that policy, a scripted set of
// requests is made (exec, secret write and read, RBAC change, anonymous request, token request,
// configmap with a password...), and the audit log it wrote is compared with what
// src/audit/policy predicts: every event's level, every action's presence, and whether the secret
// value reaches the log.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertTestenvBinaries, startTestCluster, type TestCluster } from '../test/helpers/testenv.js';
import { decide, type AuditPolicy, type RequestAttributes } from '../src/audit/policy/evaluate.js';
import { lintPolicy, parsePolicy } from '../src/audit/policy/lint.js';
import { generatePolicy, PROFILES } from '../src/audit/policy/generate.js';

const SECRET_VALUE = 'kubeward-audit-canary-7f3a9c';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');

/** Lint flags this policy: secrets at RequestResponse (credentials-logged), deployments under "". */
const LEAKY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["pods", "secrets", "configmaps"]
  - level: Request
    resources:
      - group: ""
        resources: ["deployments"]
  - level: Metadata
`;

interface AuditEvent {
  level: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  requestObject?: unknown;
  responseObject?: unknown;
}

function attrsOf(e: AuditEvent): RequestAttributes {
  const base = { user: e.user.username, groups: e.user.groups ?? [], verb: e.verb };
  if (e.objectRef?.resource) {
    return {
      ...base,
      resource: {
        apiGroup: e.objectRef.apiGroup ?? '',
        resource: e.objectRef.resource,
        subresource: e.objectRef.subresource,
        namespace: e.objectRef.namespace ?? '',
        name: e.objectRef.name,
      },
    };
  }
  return { ...base, path: e.requestURI.split('?')[0] };
}

/** The scripted actions: each with a matcher for its audit event. */
interface Action {
  id: string;
  run(c: TestCluster): Promise<unknown>;
  match(e: AuditEvent): boolean;
}

const NS = 'audit-e2e';
const ref = (e: AuditEvent, resource: string, verb: string, sub?: string, name?: string) =>
  e.verb === verb && e.objectRef?.resource === resource && (e.objectRef?.subresource ?? undefined) === sub && (name === undefined || e.objectRef?.name === name) && e.user.username === 'admin';

const ACTIONS: Action[] = [
  {
    id: 'pod-create',
    run: (c) => c.request('admin', 'POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.25' }] } }),
    match: (e) => ref(e, 'pods', 'create', undefined, 'web'),
  },
  {
    id: 'exec',
    run: (c) => c.request('admin', 'POST', `/api/v1/namespaces/${NS}/pods/web/exec?command=cat&command=%2Fetc%2Fshadow&stdout=true`),
    match: (e) => ref(e, 'pods', 'create', 'exec', 'web'),
  },
  {
    id: 'secret-write',
    run: (c) => c.request('admin', 'POST', `/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: SECRET_VALUE } }),
    match: (e) => ref(e, 'secrets', 'create', undefined, 'db'),
  },
  {
    id: 'secret-get',
    run: (c) => c.request('admin', 'GET', `/api/v1/namespaces/${NS}/secrets/db`),
    match: (e) => ref(e, 'secrets', 'get', undefined, 'db'),
  },
  {
    id: 'configmap-write',
    run: (c) => c.request('admin', 'POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { DB_PASSWORD: SECRET_VALUE } }),
    match: (e) => ref(e, 'configmaps', 'create', undefined, 'app'),
  },
  {
    id: 'rbac-crb',
    run: (c) =>
      c.request('admin', 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'audit-e2e-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }],
      }),
    match: (e) => ref(e, 'clusterrolebindings', 'create', undefined, 'audit-e2e-admin'),
  },
  {
    id: 'token-request',
    run: (c) => c.request('admin', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc'] } }),
    match: (e) => ref(e, 'serviceaccounts', 'create', 'token', 'default'),
  },
  {
    id: 'deployment-create',
    run: (c) =>
      c.request('admin', 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api' },
        spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'nginx:1.25' }] } } },
      }),
    match: (e) => ref(e, 'deployments', 'create', undefined, 'api'),
  },
  {
    id: 'anonymous',
    run: (c) => anonymousGet(c, '/api/v1/namespaces'),
    match: (e) => e.user.username === 'system:anonymous' && e.objectRef?.resource === 'namespaces' && e.verb === 'list',
  },
];

function anonymousGet(c: TestCluster, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(p, c.url);
    const req = https.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'GET', ca: c.caPem }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setUp(c: TestCluster): Promise<void> {
  const ok = (r: { status: number; body: string }, what: string) => assert.ok(r.status < 300 || r.status === 409, `${what}: ${r.status} ${r.body.slice(0, 200)}`);
  ok(await c.request('admin', 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), 'namespace');
  ok(await c.request('admin', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }), 'service account');
}

function readLog(file: string): AuditEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AuditEvent);
}

it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

const cases: Array<{ name: string; text: string; leaks: boolean }> = [
  ...PROFILES.map((p) => ({ name: `generated profile ${p}`, text: generatePolicy(p), leaks: false })),
  { name: 'a policy the lint flags for logging credentials', text: LEAKY, leaks: true },
];

for (const tc of cases) {
  describe(`audit policy on a real kube-apiserver: ${tc.name}`, () => {
    let cluster: TestCluster | undefined;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeward-audit-'));
    const policyFile = path.join(dir, 'policy.yaml');
    const logFile = path.join(dir, 'audit.log');
    writeFileSync(policyFile, tc.text);
    const policy = parsePolicy(tc.text).policy as AuditPolicy;
    const lint = lintPolicy(tc.text, policyFile);
    let events: AuditEvent[] = [];

    after(async () => {
      await cluster?.stop();
    });

    it('runs the scripted requests against a server using the policy', async () => {
      assert.ok(policy, 'policy parses');
      cluster = await startTestCluster({ apiserverArgs: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${logFile}`, '--audit-log-mode=blocking', '--audit-log-format=json'] });
      await setUp(cluster);
      for (const a of ACTIONS) await a.run(cluster);
      events = readLog(logFile);
      assert.ok(events.length > 50, `the server wrote an audit log (${events.length} events)`);
    });

    it('every event in the log has the level our evaluator predicts', () => {
      const wrong: string[] = [];
      for (const e of events) {
        const d = decide(policy, attrsOf(e));
        if (d.level !== e.level) wrong.push(`${e.verb} ${e.requestURI} by ${e.user.username}: server ${e.level}, predicted ${d.level} (rule ${d.ruleIndex + 1})`);
        if (d.omitStages.includes(e.stage as never)) wrong.push(`${e.verb} ${e.requestURI}: stage ${e.stage} should be omitted`);
      }
      assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${events.length} events disagree`);
    });

    it('each scripted action is logged exactly when predicted, at the promised level', () => {
      for (const a of ACTIONS) {
        const found = events.filter((e) => a.match(e) && e.stage === 'ResponseComplete');
        const sample = found[0];
        const attrs = sample ? attrsOf(sample) : undefined;
        if (!attrs) {
          // Not in the log: the policy must say None for it.
          const probe = lint.coverage.find((c) => c.probe === a.id);
          if (probe) assert.equal(probe.level, 'None', `${a.id} missing from the log but the lint says ${probe.level}`);
          continue;
        }
        assert.equal(sample.level, decide(policy, attrs).level, a.id);
        const probe = lint.coverage.find((c) => c.probe === a.id);
        if (probe && a.id !== 'anonymous') assert.equal(sample.level, probe.level, `lint coverage for ${a.id} matches the real server`);
      }
    });

    it(tc.leaks ? 'the secret value reaches the log, as the lint warned' : 'no secret value reaches the log', () => {
      const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      const leaked = text.includes(SECRET_VALUE) || text.includes(SECRET_B64);
      const warned = lint.findings.some((f) => f.id === 'credentials-logged');
      assert.equal(leaked, tc.leaks, tc.leaks ? 'expected the leaky policy to log the secret' : 'a generated profile logged the secret');
      assert.equal(warned, tc.leaks, 'the lint verdict matches what the server logged');
    });
  });
}
