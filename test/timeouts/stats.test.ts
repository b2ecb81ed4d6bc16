import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conformalRank,
  logNormalUpperBound,
  logStats,
  median,
  orderStatistic,
  quantile,
  studentTQuantile,
} from '../../src/timeouts/stats.js';

describe('studentTQuantile', () => {
  it.each([
    [0.99, 1, 31.821],
    [0.99, 4, 3.747],
    [0.99, 19, 2.539],
    [0.99, 99, 2.365],
    [0.999, 4, 7.173],
    [0.95, 10, 1.812],
    [0.975, 1000, 1.962],
  ])('t(%d, df=%d) ≈ %d', (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 2);
  });

  it('grows as the probability rises and as degrees of freedom fall', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 0.995, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (p, df) => {
          expect(studentTQuantile(p + 0.004, df)).toBeGreaterThanOrEqual(studentTQuantile(p, df));
          expect(studentTQuantile(p, df)).toBeGreaterThanOrEqual(studentTQuantile(p, df + 1) - 1e-9);
        },
      ),
    );
  });
});

describe('conformal rank', () => {
  it('needs 99 samples before alpha = 0.01 gives a finite bound', () => {
    expect(conformalRank(98, 0.01)).toBe(99);
    expect(conformalRank(99, 0.01)).toBe(99);
    expect(conformalRank(100, 0.01)).toBe(100);
    expect(conformalRank(19, 0.05)).toBe(19);
    expect(conformalRank(20, 0.01)).toBe(21);
  });

  it('reads order statistics and quantiles by rank', () => {
    const sorted = [1, 2, 3, 4, 5];
    expect(orderStatistic(sorted, 5)).toBe(5);
    expect(orderStatistic(sorted, 6)).toBe(Number.POSITIVE_INFINITY);
    expect(quantile(sorted, 0.5)).toBe(3);
    expect(quantile(sorted, 0.99)).toBe(5);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('log-normal bound', () => {
  it('widens with fewer samples', () => {
    const values = [50, 60, 70, 80, 90, 100];
    const few = logNormalUpperBound(logStats(values), 0.01).bound;
    const many = logNormalUpperBound(logStats([...values, ...values, ...values, ...values]), 0.01).bound;
    expect(few).toBeGreaterThan(many);
    expect(many).toBeGreaterThan(100);
  });

  it('collapses to the value when every sample is the same', () => {
    expect(logNormalUpperBound(logStats([60_000, 60_000, 60_000, 60_000, 60_000]), 0.01).bound).toBeCloseTo(
      60_000,
      3,
    );
  });
});
