#!/usr/bin/env node
// Runs the bundled build (dist/bundle, made by `npm run build`: see scripts/build/bundle.mjs).
let heap;
try {
  heap = await import('../dist/bundle/heap.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  process.stderr.write(`kubeward: the build is missing (${new URL('../dist/bundle/', import.meta.url).pathname}): run \`npm run build\` in the package folder\n`);
  process.exit(3);
}
// Before the rest is loaded: scans of small inputs then keep a small young generation, and a streaming
// audit analysis keeps its heap near its bounded live state (src/cli/heap.ts).
if (process.argv[2] === 'scan') heap.keepYoungGenerationSmall();
else if (process.argv[2] === 'audit' && process.argv[3] === 'analyze') heap.boundHeapGrowth();
const { main } = await import('../dist/bundle/main.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
