// `kubeward fix metadata` (issue 6): the selector complement, the rewrite of Egress policies, the
// plan per CNI, and the proof. The randomized test builds many clusters of random Egress policies
// and pods and requires, for each, that after the fix every non-hostNetwork pod is denied the
// metadata API and no other evaluated flow is cut or opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { complementSelectors, planMetadataFix, proveFix, rewriteEgressPolicy, stateAfter } from '../../src/analysis/metadata/fix.js';
import { selectorMatches } from '../../src/model/cluster-state.js';
import { NetworkPolicyEvaluator, assumeEnforcement } from '../../src/analysis/network/index.js';
import { np, ns, pod, stateOf, calicoNp } from '../network/helpers.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../../src/cli/io.js';
import { fromRoot } from '../helpers/paths.js';
import { mulberry32 } from '../helpers/prng.js';

type Sel = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

const rng = mulberry32;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const KEYS = ['app', 'tier', 'team'];
const VALUES = ['a', 'b', 'c'];

function randomLabels(r: () => number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEYS) if (r() < 0.6) out[k] = pick(r, VALUES);
  return out;
}

function randomSelector(r: () => number): Sel {
  const n = Math.floor(r() * 3);
  if (n === 0) return r() < 0.3 ? {} : { matchLabels: { [pick(r, KEYS)]: pick(r, VALUES) } };
  const sel: Sel = {};
  for (let i = 0; i < n; i++) {
    const key = pick(r, KEYS);
    const op = pick(r, ['In', 'NotIn', 'Exists', 'DoesNotExist', 'label']);
    if (op === 'label') sel.matchLabels = { ...(sel.matchLabels ?? {}), [key]: pick(r, VALUES) };
    else (sel.matchExpressions ??= []).push({ key, operator: op, ...(op === 'In' || op === 'NotIn' ? { values: [pick(r, VALUES), pick(r, VALUES)] } : {}) });
  }
  return sel;
}

function allLabelSets(): Array<Record<string, string>> {
  let sets: Array<Record<string, string>> = [{}];
  for (const k of KEYS) sets = sets.flatMap((s) => [s, ...VALUES.map((v) => ({ ...s, [k]: v }))]);
  return sets;
}

test('complementSelectors selects exactly the label sets no input selector selects (exhaustive over 64 label sets, 400 random selector lists)', () => {
  const universe = allLabelSets();
  const r = rng(7);
  for (let i = 0; i < 400; i++) {
    const sels = Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomSelector(r));
    const comp = complementSelectors(sels, 1000);
    assert.ok(Array.isArray(comp), `case ${i}: ${JSON.stringify(sels)}`);
    for (const labels of universe) {
      const selected = sels.some((s) => selectorMatches(s, labels));
      const inComp = comp.some((s) => selectorMatches(s, labels));
      assert.equal(inComp, !selected, `case ${i}: ${JSON.stringify(sels)} labels ${JSON.stringify(labels)} complement ${JSON.stringify(comp)}`);
    }
  }
});

test('complementSelectors: an empty selector leaves nothing; too many alternatives is reported', () => {
  assert.deepEqual(complementSelectors([{ matchLabels: { app: 'a' } }, {}], 10), []);
  assert.deepEqual(complementSelectors([], 10), [{}]);
  const many = Array.from({ length: 6 }, (_, i) => ({ matchLabels: { [`k${i}`]: 'x', [`j${i}`]: 'y' } }));
  assert.equal(complementSelectors(many, 16), 'too-many');
  assert.equal(complementSelectors([{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }], 16), 'invalid');
});

const IMDS = ['169.254.169.254/32', 'fd00:ec2::254/128'];

