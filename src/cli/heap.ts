// V8's young generation for `kubeward scan`: most scans read a few MB of manifests, and V8 would
// still grow the young generation to 2 × 16 MiB (a quarter of the peak RSS of such a scan). It is
// kept at its initial size until the input turns out large, where growth saves garbage-collection
// time. Only the CLI entry point (bin/kubeward.js) opts in; embedding main() changes nothing.
import { setFlagsFromString } from 'node:v8';

/** Input bytes above which the young generation may grow again (a 10 MiB snapshot scans as fast either way). */
export const LARGE_INPUT_BYTES = 32 * 1024 * 1024;

let small = false;

/** Stops the young generation from growing (V8 reads the factor whenever it would grow it). */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  small = true;
}

/** Back to V8's default growth (factor 2), for large inputs; nothing to do unless kept small. */
export function letYoungGenerationGrow(): void {
  if (!small) return;
  setFlagsFromString('--semi-space-growth-factor=2');
  small = false;
}
