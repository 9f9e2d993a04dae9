// Reporters: JSON contract (schemas/report.schema.json), SARIF 2.1.0 (validated against the OASIS
// schema), markdown for PR comments, JUnit XML. Results come from scanning in-test manifests through
// the real pipeline, so findings carry real lines.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { allRules, getRule } from '../src/rules/index.js';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { scan } from '../src/core/scan.js';
import type { Rule } from '../src/core/rule.js';
import { JSON_SCHEMA_VERSION, type Finding, type InputError, type LoadedObject, type ScanResult } from '../src/core/types.js';
import type { IgnoreEntry } from '../src/core/suppress.js';
import { reporters } from '../src/reporters/index.js';
import type { ReportContext } from '../src/reporters/types.js';
import { SARIF_SCHEMA_URI } from '../src/reporters/sarif.js';
import { GITHUB_COMMENT_LIMIT, mdCode, mdText } from '../src/reporters/markdown.js';
import { xmlAttr, xmlText } from '../src/reporters/junit.js';
import { fromRoot, ROOT } from './helpers/paths.js';

// ajv and its plugins are CommonJS; take their classes through require to avoid default-import interop.
const require = createRequire(import.meta.url);
type AjvLike = {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
  errorsText(errors?: unknown): string;
};
type AjvCtor = new (opts: Record<string, unknown>) => AjvLike;
const Ajv2020 = (require('ajv/dist/2020.js') as { default: AjvCtor }).default;
const AjvDraft04 = (require('ajv-draft-04') as { default: AjvCtor }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: AjvLike) => void }).default;

// ---------------------------------------------------------------------------------------------
// Fixtures: a fake repository at CWD; files are absolute paths under it, as the CLI gives them.

const CWD = path.resolve(path.sep, 'work', 'kubeward-reporters-test');
const WORKLOADS = path.join(CWD, 'k8s', 'workloads.yaml');
const SPACED = path.join(CWD, 'k8s', 'my app.yaml');

const WORKLOADS_TEXT = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: tools
spec:
  securityContext:
    runAsNonRoot: true
  containers:
    - name: "sh|ell\`x\\x01"
      image: busybox
      securityContext:
        privileged: true # P1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    ignore.kubeward.io/host-network: "needs <node> ports | see \`lb\` & docs"
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      hostNetwork: true # H1
      securityContext:
        runAsNonRoot: true
      containers:
        - name: web
          image: nginx
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      hostNetwork: true # H2
      securityContext:
        runAsNonRoot: true
      containers:
        - name: agent
          image: agent
          securityContext:
            privileged: true # P2
`;

const SPACED_TEXT = `apiVersion: v1
kind: Pod
metadata:
  name: net
  namespace: default
spec:
  hostNetwork: true # H3
  securityContext:
    runAsNonRoot: true
  containers:
    - name: c
      image: x
