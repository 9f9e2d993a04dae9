// The indentation-based locator must agree with the parser-based one wherever it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import jsyaml from 'js-yaml';
import { parseAllDocuments, LineCounter } from 'yaml';
import { BlockLocator } from '../src/loaders/block-locate.js';
import { parseLocatedDocument } from '../src/loaders/manifest.js';
import type { ObjPath } from '../src/core/types.js';
import { fromRoot } from './helpers/paths.js';

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(f)) out.push(p);
  }
  return out;
}

/** Every path to every node of a value (bounded). */
function paths(v: unknown, prefix: ObjPath = [], out: ObjPath[] = []): ObjPath[] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

const SAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # a comment
  labels: {app: web}
  annotations:
    "quoted.key/x": 'v'
spec:
  template:
    spec:
      containers:
      - name: a
        image: nginx
        args:
          - --flag
          -   --other
        securityContext:
          privileged: true
      -   name: b
          env:
            - name: X
              value: |
                multi
                line
      volumes: []
`;

test('block locator agrees with the parser on a handwritten sample', () => {
  check(SAMPLE, 'sample.yaml');
});

const FLOW = `apiVersion: v1
kind: ReplicationController
metadata: {name: etcd, labels: {app: "etcd", 'tier': db, "app.kubernetes.io/part-of": 'it''s, here', z: 1}}
spec:
  template:
    spec:
      volumes:
        - name: certs
          hostPath: {path: /etc/ssl/certs, type: ''}
        - name: data
          emptyDir: {}
        - name: cfg
          configMap: {name: c, items: [{key: a, path: "a.conf"}, {key: 'b', path: b.conf}]}
      containers:
        - name: etcd
          image: etcd
          command: [etcd, "-name", 'x', -advertise, "http://h:4001"]
          ports: [{containerPort: 4001, name: client}, {containerPort: 7001}]
          resources: {limits: {memory: 128Mi, cpu: 100m}}  # a comment after
          env: [{name: A, value: "x,y"}, {name: B}]
          securityContext: {capabilities: {add: [NET_ADMIN, SYS_TIME]}, privileged: true}
`;

test('block locator reads flow collections written on one line, as the parser does', () => {
  const answered = check(FLOW, 'flow.yaml');
  assert.ok(answered > 60, `answered ${answered}`);
  const pos = (o: number) => ({ file: 'f', line: 1, column: o + 1 });
  const b = new BlockLocator(FLOW, 0, FLOW.length, (o) => {
    const before = FLOW.slice(0, o);
    return { ...pos(0), line: before.split('\n').length, column: o - before.lastIndexOf('\n') };
  });
  // Inside flow collections, to the deepest part that exists.
  assert.deepEqual(b.locate(['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'capabilities', 'add', 1]), { file: 'f', line: 21, column: 61 });
  assert.deepEqual(b.locate(['spec', 'template', 'spec', 'volumes', 0, 'hostPath', 'path']), { file: 'f', line: 9, column: 22 });
  // What it does not read it leaves to the parser: a collection that goes on to the next line, anchors.
  assert.equal(new BlockLocator('a:\n  b: {c: 1,\n    d: 2}\n', 0, 22, pos).locate(['a', 'b', 'd']), undefined);
  assert.equal(new BlockLocator('a:\n  b: {c: &x 1}\n', 0, 17, pos).locate(['a', 'b', 'c']), undefined);
});

test('block locator agrees with the parser on every fixture and example', () => {
  const files = [...yamlFiles(fromRoot('src/rules')), ...yamlFiles(fromRoot('examples'))];
  assert.ok(files.length > 50);
  let answered = 0;
  for (const f of files) answered += check(readFileSync(f, 'utf8'), f);
  assert.ok(answered > 1000, `the block locator answered ${answered} paths`);
});

function check(text: string, file: string): number {
  let answered = 0;
  const lc = new LineCounter();
  let offset = 0;
  const chunks = text.split(/^(?=---(?:[ \t\r\n]|$))/m);
  for (const chunk of chunks) {
    const start = offset;
    offset += chunk.length;
    const docs = parseAllDocuments(chunk, { lineCounter: lc });
    if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length > 0 || docs[0].contents == null) continue;
    const reference = parseLocatedDocument(text.slice(start, start + chunk.length), file);
    if ('error' in reference) continue;
    const lineBase = text.slice(0, start).split('\n').length - 1;
    const block = new BlockLocator(text, start, start + chunk.length, (o) => {
      const before = text.slice(start, start + o);
      const line = before.split('\n').length;
      return { file, line, column: o - (before.lastIndexOf('\n') + 1) + 1 };
    });
    for (const p of paths(reference.data)) {
      const got = block.locate(p);
      if (!got) continue;
      answered++;
      const want = reference.locate(p);
      assert.ok(want, `${file}: reference has no location for ${p.join('.')}`);
      assert.deepEqual([got.line + lineBase, got.column], [want.line + lineBase, want.column], `${file}: ${JSON.stringify(p)}`);
    }
  }
  return answered;
}

/** A small deterministic random generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('block locator agrees with the parser on generated documents (layouts, comments, blank lines, CRLF)', () => {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const words = ['a', 'name', 'image', 'x-y', 'app.kubernetes.io/name', 'has space', '0', 'yes', 'key: colon', "it's", '#hash', '-dash', '*star', 'true', ''];
  const value = (depth: number): unknown => {
    const roll = r();
    if (depth > 3 || roll < 0.35) return pick<unknown>([pick(words), 42, -1.5, true, null, 'multi\nline\ntext', pick(words) + ' ' + pick(words)]);
    if (roll < 0.65) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(words.filter((w) => w !== ''))] = value(depth + 1);
    return o;
  };
  let answered = 0;
  for (let n = 0; n < 400; n++) {
    const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m${n}` }, data: value(0), spec: value(0) };
    let text = jsyaml.dump(doc, { indent: pick([2, 3, 4]), noArrayIndent: r() < 0.5, flowLevel: r() < 0.2 ? pick([2, 3]) : -1, lineWidth: -1, quotingType: pick(['"', "'"] as const) });
    // Comments and blank lines between lines, at any indentation.
    text = text
      .split('\n')
      .map((l) => (r() < 0.1 ? `${' '.repeat(Math.floor(r() * 8))}# note\n${l}` : r() < 0.05 ? `\n${l}` : l))
      .join('\n');
    if (r() < 0.3) text = text.replace(/\n/g, '\r\n');
    if (r() < 0.2) text = `---\n${text}`;
    answered += check(text, `generated-${n}.yaml`);
  }
  assert.ok(answered > 4000, `the block locator answered ${answered} paths`);
});
