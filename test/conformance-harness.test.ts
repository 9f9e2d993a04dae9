// The conformance harness (scripts/conformance/) without the third-party corpora: mapping integrity,
// and a run over a tiny synthetic corpus in the peers' formats. `npm test` never reads ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getRule } from '../src/rules/index.js';
import { MAPPING, PLANNED_RULES } from '../scripts/conformance/mapping.js';
import { DELIBERATE } from '../scripts/conformance/deliberate.js';
import { CORPORA } from '../scripts/conformance/types.js';
import { runConformance } from '../scripts/conformance/run.js';
import { renderReport } from '../scripts/conformance/report.js';

test('every rule named in the conformance mapping exists (or is planned), with its message ids', () => {
  for (const [corpus, table] of Object.entries(MAPPING)) {
    for (const [check, entry] of Object.entries(table)) {
      if (!('rules' in entry)) continue;
      for (const ref of entry.rules) {
        const rule = getRule(ref.rule);
        if (!rule) {
          assert.ok(PLANNED_RULES.has(ref.rule), `${corpus} ${check}: unknown rule ${ref.rule}`);
          continue;
        }
        for (const m of ref.messageIds ?? []) assert.ok(m in rule.meta.messages, `${corpus} ${check}: ${ref.rule} has no message ${m}`);
      }
    }
  }
});

test('deliberate disagreements are keyed by corpus-prefixed case ids and explained', () => {
  for (const [id, reason] of Object.entries(DELIBERATE)) {
    assert.ok(CORPORA.some((c) => id.startsWith(`${c}:`)), `${id}: no corpus prefix`);
    assert.ok(reason.length > 30, `${id}: reason too short`);
  }
});

const POD = (name: string, extra: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${extra}  containers:
  - name: app
    image: nginx:1.27
`;

test('a synthetic corpus is judged with each peer semantics', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kubeward-conformance-'));
  try {
    const w = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    };
    const source = { repo: 'example/peer', commit: '0'.repeat(40), license: 'Apache-2.0' };
    // Polaris: whole-file verdicts.
    w('polaris/checks/hostNetworkSet/failure.yaml', POD('a', '  hostNetwork: true\n'));
    w('polaris/checks/hostNetworkSet/success.yaml', POD('b', ''));
    w('polaris/checks/hostPIDSet/success.yaml', POD('c', '  hostPID: true\n')); // we disagree: unexplained
    w('polaris/checks/nakedPod/failure.yaml', POD('d', ''));
    w(
      'polaris/expected.json',
      JSON.stringify({
        source,
        cases: [
          { id: 'hostNetworkSet/failure.yaml', check: 'hostNetworkSet', file: 'checks/hostNetworkSet/failure.yaml', expect: 'fail' },
          { id: 'hostNetworkSet/success.yaml', check: 'hostNetworkSet', file: 'checks/hostNetworkSet/success.yaml', expect: 'pass' },
          { id: 'hostPIDSet/success.yaml', check: 'hostPIDSet', file: 'checks/hostPIDSet/success.yaml', expect: 'pass' },
          { id: 'nakedPod/failure.yaml', check: 'nakedPod', file: 'checks/nakedPod/failure.yaml', expect: 'fail' },
          { id: 'madeUp/failure.yaml', check: 'madeUpCheck', file: 'checks/nakedPod/failure.yaml', expect: 'fail' },
        ],
      }),
    );
    // Kyverno: per-resource verdicts; the other pod in the file must not leak into the verdict.
    w('kyverno-pss/p/resource.yaml', `${POD('bad', '  hostIPC: true\n')}---\n${POD('good', '')}`);
    const ky = (name: string, expect: string) => ({
      id: `p:host-namespaces:Pod:${name}`,
      dir: 'p',
      policy: 'disallow-host-namespaces',
      rule: 'host-namespaces',
      kind: 'Pod',
      resource: name,
      name,
      namespace: null,
      expect,
      files: ['resource.yaml'],
    });
    w('kyverno-pss/expected.json', JSON.stringify({ source, cases: [ky('bad', 'fail'), ky('good', 'pass'), ky('missing', 'pass')] }));
    // Checkov: exact counts over a directory, files scanned one by one (same names in two files).
    w('checkov-k8s/example_ShareHost/a.yaml', POD('same', '  hostNetwork: true\n'));
    w('checkov-k8s/example_ShareHost/b.yaml', POD('same', ''));
    w(
      'checkov-k8s/expected.json',
      JSON.stringify({
        source,
        checks: [{ checkId: 'CKV_K8S_19', dir: 'example_ShareHost', passed: 1, failed: 1, passedResources: null, failedResources: null }],
        graph: [],
      }),
    );

    const res = await runConformance(root);
    const status = Object.fromEntries(res.results.map((r) => [r.case.id, `${r.status}:${r.ours ?? ''}`]));
    assert.deepEqual(status, {
      'polaris:hostNetworkSet/failure.yaml': 'agree:fail',
      'polaris:hostNetworkSet/success.yaml': 'agree:pass',
      'polaris:hostPIDSet/success.yaml': 'unexplained:fail',
      'polaris:nakedPod/failure.yaml': 'unmapped:',
      'polaris:madeUp/failure.yaml': 'unmapped:',
      'kyverno-pss:p:host-namespaces:Pod:bad': 'agree:fail',
      'kyverno-pss:p:host-namespaces:Pod:good': 'agree:pass',
      'kyverno-pss:p:host-namespaces:Pod:missing': 'unexplained:not loaded',
      'checkov-k8s:CKV_K8S_19': 'agree:passed=1 failed=1',
    });
    assert.deepEqual(res.missingEntries, ['polaris:madeUpCheck']);
    const doc = renderReport(res);
    assert.equal(renderReport(res), doc, 'deterministic');
    assert.match(doc, /\| polaris \| example\/peer @ `000000000000` \| 5 \| 3 \| 2 \| 0 \| 1 \| 2 \| 66\.7 % \|/);
    assert.match(doc, /## Unexplained disagreements/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
