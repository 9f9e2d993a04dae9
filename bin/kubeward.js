#!/usr/bin/env node
'use strict';
// Runs the bundled build (dist/bundle/kubeward.cjs, made by `npm run build`: see scripts/build/bundle.mjs).
// KUBEWARD_CODE_CACHE=off compiles it without the code cache; =report says on stderr whether the cache was used.
const { readFileSync } = require('node:fs');
const { BUNDLE, CODE_CACHE, compileBundle, runBundle } = require('./load-bundle.js');

const mode = process.env.KUBEWARD_CODE_CACHE;
let cachedData;
if (mode !== 'off') {
  try {
    cachedData = readFileSync(CODE_CACHE);
  } catch {
    // no cache (a build without one, or removed): compiled as usual
  }
}
let script;
try {
  script = compileBundle(cachedData);
} catch (e) {
  if (e?.code !== 'ENOENT') throw e;
  process.stderr.write(`kubeward: the build is missing (${BUNDLE}): run \`npm run build\` in the package folder\n`);
  process.exit(3);
}
if (mode === 'report') process.stderr.write(`kubeward: code cache ${cachedData === undefined ? 'not used' : script.cachedDataRejected ? 'rejected by V8' : 'used'}\n`);
const kubeward = runBundle(script);
// Packages loaded on demand (cloud SDKs, the Kubernetes client...) are imported from here: the
// bundle, a script compiled with cached data, cannot import() on Node 20 (src/core/packages.ts).
kubeward.setPackageImporter((specifier) => import(specifier));
// V8 settings, after the bundle is compiled (V8 checks the cache against its flags at that point):
// scans keep a small young generation until their input turns out large, and let functions run
// longer before V8 optimizes them (src/cli/heap.ts, src/cli/tiering.ts); a streaming audit analysis
// keeps its heap near its bounded live state.
if (process.argv[2] === 'scan') {
  kubeward.keepYoungGenerationSmall();
  kubeward.optimizeLater();
} else if (process.argv[2] === 'audit' && process.argv[3] === 'analyze') kubeward.boundHeapGrowth();
kubeward.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
