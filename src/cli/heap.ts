// V8 heap settings of the CLI, set at run time (V8 reads these flags whenever it sizes the heap).
// `kubeward scan`: most scans read a few MB of manifests, and V8 would still grow the young
// generation to 2 × 16 MiB (a quarter of the peak RSS of such a scan): it is kept at 2 × 2 MiB
// until the input turns out large; then full collections are forced at a few points where much of
// the heap is known to be garbage (between rules, before the report). `kubeward audit analyze`: the
// old generation's growth is capped.
// Only the CLI entry point (bin/kubeward.js) opts in; embedding main() changes nothing.
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Input bytes above which the young generation may grow again (a 10 MiB snapshot scans as fast either way). */
export const LARGE_INPUT_BYTES = 32 * 1024 * 1024;

let small = false;
let optedIn = false;
let large = false;
/** The young generation is still allowed its one growth (see keepYoungGenerationSmall). */
let growing = false;

/**
 * The semi-space size small scans keep. V8 starts at 1 MiB and doubles the young generation, up to
 * 2 × 16 MiB, as objects survive; a scan of a few MB never needs that much. Measured on the manifests
 * of bench/ and on its 5,000-object snapshot (peak RSS; scan time of the manifests unchanged within
 * noise): 1 MiB semi-spaces 89.5 / 147 MiB, 2 MiB 91 / 134 MiB, 4 MiB 94-98 / 126 MiB. At 1 MiB more
 * short-lived objects are promoted before they die, which costs mid-size inputs more than it saves.
 * (Before, the young generation stayed wherever it had grown to when the bin set the flag: 1 or 2 MiB
 * depending on what the bundle's top level had allocated.)
 */
export const SMALL_SEMI_SPACE_BYTES = 2 * 1024 * 1024;

/**
 * Lets the young generation grow once, from V8's initial 1 MiB semi-spaces to SMALL_SEMI_SPACE_BYTES
 * (growth factor 2: V8 reads the factor whenever it would grow it), and youngGenerationCheckpoint
 * stops it there. No V8 flag sets the size itself after start-up.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
  small = true;
  optedIn = true;
  growing = true;
}

/**
 * Called between input files and between rule phases: once the young generation has made its one
 * growth, it grows no more (growth factor 1). A few microseconds, and nothing once stopped.
 */
export function youngGenerationCheckpoint(): void {
  if (!growing) return;
  const young = getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space');
  if (young !== undefined && young.space_size < SMALL_SEMI_SPACE_BYTES) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  growing = false;
}

/**
 * The input turned out large (or is a live cluster): the young generation may grow again (V8's
 * default factor 2, where growth saves collection time), the rules run with memoryCheckpoint, and
 * the loaded input is collected before the report (collectLoadedInput).
 */
export function inputIsLarge(): void {
  large = true;
  growing = false;
  if (!small) return;
  setFlagsFromString('--semi-space-growth-factor=2');
  small = false;
}

/**
 * Called by `kubeward scan` once the findings are computed and the loaded objects are unreachable,
 * before the report is written. On a large input those objects and what rules built on them are
 * most of the heap (~550 of ~650 MB on the 50,000-pod benchmark), but V8 only finds out at its next
 * full collection, which its heap-growth heuristics put at up to 4x the live size of the previous
 * one: the report was written on top of them and the scan peaked there. One full collection here,
 * of a heap whose live part is now the findings, costs ~0.1 s. Only for large inputs and only when
 * the CLI entry point opted in (an embedding process keeps its own GC policy).
 */
export function collectLoadedInput(): void {
  if (!optedIn || !large) return;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc === 'function') gc();
}

/** Old-generation growth allowed between full collections for streaming commands (V8's default: up to 4x the live size). */
export const STREAMING_HEAP_GROWING_PERCENT = 100;

/**
 * For `kubeward audit analyze`, whose live state is bounded (a
 * few tens of MB however long the log): V8 would let the heap grow to 3-4x that between full collections, so the peak RSS kept rising with
 * the input (184 MiB at 1 GB, 256 MiB at 3 GB of audit log) long after the state stopped growing.
 * Growth capped at 100 % (2x the live size): 155 / 187 MiB for ~9 % more CPU; at 50 %: 140 / 171 MiB
 * for ~22 % more (bench/RESULTS.md). Only the CLI entry point calls this; V8 reads the flag whenever
 * it sizes the heap after a collection.
 */
export function boundHeapGrowth(percent = STREAMING_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Live heap after the last collection forced by memoryCheckpoint (undefined before the first). */
let lastLive: number | undefined;
/** Garbage allowed on top of that before the next checkpoint forces a collection: 15 % + 32 MiB. */
const CHECKPOINT_SLACK = 0.15;
const CHECKPOINT_SLACK_BYTES = 32 * 1024 * 1024;

/**
 * Called by the rule engine between its phases and before each cluster-wide rule of a large scan
 * (EngineOptions.checkpoint). The peak of a large scan comes where the rules end, and it used to
 * depend on when V8's last full collection happened to fall before that: on the 50,000-pod benchmark
 * the same scan peaked at ~860 or ~960 MiB from run to run (with the old generation's growth capped
 * at 60 or 75 %; 8 of 20 runs over the 953.7 MiB = 10^9 B target at 75 %). Here the first checkpoint
 * (after the pod rules) forces a full collection to learn the live size, and a later one forces
 * another once the heap holds 15 % + 32 MiB more than that, so no cluster-wide rule starts on top of
 * the garbage of the ones before. On that benchmark it forces two (~0.27 s each) and the peak is flat:
 * 858-869 MiB in eight runs; with the old generation left to V8's own growth, which the growth cap
 * had been there for, wall time fell from 7.1-8.0 to 6.6-7.0 s (bench/RESULTS.md).
 */
export function memoryCheckpoint(): void {
  youngGenerationCheckpoint();
  if (!optedIn || !large) return;
  const used = getHeapStatistics().used_heap_size;
  if (lastLive !== undefined && used < lastLive * (1 + CHECKPOINT_SLACK) + CHECKPOINT_SLACK_BYTES) return;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') return;
  gc();
  lastLive = getHeapStatistics().used_heap_size;
}