test('rewriteEgressPolicy: rule without to, ipBlock containing IMDS, ipBlock equal to IMDS, except already covering', () => {
  const p = np('x', 'p', {
    podSelector: {},
    egress: [
      { ports: [{ port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '169.254.0.0/16' } }, { podSelector: {} }] },
      { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }] },
      { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
    ],
  });
  const r = rewriteEgressPolicy(p, IMDS);
  assert.ok(r);
  const spec = r.object.spec as { policyTypes: string[]; egress: Array<{ to?: Array<Record<string, unknown>>; ports?: unknown[] }> };
  assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress'], 'policyTypes written out (they were implied)');
  assert.equal(spec.egress.length, 4, 'the rule that only allowed IMDS is gone');
  assert.deepEqual(spec.egress[0].ports, [{ port: 53, protocol: 'UDP' }]);
  assert.deepEqual(spec.egress[0].to, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }, { ipBlock: { cidr: '::/0', except: ['fd00:ec2::254/128'] } }, { namespaceSelector: {} }]);
  assert.deepEqual(spec.egress[1].to, [{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'] } }, { podSelector: {} }]);
  assert.deepEqual(spec.egress[2].to, [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] } }], 'already excluded: unchanged');
  assert.equal(rewriteEgressPolicy(np('x', 'q', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }), IMDS), undefined);
});

const FIXTURE = fromRoot('test/metadata/fixtures/fix-cluster.yaml');

async function loadFixture() {
  const docs = parseAllDocuments(readFileSync(FIXTURE, 'utf8')).map((d) => d.toJS());
  return stateOf(docs);
}

test('plan on the fixture: rewrites the Egress policies that let IMDS through, complements the rest, leaves restricted pods as they were', async () => {
  const st = await loadFixture();
  const plan = planMetadataFix(st, { provider: 'aws' });
  assert.equal(plan.mode, 'networkpolicy');
  const names = plan.objects.map((o) => `${o.action} ${(o.object.metadata as { namespace: string }).namespace}/${(o.object.metadata as { name: string }).name}`).sort();
  assert.deepEqual(names, ['create app/kubeward-deny-metadata-egress', 'replace app/db-egress', 'replace app/web-egress', 'replace legacy/needs-imds']);
  const created = plan.objects.find((o) => o.action === 'create')!.object as { spec: { podSelector: Sel } };
  assert.deepEqual(created.spec.podSelector, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }, { key: 'tier', operator: 'NotIn', values: ['front'] }] });
  assert.ok(plan.warnings.some((w) => /legacy\/needs-imds allowed the metadata endpoint explicitly/.test(w)));
  const proof = proveFix(st, plan);
  assert.deepEqual(proof.unexpected, []);
  assert.deepEqual(proof.imds.stillOpen, []);
  assert.ok(proof.imds.blockedNow >= 3, `blocked now: ${proof.imds.blockedNow}`);
  // After the fix, under an enforcer, every non-hostNetwork pod is denied IMDS.
  const ev = new NetworkPolicyEvaluator(stateAfter(st, plan), { enforcement: assumeEnforcement('kubernetes') });
  for (const p of ev.pods()) assert.equal(ev.evaluateEgress(p, '169.254.169.254', { protocol: 'TCP', port: 80 }).verdict, 'denied', p.id);
});

test('excluded namespaces are left alone; Cilium and Calico modes write one cluster-wide policy and change nothing else', async () => {
  const st = await loadFixture();
  const ex = planMetadataFix(st, { provider: 'aws', excludeNamespaces: ['legacy'] });
  assert.ok(!ex.objects.some((o) => (o.object.metadata as { namespace?: string }).namespace === 'legacy'));
  assert.ok(ex.namespaces.skipped.some((s) => s.namespace === 'legacy'));
  const exProof = proveFix(st, ex);
  assert.equal(exProof.imds.open, 0, 'the excluded namespace is not counted as still open');
  assert.ok(exProof.imds.leftAlone > 0, 'but its pods still reaching IMDS are counted as left alone');
  for (const mode of ['cilium', 'calico'] as const) {
    const plan = planMetadataFix(st, { provider: 'aws', mode });
    assert.equal(plan.objects.filter((o) => o.object.kind !== 'Tier').length, 1, mode);
    const proof = proveFix(st, plan);
    assert.deepEqual(proof.unexpected, [], mode);
    assert.deepEqual(proof.uncertain, [], mode);
    assert.deepEqual(proof.imds.stillOpen, [], mode);
    assert.ok(proof.imds.blockedNow > 0, mode);
  }
});

