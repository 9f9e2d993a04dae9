// Differential test of the RBAC evaluator (src/analysis/rbac) against a real kube-apiserver:
// seeded random but realistic RBAC configurations (verbs incl. case and special verbs, API groups,
// resources, `res/sub`, `*/sub`, `res/*`, `*`, resourceNames, non-resource URLs with `*`,
// RoleBinding -> ClusterRole scoping, roleRefs to missing roles, Role resolved in the binding's
// namespace, ServiceAccount subjects with and without namespace, users named "*", groups including
// system:authenticated / system:serviceaccounts[:ns], aggregated ClusterRoles) and requests drawn
// from the same vocabulary, asked with SubjectAccessReview (whose groups are taken exactly as
// given: evaluator option exactGroups) and by the evaluator, which must agree on every one.
// The evaluator is built from what the server holds after each batch (every Role, ClusterRole,
// RoleBinding and ClusterRoleBinding listed back: the bootstrap policy included, and aggregated
// roles as the clusterrole-aggregation controller of kube-controller-manager filled them).
// Also checks that the bundled bootstrap ClusterRoles (bootstrap-roles.ts) equal the server's.
//
// Run with `npm run test:e2e` after `bash scripts/testenv/setup.sh`; FAILS (does not skip) without
// the binaries. Without kube-controller-manager, aggregated roles are not sent to the server and
// aggregation is checked offline only (the test says so). Sizes: KUBEWARD_RBAC_CONFIGS (default
// 1200), KUBEWARD_RBAC_REQUESTS per configuration (10), KUBEWARD_RBAC_SEED.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { assertTestenvBinaries, startTestCluster, testenvBinDir, type TestCluster } from '../test/helpers/testenv.js';
import { fromRoot } from '../test/helpers/paths.js';
import { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_VERSION, evaluateFromObjects, type AuthzRequest } from '../src/analysis/rbac/index.js';
import type { KubeObject } from '../src/core/types.js';
import { mulberry32 } from '../test/helpers/prng.js';

const CONFIGS = Number(process.env.KUBEWARD_RBAC_CONFIGS ?? 1200);
const REQUESTS = Number(process.env.KUBEWARD_RBAC_REQUESTS ?? 10);
const SEED = Number(process.env.KUBEWARD_RBAC_SEED ?? 20261127);
const BATCH = 200;
const G = 'rbac.authorization.k8s.io';
const API = `${G}/v1`;
const NAMESPACES = ['ns-a', 'ns-b', 'ns-c'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

// ------------------------------------------------------------------ seeded generator
const rng = mulberry32;
const rnd = rng(SEED);
const chance = (p: number) => rnd() < p;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rnd() * max) }, () => pick(xs)))];

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', 'approve', 'use', '*', 'GET'];
const GROUPS = ['', '', 'apps', 'batch', G, 'example.com', '*'];
const RESOURCES = ['pods', 'pods/exec', 'pods/log', 'pods/*', '*/scale', '*/exec', 'deployments', 'deployments/scale', 'secrets', 'configmaps', 'nodes', 'nodes/proxy', '*', 'widgets', 'serviceaccounts/token', 'roles', 'clusterroles', 'users', 'groups'];
const NAMES = ['a', 'b', 'aws-auth'];
const URLS = ['/metrics', '/healthz', '/apis/*', '/apis', '/api', '*', '/logs/*', '/version'];
const REQ_PATHS = ['/metrics', '/healthz', '/apis', '/apis/v1', '/apis/apps/v1/x', '/api', '/logs/kubelet.log', '/logs', '/version', '/foo'];
const REQ_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate', 'approve', 'use', 'post', 'GET'];
const REQ_RESOURCES: Array<[string, string?]> = [['pods'], ['pods', 'exec'], ['pods', 'log'], ['pods', 'status'], ['deployments'], ['deployments', 'scale'], ['replicasets', 'scale'], ['secrets'], ['configmaps'], ['nodes'], ['nodes', 'proxy'], ['widgets'], ['serviceaccounts', 'token'], ['roles'], ['clusterroles'], ['users'], ['groups'], ['foobar']];

