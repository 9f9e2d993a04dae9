import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type AuditPolicy, type RequestAttributes } from '../../src/audit/policy/evaluate.js';
import { lintPolicy, subsumes } from '../../src/audit/policy/lint.js';
import { generatePolicy, PROFILES } from '../../src/audit/policy/generate.js';

const alice = { user: 'alice', groups: ['system:authenticated'] };
const req = (verb: string, apiGroup: string, resource: string, subresource?: string, namespace = 'default', name?: string): RequestAttributes => ({
  ...alice,
  verb,
  resource: { apiGroup, resource, subresource, namespace, name },
});

test('first matching rule wins and policy omitStages merge into the rule', () => {
  const p: AuditPolicy = {
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'Metadata', resources: [{ group: '', resources: ['secrets'] }], omitStages: ['ResponseStarted'] },
      { level: 'RequestResponse' },
    ],
  };
  const d = decide(p, req('get', '', 'secrets'));
  assert.equal(d.level, 'Metadata');
  assert.deepEqual(d.omitStages, ['RequestReceived', 'ResponseStarted']);
  assert.equal(decide(p, req('get', '', 'pods')).level, 'RequestResponse');
  assert.equal(decide({ rules: [] }, req('get', '', 'pods')).level, 'None');
});

test('resource matching: "pods" is not "pods/exec"; "pods/*" and "*/exec" are; group "*"; resourceNames; namespaces ""', () => {
  const only = (resources: string[], group = '') => ({ rules: [{ level: 'Request' as const, resources: [{ group, resources }] }] });
  assert.equal(decide(only(['pods']), req('create', '', 'pods', 'exec')).level, 'None');
  assert.equal(decide(only(['pods/*']), req('create', '', 'pods', 'exec')).level, 'Request');
  assert.equal(decide(only(['pods/*']), req('create', '', 'pods')).level, 'Request', 'resource/* also matches the resource itself');
  assert.equal(decide(only(['*/exec']), req('create', '', 'pods', 'exec')).level, 'Request');
  assert.equal(decide(only(['*/exec']), req('create', '', 'pods')).level, 'None');
  assert.equal(decide(only(['deployments']), req('create', 'apps', 'deployments')).level, 'None', 'group "" never matches apps');
  assert.equal(decide(only(['deployments'], '*'), req('create', 'apps', 'deployments')).level, 'Request');
  const named: AuditPolicy = { rules: [{ level: 'Request', resources: [{ group: '', resources: ['configmaps'], resourceNames: ['aws-auth'] }] }] };
  assert.equal(decide(named, req('update', '', 'configmaps', undefined, 'kube-system', 'aws-auth')).level, 'Request');
  assert.equal(decide(named, req('list', '', 'configmaps', undefined, 'kube-system')).level, 'None');
  const clusterScoped: AuditPolicy = { rules: [{ level: 'Metadata', namespaces: [''] }] };
  assert.equal(decide(clusterScoped, req('create', 'rbac.authorization.k8s.io', 'clusterroles', undefined, '')).level, 'Metadata');
  assert.equal(decide(clusterScoped, req('create', '', 'pods')).level, 'None');
});

test('non-resource URLs: prefix with *, and rules with resources never match them', () => {
  const p: AuditPolicy = {
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*'] },
      { level: 'Request', resources: [{ group: '' }], nonResourceURLs: ['/metrics'] },
      { level: 'Metadata' },
    ],
  };
  assert.equal(decide(p, { ...alice, verb: 'get', path: '/healthz/etcd' }).level, 'None');
  assert.equal(decide(p, { ...alice, verb: 'get', path: '/metrics' }).level, 'Metadata');
});

test('users and userGroups filters', () => {
  const p: AuditPolicy = { rules: [{ level: 'None', users: ['system:kube-proxy'] }, { level: 'None', userGroups: ['system:nodes'] }, { level: 'Metadata' }] };
  assert.equal(decide(p, { user: 'system:kube-proxy', groups: [], verb: 'watch', resource: { apiGroup: '', resource: 'endpoints' } }).level, 'None');
  assert.equal(decide(p, { user: 'system:node:n1', groups: ['system:nodes'], verb: 'get', resource: { apiGroup: '', resource: 'nodes' } }).level, 'None');
  assert.equal(decide(p, req('get', '', 'nodes')).level, 'Metadata');
});

