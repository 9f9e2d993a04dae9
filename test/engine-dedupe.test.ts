// The engine reports a finding once per rule, object, path and message, whatever order rules report in;
// the hash it keys them by is only an index: different findings that share a hash are all kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from '../src/loaders/manifest.js';
import { ClusterState } from '../src/model/cluster-state.js';
import { findingHash, objKey, runRules } from '../src/core/engine.js';
import { defineRule } from '../src/core/rule.js';
import type { LoadedObject } from '../src/core/types.js';

const objects = parseManifestText(
  'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: ns }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b, namespace: ns }\n',
  'cm.yaml',
).objects;

function ruleReporting(calls: Array<{ o: LoadedObject; msg: string; path?: Array<string | number> }>) {
  return defineRule({
    meta: { id: 'test-dedupe', title: 't', pillar: 'workload', severity: 'low', description: 'd', remediation: 'r', references: [], compliance: {}, messages: { m: '{msg}' } },
    handlers: { cluster: (ctx) => calls.forEach((c) => ctx.report({ object: c.o, messageId: 'm', data: { msg: c.msg }, ...(c.path ? { path: c.path } : {}) })) },
  });
}

test('engine: the same finding reported twice is kept once; other messages, paths and objects are kept', () => {
  const [a, b] = objects;
  const calls = [
    { o: a, msg: 'one' },
    { o: a, msg: 'one' },
    { o: a, msg: 'two' },
    { o: a, msg: 'one', path: ['data'] },
    { o: a, msg: 'one', path: ['data'] },
    { o: b, msg: 'one' },
    { o: a, msg: 'two' },
  ];
  const { findings } = runRules(new ClusterState({ objects }), [ruleReporting(calls)]);
  assert.deepEqual(
    findings.map((f) => `${f.resource.name} ${f.path ?? '-'} ${f.message}`),
    ['a - one', 'a - two', 'a data one', 'b - one'],
  );
});

test('engine: findings whose keys share a hash are both kept', () => {
  const [a] = objects;
  const key = objKey(a);
  // Birthday search for two messages with the same 32-bit hash (deterministic: the same pair each run).
  const byHash = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const msg = `message ${i}`;
    const h = findingHash('test-dedupe', key, undefined, msg);
    const other = byHash.get(h);
    if (other !== undefined) pair = [other, msg];
    else byHash.set(h, msg);
  }
  const calls = [{ o: a, msg: pair[0] }, { o: a, msg: pair[1] }, { o: a, msg: pair[0] }, { o: a, msg: pair[1] }];
  const { findings } = runRules(new ClusterState({ objects }), [ruleReporting(calls)]);
  assert.deepEqual(findings.map((f) => f.message), pair);
});

test('engine: the checkpoint runs after the pod rules, after the object rules and before each cluster-wide rule, and changes nothing', () => {
  const log: string[] = [];
  const meta = (id: string) => ({ id, title: 't', pillar: 'workload' as const, severity: 'low' as const, description: 'd', remediation: 'r', references: [], compliance: {}, messages: { m: '{msg}' } });
  const rules = [
    defineRule({ meta: meta('t-pod'), handlers: { podTemplate: () => void log.push('pod') } }),
    defineRule({ meta: meta('t-obj'), handlers: { objects: { ConfigMap: (o, ctx) => (log.push('obj'), ctx.report({ object: o, messageId: 'm', data: { msg: 'o' } })) } } }),
    defineRule({ meta: meta('t-c1'), handlers: { cluster: (ctx) => (log.push('c1'), ctx.report({ object: objects[0], messageId: 'm', data: { msg: 'c1' } })) } }),
    defineRule({ meta: meta('t-c2'), handlers: { cluster: () => void log.push('c2') } }),
  ];
  const withPods = [
    ...objects,
    ...parseManifestText('apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: ns }\nspec: { containers: [{ name: c, image: x }] }\n', 'pod.yaml').objects,
  ];
  const plain = runRules(new ClusterState({ objects: withPods }), rules);
  log.length = 0;
  const checked = runRules(new ClusterState({ objects: withPods }), rules, { checkpoint: () => void log.push('checkpoint') });
  assert.deepEqual(log, ['pod', 'checkpoint', 'obj', 'obj', 'checkpoint', 'c1', 'checkpoint', 'c2']);
  assert.deepEqual(checked.findings, plain.findings);
});
