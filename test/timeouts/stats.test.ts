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

describe('quantile (nearest rank)', () => {
  it('whatever the order of the values, is one of them with at least p of the values at or below it, and fewer strictly below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.constantFrom('given', 'ascending'),
        (values, p, order) => {
          const sorted = [...values].sort((a, b) => a - b);
          const value = quantile(order === 'given' ? values : sorted, p)!;
          expect(sorted).toContain(value);
          expect(sorted.filter((v) => v <= value).length).toBeGreaterThanOrEqual(p * sorted.length - 1e-9);
          expect(sorted.filter((v) => v < value).length).toBeLessThan(p * sorted.length);
        },
      ),
    );
  });

  it('is undefined for no values, picks the familiar ranks and leaves its input alone', () => {
    expect(quantile([], 0.5)).toBeUndefined();
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(hundred, 0.5)).toBe(50);
    expect(quantile(hundred, 0.95)).toBe(95);
    expect(quantile([7], 0.95)).toBe(7);
    // 0.07 × 100 is 7.000000000000001 in floating point: still rank 7.
    expect(quantile(hundred, 0.07)).toBe(7);
    const unsorted = [5, 1, 4, 2, 3];
    expect(quantile(unsorted, 0.2)).toBe(1);
    expect(quantile(unsorted, 1)).toBe(5);
    expect(unsorted).toEqual([5, 1, 4, 2, 3]);
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
