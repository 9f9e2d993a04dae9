// Bundles the compiled CLI (dist/src, from tsc) into dist/bundle/ with esbuild, which is what
// bin/kubeward.js runs. Why: Node 20 has no compile cache for ES modules, and resolving, reading and
// compiling the ~180 modules of a scan one by one took ~0.1 s of every run (0.035 s bundled), which
// is most of the time of a scan of a few manifests. The code is the same (tsc did the type checking
// and the transpiling; esbuild only joins the modules); commands other than `scan` stay in chunks
// loaded on demand (--splitting), and packages stay external except the small pure-JavaScript ones
// a scan always loads. Run by `npm run build` (and so by `npm ci`, `npm test`).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
/** Packages bundled in: what `kubeward scan` loads on every run. Everything else is required at run time. */
const BUNDLED = new Set(['commander', 'yaml', 'js-yaml', 'ipaddr.js']);

rmSync(join(dist, 'bundle'), { recursive: true, force: true });
await build({
  // Entry points keep their names: bin/kubeward.js imports main.js and heap.js (one shared copy of
  // heap.ts's state, in a common chunk), and the SQLite writer thread is started by URL from beside its caller.
  entryPoints: {
    main: join(dist, 'src/cli/main.js'),
    heap: join(dist, 'src/cli/heap.js'),
    'sqlite-worker': join(dist, 'src/audit/server/store/sqlite-worker.js'),
  },
  outdir: join(dist, 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS packages bundled into an ES module call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kubewardCreateRequire } from 'node:module'; const require = __kubewardCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:')) return { path: args.path, external: true };
          const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
          return BUNDLED.has(pkg) ? undefined : { path: args.path, external: true };
        });
      },
    },
  ],
});
