import { quantile } from '../../src/timeouts/stats.js';

/** The benchmarks measure with the runner's own quantile (src/timeouts/stats.ts). */
export { quantile };

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5);
}

/** A share as a percentage; 0 when there is nothing to share. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}
