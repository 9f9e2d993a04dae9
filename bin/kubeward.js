#!/usr/bin/env node
// Runs the bundled build (dist/bundle, made by `npm run build`: see scripts/build/bundle.mjs).
import { boundHeapGrowth, keepYoungGenerationSmall } from '../dist/bundle/heap.js';
// Before the rest is loaded: scans of small inputs then keep a small young generation, and a streaming
// audit analysis keeps its heap near its bounded live state (src/cli/heap.ts).
if (process.argv[2] === 'scan') keepYoungGenerationSmall();
else if (process.argv[2] === 'audit' && process.argv[3] === 'analyze') boundHeapGrowth();
const { main } = await import('../dist/bundle/main.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
