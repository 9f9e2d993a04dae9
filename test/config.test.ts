// kubeward.yaml: discovery, severity overrides, disabled rules, exclusions, failOn; clear errors with
// file:line; shipped JSON Schemas in sync; the documented examples valid.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { kubeward, tempDir, pod, hasStackTrace, STABLE_RULES } from './helpers/cli.js';
import { fromRoot } from './helpers/paths.js';
import { configSchema, ignoreSchema, loadConfig, loadIgnoreFile } from '../src/loaders/config.js';
import { expectedSchemas } from '../scripts/gen-schemas.js';
import { allRules } from '../src/rules/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const files = {
  'k8s/prod.yaml': pod('web', { namespace: 'prod', hostNetwork: true, privileged: true }),
  'k8s/system.yaml': pod('agent', { namespace: 'kube-system', hostNetwork: true }),
  'k8s/legacy.yaml': pod('legacy-batch', { namespace: 'prod', hostNetwork: true }),
};

async function scanWithConfig(config: string, args: string[] = []) {
  return kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json', ...args], { files: { ...files, 'kubeward.yaml': config } });
}

function summary(r: { json(): Json }): string[] {
  return r
    .json()
    .findings.map((f: Json) => `${f.ruleId}:${f.resource.name}:${f.severity}${f.suppressed ? `:suppressed-by-${f.suppressed.by}` : ''}`)
    .sort();
}

