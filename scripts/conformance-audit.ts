// Audit-log conformance: checks the format readers and the detections of `kubeward audit analyze`
// against third-party data (corpora/audit-formats):
//   * Elastic integration pipeline tests: the fields Elastic extracts (user, verb, namespace,
//     resource) must match what kubeward's readers extract from the same raw records;
//   * raw provider samples (GKE, AKS, CloudTrail): read with the expected shape and provider;
//   * audit2rbac demo.log: the distinct requests per effective (impersonated) user;
//   * Panther rule tests: for every Panther rule that maps to a kubeward detection, events labelled
//     `expected: true` must be reported and `false` must not; every disagreement needs a reason.
//
//   node dist/scripts/conformance-audit.js           writes docs/conformance-audit.md, prints a summary
//   node dist/scripts/conformance-audit.js --check   exits 1 on an unexplained disagreement or a stale doc
// Corpora: $KUBEWARD_CORPORA/audit-formats, else <repo>/../shared/corpora/audit-formats.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditAnalyzer } from '../src/audit/analyze.js';
import { Dispatcher, emptyStats, ProblemLog } from '../src/audit/dispatch.js';
import { effectiveUser, type AuditEvent } from '../src/audit/event.js';
import { requestsOf, subjectOf, suggestRbac } from '../src/audit/suggest.js';
import { parseAllDocuments } from 'yaml';
import { fileInput, readInput } from '../src/audit/reader.js';
import { detections } from '../src/audit/detections/index.js';
import { MAPPINGS, UNMAPPED, type RuleMapping } from './conformance-audit/mapping.js';
import { FIELD_DELIBERATE, FORMAT_EXPECTATIONS, PANTHER_DELIBERATE } from './conformance-audit/deliberate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs/conformance-audit.md');

type Status = 'agree' | 'deliberate' | 'unexplained';

interface PantherCase {
  group: string;
  rule: string;
  test: string;
  expected: boolean;
  logType: string;
  fired: boolean;
  events: number;
  status: Status;
  reason?: string;
  detail?: string;
}

interface FieldCase {
  file: string;
  line: number;
  field: string;
  expected: unknown;
  ours: unknown;
  status: Status;
  reason?: string;
}

interface CheckCase {
  what: string;
  ok: boolean;
  detail: string;
}

const stripP = (log: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(log).filter(([k]) => !k.startsWith('p_')));

async function readEvents(file: string): Promise<{ events: AuditEvent[]; stats: ReturnType<typeof emptyStats> }> {
  const events: AuditEvent[] = [];
  const stats = emptyStats();
  const d = new Dispatcher((e) => events.push(e), stats, new ProblemLog());
  await readInput(fileInput(file, path.basename(file)), d);
  return { events, stats };
}

// ---------------------------------------------------------------------------------------------
// Panther

function evaluatePanther(corpus: string): { cases: PantherCase[]; unmappedRules: Array<{ rule: string; tests: number; reason: string }>; missing: string[] } {
  const byRule = new Map<string, RuleMapping>(MAPPINGS.map((m) => [m.rule, m]));
  const cases: PantherCase[] = [];
  const unmappedTests = new Map<string, number>();
  const missing = new Set<string>();
  for (const group of ['aws_eks_rules', 'gcp_k8s_rules', 'kubernetes_rules', 'aws_cloudtrail_selected']) {
    const lines = readFileSync(path.join(corpus, 'panther', `${group}.jsonl`), 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const t = JSON.parse(line) as { rule: string; test: string; expected: boolean; logType: string; log: Record<string, unknown> };
      const m = byRule.get(t.rule);
      if (!m) {
        if (!(t.rule in UNMAPPED)) missing.add(t.rule);
        unmappedTests.set(t.rule, (unmappedTests.get(t.rule) ?? 0) + 1);
        continue;
      }
      const options: Record<string, Record<string, unknown>> = {};
      for (const d of m.detections) if (d.options) options[d.id] = d.options as Record<string, unknown>;
      const a = new AuditAnalyzer({ only: m.detections.map((d) => d.id), options: options as never });
      a.record(stripP(t.log), `${group}.jsonl`, 1);
      const r = a.result();
      const hits = r.detections.filter((d) => m.detections.some((x) => x.id === d.id && (!x.when || x.when(d))));
      const fired = hits.length > 0;
      const key = `${t.rule} | ${t.test}`;
      let status: Status = fired === t.expected ? 'agree' : 'unexplained';
      const reason = PANTHER_DELIBERATE[key];
      if (status === 'unexplained' && reason) status = 'deliberate';
      cases.push({
        group,
        rule: t.rule,
        test: t.test,
        expected: t.expected,
        logType: t.logType,
        fired,
        events: r.stats.parsed,
        status,
        reason: status === 'deliberate' ? reason : undefined,
        detail: status === 'unexplained' ? (fired ? hits.map((h) => `${h.id}: ${h.message}`).join('; ') : r.stats.parsed === 0 ? `no event read (${Object.keys(r.stats.skippedReasons).join(', ') || 'malformed'})` : 'no report') : undefined,
      });
    }
  }
  const unmappedRules = [...unmappedTests.entries()].map(([rule, tests]) => ({ rule, tests, reason: UNMAPPED[rule] ?? '(no entry in scripts/conformance-audit/mapping.ts)' }));
  return { cases, unmappedRules, missing: [...missing] };
}

