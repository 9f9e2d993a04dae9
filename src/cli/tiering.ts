// V8's tiering for `kubeward scan`, set at run time by the CLI entry point (bin/kubeward.js).
// A scan of a few MB lasts a quarter of a second, and most of its code runs a few hundred times at
// most: V8 optimizes the functions that look hot early, with little type feedback yet, and many of
// them are thrown away again (deoptimized) as other inputs arrive. On the manifests of bench/ a scan
// optimized 64 functions and deoptimized 160 times; with twice V8's interrupt budget (how much
// bytecode a function runs between checks of whether to optimize it) it optimizes 25 and deoptimizes
// 14 times, and takes ~10 % less wall time and ~20 % less CPU (bench/RESULTS.md). Large scans gain
// too (the 5,000-object snapshot ~17 %, the 50,000-object one ~4 %). The flag is read as functions
// run, so setting it after the bundle is compiled (V8 checks its code cache against the flags at that
// point) is enough.
import { setFlagsFromString } from 'node:v8';

/** V8's default interrupt budget (132 KiB of bytecode), doubled. */
export const SCAN_INTERRUPT_BUDGET = 2 * 132 * 1024;

/** Lets functions run longer before V8 considers optimizing them (only the CLI entry point calls this). */
export function optimizeLater(budget = SCAN_INTERRUPT_BUDGET): void {
  setFlagsFromString(`--interrupt-budget=${budget}`);
}