interface Config {
  objects: KubeObject[];
  users: string[];
  groups: string[];
  aggregated: boolean;
}

function resourceRule(): Any {
  const r: Any = { verbs: some(VERBS, 3), apiGroups: some(GROUPS, 2), resources: some(RESOURCES, 3) };
  if (chance(0.2)) r.resourceNames = some(NAMES, 2);
  return r;
}

function makeConfig(k: number, aggregation: boolean): Config {
  const p = `c${k}`;
  const objects: KubeObject[] = [];
  const users = [`${p}-u0`, `${p}-u1`, ...(chance(0.1) ? ['*'] : [])];
  const groups = [`${p}-g0`, `${p}-g1`];
  const sas = [`${p}-sa0`, `${p}-sa1`];
  const crNames: string[] = [];
  const roleNames = new Map<string, string[]>();
  const nCR = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < nCR; i++) {
    const rules: Any[] = Array.from({ length: 1 + Math.floor(rnd() * 3) }, resourceRule);
    if (chance(0.25)) rules.push({ verbs: some(['get', 'post', '*'], 2), nonResourceURLs: some(URLS, 2) });
    const name = `${p}-cr${i}`;
    crNames.push(name);
    objects.push({ apiVersion: API, kind: 'ClusterRole', metadata: { name, labels: { [`kubeward-e2e/${p}`]: chance(0.5) ? 'x' : 'y' } }, rules });
  }
  let aggregated = false;
  if (aggregation && chance(0.15)) {
    aggregated = true;
    const name = `${p}-agg`;
    crNames.push(name);
    const sel = chance(0.5) ? { matchLabels: { [`kubeward-e2e/${p}`]: 'x' } } : { matchExpressions: [{ key: `kubeward-e2e/${p}`, operator: 'In', values: ['x', 'y'] }] };
    objects.push({ apiVersion: API, kind: 'ClusterRole', metadata: { name }, aggregationRule: { clusterRoleSelectors: [sel] }, rules: [] });
  }
  for (const ns of some(NAMESPACES, 2)) {
    const names = [`${p}-r0`, ...(chance(0.3) ? [`${p}-r1`] : [])];
    roleNames.set(ns, names);
    for (const name of names) objects.push({ apiVersion: API, kind: 'Role', metadata: { name, namespace: ns }, rules: Array.from({ length: 1 + Math.floor(rnd() * 3) }, resourceRule) });
  }
  const subject = (namespaced: boolean): Any => {
    const x = rnd();
    if (x < 0.3) return { kind: 'User', apiGroup: G, name: pick(users) };
    if (x < 0.55) {
      const specials = ['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts', `system:serviceaccounts:${pick(NAMESPACES)}`];
      return { kind: 'Group', apiGroup: G, name: chance(0.08) ? pick(specials) : pick(groups) };
    }
    if (namespaced && chance(0.4)) return { kind: 'ServiceAccount', name: pick(sas) };
    return { kind: 'ServiceAccount', name: pick(sas), namespace: pick(NAMESPACES) };
  };
  const nRB = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < nRB; i++) {
    const ns = pick(NAMESPACES);
    const x = rnd();
    let roleRef: Any;
    if (x < 0.4) roleRef = { apiGroup: G, kind: 'ClusterRole', name: pick(crNames) };
    else if (x < 0.9) {
      // a Role of this namespace, or the name of a Role that exists only in another namespace
      const own = roleNames.get(ns);
      const any = [...roleNames.values()].flat();
      roleRef = { apiGroup: G, kind: 'Role', name: own && chance(0.8) ? pick(own) : any.length ? pick(any) : `${p}-r0` };
    } else roleRef = { apiGroup: G, kind: chance(0.5) ? 'Role' : 'ClusterRole', name: `${p}-missing` };
    objects.push({ apiVersion: API, kind: 'RoleBinding', metadata: { name: `${p}-rb${i}`, namespace: ns }, roleRef, subjects: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => subject(true)) });
  }
  const nCRB = Math.floor(rnd() * 3);
  for (let i = 0; i < nCRB; i++) {
    objects.push({
      apiVersion: API,
      kind: 'ClusterRoleBinding',
      metadata: { name: `${p}-crb${i}` },
      roleRef: { apiGroup: G, kind: 'ClusterRole', name: chance(0.9) ? pick(crNames) : `${p}-missing` },
      subjects: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => subject(false)),
    });
  }
  const saUsers = sas.flatMap((s) => NAMESPACES.map((ns) => `system:serviceaccount:${ns}:${s}`));
  return { objects, users: [...users, ...saUsers], groups, aggregated };
}