const BAD = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["pods", "secrets"]
  - level: Request
    resources:
      - group: ""
        resources: ["deployments"]
  - level: Metadata
  - level: None
    resources:
      - group: "rbac.authorization.k8s.io"
`;

test('lint finds the known mistakes at the right lines', () => {
  const r = lintPolicy(BAD, 'bad.yaml');
  assert.deepEqual(r.errors, []);
  const at = (id: string) => r.findings.filter((f) => f.id === id).map((f) => f.line);
  assert.deepEqual(at('credentials-logged'), [6, 6, 6]);
  assert.deepEqual(at('pods-without-subresources'), [6]);
  assert.deepEqual(at('wrong-api-group'), [10]);
  assert.deepEqual(at('unreachable-rule'), [15]);
  assert.deepEqual(at('request-received-not-omitted'), [1]);
  assert.deepEqual(at('managed-fields-not-omitted'), [1]);
  const cov = Object.fromEntries(r.coverage.map((c) => [c.probe, c]));
  assert.equal(cov['secret-get'].verdict, 'leaks');
  assert.equal(cov['exec'].level, 'Metadata');
  assert.equal(cov['exec'].rule, 3);
  assert.equal(cov['rbac-crb'].verdict, 'too-low');
});

test('lint: nothing logged, empty policy, invalid documents', () => {
  const none = lintPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: None\n', 'none.yaml');
  assert.ok(none.findings.some((f) => f.id === 'sensitive-not-logged' && f.severity === 'high' && /exec/.test(f.message)));
  const empty = lintPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n', 'e.yaml');
  assert.ok(empty.findings.some((f) => f.id === 'empty-policy' && f.severity === 'critical'));
  assert.match(lintPolicy('kind: Pod\napiVersion: v1\n', 'x.yaml').errors[0].message, /not an audit policy/);
  assert.match(lintPolicy('rules: [\n', 'x.yaml').errors[0].message, /invalid YAML/);
  assert.match(lintPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n', 'x.yaml').errors[0].message, /level must be one of/);
});

test('subsumption is conservative', () => {
  assert.ok(subsumes({ level: 'None' }, { level: 'Metadata', verbs: ['get'] }));
  assert.ok(subsumes({ level: 'None', verbs: ['get', 'list'] }, { level: 'Metadata', verbs: ['get'] }));
  assert.ok(!subsumes({ level: 'None', verbs: ['get'] }, { level: 'Metadata' }));
  assert.ok(subsumes({ level: 'None', resources: [{ group: '' }] }, { level: 'Metadata', resources: [{ group: '', resources: ['pods'] }] }));
  assert.ok(!subsumes({ level: 'None', resources: [{ group: '', resources: ['pods'] }] }, { level: 'Metadata', resources: [{ group: '', resources: ['pods/exec'] }] }));
  assert.ok(subsumes({ level: 'None', resources: [{ group: '', resources: ['pods/*'] }] }, { level: 'Metadata', resources: [{ group: '', resources: ['pods/exec'] }] }));
  assert.ok(!subsumes({ level: 'None', nonResourceURLs: ['/healthz'] }, { level: 'None', resources: [{ group: '' }] }));
});

for (const p of PROFILES) {
  test(`generated profile ${p} lints clean`, () => {
    const r = lintPolicy(generatePolicy(p), `${p}.yaml`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.findings.map((f) => `${f.id}: ${f.message}`), []);
    assert.ok(r.coverage.every((c) => c.verdict === 'ok'));
  });
}

test('profiles differ where they promise: reads', () => {
  const read = req('get', '', 'pods', undefined, 'default', 'web');
  const level = (p: (typeof PROFILES)[number]) => {
    const { parsePolicy } = lintModule;
    return decide(parsePolicy(generatePolicy(p)).policy!, read).level;
  };
  assert.equal(level('minimal'), 'None');
  assert.equal(level('recommended'), 'Metadata');
  assert.equal(level('forensic'), 'Request');
});
import * as lintModule from '../../src/audit/policy/lint.js';