---
apiVersion: v1
kind: ConfigMap
metadata: { name: broken
data: {}
`;

/** 1-based line of the line containing `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker} not found`);
  return i + 1;
}
const P1 = lineOf(WORKLOADS_TEXT, '# P1');
const P2 = lineOf(WORKLOADS_TEXT, '# P2');
const H1 = lineOf(WORKLOADS_TEXT, '# H1');
const H2 = lineOf(WORKLOADS_TEXT, '# H2');
const H3 = lineOf(SPACED_TEXT, '# H3');

const IGNORES: IgnoreEntry[] = [
  {
    rule: 'host-network',
    resource: { kind: 'DaemonSet', namespace: 'kube-system', name: 'agent' },
    reason: 'CNI agent needs host networking',
    expires: '2099-01-01',
    source: '.kubewardignore:3',
  },
  { rule: 'privileged-container', reason: 'temporary exception', expires: '2020-01-01', source: '.kubewardignore:9' },
];

const NOT_ASSESSED = [{ what: 'rbac.authorization.k8s.io/ClusterRole', reason: 'forbidden: cannot list clusterroles' }];

function load(files: Array<[string, string]>): { objects: LoadedObject[]; errors: InputError[] } {
  const objects: LoadedObject[] = [];
  const errors: InputError[] = [];
  for (const [file, text] of files) {
    const p = parseManifestText(text, file);
    objects.push(...p.objects);
    errors.push(...p.errors);
  }
  return { objects, errors };
}

function scanFiles(files: Array<[string, string]>, rules: readonly Rule[], withGaps = true): ScanResult {
  const { objects, errors } = load(files);
  const state = new ClusterState({ objects, notAssessed: withGaps ? NOT_ASSESSED : [] });
  return scan(state, {
    rules,
    failOn: 'high',
    inputErrors: errors,
    files: files.length,
    suppression: { ignores: IGNORES, today: '2025-06-01' },
  });
}

const FOCUSED_RULES = ['privileged-container', 'host-network', 'run-as-non-root'].map((id) => {
  const r = getRule(id);
  assert.ok(r, `rule ${id} is registered`);
  return r;
});
const INPUTS: Array<[string, string]> = [
  [WORKLOADS, WORKLOADS_TEXT],
  [SPACED, SPACED_TEXT],
];

/** Every registered rule over the fixtures. */
const full = scanFiles(INPUTS, allRules);
/** Three known rules: exact counts can be asserted. */
const focused = scanFiles(INPUTS, FOCUSED_RULES);

const ctxFor = (rules: readonly Rule[]): ReportContext => ({ color: false, rules, cwd: CWD });
const render = (format: keyof typeof reporters, res: ScanResult, rules: readonly Rule[]) => reporters[format].render(res, ctxFor(rules));

function find(res: ScanResult, ruleId: string, name: string): Finding {
  const f = res.findings.find((x) => x.ruleId === ruleId && x.resource.name === name);
  assert.ok(f, `finding ${ruleId} on ${name}`);
  return f;
}

test('fixtures produce the findings the reporter tests rely on', () => {
  const got = focused.findings.map((f) => `${f.ruleId} ${f.resource.kind}/${f.resource.name}:${f.location?.line} ${f.suppressed?.by ?? 'active'}`).sort();
  assert.deepEqual(got, [
    `host-network DaemonSet/agent:${H2} ignore-file`,
    `host-network Deployment/web:${H1} annotation`,
    `host-network Pod/net:${H3} active`,
    `privileged-container DaemonSet/agent:${P2} active`,
    `privileged-container Pod/debug:${P1} active`,
  ]);
  assert.equal(focused.errors.length, 1, 'the broken document is an input error');
  assert.equal(focused.errors[0].file, SPACED);
  assert.ok((focused.errors[0].line ?? 0) > 0, 'input error has a line');
  assert.equal(focused.expiredSuppressions?.length, 1);
  assert.equal(focused.notAssessed.length, 1);
  assert.equal(focused.summary.failed, true);
});

test('registry offers the six formats', () => {
  assert.deepEqual(Object.keys(reporters).sort(), ['html', 'json', 'junit', 'markdown', 'sarif', 'text']);
  for (const [name, r] of Object.entries(reporters)) {
    assert.ok(r.description.length > 10, `${name} has a description`);
    assert.match(r.extension, /^[a-z]+$/);
  }
});

// ---------------------------------------------------------------------------------------------
describe('json reporter and schemas/report.schema.json', () => {
  const schema = JSON.parse(readFileSync(fromRoot('schemas/report.schema.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  /** The same schema with every object closed: catches fields the tool emits but the schema does not document. */
  function closed(s: unknown): unknown {
    if (Array.isArray(s)) return s.map(closed);
    if (s === null || typeof s !== 'object') return s;
    const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'const' || k === 'enum' ? v : closed(v)]));
    if ('properties' in o && !('additionalProperties' in o)) o.additionalProperties = false;
    return o;
  }
  const validateClosed = new Ajv2020({ allErrors: true, strict: true }).compile({ ...(closed(schema) as object), $id: 'urn:test:closed' });

  for (const [name, res] of [
    ['full scan', full],
    ['focused scan', focused],
  ] as const) {
    test(`JSON output of the ${name} validates (open and closed schema)`, () => {
      const data = JSON.parse(render('json', res, allRules)) as unknown;
      assert.ok(validate(data), ajv.errorsText(validate.errors));
      assert.ok(validateClosed(data), `output has fields the schema does not describe: ${JSON.stringify(validateClosed.errors)}`);
    });
  }

  test('the schema rejects reports that break the contract', () => {
    const good = JSON.parse(render('json', focused, FOCUSED_RULES)) as ScanResult;
    assert.ok(validate(good));
    const bad: Array<[string, (r: any) => void]> = [
      ['unknown severity', (r) => (r.findings[0].severity = 'urgent')],
      ['missing summary', (r) => delete r.summary],
      ['bySeverity without info', (r) => delete r.summary.bySeverity.info],
      ['negative count', (r) => (r.summary.active = -1)],
      ['major version 2', (r) => (r.schemaVersion = '2.0.0')],
      ['suppression by someone unknown', (r) => (r.findings.find((f: Finding) => f.suppressed).suppressed.by = 'boss')],
      ['line as a string', (r) => (r.findings[0].location.line = '12')],
      ['failOn off the list', (r) => (r.summary.failOn = 'never')],
    ];
    for (const [what, mutate] of bad) {
      const copy = structuredClone(good);
      mutate(copy);
      assert.equal(validate(copy), false, `schema should reject: ${what}`);
    }
  });

  test('schemaVersion in the code is semver and matches the schema major', () => {
    assert.match(JSON_SCHEMA_VERSION, /^\d+\.\d+\.\d+$/);
    const props = schema.properties as Record<string, { pattern?: string }>;
    assert.ok(new RegExp(props.schemaVersion.pattern!).test(JSON_SCHEMA_VERSION), 'schema pattern accepts the current version');
    const doc = readFileSync(fromRoot('docs/json-schema.md'), 'utf8');
    assert.ok(doc.includes(JSON_SCHEMA_VERSION), 'docs/json-schema.md names the current schema version');
  });
});

// ---------------------------------------------------------------------------------------------
describe('sarif reporter', () => {
  const sarifSchema = JSON.parse(readFileSync(fromRoot('test/vendor/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  const validateSarif = ajv.compile(sarifSchema);
  const log = JSON.parse(render('sarif', full, allRules)) as any;
  const run = log.runs[0];

  test('the vendored schema is the OASIS 2.1.0 (errata 01) one', () => {
    assert.equal(sarifSchema.id, 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
    assert.equal(log.$schema, SARIF_SCHEMA_URI);
    assert.equal(log.version, '2.1.0');
    // The validator can fail: a result without a message is invalid.
    const broken = structuredClone(log);
    delete broken.runs[0].results[0].message;
    assert.equal(validateSarif(broken), false);
  });

  for (const [name, res, rules] of [
    ['full scan', full, allRules],
    ['focused scan', focused, FOCUSED_RULES],
    ['clean scan', scanFiles([[path.join(CWD, 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n']], FOCUSED_RULES, false), FOCUSED_RULES],
  ] as const) {
    test(`output of the ${name} validates against the SARIF 2.1.0 schema`, () => {
      const data = JSON.parse(render('sarif', res, rules)) as unknown;
      assert.ok(validateSarif(data), ajv.errorsText(validateSarif.errors));
    });
  }

  test('one rule descriptor per rule that ran, with severity mapping and tags', () => {
    const rules = run.tool.driver.rules as any[];
    assert.deepEqual(
      rules.map((r) => r.id),
      allRules.map((r) => r.meta.id),
    );
    const priv = rules.find((r) => r.id === 'privileged-container');
    assert.equal(priv.name, 'PrivilegedContainer');
    assert.equal(priv.shortDescription.text, 'Privileged container');
    assert.equal(priv.defaultConfiguration.level, 'error');
    assert.equal(priv.properties['security-severity'], '9.5');
    assert.ok(priv.helpUri.startsWith('https://'));
    assert.match(priv.help.markdown, /\*\*Remediation:\*\*/);
    for (const t of ['security', 'workload', 'pss-baseline', 'CIS-K8S 5.2.2', 'mitre-attack/T1611']) assert.ok(priv.properties.tags.includes(t), `tag ${t}`);
    const hn = rules.find((r) => r.id === 'host-network');
    assert.equal(hn.defaultConfiguration.level, 'error');
    assert.equal(hn.properties['security-severity'], '8.0');
    const rnr = rules.find((r) => r.id === 'run-as-non-root');
    assert.equal(rnr.defaultConfiguration.level, 'warning');
    assert.equal(rnr.properties['security-severity'], '5.5');
    assert.equal(run.tool.driver.name, 'kubeward');
  });

  test('results point at the finding lines, with relative %SRCROOT% uris', () => {
    assert.equal(run.results.length, full.findings.length);
    for (const [i, r] of (run.results as any[]).entries()) {
      const f = full.findings[i];
      assert.equal(r.ruleId, f.ruleId);
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, f.ruleId, 'ruleIndex points at the rule');
      const phys = r.locations[0].physicalLocation;
      assert.equal(phys.region.startLine, f.location!.line);
      assert.equal(phys.region.startColumn, f.location!.column);
      assert.equal(phys.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(!phys.artifactLocation.uri.includes('\\') && !phys.artifactLocation.uri.startsWith('/'));
    }
    const byKey = (ruleId: string, name: string) =>
      (run.results as any[]).find((r) => r.ruleId === ruleId && r.locations[0].logicalLocations[0].name === name);
    const p1 = byKey('privileged-container', 'debug');
    assert.equal(p1.level, 'error');
    assert.equal(p1.locations[0].physicalLocation.region.startLine, P1);
    assert.equal(p1.locations[0].physicalLocation.artifactLocation.uri, 'k8s/workloads.yaml');
    assert.match(p1.message.text, /^Pod tools\/debug: container "sh\|ell`x\u0001" runs privileged$/);
    assert.equal(p1.locations[0].logicalLocations[0].fullyQualifiedName, 'v1/Pod/tools/debug');
    const h3 = byKey('host-network', 'net');
    assert.equal(h3.locations[0].physicalLocation.artifactLocation.uri, 'k8s/my%20app.yaml');
    assert.equal(h3.locations[0].physicalLocation.region.startLine, H3);
    assert.equal(h3.suppressions, undefined);
  });

  test('suppressed findings carry suppressions; fingerprints are stable and distinct', () => {
    const res = (run.results as any[]).filter((r) => r.ruleId === 'host-network');
    const web = res.find((r) => r.locations[0].logicalLocations[0].name === 'web');
    assert.deepEqual(
      { kind: web.suppressions[0].kind, justification: web.suppressions[0].justification },
      { kind: 'inSource', justification: 'needs <node> ports | see `lb` & docs' },
    );
    const agent = res.find((r) => r.locations[0].logicalLocations[0].name === 'agent');
    assert.equal(agent.suppressions[0].kind, 'external');
    assert.equal(agent.suppressions[0].justification, 'CNI agent needs host networking');
    const fps = (run.results as any[]).map((r) => r.partialFingerprints['kubeward/v1']);
    assert.equal(new Set(fps).size, fps.length);
    const again = JSON.parse(render('sarif', scanFiles(INPUTS, allRules), allRules)) as any;
    assert.deepEqual(
      again.runs[0].results.map((r: any) => r.partialFingerprints['kubeward/v1']),
      fps,
    );
  });

  test('input errors and gaps are execution notifications; success reflects input errors', () => {
    const inv = run.invocations[0];
    assert.equal(inv.executionSuccessful, false);
    const notes = inv.toolExecutionNotifications as any[];
    const err = notes.find((n) => n.descriptor.id === 'input-error');
    assert.equal(err.level, 'error');
    assert.equal(err.locations[0].physicalLocation.artifactLocation.uri, 'k8s/my%20app.yaml');
    assert.equal(err.locations[0].physicalLocation.region.startLine, full.errors[0].line);
    const na = notes.find((n) => n.descriptor.id === 'not-assessed');
    assert.match(na.message.text, /ClusterRole.*forbidden/);
    assert.equal(inv.toolConfigurationNotifications[0].descriptor.id, 'expired-suppression');
    const clean = JSON.parse(render('sarif', scanFiles([[path.join(CWD, 'a.yaml'), WORKLOADS_TEXT]], FOCUSED_RULES, false), FOCUSED_RULES)) as any;
    assert.equal(clean.runs[0].invocations[0].executionSuccessful, true);
  });

  test('files outside cwd get absolute file: uris; stdin gets no physical location', () => {
    const outside = path.resolve(CWD, '..', 'elsewhere', 'x.yaml');
    const res = scanFiles(
      [
        [outside, WORKLOADS_TEXT],
        ['<stdin>', SPACED_TEXT.split('---')[0]],
      ],
      FOCUSED_RULES,
      false,
    );
    const out = JSON.parse(render('sarif', res, FOCUSED_RULES)) as any;
    assert.ok(validateSarif(out), ajv.errorsText(validateSarif.errors));
    const results = out.runs[0].results as any[];
    const fromOutside = results.find((r) => r.locations[0].logicalLocations[0].name === 'debug');
    assert.match(fromOutside.locations[0].physicalLocation.artifactLocation.uri, /^file:\/\/.*\/elsewhere\/x\.yaml$/);
    assert.equal(fromOutside.locations[0].physicalLocation.artifactLocation.uriBaseId, undefined);
    const fromStdin = results.find((r) => r.locations[0].logicalLocations[0].name === 'net');
    assert.equal(fromStdin.locations[0].physicalLocation, undefined);
  });
});