/**
 * Half of the requests aim at a grant of the configuration (a binding's subject, a rule of its
 * role, its namespace), with one attribute perturbed now and then; the others are drawn at random.
 */
function makeRequest(c: Config): AuthzRequest {
  return chance(0.5) ? targetedRequest(c) ?? randomRequest(c) : randomRequest(c);
}

function targetedRequest(c: Config): AuthzRequest | undefined {
  const bindings = c.objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
  if (bindings.length === 0) return undefined;
  const b: Any = pick(bindings);
  const roleNs = b.roleRef.kind === 'Role' ? b.metadata.namespace : undefined;
  const role: Any = c.objects.find((o) => o.kind === b.roleRef.kind && o.metadata?.name === b.roleRef.name && o.metadata?.namespace === roleNs);
  const rules: Any[] = role?.rules?.length ? role.rules : c.objects.filter((o) => o.kind === 'ClusterRole' && (o.rules as Any[])?.length).flatMap((o) => o.rules as Any[]);
  if (rules.length === 0) return undefined;
  const rule = pick(rules);
  const s = pick(b.subjects as Any[]);
  let user: string | undefined;
  const groups: string[] = [];
  if (s.kind === 'User') user = s.name;
  else if (s.kind === 'Group') groups.push(s.name);
  else {
    const ns = s.namespace ?? b.metadata.namespace ?? pick(NAMESPACES);
    user = `system:serviceaccount:${ns}:${s.name}`;
    if (chance(0.5)) groups.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  }
  if (!user && groups.length === 0) user = pick(c.users);
  const anyOf = (xs: string[], random: () => string) => {
    const x = pick(xs);
    return x === '*' ? random() : x;
  };
  const verb = chance(0.1) ? pick(REQ_VERBS) : anyOf(rule.verbs, () => pick(REQ_VERBS));
  if (rule.nonResourceURLs) {
    const u = pick(rule.nonResourceURLs as string[]);
    const path = chance(0.15) ? pick(REQ_PATHS) : u === '*' ? pick(REQ_PATHS) : u.endsWith('*') ? u.slice(0, -1) + pick(['', 'v1', 'x/y']) : u;
    return { user, groups, verb, path };
  }
  const apiGroup = chance(0.1) ? pick(['', 'apps', 'other.io']) : anyOf(rule.apiGroups, () => pick(['', 'apps', 'batch', 'other.io']));
  const res = chance(0.1) ? pick(RESOURCES) : pick(rule.resources as string[]);
  let resource: string;
  let subresource: string | undefined;
  const [r0, s0] = res.split('/');
  resource = r0 === '*' ? pick(['pods', 'deployments', 'widgets', 'foobar']) : r0;
  subresource = s0 === undefined ? (r0 === '*' && chance(0.3) ? pick(['exec', 'status', 'scale']) : undefined) : s0 === '*' ? pick(['exec', 'log', '*']) : s0;
  if (chance(0.05)) subresource = undefined;
  const names: string[] | undefined = rule.resourceNames;
  const name = names && chance(0.8) ? pick(names) : chance(0.3) ? pick(['a', 'b', 'c']) : undefined;
  const namespace = b.kind === 'RoleBinding' ? (chance(0.85) ? b.metadata.namespace : chance(0.5) ? pick(NAMESPACES) : undefined) : chance(0.6) ? pick(NAMESPACES) : undefined;
  return { user, groups, verb, apiGroup, resource, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}), ...(namespace ? { namespace } : {}) };
}