describe('kubeward.yaml', () => {
  test('without a config file: defaults', async () => {
    const r = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json'], { files });
    assert.equal(r.code, 1);
    assert.deepEqual(summary(r), [
      'host-network:agent:high',
      'host-network:legacy-batch:high',
      'host-network:web:high',
      'privileged-container:web:critical',
    ]);
  });

  test('is found in the working directory; severity overrides and failOn apply', async () => {
    const r = await scanWithConfig('failOn: critical\nrules:\n  host-network: low\n  privileged-container: medium\n');
    assert.equal(r.code, 0, 'nothing at or above critical once privileged-container is medium');
    assert.deepEqual(summary(r), [
      'host-network:agent:low',
      'host-network:legacy-batch:low',
      'host-network:web:low',
      'privileged-container:web:medium',
    ]);
    assert.equal(r.json().summary.failOn, 'critical');
    // --fail-on on the command line wins over the file
    const r2 = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json', '--fail-on', 'medium'], { cwd: r.cwd });
    assert.equal(r2.code, 1);
  });

  test('the long form {enabled, severity} and true/false/on/off', async () => {
    const r = await kubeward(['scan', 'k8s', '--format', 'json', '--pillar', 'workload'], {
      files: { ...files, 'kubeward.yaml': 'rules:\n  host-network: {enabled: true, severity: info}\n  privileged-container:\n    enabled: false\n' },
    });
    const ids = new Set(r.json().findings.map((f: Json) => f.ruleId));
    assert.ok(!ids.has('privileged-container'), 'disabled rule does not run');
    assert.ok(r.json().findings.filter((f: Json) => f.ruleId === 'host-network').every((f: Json) => f.severity === 'info'));
    for (const off of ['off', 'false']) {
      const r2 = await kubeward(['scan', 'k8s', '--format', 'json'], { files: { ...files, 'kubeward.yaml': `rules:\n  host-network: ${off}\n` } });
      assert.ok(!r2.json().findings.some((f: Json) => f.ruleId === 'host-network'), `host-network: ${off}`);
      assert.equal(r2.json().summary.rulesRun, allRules.length - 1);
    }
  });

  test('--rule runs the named rules even when the config turns them off', async () => {
    const r = await scanWithConfig('rules:\n  host-network: off\n');
    assert.ok(r.json().findings.some((f: Json) => f.ruleId === 'host-network'));
  });

  test('exclude.namespaces and exclude.resources (globs) suppress, and list the findings as suppressed', async () => {
    const r = await scanWithConfig('exclude:\n  namespaces: [kube-system]\n  resources:\n    - name: legacy-*\n      kind: Pod\n');
    assert.equal(r.code, 1);
    assert.deepEqual(summary(r), [
      'host-network:agent:high:suppressed-by-config',
      'host-network:legacy-batch:high:suppressed-by-config',
      'host-network:web:high',
      'privileged-container:web:critical',
    ]);
    assert.equal(r.json().summary.suppressed, 2);
    assert.equal(r.json().summary.active, 2);
  });

  test('--config FILE (relative to the working directory) instead of ./kubeward.yaml', async () => {
    const dir = tempDir({ ...files, 'kubeward.yaml': 'failOn: none\n', 'ci/strict.yaml': 'failOn: low\nrules:\n  host-network: info\n' });
    const r = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json', '-c', 'ci/strict.yaml'], { cwd: dir });
    assert.equal(r.json().summary.failOn, 'low');
    assert.equal(r.code, 1);
    const missing = await kubeward(['scan', 'k8s', '--config', 'nope.yaml'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.deepEqual(missing.errLines(), ['kubeward: nope.yaml: cannot read: no such file']);
  });

  test('an empty config file is valid', async () => {
    const r = await scanWithConfig('# nothing yet\n');
    assert.equal(r.code, 1, r.stderr);
  });

  const errors: Array<{ what: string; config: string; line: RegExp }> = [
    {
      what: 'unknown top-level key',
      config: 'failOn: high\nfailon: low\n',
      line: new RegExp(`^kubeward: kubeward\\.yaml:2: invalid configuration at failon: unknown field "failon" \\(expected one of ${Object.keys(configSchema.properties).join(', ')}\\)$`),
    },
    { what: 'unknown nested key', config: 'exclude:\n  namespace: [a]\n', line: /^kubeward: kubeward\.yaml:2: invalid configuration at exclude\.namespace: unknown field "namespace" \(expected one of namespaces, resources\)$/ },
    { what: 'unknown selector key', config: 'exclude:\n  resources:\n    - kind: Pod\n      labels: {a: b}\n', line: /^kubeward: kubeward\.yaml:4: invalid configuration at exclude\.resources\.0\.labels: unknown field "labels" \(expected one of kind, namespace, name\)$/ },
    { what: 'bad severity', config: 'rules:\n  host-network: severe\n', line: /^kubeward: kubeward\.yaml:2: invalid configuration at rules\.host-network: must be one of off, on, critical, high, medium, low, info$/ },
    { what: 'bad severity in the long form', config: 'rules:\n  host-network:\n    severity: urgent\n', line: /^kubeward: kubeward\.yaml:3: invalid configuration at rules\.host-network\.severity: must be one of critical, high, medium, low, info$/ },
    { what: 'bad failOn', config: '\nfailOn: sometimes\n', line: /^kubeward: kubeward\.yaml:2: invalid configuration at failOn: must be one of critical, high, medium, low, info, none$/ },
    { what: 'unknown key in the long form', config: 'rules:\n  host-network:\n    enabled: true\n    level: high\n', line: /^kubeward: kubeward\.yaml:4: invalid configuration at rules\.host-network\.level: unknown field "level" \(expected one of enabled, severity\)$/ },
    { what: 'wrong type', config: 'exclude:\n  namespaces: kube-system\n', line: /^kubeward: kubeward\.yaml:2: invalid configuration at exclude\.namespaces: must be array$/ },
    { what: 'unknown rule id', config: 'rules:\n  privileged-container: high\n  host-netwrok: off\n', line: /^kubeward: kubeward\.yaml:3: unknown rule "host-netwrok" \(see kubeward rules\)$/ },
    { what: 'invalid YAML', config: 'rules:\n  host-network: high\n   privileged-container: low\n', line: /^kubeward: kubeward\.yaml:\d: invalid YAML: / },
    { what: 'duplicate key', config: 'failOn: high\nfailOn: low\n', line: /^kubeward: kubeward\.yaml:2: invalid YAML: Map keys must be unique/ },
    { what: 'not a mapping', config: '- failOn: high\n', line: /^kubeward: kubeward\.yaml:1: invalid configuration: must be object$/ },
  ];
  for (const e of errors) {
    test(`config error is one line with file:line: ${e.what}`, async () => {
      const r = await scanWithConfig(e.config);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '', 'no scan happens with a broken configuration');
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.equal(r.errLines().length, 1, r.stderr);
      assert.match(r.errLines()[0], e.line);
    });
  }

  test('config errors are reported with the path as given (-c)', async () => {
    const dir = tempDir({ ...files, 'conf/kw.yaml': 'bogus: 1\n' });
    const r = await kubeward(['scan', 'k8s', '-c', 'conf/kw.yaml'], { cwd: dir });
    assert.match(r.stderr, /^kubeward: conf\/kw\.yaml:1: invalid configuration at bogus: unknown field "bogus"/);
  });

  test('ignoreFile and baseline paths are relative to the config file', async () => {
    const dir = tempDir({
      ...files,
      'conf/kubeward.yaml': 'ignoreFile: ignores.yaml\n',
      'conf/ignores.yaml': 'ignores:\n  - rule: host-network\n    reason: accepted\n',
    });
    const r = await kubeward(['scan', 'k8s', ...STABLE_RULES, '--format', 'json', '-c', 'conf/kubeward.yaml'], { cwd: dir });
    assert.ok(r.json().findings.filter((f: Json) => f.ruleId === 'host-network').every((f: Json) => f.suppressed?.by === 'ignore-file'));
    const missing = await kubeward(['scan', 'k8s', '-c', 'conf/kubeward.yaml', '--ignore-file', 'nope.yaml'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.deepEqual(missing.errLines(), ['kubeward: nope.yaml: cannot read: no such file']);
  });
});

describe('JSON Schemas', () => {
  test('schemas/*.schema.json are generated from src/loaders/config.ts (node dist/scripts/gen-schemas.js)', () => {
    for (const [name, content] of expectedSchemas()) {
      let have: string | undefined;
      try {
        have = readFileSync(fromRoot('schemas', name), 'utf8');
      } catch {
        have = undefined;
      }
      assert.equal(have, content, `schemas/${name} is out of date: run npm run schemas`);
    }
  });

  test('the shipped schemas compile and accept/reject like the loader', () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    const cfg = ajv.compile(JSON.parse(readFileSync(fromRoot('schemas/config.schema.json'), 'utf8')) as object);
    const ign = ajv.compile(JSON.parse(readFileSync(fromRoot('schemas/ignore.schema.json'), 'utf8')) as object);
    assert.ok(cfg({ failOn: 'high', rules: { 'host-network': 'off', x: { severity: 'low' } }, exclude: { namespaces: ['a'], resources: [{ name: 'x-*' }] } }));
    assert.ok(!cfg({ failOn: 'sometimes' }));
    assert.ok(!cfg({ extra: 1 }));
    assert.ok(ign({ ignores: [{ rule: 'host-network', reason: 'r', expires: '2030-01-01', resource: { kind: 'Pod' } }] }));
    assert.ok(!ign({ ignores: [{ rule: 'host-network' }] }), 'reason is required');
    assert.ok(!ign({ ignores: [{ rule: 'x', reason: 'r', expires: '01/02/2030' }] }));
    assert.equal(configSchema.$id, 'https://kubeward.io/schemas/config.json');
    assert.equal(ignoreSchema.$id, 'https://kubeward.io/schemas/ignore.json');
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(fromRoot('docs/configuration.md'), 'utf8');
  const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const known = new Set(allRules.map((r) => r.meta.id));

  test('the kubeward.yaml example is complete (every key of the schema) and valid', async () => {
    const example = yamlBlocks.find((b) => b.startsWith('# kubeward.yaml'));
    assert.ok(example, 'has a kubeward.yaml example');
    for (const key of [...Object.keys(configSchema.properties), 'namespaces', 'resources', 'enabled', 'severity']) {
      assert.match(example, new RegExp(`^\\s*#? ?${key}:`, 'm'), `the example shows ${key}`);
    }
    const dir = tempDir({ 'kubeward.yaml': example, '.kubeward-ignore.yaml': 'ignores: []\n' });
    const cfg = await loadConfig(undefined, dir, known);
    assert.equal(cfg.failOn, 'high');
    assert.deepEqual(cfg.excludeNamespaces, ['kube-system', 'monitoring']);
    assert.equal(cfg.rules['run-as-non-root']?.enabled, false);
  });

  test('the ignore-file example is valid, with every field', async () => {
    const example = yamlBlocks.find((b) => b.startsWith('# .kubeward-ignore.yaml'));
    assert.ok(example, 'has an ignore-file example');
    const dir = tempDir({ '.kubeward-ignore.yaml': example });
    const entries = await loadIgnoreFile('.kubeward-ignore.yaml', false, { cwd: dir, knownRules: known });
    assert.ok(entries.length >= 3);
    for (const f of ['rule', 'resource', 'reason', 'expires']) assert.ok(entries.some((e) => f in e), `example uses ${f}`);
  });

  test('the annotation example suppresses the findings it names', async () => {
    const example = yamlBlocks.find((b) => b.includes('ignore.kubeward.io/host-network'));
    assert.ok(example);
    const r = await kubeward(['scan', '-', '--rule', 'host-network', '--format', 'json'], { stdin: example });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().findings.length, 1);
    assert.equal(r.json().findings[0].suppressed.by, 'annotation');
  });
});