// ---------------------------------------------------------------------------------------------
describe('markdown reporter', () => {
  const md = render('markdown', focused, FOCUSED_RULES);

  /** Number of cells in a table row: pipes not escaped by a backslash, minus one. */
  function cells(line: string): number {
    let n = 0;
    for (let i = 0; i < line.length; i++) if (line[i] === '|' && line[i - 1] !== '\\') n++;
    return n - 1;
  }

  test('escaping helpers', () => {
    assert.equal(mdText('a|b'), 'a\\|b');
    assert.equal(mdText('use `x` <b>*y*</b>'), 'use \\`x\\` \\<b\\>\\*y\\*\\</b\\>');
    assert.equal(mdText('line\nbreak'), 'line break');
    assert.equal(mdText('cc @octocat'), 'cc @\u200boctocat');
    assert.equal(mdText('bell\u0007'), 'bell\\\\u0007');
    assert.equal(mdCode('bell\u0007'), '`bell\\u0007`');
    assert.equal(mdCode('plain'), '`plain`');
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('`x'), '`` `x ``');
    assert.equal(mdCode('a|b'), '`a\\|b`');
  });

  test('summary and severity table', () => {
    assert.ok(md.startsWith('<!-- kubeward-report -->\n'));
    assert.match(md, /\*\*3 findings\*\* \(2 critical, 1 high\), 2 suppressed, in 4 objects from 2 files; 1 not assessed, 1 input error\. \*\*FAIL\*\*/);
    assert.ok(md.includes('| critical | 2 | 0 |'));
    assert.ok(md.includes('| high | 1 | 2 |'));
    assert.ok(md.includes('| **total** | **3** | **2** |'));
  });

  test('findings grouped by pillar and severity, with escaped cells and file:line', () => {
    const lines = md.split('\n');
    const pillar = lines.indexOf('### Workload hardening (3)');
    const crit = lines.indexOf('#### critical (2)');
    const high = lines.indexOf('#### high (1)');
    assert.ok(pillar >= 0 && crit > pillar && high > crit, 'pillar, then severities in order');
    assert.ok(
      lines.includes(`| \`privileged-container\` | \`Pod tools/debug\` | container "sh\\|ell\\\`x\\\\u0001" runs privileged | \`k8s/workloads.yaml:${P1}\` |`),
      'row for the debug pod, pipe and backtick escaped',
    );
    assert.ok(lines.includes(`| \`host-network\` | \`Pod default/net\` | pod shares the node network namespace (hostNetwork: true) | \`k8s/my app.yaml:${H3}\` |`));
    // Every table row has as many cells as its header: no escaping leak splits a cell.
    let width = -1;
    for (const l of lines) {
      if (!l.startsWith('|')) {
        width = -1;
        continue;
      }
      if (width < 0) width = cells(l);
      else assert.equal(cells(l), width, `row has ${cells(l)} cells, header ${width}: ${l}`);
    }
  });

  test('suppressed findings are folded; gaps, input errors and expiries listed', () => {
    const open = md.indexOf('<details>');
    const close = md.indexOf('</details>');
    assert.ok(open > md.indexOf('#### high (1)') && close > open);
    const folded = md.slice(open, close);
    assert.ok(folded.includes('<summary>Suppressed findings (2)</summary>'));
    assert.ok(folded.includes('| annotation | needs \\<node\\> ports \\| see \\`lb\\` \\& docs |'));
    assert.ok(folded.includes('| ignore-file | CNI agent needs host networking |'));
    assert.match(md, /### Not assessed \(1\)\n\n- \*\*rbac\.authorization\.k8s\.io\/ClusterRole\*\*: forbidden: cannot list clusterroles/);
    assert.match(md, new RegExp(`### Input errors \\(1\\)\\n\\n- \`k8s/my app\\.yaml:${focused.errors[0].line}(:\\d+)?\`: `));
    assert.match(md, /### Expired suppressions \(1\)\n\n- `privileged-container` expired 2020-01-01/);
    assert.ok(!md.includes('shortened'), 'a small report is not truncated');
  });

  test('a huge report is cut under the GitHub comment limit, with a note that adds up', () => {
    const N = 1500;
    const docs: string[] = [];
    for (let i = 0; i < N; i++) {
      docs.push(`apiVersion: v1
kind: Pod
metadata:
  name: privileged-pod-with-a-rather-long-name-${String(i).padStart(4, '0')}
  namespace: team-${i % 7}
spec:
  securityContext: { runAsNonRoot: true }
  containers:
    - name: main
      image: x
      securityContext: { privileged: true }
`);
    }
    const big = scanFiles([[path.join(CWD, 'big.yaml'), docs.join('---\n')]], FOCUSED_RULES, false);
    assert.equal(big.summary.active, N);
    const out = render('markdown', big, FOCUSED_RULES);
    assert.ok(out.length <= GITHUB_COMMENT_LIMIT, `length ${out.length}`);
    assert.ok(out.length > GITHUB_COMMENT_LIMIT - 5000, 'uses most of the room');
    const m = /not shown: (\d+) of 1500 findings/.exec(out);
    assert.ok(m, 'truncation note present');
    const rows = out.split('\n').filter((l) => l.startsWith('| `privileged-container`')).length;
    assert.equal(rows + Number(m[1]), N);
    assert.ok(rows > 100);
  });
});

// ---------------------------------------------------------------------------------------------
describe('junit reporter', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  });

  test('escaping helpers', () => {
    assert.equal(xmlText('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
    assert.equal(xmlAttr(`"q" 'a'\n`), '&quot;q&quot; &apos;a&apos;&#10;');
    assert.equal(xmlText('bell\u0007 nul\u0000 fffe\uFFFE ok\u00e9\u{1F600}'), 'bell\\u0007 nul\\u0000 fffe\\uFFFE ok\u00e9\u{1F600}');
    assert.equal(xmlText('lone \uD800 surrogate'), 'lone \\uD800 surrogate');
  });

  for (const [name, res, rules] of [
    ['full scan', full, allRules],
    ['focused scan', focused, FOCUSED_RULES],
  ] as const) {
    test(`output of the ${name} is well-formed XML 1.0`, () => {
      const xml = render('junit', res, rules);
      assert.equal(XMLValidator.validate(xml), true);
      assert.ok(!/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml), 'no character XML 1.0 forbids');
      assert.notEqual(XMLValidator.validate('<a><b></a>'), true, 'the validator does reject broken XML');
    });
  }

  test('suites, cases and counts of the focused scan', () => {
    const doc = parser.parse(render('junit', focused, FOCUSED_RULES)) as any;
    const root = doc.testsuites;
    assert.deepEqual(
      { tests: root.tests, failures: root.failures, errors: root.errors, skipped: root.skipped },
      { tests: '8', failures: '3', errors: '1', skipped: '3' },
    );
    const suites = root.testsuite as any[];
    assert.deepEqual(
      suites.map((s) => `${s.name}: ${s.tests}/${s.failures}/${s.errors}/${s.skipped}`),
      ['Workload hardening: 6/3/0/2', 'Not assessed: 1/0/0/1', 'Input errors: 1/0/1/0'],
    );
    const cases = suites[0].testcase as any[];
    const byName = (cls: string, name: string) => {
      const c = cases.find((x) => x.classname === cls && x.name === name);
      assert.ok(c, `testcase ${cls} ${name}`);
      return c;
    };
    const debug = byName('kubeward.workload.privileged-container', 'Pod tools/debug');
    assert.equal(debug.failure.type, 'critical');
    assert.equal(debug.failure.message, 'container "sh|ell`x\\u0001" runs privileged');
    assert.ok(debug.failure['#text'].includes(`k8s/workloads.yaml:${P1}`));
    assert.ok(debug.failure['#text'].includes('Remediation: Remove'));
    assert.equal(debug.file, 'k8s/workloads.yaml');
    assert.equal(debug.line, String(P1));
    assert.equal(byName('kubeward.workload.host-network', 'Pod default/net').failure.type, 'high');
    assert.equal(byName('kubeward.workload.host-network', 'Deployment shop/web').skipped.message, 'needs <node> ports | see `lb` & docs');
    assert.equal(byName('kubeward.workload.host-network', 'DaemonSet kube-system/agent').skipped.message, 'CNI agent needs host networking');
    const pass = byName('kubeward.workload.run-as-non-root', 'run-as-non-root: no findings');
    assert.equal(pass.failure, undefined);
    assert.equal(pass.skipped, undefined);
    const inputCase = (suites[2].testcase as any[])[0];
    assert.equal(inputCase.error.type, 'input-error');
    assert.equal(inputCase.file, 'k8s/my app.yaml');
  });

  test('full scan: one case per (rule, resource) and a passing case per silent rule', () => {
    const doc = parser.parse(render('junit', full, allRules)) as any;
    const cases = (doc.testsuites.testsuite as any[]).filter((s) => !['Not assessed', 'Input errors'].includes(s.name)).flatMap((s) => s.testcase as any[]);
    const keys = new Set(full.findings.map((f) => `${f.ruleId}|${f.resource.kind}|${f.resource.namespace}|${f.resource.name}`));
    const activeKeys = new Set(full.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId}|${f.resource.kind}|${f.resource.namespace}|${f.resource.name}`));
    const silent = allRules.filter((r) => !full.findings.some((f) => f.ruleId === r.meta.id));
    assert.equal(cases.length, keys.size + silent.length);
    assert.equal(cases.filter((c) => c.failure).length, activeKeys.size);
    assert.equal(cases.filter((c) => !c.failure && !c.skipped).length, silent.length);
  });
});

// ---------------------------------------------------------------------------------------------
test('kubeward scan examples/shop --format sarif|markdown|junit works end to end', () => {
  for (const format of ['sarif', 'markdown', 'junit']) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/kubeward.js'), 'scan', 'examples/shop', '--format', format], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, `${format}: the examples have findings at or above high (stderr: ${r.stderr})`);
    if (format === 'sarif') {
      const log = JSON.parse(r.stdout) as any;
      assert.ok(log.runs[0].results.length > 0);
      assert.match(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, /^examples\/shop\/[\w.-]+\.yaml$/);
    } else if (format === 'junit') {
      assert.equal(XMLValidator.validate(r.stdout), true);
    } else {
      assert.match(r.stdout, /^<!-- kubeward-report -->\n## kubeward scan\n/);
    }
  }
});

test('text report prints the fix command a cloud finding carries', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/kubeward.js'), 'scan', 'examples/shop', '--cloud', 'examples/shop/cloud'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.split('\n');
  const i = lines.findIndex((l) => /eks-node-imds-hop-limit/.test(l));
  assert.ok(i >= 0, 'the example has an IMDS hop-limit finding');
  assert.ok(lines.slice(i + 1, i + 4).some((l) => /^ {6}fix: \$ aws ec2 create-launch-template-version --launch-template-id lt-/.test(l)), lines.slice(i, i + 4).join('\n'));
});
