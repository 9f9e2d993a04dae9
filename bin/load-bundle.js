'use strict';
// Compiles and runs the bundled CLI, dist/bundle/kubeward.cjs (made by `npm run build`: see
// scripts/build/bundle.mjs), as Node runs a CommonJS file, but through vm.Script so that V8 can take
// the code cache made for it at build time (dist/bundle/kubeward.cjs.cache) and skip compiling the
// functions a run calls. Shared by bin/kubeward.js and the build step that makes the cache
// (scripts/build/code-cache.mjs): both must compile the script the same way. CommonJS (bin/package.json),
// because Node starts a CommonJS entry point faster than an ES module one.
const Module = require('node:module');
const { isAscii } = require('node:buffer');
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'bundle', 'kubeward.cjs');
const CODE_CACHE = `${BUNDLE}.cache`;

/** The compiled bundle; throws ENOENT when it was never built. `cachedData` is used when V8 accepts it. */
function compileBundle(cachedData) {
  const bytes = readFileSync(BUNDLE);
  // The build makes the bundle ASCII, which reads faster as Latin-1 (the same string).
  const code = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  return new vm.Script(Module.wrap(code), { filename: BUNDLE, cachedData });
}

/** Runs the compiled bundle's top level and returns its exports (main, and the V8 settings the bin applies). */
function runBundle(script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return module.exports;
}

module.exports = { BUNDLE, CODE_CACHE, compileBundle, runBundle };