test('Calico: the pass-through tier keeps an existing default-tier deny and an existing allow as they were', () => {
  const st = stateOf([
    ns('a'),
    pod('a', 'web', { app: 'web' }, { ports: [{ containerPort: 80 }] }),
    pod('a', 'db', { app: 'db' }, { ports: [{ containerPort: 5432 }] }),
    calicoNp('a', 'deny-db', { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] }),
  ]);
  const plan = planMetadataFix(st, { provider: 'aws', mode: 'calico' });
  const proof = proveFix(st, plan);
  assert.deepEqual(proof.unexpected, []);
  const ev = new NetworkPolicyEvaluator(stateAfter(st, plan), { enforcement: assumeEnforcement('calico') });
  const [web, db] = ['web', 'db'].map((n) => ev.pods().find((p) => p.name === n)!);
  assert.equal(ev.evaluateConnection(web, db, { protocol: 'TCP', port: 5432 }).verdict, 'denied');
  assert.equal(ev.evaluateConnection(db, web, { protocol: 'TCP', port: 80 }).verdict, 'allowed');
  assert.equal(ev.evaluateEgress(web, '169.254.169.254', { protocol: 'TCP', port: 80 }).verdict, 'denied');
});

test('GKE: no network block by default (it would cut Workload Identity); forcing it warns', async () => {
  const st = await loadFixture();
  const plan = planMetadataFix(st, { provider: 'gcp' });
  assert.equal(plan.mode, 'none');
  assert.equal(plan.objects.length, 0);
  const forced = planMetadataFix(st, { provider: 'gcp', mode: 'networkpolicy' });
  assert.ok(forced.objects.length > 0);
  assert.ok(forced.warnings.some((w) => /Workload Identity/.test(w)));
});

test('randomized: 150 clusters of random Egress policies and pods: IMDS denied for every pod after the fix, nothing else cut or opened', () => {
  const r = rng(20261127);
  let blocked = 0;
  let flows = 0;
  for (let i = 0; i < 150; i++) {
    const objects: Array<Record<string, unknown>> = [];
    const nss = ['n1', 'n2'];
    for (const n of nss) objects.push(ns(n, { name: n }));
    for (let p = 0; p < 6; p++) {
      const n = pick(r, nss);
      objects.push(pod(n, `p${p}`, randomLabels(r), { ports: [{ containerPort: pick(r, [80, 443, 8080]) }], ...(r() < 0.1 ? { hostNetwork: true } : {}) }));
    }
    for (let k = 0; k < Math.floor(r() * 4); k++) {
      const n = pick(r, nss);
      const rules = Array.from({ length: Math.floor(r() * 3) }, () => {
        const kind = pick(r, ['all', 'cidr', 'imds', 'linklocal', 'pods', 'ports']);
        if (kind === 'all') return {};
        if (kind === 'ports') return { ports: [{ port: pick(r, [53, 80, 443]), protocol: 'TCP' }] };
        if (kind === 'cidr') return { to: [{ ipBlock: { cidr: pick(r, ['0.0.0.0/0', '10.0.0.0/8', '0.0.0.0/1', '128.0.0.0/1']) } }] };
        if (kind === 'imds') return { to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ...(r() < 0.5 ? { ports: [{ port: 80 }] } : {}) };
        if (kind === 'linklocal') return { to: [{ ipBlock: { cidr: '169.254.0.0/16', ...(r() < 0.3 ? { except: ['169.254.170.23/32'] } : {}) } }] };
        return { to: [{ podSelector: randomSelector(r) }] };
      });
      // policyTypes left out sometimes: the apiserver then counts Egress only when egress is not empty.
      const types = pick(r, [['Egress'], ['Ingress', 'Egress'], undefined]);
      objects.push(np(n, `np${k}`, { podSelector: randomSelector(r), ...(types ? { policyTypes: types } : {}), egress: rules }));
    }
    const st = stateOf(objects);
    const plan = planMetadataFix(st, { provider: 'aws', mode: 'networkpolicy' });
    const skipped = new Set(plan.namespaces.skipped.filter((s) => !/already egress-restricted/.test(s.reason)).map((s) => s.namespace));
    const proof = proveFix(st, plan);
    assert.deepEqual(proof.unexpected, [], `cluster ${i}: ${JSON.stringify(objects)}`);
    assert.deepEqual(proof.imds.stillOpen, [], `cluster ${i}`);
    const ev = new NetworkPolicyEvaluator(stateAfter(st, plan), { enforcement: assumeEnforcement('kubernetes') });
    const evBefore = new NetworkPolicyEvaluator(st, { enforcement: assumeEnforcement('kubernetes') });
    for (const p of ev.pods()) {
      if (p.hostNetwork || skipped.has(p.namespace)) continue;
      assert.equal(ev.evaluateEgress(p, '169.254.169.254', { protocol: 'TCP', port: 80 }).verdict, 'denied', `cluster ${i} pod ${p.id}`);
      const pb = evBefore.pods().find((x) => x.id === p.id)!;
      const podIdentity = { protocol: 'TCP' as const, port: 80 };
      assert.equal(ev.evaluateEgress(p, '169.254.170.23', podIdentity).verdict, evBefore.evaluateEgress(pb, '169.254.170.23', podIdentity).verdict, `cluster ${i} pod ${p.id}: Pod Identity must stay as it was`);
    }
    blocked += proof.imds.blockedNow;
    flows += proof.flows;
  }
  assert.ok(blocked > 100 && flows > 10_000, `blocked ${blocked}, flows ${flows}`);
});

