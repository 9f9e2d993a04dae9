// Readers for the peer corpora: each turns a folder's expected.json into Cases with the peer's
// semantics (what counts as one verdict, and how our findings become a verdict).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Finding, LoadedObject } from '../../src/core/types.js';
import { POD_TEMPLATE_PATHS, getIn, groupKind } from '../../src/model/kinds.js';
import type { Case, CorpusId, CorpusInfo, RunOutput, Verdict } from './types.js';

// ---------------------------------------------------------------------------------------------
// Judges: from our findings to a verdict in the peer's terms.

function objKey(o: LoadedObject): string {
  return `${o.file}|${o.ref.kind}|${o.ref.namespace ?? ''}|${o.ref.name}`;
}

function findingKey(f: Finding): string {
  return `${f.location?.file ?? ''}|${f.resource.kind}|${f.resource.namespace ?? ''}|${f.resource.name}`;
}

function flaggedKeys(out: RunOutput): Set<string> {
  return new Set(out.findings.map(findingKey));
}

/** fail = at least one finding anywhere in the file(s). */
const anyFinding = (out: RunOutput): Verdict => (out.findings.length > 0 ? 'fail' : 'pass');

export interface ObjectSelector {
  kind: string;
  name: string;
  /** Compared only when given; objects without a namespace count as "default". */
  namespace?: string | null;
}

/** fail = at least one finding on the selected object; "not loaded" when our loader did not produce it. */
function objectVerdict(sel: ObjectSelector): (out: RunOutput) => Verdict {
  return (out) => {
    const targets = out.objects.filter(
      (o) => o.ref.kind === sel.kind && o.ref.name === sel.name && (sel.namespace == null || (o.ref.namespace ?? 'default') === sel.namespace),
    );
    if (targets.length === 0) return 'not loaded';
    const flagged = flaggedKeys(out);
    return targets.some((o) => flagged.has(objKey(o))) ? 'fail' : 'pass';
  };
}

/** The container a finding path points into ("...containers[0]..."), or '' for pod-level findings. */
function containerOf(f: Finding): string {
  const m = /(initContainers|containers|ephemeralContainers)\[\d+\]/.exec(f.path ?? '');
  return m ? m[0] : '';
}

/** kube-linter reports once per object and container: count (object, container) pairs per kind. */
function reportUnits(out: RunOutput): Map<string, number> {
  const units = new Set<string>();
  const byKind = new Map<string, number>();
  for (const f of out.findings) {
    const u = `${findingKey(f)}|${containerOf(f)}`;
    if (units.has(u)) continue;
    units.add(u);
    byKind.set(f.resource.kind, (byKind.get(f.resource.kind) ?? 0) + 1);
  }
  return byKind;
}

