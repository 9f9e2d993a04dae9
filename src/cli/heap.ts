// V8 heap settings of the CLI, set at run time (V8 reads these flags whenever it sizes the heap).
// `kubeward scan`: most scans read a few MB of manifests, and V8 would still grow the young
// generation to 2 × 16 MiB (a quarter of the peak RSS of such a scan): it is kept at its initial size
// until the input turns out large; then the old generation's growth is capped and the loaded input
// is collected before the report. `kubeward audit analyze`: the old generation's growth is capped.
// Only the CLI entry point (bin/kubeward.js) opts in; embedding main() changes nothing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Input bytes above which the young generation may grow again (a 10 MiB snapshot scans as fast either way). */
export const LARGE_INPUT_BYTES = 32 * 1024 * 1024;

let small = false;
let optedIn = false;
let large = false;

/** Stops the young generation from growing (V8 reads the factor whenever it would grow it). */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  small = true;
  optedIn = true;
}

/**
 * The input turned out large (or is a live cluster): the young generation may grow again (V8's
 * default factor 2, where growth saves collection time), the old generation's growth is capped, and
 * the loaded input is collected before the report (collectLoadedInput).
 */
export function inputIsLarge(): void {
  large = true;
  // A large scan holds its input for the whole run, and V8 let the heap grow to ~4x the live size of
  // its last full collection during loading: growth capped at 60 % too. On the 50,000-pod benchmark
  // (three runs each): 861-870 MiB peak RSS at 75 %, against 967-1042 MiB uncapped and 893-949 MiB at
  // 100 %. The price, measured against uncapped (alternating runs): +11-13 % CPU (9.2-9.4 -> 10.2-10.6
  // s, the extra marking mostly on the second core) and +5-8 % wall time (6.9-7.1 -> 7.3-7.7 s). 75 %
  // then turned out bimodal: 20 later runs gave 862-965 MiB, 8 of them over the 953.7 MiB (10^9 B)
  // target. The peak is where the rules end and depends on when the last full collection before it
  // fell. 60 %, seven runs alternating with 75 %: 854-864 MiB and one at 939, same CPU and wall time;
  // 50 % was no flatter (860-893 MiB) and ~5 % slower.
  if (optedIn) boundHeapGrowth(LARGE_SCAN_HEAP_GROWING_PERCENT);
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

/** Old-generation growth allowed between full collections for scans of large inputs. */
export const LARGE_SCAN_HEAP_GROWING_PERCENT = 60;

/** Old-generation growth allowed between full collections for streaming commands (V8's default: up to 4x the live size). */
export const STREAMING_HEAP_GROWING_PERCENT = 100;

/**
 * For `kubeward audit analyze` (and large scans, see inputIsLarge), whose live state is bounded (a
 * few tens of MB however long the log): V8 would let the heap grow to 3-4x that between full collections, so the peak RSS kept rising with
 * the input (184 MiB at 1 GB, 256 MiB at 3 GB of audit log) long after the state stopped growing.
 * Growth capped at 100 % (2x the live size): 155 / 187 MiB for ~9 % more CPU; at 50 %: 140 / 171 MiB
 * for ~22 % more (bench/RESULTS.md). Only the CLI entry point calls this; V8 reads the flag whenever
 * it sizes the heap after a collection.
 */
export function boundHeapGrowth(percent = STREAMING_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
