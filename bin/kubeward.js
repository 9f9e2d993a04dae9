#!/usr/bin/env node
import { keepYoungGenerationSmall } from '../dist/src/cli/heap.js';
// Before the rest is loaded: scans of small inputs then keep a small young generation (src/cli/heap.ts).
if (process.argv[2] === 'scan') keepYoungGenerationSmall();
const { main } = await import('../dist/src/cli/main.js');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
