// mulberry32: the seeded pseudo-random generator of every bench data generator (reproducible data).
// Returns numbers in [0, 1). The same function as test/helpers/prng.ts and bench/gen-synthetic.mjs
// (kept there as is: the synthetic snapshots are cached under a hash of that file).
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
