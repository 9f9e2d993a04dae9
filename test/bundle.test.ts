// bin/kubeward.js runs the esbuild bundle of the compiled sources (dist/bundle/kubeward.cjs, made by
// scripts/build/bundle.mjs) with V8's code cache made at build time; the other tests run dist/src
// in-process. These check that the two are the same program, that the bundle stands alone (it never
// reaches back into dist/src, which would load a second copy of modules whose classes and state must
// be shared, such as UserError or the heap settings), that the code cache is taken, and that a run
// without it (a cache V8 refuses) gives the same results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from './helpers/paths.js';
import { kubeward, runBin, tempDir } from './helpers/cli.js';

const BUNDLE = fromRoot('dist', 'bundle');
const BUNDLED = new Set(['commander', 'yaml', 'js-yaml', 'ipaddr.js']);
const packageOf = (spec: string): string => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const builtin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec);

test('the bundle has the script bin/kubeward.js runs, its code cache, and the SQLite writer thread', () => {
  for (const f of ['kubeward.cjs', 'kubeward.cjs.cache', 'sqlite-worker.js']) assert.ok(existsSync(path.join(BUNDLE, f)), `dist/bundle/${f} (npm run build makes it)`);
  assert.match(readFileSync(fromRoot('bin', 'load-bundle.js'), 'utf8'), /dist\/bundle\/kubeward\.cjs/);
});

test('the bundle requires only built-ins, and loads packages only through the importer the bin hands in', () => {
  const src = readFileSync(path.join(BUNDLE, 'kubeward.cjs'), 'utf8');
  const required = [...src.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
  assert.ok(required.length > 5);
  for (const spec of required) assert.ok(builtin(spec), `kubeward.cjs requires ${spec}: not a built-in`);
  // import() with a literal would fail in the script (no dynamic-import callback with cached data).
  assert.deepEqual([...src.matchAll(/\bimport\(\s*["'`]([^"'`]+)/g)].map((m) => m[1]), []);
  const worker = readFileSync(path.join(BUNDLE, 'sqlite-worker.js'), 'utf8');
  for (const m of worker.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"([^"]+)"/g)) {
    const spec = m[1];
    assert.ok(!spec.startsWith('.'), `sqlite-worker.js imports ${spec}: outside the bundle`);
    assert.ok(builtin(spec) || !BUNDLED.has(packageOf(spec)), `sqlite-worker.js imports ${spec} at run time, but it should be bundled`);
  }
});

test('the code cache is taken; a run where V8 refuses it gives the same results', async () => {
  const shop = fromRoot('examples', 'shop');
  const argv = ['scan', shop, '--cloud', path.join(shop, 'cloud'), '--format', 'json'];
  const used = await runBin(argv, { env: { KUBEWARD_CODE_CACHE: 'report' } });
  assert.equal(used.errLines()[0], 'kubeward: code cache used');
  // Other V8 flags than at build time: V8 refuses the cache and the bundle is compiled as usual.
  const refused = await runBin(argv, { env: { KUBEWARD_CODE_CACHE: 'report', NODE_OPTIONS: '--max-old-space-size=3000' } });
  assert.equal(refused.errLines()[0], 'kubeward: code cache rejected by V8');
  const off = await runBin(argv, { env: { KUBEWARD_CODE_CACHE: 'off' } });
  assert.equal(used.code, 1);
  for (const r of [refused, off]) {
    assert.equal(r.code, used.code);
    assert.equal(r.stdout, used.stdout);
  }
});

test('packages loaded on demand are imported through the bin: ajv for a config file, the Kubernetes client for a cluster', async () => {
  const dir = tempDir();
  const cfg = path.join(dir, 'kubeward.yaml');
  writeFileSync(cfg, 'failOn: sometimes\n');
  const bad = await runBin(['scan', fromRoot('examples', 'shop'), '--config', cfg]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /kubeward\.yaml:1.*failOn/);
  assert.doesNotMatch(bad.stderr, /internal error|^\s+at /m);
  const kc = path.join(dir, 'kubeconfig');
  writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: abc}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
  const live = await runBin(['scan', '--kubeconfig', kc]);
  assert.equal(live.code, 2, live.stderr);
  assert.match(live.stderr, /cannot reach the API server https:\/\/127\.0\.0\.1:9\//);
  assert.doesNotMatch(live.stderr, /internal error|^\s+at |ExperimentalWarning/m);
});

test('a scan through bin/kubeward.js (the bundle) reports exactly what main() in dist/src reports', async () => {
  const shop = fromRoot('examples', 'shop');
  const cwd = tempDir();
  for (const format of ['json', 'sarif', 'text']) {
    const argv = ['scan', shop, '--cloud', path.join(shop, 'cloud'), '--format', format];
    const [bin, inproc] = await Promise.all([runBin(argv, { cwd }), kubeward(argv, { cwd })]);
    assert.equal(bin.code, inproc.code, format);
    assert.equal(bin.code, 1, 'the example has findings at or above the default threshold');
    assert.equal(bin.stdout, inproc.stdout, `${format} report`);
    assert.equal(bin.stderr, inproc.stderr, `${format} messages`);
  }
});

test('commands outside scan run from the bundle too: rules show finds the rule prose; their user errors stay one line', async () => {
  const shown = await runBin(['rules', 'show', 'privileged-container']);
  assert.equal(shown.code, 0, shown.stderr);
  const prose = readFileSync(fromRoot('src', 'rules', 'workload', 'privileged-container', 'rule.md'), 'utf8');
  const line = prose.split('\n').find((l) => l.trim().length > 40 && !l.startsWith('#'));
  assert.ok(line, 'rule.md has a line of prose');
  assert.ok(shown.stdout.includes(line.trim()), 'the rule prose (from rule.md, found from dist/bundle)');
  // A UserError thrown in a chunk loaded on demand is caught by main() as a UserError (one class).
  const bad = await runBin(['rules', 'show', 'no-such-rule']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.deepEqual(bad.errLines(), ['kubeward: unknown rule "no-such-rule"; list them with kubeward rules']);
  assert.doesNotMatch(bad.stderr, /internal error|^\s+at /m);
});

test('an internal error from the bundle is reported with frames in the sources (src/**/*.ts), not in the bundle', async () => {
  const { mapBundleStack } = await import('../src/cli/stack.js');
  const bundle = path.join(BUNDLE, 'kubeward.cjs');
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith('function pathToString('));
  assert.ok(at > 0, 'pathToString is in the bundle');
  const engine = readFileSync(fromRoot('src', 'core', 'engine.ts'), 'utf8').split('\n');
  const want = engine.findIndex((l) => l.startsWith('export function pathToString(')) + 1;
  const stack = `Error: x\n    at pathToString (${bundle}:${at + 1}:1)\n    at ${bundle}:${at + 1}:10\n    at node:internal/main:1:1`;
  const mapped = mapBundleStack(stack).split('\n');
  const engineTs = fromRoot('src', 'core', 'engine.ts').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  assert.match(mapped[1], new RegExp(`^    at pathToString \\(${engineTs}:${want}:\\d+\\)$`));
  assert.match(mapped[2], new RegExp(`^    at ${engineTs}:${want}:\\d+$`));
  assert.equal(mapped[3], '    at node:internal/main:1:1', 'other frames unchanged');
  // Without a map beside it, a frame stays as it is.
  assert.equal(mapBundleStack('    at f (/nowhere/dist/bundle/kubeward.cjs:3:4)'), '    at f (/nowhere/dist/bundle/kubeward.cjs:3:4)');
});