function randomRequest(c: Config): AuthzRequest {
  let user = chance(0.1) ? undefined : chance(0.05) ? 'someone-else' : pick(c.users);
  const groups: string[] = [];
  if (chance(0.6) && c.groups.length > 0) groups.push(...some(c.groups, 2));
  if (chance(0.3)) groups.push(pick(['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${pick(NAMESPACES)}`, 'system:unauthenticated']));
  if (user === undefined && groups.length === 0) user = pick(c.users); // a SubjectAccessReview needs a user or a group
  const verb = pick(REQ_VERBS);
  if (chance(0.15)) return { user, groups, verb, path: pick(REQ_PATHS) };
  const [resource, subresource] = pick(REQ_RESOURCES);
  return {
    user,
    groups,
    verb,
    apiGroup: pick(['', '', 'apps', 'batch', G, 'example.com', 'other.io']),
    resource,
    ...(subresource ? { subresource } : {}),
    ...(chance(0.5) ? { name: pick(['a', 'b', 'c', 'aws-auth']) } : {}),
    ...(chance(0.8) ? { namespace: pick([...NAMESPACES, 'elsewhere']) } : {}),
  };
}

/** The 25 cases of the guide (rbac-semantics.md), as objects and requests asked of both. */
function guideCases(): { objects: KubeObject[]; requests: AuthzRequest[] } {
  const cr = (name: string, rules: Any[]): KubeObject => ({ apiVersion: API, kind: 'ClusterRole', metadata: { name }, rules });
  const crb = (name: string, role: string, subjects: Any[]): KubeObject => ({ apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects });
  const rb = (ns: string, name: string, kind: string, role: string, subjects: Any[]): KubeObject => ({ apiVersion: API, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: G, kind, name: role }, subjects });
  const u = (name: string) => ({ kind: 'User', apiGroup: G, name });
  const objects: KubeObject[] = [
    cr('g01', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
    rb('ns-a', 'g01', 'ClusterRole', 'g01', [u('g01-admin'), { kind: 'Group', apiGroup: G, name: 'g01-admins' }]),
    cr('g02', [{ verbs: ['get'], nonResourceURLs: ['/apis'] }]),
    crb('g02', 'g02', [u('g02')]),
    cr('g03', [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }]),
    crb('g03', 'g03', [u('g03')]),
    cr('g04', [{ verbs: ['v1'], nonResourceURLs: ['*'] }, { verbs: ['v3'], nonResourceURLs: ['/foo'] }]),
    crb('g04', 'g04', [u('g04')]),
    cr('g05', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: ['*'], resources: ['pods/status', '*/scale'] }, { verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }]),
    crb('g05', 'g05', [u('g05')]),
    cr('g13', [{ verbs: ['get', 'list', 'create', 'deletecollection'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }]),
    crb('g13', 'g13', [u('g13')]),
    rb('ns-a', 'g14', 'ClusterRole', 'g02', [u('g14')]),
    { apiVersion: API, kind: 'Role', metadata: { name: 'g15', namespace: 'ns-b' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] },
    rb('ns-a', 'g15', 'Role', 'g15', [u('g15')]),
    rb('ns-a', 'g16', 'ClusterRole', 'g16-missing', [u('g16')]),
    rb('ns-a', 'g17', 'ClusterRole', 'g05', [{ kind: 'ServiceAccount', name: 'g17' }]),
    rb('ns-b', 'g18', 'ClusterRole', 'g05', [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }]),
    crb('g19', 'g05', [u('*')]),
    rb('ns-c', 'g20', 'ClusterRole', 'g05', [{ kind: 'Group', apiGroup: G, name: 'system:serviceaccounts:ns-c' }]),
    crb('g21', 'g03', [{ kind: 'Group', apiGroup: G, name: 'system:unauthenticated' }]),
  ];
  const q = (user: string | undefined, groups: string[], verb: string, rest: Any): AuthzRequest => ({ user, groups, verb, ...rest });
  const requests: AuthzRequest[] = [
    q('joe', ['g01-admins'], 'watch', { resource: 'foobar', namespace: 'ns-a' }),
    q('g01-admin', [], 'get', { resource: 'pods', namespace: 'ns-b' }),
    q('g01-admin', [], 'get', { resource: 'nodes' }),
    q('g02', [], 'watch', { path: '/apis' }),
    q('g02', [], 'get', { path: '/api/v1' }),
    q('g02', [], 'get', { path: '/apis' }),
    q('g03', [], 'get', { path: '/apis/v1/foobar' }),
    q('g03', [], 'get', { path: '/apis' }),
    q('g04', [], 'v1', { path: '/foo/bar/one' }),
    q('g04', [], 'v2', { path: '/foo/bar/one' }),
    q('g04', [], 'v3', { path: '/foo/bar' }),
    q('g05', [], 'get', { resource: 'pods', subresource: 'status', namespace: 'ns-a' }),
    q('g05', [], 'get', { apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns-a' }),
    q('g05', [], 'get', { apiGroup: 'x', resource: 'anything', subresource: 'scale', namespace: 'ns-a' }),
    q('g05', [], 'create', { resource: 'pods', subresource: 'exec', namespace: 'ns-a' }),
    q('g05', [], 'GET', { resource: 'pods', namespace: 'ns-a' }),
    q('g05', [], 'create', { apiGroup: 'apps', resource: 'pods', namespace: 'ns-a' }),
    ...['a', 'b', ''].flatMap((name) => ['get', 'list', 'create', 'deletecollection'].map((verb) => q('g13', [], verb, { resource: 'configmaps', namespace: 'ns-a', ...(name ? { name } : {}) }))),
    q('g14', [], 'get', { path: '/apis' }),
    q('g15', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('g16', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('system:serviceaccount:ns-a:g17', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('system:serviceaccount:kube-system:default', [], 'get', { resource: 'pods', namespace: 'ns-b' }),
    q('system:serviceaccount:kube-system:default', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('foobar', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('*', [], 'get', { resource: 'pods', namespace: 'ns-a' }),
    q('system:serviceaccount:ns-c:x', ['system:serviceaccounts:ns-c'], 'get', { resource: 'pods', namespace: 'ns-c' }),
    q('system:serviceaccount:ns-b:x', ['system:serviceaccounts:ns-b'], 'get', { resource: 'pods', namespace: 'ns-c' }),
    q('system:anonymous', ['system:unauthenticated'], 'get', { path: '/apis/v1' }),
    q('root', ['system:masters'], 'delete', { resource: 'nodes' }),
  ];
  return { objects, requests };
}

// ------------------------------------------------------------------ HTTP with keep-alive
function client(cluster: TestCluster) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: cluster.caPem });
  const url = new URL(cluster.url);
  return (method: string, path: string, body?: unknown): Promise<{ status: number; json: Any; body: string }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: { authorization: `Bearer ${cluster.tokens.admin}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Any;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, body: text });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
}

async function pool<T, R>(items: readonly T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

function collection(o: KubeObject): string {
  const base = `/apis/${G}/v1`;
  const ns = o.metadata?.namespace;
  const plural = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' }[o.kind as string];
  return ns ? `${base}/namespaces/${ns}/${plural}` : `${base}/${plural}`;
}

function sarBody(r: AuthzRequest): Any {
  const spec: Any = { user: r.user ?? '', groups: r.groups ?? [] };
  if ('path' in r) spec.nonResourceAttributes = { path: r.path, verb: r.verb };
  else spec.resourceAttributes = { namespace: r.namespace ?? '', verb: r.verb, group: r.apiGroup ?? '', resource: r.resource, subresource: r.subresource ?? '', name: r.name ?? '' };
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
}

function describeReq(r: AuthzRequest): string {
  const who = `user=${JSON.stringify(r.user ?? '')} groups=${JSON.stringify(r.groups ?? [])}`;
  if ('path' in r) return `${who} ${r.verb} ${r.path}`;
  return `${who} ${r.verb} ${r.apiGroup ?? ''}/${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.name ? ` name=${r.name}` : ''}${r.namespace ? ` ns=${r.namespace}` : ' (cluster)'}`;
}

// ------------------------------------------------------------------ the test
it('has the test environment binaries (else: bash scripts/testenv/setup.sh)', () => {
  assertTestenvBinaries();
});

describe('RBAC evaluator vs kube-apiserver SubjectAccessReview', () => {
  let cluster: TestCluster;
  let call: ReturnType<typeof client>;
  const kcm = fs.existsSync(`${testenvBinDir()}/kube-controller-manager`);

  before(async () => {
    cluster = await startTestCluster({ controllerManager: kcm, timeoutMs: 300_000 });
    call = client(cluster);
    for (const ns of NAMESPACES) {
      const r = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      assert.equal(r.status, 201, r.body);
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  it(`bundled bootstrap ClusterRoles (${BOOTSTRAP_VERSION}) equal the server's`, async () => {
    const r = await call('GET', `/apis/${G}/v1/clusterroles?labelSelector=${encodeURIComponent('kubernetes.io/bootstrapping=rbac-defaults')}`);
    assert.equal(r.status, 200, r.body);
    const server = (r.json.items as Any[])
      .map((i) => ({
        name: i.metadata.name,
        labels: i.metadata.labels ?? {},
        ...(i.aggregationRule ? { aggregationRule: i.aggregationRule } : {}),
        // the aggregation controller fills aggregated roles; the bundle keeps them empty like a fresh server
        rules: i.aggregationRule ? [] : (i.rules ?? []),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    if (process.env.KUBEWARD_UPDATE_BOOTSTRAP === '1') {
      const file = fromRoot('src/analysis/rbac/bootstrap-roles.ts');
      const text = fs.readFileSync(file, 'utf8');
      const head = text.slice(0, text.indexOf('export const BOOTSTRAP_CLUSTER_ROLES'));
      const version = (await call('GET', '/version')).json.gitVersion;
      fs.writeFileSync(
        file,
        head.replace(/BOOTSTRAP_VERSION = '[^']*'/, `BOOTSTRAP_VERSION = '${version}'`).replace(/kube-apiserver v[0-9.]+ stores/, `kube-apiserver ${version} stores`) +
          `export const BOOTSTRAP_CLUSTER_ROLES: readonly BootstrapClusterRole[] = [\n${server.map((x) => `  ${JSON.stringify(x)},`).join('\n')}\n];\n`,
      );
      console.log(`# wrote ${server.length} bootstrap ClusterRoles to ${file}`);
      return;
    }
    assert.deepEqual(JSON.parse(JSON.stringify(BOOTSTRAP_CLUSTER_ROLES)), server, 'bootstrap-roles.ts differs from the server: regenerate with KUBEWARD_UPDATE_BOOTSTRAP=1');
  });

  it(`agrees on ${CONFIGS} random configurations x ${REQUESTS} requests, and on the guide's cases`, { timeout: 20 * 60_000 }, async () => {
    const started = Date.now();
    const guide = guideCases();
    const configs = Array.from({ length: CONFIGS }, (_, k) => makeConfig(k, kcm));
    let compared = 0;
    let allowedCount = 0;
    let rejected = 0;
    let objectsSent = 0;
    const mismatches: string[] = [];
    const aggregatedLive = configs.filter((c) => c.aggregated).length;
    for (let b = 0; b * BATCH < CONFIGS || b === 0; b++) {
      const batch = configs.slice(b * BATCH, (b + 1) * BATCH);
      const objects = [...(b === 0 ? guide.objects : []), ...batch.flatMap((c) => c.objects)];
      // Roles before bindings only for readability of failures: the server does not care.
      const order = (o: KubeObject) => (o.kind === 'Role' || o.kind === 'ClusterRole' ? 0 : 1);
      const results = await pool([...objects].sort((x, y) => order(x) - order(y)), 16, async (o) => (await call('POST', collection(o), o)).status);
      objectsSent += objects.length;
      rejected += results.filter((s) => s !== 201).length;
      // Sentinels: once the server grants through them, its RBAC caches hold everything sent before.
      const s = `sentinel-${b}`;
      for (const o of [
        { apiVersion: API, kind: 'ClusterRole', metadata: { name: s }, rules: [{ verbs: ['get'], apiGroups: ['sentinel.io'], resources: ['sentinels'] }] },
        { apiVersion: API, kind: 'Role', metadata: { name: s, namespace: 'ns-a' }, rules: [{ verbs: ['list'], apiGroups: ['sentinel.io'], resources: ['sentinels'] }] },
        { apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name: s }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: s }, subjects: [{ kind: 'User', apiGroup: G, name: s }] },
        { apiVersion: API, kind: 'RoleBinding', metadata: { name: s, namespace: 'ns-a' }, roleRef: { apiGroup: G, kind: 'Role', name: s }, subjects: [{ kind: 'User', apiGroup: G, name: s }] },
      ] as KubeObject[]) {
        const r = await call('POST', collection(o), o);
        assert.equal(r.status, 201, r.body);
      }
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [c, n] = await Promise.all([
          call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sarBody({ user: s, groups: [], verb: 'get', apiGroup: 'sentinel.io', resource: 'sentinels' })),
          call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sarBody({ user: s, groups: [], verb: 'list', apiGroup: 'sentinel.io', resource: 'sentinels', namespace: 'ns-a' })),
        ]);
        if (c.json?.status?.allowed && n.json?.status?.allowed) break;
        assert.ok(Date.now() < deadline, 'the RBAC caches did not catch up within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      // Aggregated roles: wait until the controller has filled every one that selects something.
      if (kcm && batch.some((c) => c.aggregated)) {
        const aggDeadline = Date.now() + 120_000;
        for (;;) {
          const crs = await call('GET', `/apis/${G}/v1/clusterroles`);
          const byName = new Map((crs.json.items as Any[]).map((i) => [i.metadata.name, i]));
          const pending = batch.filter((c) => c.aggregated).filter((c) => {
            const agg = c.objects.find((o) => o.aggregationRule)!;
            const want = evaluateFromObjects(crs.json.items.map((i: Any) => ({ ...i, apiVersion: API, kind: 'ClusterRole' })), { aggregation: 'controller' }).role({ kind: 'ClusterRole', name: agg.metadata!.name! })!.rules.length;
            return ((byName.get(agg.metadata!.name!) as Any)?.rules ?? []).length !== want;
          });
          if (pending.length === 0) break;
          assert.ok(Date.now() < aggDeadline, `the aggregation controller did not fill ${pending.length} ClusterRoles within 120 s`);
          await new Promise((r) => setTimeout(r, 500));
        }
        // and once more for the RBAC caches to see the controller's writes
        await new Promise((r) => setTimeout(r, 1000));
      }
      // The evaluator sees exactly what the server holds.
      const listed: KubeObject[] = [];
      for (const [kind, plural] of [['Role', 'roles'], ['ClusterRole', 'clusterroles'], ['RoleBinding', 'rolebindings'], ['ClusterRoleBinding', 'clusterrolebindings']]) {
        const r = await call('GET', `/apis/${G}/v1/${plural}`);
        assert.equal(r.status, 200, r.body);
        for (const i of r.json.items) listed.push({ ...i, apiVersion: API, kind });
      }
      const ours = evaluateFromObjects(listed, { aggregation: 'controller' });
      const requests = [...(b === 0 ? guide.requests : []), ...batch.flatMap((c) => Array.from({ length: REQUESTS }, () => makeRequest(c)))];
      const answers = await pool(requests, 16, async (r) => {
        const res = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sarBody(r));
        assert.equal(res.status, 201, res.body);
        return res.json.status as { allowed: boolean; reason?: string; evaluationError?: string };
      });
      requests.forEach((r, i) => {
        const mine = ours.authorize(r, { exactGroups: true });
        compared++;
        if (answers[i].allowed) allowedCount++;
        if (mine.allowed !== answers[i].allowed && mismatches.length < 20) {
          mismatches.push(`${describeReq(r)}: server ${answers[i].allowed} (${answers[i].reason ?? ''}${answers[i].evaluationError ? `; ${answers[i].evaluationError}` : ''}), kubeward ${mine.allowed} (${mine.reason})`);
        }
      });
    }
    // Without the controller manager: aggregation checked offline, against the same configuration
    // with each aggregated role replaced by the explicit union of the roles it selects.
    let offline = 0;
    if (!kcm) {
      const r2 = rng(SEED + 1);
      for (let k = 0; k < 200; k++) {
        const sources = Array.from({ length: 1 + Math.floor(r2() * 3) }, (_, i) => ({ apiVersion: API, kind: 'ClusterRole', metadata: { name: `s${i}`, labels: { agg: r2() < 0.7 ? 'yes' : 'no' } }, rules: [resourceRule()] }) as KubeObject);
        const agg: KubeObject = { apiVersion: API, kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'yes' } }] }, rules: [] };
        const union: KubeObject = { apiVersion: API, kind: 'ClusterRole', metadata: { name: 'agg' }, rules: sources.filter((s) => s.metadata!.labels!.agg === 'yes').flatMap((s) => s.rules as Any[]) };
        const bind = { apiVersion: API, kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'agg' }, subjects: [{ kind: 'User', apiGroup: G, name: 'u' }] } as KubeObject;
        const a = evaluateFromObjects([...sources, agg, bind], { aggregation: 'controller' });
        const e = evaluateFromObjects([...sources, union, bind]);
        const c: Config = { objects: [], users: ['u'], groups: [], aggregated: true };
        for (let i = 0; i < 20; i++) {
          const req = makeRequest(c);
          offline++;
          if (a.authorize(req, { exactGroups: true }).allowed !== e.authorize(req, { exactGroups: true }).allowed) mismatches.push(`offline aggregation ${k}: ${describeReq(req)}`);
        }
      }
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `# rbac differential: ${CONFIGS} configurations (${objectsSent} objects sent, ${rejected} rejected by the server, ` +
        `${kcm ? `${aggregatedLive} with aggregated ClusterRoles filled by kube-controller-manager` : 'aggregation NOT live: kube-controller-manager missing'}), ` +
        `${compared} SubjectAccessReviews compared (${allowedCount} allowed, ${compared - allowedCount} denied)` +
        `${offline ? `, ${offline} aggregation requests compared offline only` : ''}, seed ${SEED}, ${secs} s`,
    );
    assert.deepEqual(mismatches, [], `${mismatches.length} disagreement(s) with kube-apiserver`);
    assert.ok(compared >= CONFIGS * REQUESTS);
  });
});
