/**
 * A small seeded generator (mulberry32). The benchmark owns its generator rather than borrowing one from
 * src/, so a change there can never silently change the workload that the published figures came from.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Log-normal with the given median and sigma of the logarithm. */
  logNormal(median: number, sigma: number): number;
  /** A new generator whose stream depends only on this one's seed and `salt`. */
  fork(salt: number): Rng;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    chance: (p) => next() < p,
    normal,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
    fork: (salt) => createRng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35)),
  };
}