function kindMultiset(byKind: Map<string, number>): Verdict {
  const parts = [...byKind.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length === 0 ? 'no reports' : parts.map(([k, n]) => `${k}×${n}`).join(', ');
}

function reportCount(n: number): Verdict {
  return n === 1 ? '1 report' : `${n} reports`;
}

/** Does the object have a pod template the peer can parse (a list with at least one container)? */
function hasContainerList(o: LoadedObject): boolean {
  const paths = POD_TEMPLATE_PATHS[groupKind(o.group, o.ref.kind)];
  if (!paths) return true;
  const list = getIn(o.obj, [...paths.spec, 'containers']);
  return Array.isArray(list) && list.length > 0;
}

/** checkov: one result per resource of a kind the check reads; counts of passed and failed. */
function checkovCounts(out: RunOutput): Verdict {
  const flagged = flaggedKeys(out);
  let passed = 0;
  let failed = 0;
  const podRules = out.reads.has('Pod');
  for (const o of out.objects) {
    const gk = groupKind(o.group, o.ref.kind);
    // Any kind with a pod template (legacy groups such as extensions/v1beta1 included) when the rules read pods.
    if (!out.reads.has(gk) && !(podRules && POD_TEMPLATE_PATHS[gk])) continue;
    if (!hasContainerList(o)) continue;
    if (flagged.has(objKey(o))) failed++;
    else passed++;
  }
  return `passed=${passed} failed=${failed}`;
}

// ---------------------------------------------------------------------------------------------
// Helpers to read corpus files.

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface Source {
  repo: string;
  commit: string;
  license: string;
}

function info(id: CorpusId, title: string, src: Source, semantics: string): CorpusInfo {
  return { id, title, repo: src.repo, commit: src.commit, license: src.license, semantics };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d).sort();
    for (const e of entries) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

interface PlainObject {
  kind: string;
  name: string;
  namespace?: string;
}

/** Objects in a file, read independently of kubeward's loader (so a loader miss shows as "not loaded"). */
function plainObjects(file: string): PlainObject[] {
  const text = readFileSync(file, 'utf8');
  const out: PlainObject[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; items?: unknown };
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach(visit);
      return;
    }
    if (typeof o.kind === 'string' && typeof o.metadata?.name === 'string') {
      out.push({ kind: o.kind, name: o.metadata.name, namespace: typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined });
    }
  };
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, strict: false })) {
    if ('errors' in doc && doc.errors.length > 0) continue;
    visit(doc.toJS({ maxAliasCount: 1000 }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// polaris: one verdict per file.

export function polaris(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'polaris');
  const e = readJson<{ source: Source; cases: Array<{ id: string; check: string; file: string; expect: string }> }>(path.join(dir, 'expected.json'));
  const cases: Case[] = e.cases.map((c) => ({
    corpus: 'polaris',
    id: `polaris:${c.id}`,
    check: c.check,
    expect: c.expect,
    files: [path.join(dir, c.file)],
    judge: anyFinding,
  }));
  return {
    info: info('polaris', 'Polaris', e.source, 'One case per test file (`success*` / `failure*`). fail = the mapped rules report at least one finding on any object of the file; pass = none.'),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// kube-linter: one verdict per test: the reports it produces.

interface KlTest {
  test: string;
  file: string;
  checks: string[];
  config?: string;
  reportCount?: number;
  reports?: Array<{ index: number; format: string; equals?: string; contains?: string }>;
}

export function kubeLinter(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'kube-linter');
  const e = readJson<{ source: Source; tests: KlTest[] }>(path.join(dir, 'expected.json'));
  const cases: Case[] = [];
  for (const t of e.tests) {
    const reports = t.reports ?? [];
    const count = t.reportCount ?? reports.length;
    const allAsserted = reports.length === count && reports.every((r) => r.format.startsWith('<Kind>'));
    let expect: Verdict;
    let judge: (out: RunOutput) => Verdict;
    if (allAsserted) {
      const byKind = new Map<string, number>();
      for (const r of reports) {
        const s = r.equals ?? r.contains ?? '';
        const kind = s.slice(0, s.indexOf(':')).split(' ')[0];
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      expect = kindMultiset(byKind);
      judge = (out) => kindMultiset(reportUnits(out));
    } else {
      expect = reportCount(count);
      judge = (out) => reportCount([...reportUnits(out).values()].reduce((a, b) => a + b, 0));
    }
    cases.push({
      corpus: 'kube-linter',
      id: `kube-linter:${t.test}`,
      // Template-based tests run a custom kube-linter config; they are keyed by test name.
      check: t.config ? `config:${t.test}` : t.checks.join('+'),
      expect,
      files: [path.join(dir, t.file)],
      judge,
    });
  }
  return {
    info: info(
      'kube-linter',
      'kube-linter',
      e.source,
      'One case per e2e test. Where upstream asserts every report, the verdict is the multiset of reported object kinds (kube-linter reports once per object and container, so our findings are counted as distinct (object, container) pairs); otherwise the verdict is the report count.',
    ),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// kyverno: one verdict per (policy, rule, resource).

interface KyCase {
  id: string;
  dir: string;
  policy: string;
  rule: string;
  kind: string;
  name: string;
  namespace: string | null;
  expect: 'pass' | 'fail' | 'skip';
  files: string[];
  needsContext?: unknown;
}

export function kyverno(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'kyverno-pss');
  const e = readJson<{ source: Source; cases: KyCase[] }>(path.join(dir, 'expected.json'));
  const cases: Case[] = e.cases.map((c) => ({
    corpus: 'kyverno-pss',
    id: `kyverno-pss:${c.id}`,
    check: `${c.policy}/${c.rule}`,
    expect: c.expect,
    files: c.files.map((f) => path.join(dir, c.dir, f)),
    judge: objectVerdict({ kind: c.kind, name: c.name, namespace: c.namespace }),
    unmapped: c.needsContext
      ? 'depends on Kyverno context variables (values.yaml)'
      : c.expect === 'skip'
        ? "peer result is skip: the policy's own match/exclude or preconditions leave the resource out"
        : undefined,
  }));
  return {
    info: info(
      'kyverno-pss',
      'Kyverno policies (Pod Security Standards and others)',
      e.source,
      'One case per (policy, rule, resource) result of the upstream `kyverno-test.yaml`. fail = at least one finding of the mapped rules on that resource (pod controllers through their template); pass = none. Results `skip` (the policy\'s match/exclude leaves the resource out) are not compared.',
    ),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// regolibrary: one verdict per object of a matched kind in each test case.

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'ReplicationController'];

interface RegoCase {
  id: string;
  rule: string;
  category: string;
  dir: string;
  inputs: string[];
  expect: 'pass' | 'fail';
  failedObjects: Array<{ kind: string; name: string; namespace?: string | null; external?: boolean }>;
}

export function regolibrary(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'regolibrary');
  const e = readJson<{ source: Source; cases: RegoCase[]; rules: Record<string, { match: Array<{ resources: string[] }> }> }>(
    path.join(dir, 'expected.json'),
  );
  // A rule's units are the objects of the kinds it matches that it can alert on: workload kinds, and
  // any kind it names in an alert somewhere in the corpus (not, say, the ServiceAccounts it only reads).
  const alertKinds = new Map<string, Set<string>>();
  for (const c of e.cases) {
    const s = alertKinds.get(c.rule) ?? new Set<string>(WORKLOAD_KINDS);
    for (const f of c.failedObjects) if (!f.external) s.add(f.kind);
    alertKinds.set(c.rule, s);
  }
  const cases: Case[] = [];
  for (const c of e.cases) {
    const files = c.inputs.filter((f) => f.startsWith('input/')).map((f) => path.join(dir, c.dir, f));
    // Posture-control inputs: a rule scoped to a cloud provider does nothing when none is configured.
    let unmapped: string | undefined;
    if (c.inputs.includes('data.json')) {
      const data = readJson<{ dataControlInputs?: { cloudProvider?: unknown } }>(path.join(dir, c.dir, 'data.json'));
      if (data.dataControlInputs?.cloudProvider === '') unmapped = 'kubescape applies this rule only for a configured cloud provider (data.json cloudProvider is empty)';
    }
    const alerting = alertKinds.get(c.rule)!;
    const matchKinds = new Set((e.rules[c.rule]?.match ?? []).flatMap((m) => m.resources).filter((k) => alerting.has(k)));
    const units: PlainObject[] = [];
    const seen = new Set<string>();
    for (const f of files) {
      for (const o of plainObjects(f)) {
        const k = `${o.kind}|${o.namespace ?? ''}|${o.name}`;
        if (!matchKinds.has(o.kind) || seen.has(k)) continue;
        seen.add(k);
        units.push(o);
      }
    }
    if (units.length === 0) {
      // Nothing the rule matches by kind (e.g. cloud objects): one verdict for the whole case.
      cases.push({ corpus: 'regolibrary', id: `regolibrary:${c.id}`, check: c.rule, group: c.category, expect: c.expect, files, judge: anyFinding, unmapped });
      continue;
    }
    for (const u of units) {
      const failed = c.failedObjects.some(
        (f) => !f.external && f.kind === u.kind && f.name === u.name && (f.namespace == null || u.namespace == null || f.namespace === u.namespace),
      );
      cases.push({
        corpus: 'regolibrary',
        id: `regolibrary:${c.id}:${u.kind}/${u.namespace ? `${u.namespace}/` : ''}${u.name}`,
        check: c.rule,
        group: c.category,
        expect: failed ? 'fail' : 'pass',
        files,
        judge: objectVerdict({ kind: u.kind, name: u.name, namespace: u.namespace }),
        unmapped,
      });
    }
  }
  return {
    info: info(
      'regolibrary',
      'Kubescape regolibrary',
      e.source,
      "One case per object of a kind the rule matches and can alert on (workloads, and kinds named in the rule's alerts), in each upstream test case (all `input/*` files loaded together). fail = the upstream alerts name the object; ours = at least one finding of the mapped rules on it. Cases whose inputs hold no matched kind are judged as a whole.",
    ),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// gatekeeper: one verdict per suite case (one object against one constraint).

interface GkTest {
  policy: string;
  test: string;
  parameters: Record<string, unknown> | null;
  match: { excludedNamespaces?: string[] };
}
interface GkCase {
  id: string;
  policy: string;
  test: string;
  object: string;
  objectKind: string;
  objectName: string;
  expect: 'pass' | 'fail';
  admissionReview?: { operation: string };
}

function globMatch(pattern: string, s: string): boolean {
  if (pattern.endsWith('*')) return s.startsWith(pattern.slice(0, -1));
  return s === pattern;
}

function imagesOf(file: string): string[] {
  const images: string[] = [];
  const visit = (v: unknown, key: string): void => {
    if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
    else if (key === 'image' && typeof v === 'string') images.push(v);
  };
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) visit(doc.toJS(), '');
  return images;
}

export function gatekeeper(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'gatekeeper');
  const e = readJson<{ source: Source; tests: GkTest[]; cases: GkCase[] }>(path.join(dir, 'expected.json'));
  const tests = new Map(e.tests.map((t) => [`${t.policy}/${t.test}`, t]));
  const cases: Case[] = e.cases.map((c) => {
    const file = path.join(dir, c.object);
    const t = tests.get(`${c.policy}/${c.test}`);
    let unmapped: string | undefined;
    if (c.admissionReview) {
      unmapped = `AdmissionReview ${c.admissionReview.operation}: the template exempts the operation at admission; not a static-scan verdict`;
    } else {
      const exempt = (t?.parameters?.exemptImages as string[] | undefined) ?? [];
      const hit = imagesOf(file).find((img) => exempt.some((p) => globMatch(p, img)));
      const excluded = t?.match.excludedNamespaces ?? [];
      const ns = plainObjects(file).find((o) => o.kind === c.objectKind && o.name === c.objectName)?.namespace;
      if (hit) unmapped = `image "${hit}" is exempted by the constraint parameter exemptImages`;
      else if (ns && excluded.includes(ns)) unmapped = `namespace ${ns} is excluded by the constraint's match`;
    }
    return {
      corpus: 'gatekeeper',
      id: `gatekeeper:${c.id}`,
      check: c.test,
      expect: c.expect,
      files: [file],
      judge: objectVerdict({ kind: c.objectKind, name: c.objectName }),
      unmapped,
    };
  });
  return {
    info: info(
      'gatekeeper',
      'Gatekeeper library (pod-security-policy)',
      e.source,
      "One case per suite case (one object against one constraint). fail = at least one finding of the mapped rules on the object. Constraints are keyed by test, because the constraint's parameters define the check: tests whose parameters differ from our fixed policy are unmapped, and cases that pass only through `exemptImages` or an AdmissionReview UPDATE exemption are unmapped.",
    ),
    cases,
  };
}

// ---------------------------------------------------------------------------------------------
// checkov: per named resource where upstream names them, else the exact passed/failed counts.

interface CkCheck {
  checkId: string;
  dir: string;
  passed: number;
  failed: number;
  passedResources: string[] | null;
  failedResources: string[] | null;
}

function parseCheckovId(id: string): ObjectSelector {
  const [kind, namespace, ...rest] = id.split('.');
  return { kind, namespace, name: rest.join('.') };
}

export function checkov(root: string): { info: CorpusInfo; cases: Case[] } {
  const dir = path.join(root, 'checkov-k8s');
  const e = readJson<{ source: Source; checks: CkCheck[]; graph: Array<{ checkId: string; dir: string; passedResources: string[]; failedResources: string[] }> }>(
    path.join(dir, 'expected.json'),
  );
  const cases: Case[] = [];
  for (const c of e.checks) {
    const files = listFiles(path.join(dir, c.dir));
    if (c.passedResources && c.failedResources) {
      const all = [...c.passedResources.map((r) => [r, 'pass'] as const), ...c.failedResources.map((r) => [r, 'fail'] as const)];
      for (const [r, expect] of all) {
        cases.push({ corpus: 'checkov-k8s', id: `checkov-k8s:${c.checkId}:${r}`, check: c.checkId, expect, files, perFile: true, judge: objectVerdict(parseCheckovId(r)) });
      }
    } else {
      cases.push({
        corpus: 'checkov-k8s',
        id: `checkov-k8s:${c.checkId}`,
        check: c.checkId,
        expect: `passed=${c.passed} failed=${c.failed}`,
        files,
        perFile: true,
        judge: checkovCounts,
      });
    }
  }
  for (const g of e.graph) {
    const files = listFiles(path.join(dir, g.dir));
    const all = [...g.passedResources.map((r) => [r, 'pass'] as const), ...g.failedResources.map((r) => [r, 'fail'] as const)];
    for (const [r, expect] of all) {
      cases.push({ corpus: 'checkov-k8s', id: `checkov-k8s:${g.checkId}:${r}`, check: g.checkId, expect, files, judge: objectVerdict(parseCheckovId(r)) });
    }
  }
  return {
    info: info(
      'checkov-k8s',
      'Checkov (Kubernetes checks)',
      e.source,
      "Each check scans every file of its directory (files scanned independently). Where upstream names the resources (`<Kind>.<namespace>.<name>`), one case per resource: fail = at least one finding on it. Otherwise one case per check comparing the exact counts of passed and failed resources, where a resource is an object of a kind the mapped rules read (pod specs without a container list are not counted, as checkov cannot parse them).",
    ),
    cases,
  };
}

export const READERS: Record<CorpusId, (root: string) => { info: CorpusInfo; cases: Case[] }> = {
  polaris,
  'kube-linter': kubeLinter,
  'kyverno-pss': kyverno,
  regolibrary,
  gatekeeper,
  'checkov-k8s': checkov,
};