// ---------------------------------------------------------------------------------------------
// Elastic: ECS fields of the pipeline expectations vs our normalised events

interface Ecs {
  user?: { name?: string; id?: string } | null;
  event?: { action?: string };
  orchestrator?: { namespace?: string; resource?: { type?: string; name?: string } };
  source?: { ip?: string[] | string } | null;
}

async function evaluateElastic(corpus: string): Promise<FieldCase[]> {
  const out: FieldCase[] = [];
  for (const rel of ['elastic/kubernetes/test-audit.log', 'elastic/kubernetes/test-kube-audit.log']) {
    const expected = (JSON.parse(readFileSync(path.join(corpus, rel + '-expected.json'), 'utf8')) as { expected: Ecs[] }).expected;
    const { events } = await readEvents(path.join(corpus, rel));
    expected.forEach((e, i) => {
      const line = i + 1;
      const ev = events.find((x) => x.line === line);
      const ip = e.source?.ip;
      const fields: Array<[string, unknown, unknown]> = [
        ['user.name', e.user?.name, ev?.user.username || undefined],
        ['user.id', e.user?.id, ev?.user.uid],
        ['event.action', e.event?.action, ev?.verb || undefined],
        ['orchestrator.namespace', e.orchestrator?.namespace, ev?.objectRef?.namespace],
        ['orchestrator.resource.type', e.orchestrator?.resource?.type, ev?.objectRef?.resource],
        ['orchestrator.resource.name', e.orchestrator?.resource?.name, ev?.objectRef?.name],
        ['source.ip', ip === undefined ? undefined : Array.isArray(ip) ? ip.join(',') : ip, ev && ev.sourceIPs.length ? ev.sourceIPs.join(',') : undefined],
      ];
      for (const [field, exp, ours] of fields) {
        if (exp === undefined && ours === undefined) continue;
        const key = `${rel}#${line} ${field}`;
        let status: Status = exp === ours ? 'agree' : 'unexplained';
        const reason = FIELD_DELIBERATE[key];
        if (status === 'unexplained' && reason) status = 'deliberate';
        out.push({ file: rel, line, field, expected: exp ?? null, ours: ours ?? null, status, reason: status === 'deliberate' ? reason : undefined });
      }
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Raw samples: shape, provider and key fields (expectations from the corpus' format notes)

async function evaluateFormats(corpus: string): Promise<CheckCase[]> {
  const out: CheckCase[] = [];
  for (const x of FORMAT_EXPECTATIONS) {
    const { events, stats } = await readEvents(path.join(corpus, x.file));
    const got = events.map((e) => ({ line: e.line, provider: e.provider, verb: e.verb, user: e.user.username, resource: e.objectRef?.resource, subresource: e.objectRef?.subresource, namespace: e.objectRef?.namespace, name: e.objectRef?.name, uri: e.requestURI, code: e.code, apiGroup: e.objectRef?.apiGroup }));
    const problems: string[] = [];
    if (got.length !== x.events.length) problems.push(`${got.length} events, expected ${x.events.length}`);
    x.events.forEach((want, i) => {
      const g = got[i] as Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(want)) if (!g || g[k] !== v) problems.push(`event ${i + 1} ${k}: ${JSON.stringify(g?.[k])} != ${JSON.stringify(v)}`);
    });
    if (x.skipped !== undefined && stats.skipped !== x.skipped) problems.push(`skipped ${stats.skipped}, expected ${x.skipped}`);
    if (stats.malformed !== 0) problems.push(`${stats.malformed} malformed`);
    out.push({ what: `${x.file} (${x.shape})`, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `${got.length} event(s)${x.skipped ? `, ${x.skipped} skipped` : ''}` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// audit2rbac: distinct requests per effective user

async function evaluateAudit2rbac(corpus: string): Promise<CheckCase[]> {
  const want = JSON.parse(readFileSync(path.join(corpus, 'audit2rbac/requests-by-user.json'), 'utf8')) as Record<string, Array<Record<string, unknown>>>;
  const { events } = await readEvents(path.join(corpus, 'audit2rbac/demo.log'));
  const got = new Map<string, Set<string>>();
  for (const e of events) {
    const r = e.objectRef;
    const key = JSON.stringify({
      namespace: r?.namespace ?? null,
      apiGroup: r?.apiGroup ?? '',
      resource: r?.resource ?? null,
      subresource: r?.subresource ?? null,
      verb: e.verb,
      nonResourceURL: r ? null : (e.requestURI ?? '').split('?')[0],
    });
    const u = effectiveUser(e).username;
    if (!got.has(u)) got.set(u, new Set());
    got.get(u)!.add(key);
  }
  const out: CheckCase[] = [];
  for (const [user, reqs] of Object.entries(want)) {
    const w = new Set(reqs.map((x) => JSON.stringify({ namespace: x.namespace, apiGroup: x.apiGroup, resource: x.resource, subresource: x.subresource, verb: x.verb, nonResourceURL: x.nonResourceURL })));
    const g = got.get(user) ?? new Set();
    const missingReq = [...w].filter((x) => !g.has(x));
    const extra = [...g].filter((x) => !w.has(x));
    out.push({ what: `audit2rbac demo.log, effective user ${user}`, ok: missingReq.length === 0 && extra.length === 0, detail: missingReq.length + extra.length === 0 ? `${w.size} distinct requests` : `missing ${missingReq.join(' ')} extra ${extra.join(' ')}` });
  }
  const users = [...got.keys()].filter((u) => !(u in want));
  if (users.length) out.push({ what: 'audit2rbac demo.log, users', ok: false, detail: `unexpected effective users ${users.join(', ')}` });
  // `kubeward rbac suggest` for alice: the same Role rules and binding scope as audit2rbac's output
  // (names and labels are ours).
  const expected = parseAllDocuments(readFileSync(path.join(corpus, 'audit2rbac/expected-alice.yaml'), 'utf8')).map((d) => d.toJS());
  const suggested = suggestRbac(requestsOf(events, subjectOf('alice')).requests, subjectOf('alice'));
  const shape = (docs: Array<Record<string, unknown>>) =>
    JSON.stringify(
      docs.map((d) => ({
        kind: d.kind,
        namespace: (d.metadata as { namespace?: string }).namespace,
        rules: d.rules,
        subjects: d.subjects,
        roleRefKind: (d.roleRef as { kind?: string } | undefined)?.kind,
      })),
    );
  const same = shape(expected) === shape(suggested);
  out.push({ what: 'audit2rbac expected-alice.yaml vs kubeward rbac suggest --subject alice', ok: same, detail: same ? 'same Role rules, namespace and binding' : `expected ${shape(expected)} got ${shape(suggested)}` });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function count<T extends { status: Status }>(xs: T[]): Record<Status, number> {
  const c: Record<Status, number> = { agree: 0, deliberate: 0, unexplained: 0 };
  for (const x of xs) c[x.status]++;
  return c;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function render(p: ReturnType<typeof evaluatePanther>, fields: FieldCase[], formatChecks: CheckCase[], rbac: CheckCase[]): string {
  const L: string[] = [];
  const pc = count(p.cases);
  const fc = count(fields);
  L.push('# Audit-log conformance', '');
  L.push('Generated by `node dist/scripts/conformance-audit.js` from `corpora/audit-formats` (Elastic integrations,');
  L.push('Panther analysis, audit2rbac). Do not edit: fix the code or `scripts/conformance-audit/`.', '');
  L.push('| check | cases | agree | deliberate | unexplained |', '|---|---:|---:|---:|---:|');
  L.push(`| Panther rule tests (mapped rules) | ${p.cases.length} | ${pc.agree} | ${pc.deliberate} | ${pc.unexplained} |`);
  L.push(`| Elastic ECS fields vs kubeward readers | ${fields.length} | ${fc.agree} | ${fc.deliberate} | ${fc.unexplained} |`);
  L.push(`| raw provider samples (shape, provider, fields) | ${formatChecks.length} | ${formatChecks.filter((c) => c.ok).length} | 0 | ${formatChecks.filter((c) => !c.ok).length} |`);
  L.push(`| audit2rbac requests per effective user, and the suggested Role | ${rbac.length} | ${rbac.filter((c) => c.ok).length} | 0 | ${rbac.filter((c) => !c.ok).length} |`);
  const unmappedTests = p.unmappedRules.reduce((s, r) => s + r.tests, 0);
  L.push('', `Panther rules without a kubeward counterpart: ${p.unmappedRules.length} (${unmappedTests} tests), listed below with the reason.`, '');

  L.push('## Panther rules by detection', '');
  L.push('An event "alerts" when the mapped detection reports it (with default options and the default platform allow-list, except where noted).', '');
  L.push('| Panther rule | kubeward detection | tests | agree | deliberate | unexplained | note |', '|---|---|---:|---:|---:|---:|---|');
  for (const m of MAPPINGS) {
    const cs = p.cases.filter((c) => c.rule === m.rule);
    if (cs.length === 0) continue;
    const c = count(cs);
    L.push(`| ${m.rule} | ${m.detections.map((d) => `\`${d.id}\``).join(', ')} | ${cs.length} | ${c.agree} | ${c.deliberate} | ${c.unexplained} | ${esc(m.note ?? '')} |`);
  }
  L.push('', '### Per detection', '', '| detection | Panther tests | agree | disagree (all deliberate unless counted unexplained) | unexplained |', '|---|---:|---:|---:|---:|');
  const ids = new Set(MAPPINGS.flatMap((m) => m.detections.map((d) => d.id)));
  for (const id of [...ids].sort()) {
    const rules = new Set(MAPPINGS.filter((m) => m.detections.some((d) => d.id === id)).map((m) => m.rule));
    const cs = p.cases.filter((c) => rules.has(c.rule));
    const c = count(cs);
    L.push(`| \`${id}\` | ${cs.length} | ${c.agree} | ${c.deliberate + c.unexplained} | ${c.unexplained} |`);
  }
  const notCompared = Object.keys(detections).filter((id) => !ids.has(id));
  L.push('', `Detections without a Panther counterpart (covered by their own fixtures only): ${notCompared.map((x) => `\`${x}\``).join(', ')}.`, '');

  L.push('### Deliberate disagreements', '');
  L.push('| Panther rule | test | Panther | kubeward | reason |', '|---|---|---|---|---|');
  for (const c of p.cases.filter((x) => x.status === 'deliberate')) L.push(`| ${c.rule} | ${esc(c.test)} | ${c.expected ? 'alert' : 'no alert'} | ${c.fired ? 'alert' : 'no alert'} | ${esc(c.reason ?? '')} |`);
  const unexplained = p.cases.filter((x) => x.status === 'unexplained');
  if (unexplained.length) {
    L.push('', '### Unexplained disagreements', '', '| Panther rule | test | Panther | kubeward | detail |', '|---|---|---|---|---|');
    for (const c of unexplained) L.push(`| ${c.rule} | ${esc(c.test)} | ${c.expected ? 'alert' : 'no alert'} | ${c.fired ? 'alert' : 'no alert'} | ${esc(c.detail ?? '')} |`);
  }
  L.push('', '### Unmapped Panther rules', '', '| Panther rule | tests | why there is no kubeward counterpart |', '|---|---:|---|');
  for (const r of p.unmappedRules) L.push(`| ${r.rule} | ${r.tests} | ${esc(r.reason)} |`);

  L.push('', '## Elastic: fields extracted from the same records', '');
  L.push('Elastic\'s pipeline expectations (`*-expected.json`, ECS) against the normalised kubeward event of the same line.', '');
  L.push('| file:line | field | Elastic | kubeward | status | reason |', '|---|---|---|---|---|---|');
  for (const f of fields) L.push(`| ${f.file}:${f.line} | ${f.field} | ${JSON.stringify(f.expected)} | ${JSON.stringify(f.ours)} | ${f.status} | ${esc(f.reason ?? '')} |`);

  L.push('', '## Raw provider samples', '', '| sample | result | detail |', '|---|---|---|');
  for (const c of formatChecks) L.push(`| ${esc(c.what)} | ${c.ok ? 'ok' : 'FAIL'} | ${esc(c.detail)} |`);
  L.push('', '## audit2rbac', '', '| check | result | detail |', '|---|---|---|');
  for (const c of rbac) L.push(`| ${esc(c.what)} | ${c.ok ? 'ok' : 'FAIL'} | ${esc(c.detail)} |`);
  L.push('');
  return L.join('\n');
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const corpora = path.resolve(process.env.KUBEWARD_CORPORA || path.join(ROOT, '../shared/corpora'));
  const corpus = path.join(corpora, 'audit-formats');
  if (!existsSync(corpus)) {
    console.error(`conformance-audit: corpus not found at ${corpus} (set KUBEWARD_CORPORA)`);
    return 2;
  }
  const p = evaluatePanther(corpus);
  const fields = await evaluateElastic(corpus);
  const formatChecks = await evaluateFormats(corpus);
  const rbac = await evaluateAudit2rbac(corpus);
  const doc = render(p, fields, formatChecks, rbac);
  const pc = count(p.cases);
  const fc = count(fields);
  console.log(`conformance-audit: Panther ${p.cases.length} tests of ${MAPPINGS.length} mapped rules: agree ${pc.agree}, deliberate ${pc.deliberate}, unexplained ${pc.unexplained}; unmapped rules ${p.unmappedRules.length}`);
  console.log(`  Elastic fields ${fields.length}: agree ${fc.agree}, deliberate ${fc.deliberate}, unexplained ${fc.unexplained}`);
  console.log(`  raw samples ${formatChecks.filter((c) => c.ok).length}/${formatChecks.length} ok; audit2rbac ${rbac.filter((c) => c.ok).length}/${rbac.length} ok`);
  const bad = [
    ...p.cases.filter((c) => c.status === 'unexplained').map((c) => `Panther ${c.rule} | ${c.test}: expected ${c.expected ? 'alert' : 'no alert'}, got ${c.fired ? 'alert' : 'no alert'} (${c.detail})`),
    ...fields.filter((f) => f.status === 'unexplained').map((f) => `Elastic ${f.file}:${f.line} ${f.field}: ${JSON.stringify(f.expected)} != ${JSON.stringify(f.ours)}`),
    ...formatChecks.filter((c) => !c.ok).map((c) => `sample ${c.what}: ${c.detail}`),
    ...rbac.filter((c) => !c.ok).map((c) => `${c.what}: ${c.detail}`),
    ...p.missing.map((r) => `Panther rule ${r} is neither mapped nor listed as unmapped`),
  ];
  for (const b of bad) console.log(`  UNEXPLAINED ${b}`);
  const usedKeys = new Set(p.cases.filter((c) => c.status === 'deliberate').map((c) => `${c.rule} | ${c.test}`));
  for (const k of Object.keys(PANTHER_DELIBERATE)) if (!usedKeys.has(k)) console.warn(`  warning: deliberate entry no longer needed: ${k}`);
  const usedFields = new Set(fields.filter((f) => f.status === 'deliberate').map((f) => `${f.file}#${f.line} ${f.field}`));
  for (const k of Object.keys(FIELD_DELIBERATE)) if (!usedFields.has(k)) console.warn(`  warning: deliberate field entry no longer needed: ${k}`);
  if (!check) {
    const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
    if (have !== doc) writeFileSync(DOC, doc);
    console.log(`docs/conformance-audit.md ${have === doc ? 'unchanged' : 'written'}`);
    return 0;
  }
  let failed = bad.length > 0;
  if (failed) console.error(`conformance-audit: ${bad.length} unexplained disagreement(s)`);
  const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
  if (have !== doc) {
    console.error('conformance-audit: docs/conformance-audit.md is out of date (run node dist/scripts/conformance-audit.js)');
    failed = true;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(3);
  },
);
