// The CLI's young-generation policy (src/cli/heap.ts) relies on how V8 grows its young generation
// when flags are changed at run time. Checked here on this Node's V8, in child processes (the flags
// are process-wide): with the checkpoints, a scan's young generation grows once, to 2 MiB
// semi-spaces, and stops; without them, or once the input is large, it keeps growing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { fromRoot } from './helpers/paths.js';

/** Runs a script that imports heap.js as `heap`, keeps ~40 MB of objects alive; the semi-space size before and after. */
function youngSizes(steps: string): { initial: number; final: number } {
  const heapUrl = pathToFileURL(fromRoot('dist/src/cli/heap.js')).href;
  const script = `
    import * as heap from ${JSON.stringify(heapUrl)};
    import { getHeapSpaceStatistics } from 'node:v8';
    const keep = [];
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const initial = young();
    ${steps.split('\n')[0]}
    for (let i = 0; i < 400; i++) {
      for (let j = 0; j < 1000; j++) keep.push({ i, j, s: 'x'.repeat(j % 7) + i });
      ${steps.split('\n')[1] ?? ''}
    }
    console.log(JSON.stringify({ initial, final: young() }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { initial: number; final: number };
}

const MiB = 1024 * 1024;

test('small scans: the young generation grows once, to 2 MiB semi-spaces, and stops there', () => {
  const { initial, final } = youngSizes('heap.keepYoungGenerationSmall();\nheap.youngGenerationCheckpoint();');
  assert.equal(final, Math.max(2 * MiB, initial), `initial ${initial}`);
});

test('without the checkpoints, and for large inputs, V8 keeps growing it', () => {
  assert.ok(youngSizes('heap.keepYoungGenerationSmall();').final > 2 * MiB);
  assert.ok(youngSizes('heap.keepYoungGenerationSmall(); heap.inputIsLarge();\nheap.youngGenerationCheckpoint();').final > 2 * MiB);
});
