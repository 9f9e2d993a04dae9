// bin/kubeward.js runs the esbuild bundle of the compiled sources (dist/bundle, scripts/build/bundle.mjs);
// the other tests run dist/src in-process. These check that the two are the same program, and that
// the bundle stands alone: it never reaches back into dist/src (which would load a second copy of
// modules whose classes and state must be shared, such as UserError or the heap settings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from './helpers/paths.js';
import { kubeward, runBin, tempDir } from './helpers/cli.js';

const BUNDLE = fromRoot('dist', 'bundle');

test('the bundle has the entry points bin/kubeward.js and the SQLite writer thread load', () => {
  for (const f of ['main.js', 'heap.js', 'sqlite-worker.js']) assert.ok(existsSync(path.join(BUNDLE, f)), `dist/bundle/${f} (npm run build makes it)`);
  assert.match(readFileSync(fromRoot('bin', 'kubeward.js'), 'utf8'), /dist\/bundle\/main\.js/);
});

test('the bundle imports only its own chunks, built-ins and packages left external', () => {
  const bundled = new Set(['commander', 'yaml', 'js-yaml', 'ipaddr.js']);
  const files = readdirSync(BUNDLE).filter((f) => f.endsWith('.js'));
  assert.ok(files.length > 3);
  let relative = 0;
  for (const f of files) {
    const src = readFileSync(path.join(BUNDLE, f), 'utf8');
    for (const m of src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"([^"]+)"/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        relative++;
        assert.ok(spec.startsWith('./') && !spec.includes('/', 2), `${f} imports ${spec}: outside dist/bundle`);
        assert.ok(existsSync(path.join(BUNDLE, spec)), `${f} imports ${spec}, which is missing`);
      } else if (!spec.startsWith('node:')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        assert.ok(!bundled.has(pkg), `${f} imports ${spec} at run time, but it should be bundled`);
      }
    }
  }
  assert.ok(relative > 0, 'the chunks import each other');
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
