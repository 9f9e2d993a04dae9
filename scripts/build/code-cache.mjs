// Makes dist/bundle/kubeward.cjs.cache: V8's code cache of the bundle, taken after a training run so
// that it holds the bytecode of every function that run compiled (not only the top level). The
// training is what every scan runs: the bundled example (all pillars, cloud descriptions included)
// in each report format. Run by scripts/build/bundle.mjs in a child process without NODE_OPTIONS;
// V8 flags are left as Node sets them, as bin/kubeward.js has them when it compiles the bundle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import loader from '../../bin/load-bundle.js';

const { CODE_CACHE, compileBundle, runBundle } = loader;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shop = join(root, 'examples', 'shop');
const script = compileBundle(undefined);
const kubeward = runBundle(script);
kubeward.setPackageImporter((specifier) => import(specifier));
const tmp = mkdtempSync(join(tmpdir(), 'kubeward-code-cache-'));
try {
  for (const format of ['text', 'json', 'sarif', 'markdown', 'junit', 'html']) {
    const code = await kubeward.main(['scan', shop, '--cloud', join(shop, 'cloud'), '--format', format, '-o', join(tmp, `report.${format}`)]);
    if (code !== 1) throw new Error(`code cache training: scan of examples/shop (--format ${format}) exited ${code}, expected 1 (findings)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
writeFileSync(CODE_CACHE, script.createCachedData());
