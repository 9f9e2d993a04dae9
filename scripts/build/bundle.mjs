// Bundles the compiled CLI (dist/src, from tsc) into dist/bundle/ with esbuild, which is what
// bin/kubeward.js runs, and records V8's compiled code for it. Run by `npm run build` (and so by
// `npm ci`, `npm test`).
//
// Why: a scan of a few manifests is mostly start-up. Resolving, reading and compiling the ~180
// modules of a scan one by one took ~0.1 s (Node 20 has no compile cache for ES modules); one bundle
// loads in ~0.035 s; and with V8's code cache of that bundle (its bytecode, as compiled during a
// training run here) the functions a scan calls are not parsed and compiled again on every run,
// which saves another ~0.05 s.
//
// - dist/bundle/kubeward.cjs: one script holding the CLI (main) and the V8 settings the bin applies
//   (heap.ts, tiering.ts).
//   A script, not an ES module, because only a script can be compiled with cached data on Node 20
//   (vm.Script). Commands other than `scan` are modules initialised on first use (their code is
//   only pre-parsed until then). Packages stay external, except the small pure-JavaScript ones a
//   scan always loads; the others are loaded by importPackage (src/core/packages.ts) with an
//   import() that bin/kubeward.js hands in: a script compiled with cached data cannot import() on
//   Node 20, and a require() fails for ES-module-only packages.
// - dist/bundle/kubeward.cjs.cache: V8's code cache for it, made by scripts/build/code-cache.mjs in a
//   child process with this Node (V8 refuses a cache from another V8 version or other V8 flags, and
//   bin/kubeward.js then compiles the script as usual). Written only here, beside the code it
//   belongs to; never at run time.
// - dist/bundle/sqlite-worker.js: the SQLite writer thread of `kubeward audit serve`, an ES module
//   started by URL from beside its caller.
// tsc did the type checking and the transpiling; esbuild only joins the modules.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const out = join(dist, 'bundle');
/** Packages bundled in: what `kubeward scan` loads on every run. Everything else is imported at run time. */
const BUNDLED = new Set(['commander', 'yaml', 'js-yaml', 'ipaddr.js']);

/** The package a bare specifier names: `yaml`, `@aws-sdk/client-eks` (of `@aws-sdk/client-eks/x`). */
const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);

const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      return BUNDLED.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * External packages are loaded only through importPackage (src/core/packages.ts): a static import
 * would become require(), which fails for ES-module-only packages, and a script compiled with cached
 * data cannot import() on Node 20.
 */
const packagesThroughImportPackage = {
  name: 'packages-through-importPackage',
  setup(b) {
    b.onResolve({ filter: /^[^./]/, namespace: 'file' }, (args) => {
      if (args.path.startsWith('node:') || args.kind === 'entry-point') return undefined;
      if (BUNDLED.has(packageOf(args.path)) || args.importer.includes('/node_modules/')) return undefined;
      return { errors: [{ text: `${args.importer} loads ${args.path} with ${args.kind}: load it with importPackage (src/core/packages.ts)` }] };
    });
  },
};

/**
 * commander requires node:child_process at load, for executable subcommands kubeward does not have;
 * loading it (with net and dgram) took ~2 ms of every start. commander gets a stand-in that loads
 * the real module when a property of it is first read.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real;\nmodule.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });\n",
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  stdin: {
    contents: [
      "export { main } from './cli/main.js';",
      "export { keepYoungGenerationSmall, boundHeapGrowth } from './cli/heap.js';",
      "export { optimizeLater } from './cli/tiering.js';",
      "export { setPackageImporter } from './core/packages.js';",
    ].join('\n'),
    resolveDir: join(dist, 'src'),
    sourcefile: 'kubeward-entry.js',
  },
  outfile: join(out, 'kubeward.cjs'),
  format: 'cjs',
  // A script has no import.meta: the bundle's own URL stands in (bin/kubeward.js passes __filename).
  define: { 'import.meta.url': '__kubewardBundleUrl' },
  banner: { js: "var __kubewardBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcessForCommander, packagesThroughImportPackage, externalPackages],
});
await build({
  ...common,
  entryPoints: { 'sqlite-worker': join(dist, 'src/audit/server/store/sqlite-worker.js') },
  outdir: out,
  format: 'esm',
  // CommonJS packages bundled into an ES module call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kubewardCreateRequire } from 'node:module'; const require = __kubewardCreateRequire(import.meta.url);" },
  plugins: [externalPackages],
});

// esbuild escapes every non-ASCII character in strings, templates, regular expressions and names;
// what is left is in comments (of js-yaml), which become '?': an ASCII file reads faster (Latin-1).
const script = join(out, 'kubeward.cjs');
const text = readFileSync(script, 'utf8');
for (const line of text.match(/^.*[^\x00-\x7f].*$/gm) ?? []) {
  const comment = line.indexOf('//');
  if (comment < 0 || /[^\x00-\x7f]/.test(line.slice(0, comment))) throw new Error(`kubeward.cjs: a non-ASCII character outside a // comment: ${line.trim().slice(0, 120)}`);
}
writeFileSync(script, text.replace(/[^\x00-\x7f]/g, '?'));

// The code cache: made in a child process started with no V8 flags but Node's own (NODE_OPTIONS
// cleared), which is how bin/kubeward.js compiles the bundle.
const env = { ...process.env };
delete env.NODE_OPTIONS;
execFileSync(process.execPath, [join(root, 'scripts', 'build', 'code-cache.mjs')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