test('kubeward fix metadata writes YAML that kubeward reads back, with the proof in the report', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-fix-'));
  const io = captureIO({ cwd: process.cwd() });
  const out = path.join(dir, 'fix.yaml');
  const code = await main(['fix', 'metadata', FIXTURE, '-o', out, '--format', 'json'], io);
  assert.equal(code, 0, io.stderr());
  const j = JSON.parse(io.stdout());
  assert.equal(j.mode, 'networkpolicy');
  assert.deepEqual(j.proof.unexpected, []);
  const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  assert.equal(docs.length, 4);
  const io2 = captureIO({ cwd: process.cwd() });
  const code2 = await main(['scan', out, '--format', 'json'], io2);
  assert.notEqual(code2, 2, io2.stderr());
  const io3 = captureIO({ cwd: process.cwd() });
  assert.equal(await main(['fix', 'metadata', FIXTURE, '--sample', 'x'], io3), 2);
  assert.match(io3.stderr(), /--sample must be a positive integer/);
});

test('node settings: one entry per command, naming every finding it fixes', async () => {
  const io = captureIO({ cwd: fromRoot() });
  const code = await main(['fix', 'metadata', 'examples/shop', '--cloud', 'examples/shop/cloud', '-o', path.join(mkdtempSync(path.join(os.tmpdir(), 'kw-fix-')), 'f.yaml'), '--format', 'json'], io);
  assert.equal(code, 0, io.stderr());
  const j = JSON.parse(io.stdout()) as { nodeFixes: Array<{ rule: string; command?: string; message: string }> };
  assert.equal(j.nodeFixes.length, 1, JSON.stringify(j.nodeFixes));
  assert.equal(j.nodeFixes[0].rule, 'eks-node-imds-hop-limit, eks-node-imdsv1-allowed');
  assert.match(j.nodeFixes[0].command!, /^aws ec2 create-launch-template-version --launch-template-id lt-0a1b2c3d4e5f60718 /);
  assert.match(j.nodeFixes[0].message, /hop limit is 2 .*; IMDSv1 is allowed/);
});
