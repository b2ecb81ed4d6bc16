import { describe, expect, it } from 'vitest';
import { computeTotals, successRate, verdictOf } from '../../src/run/totals.js';
import type { EndReason, TaskResult } from '../../src/run/types.js';

const task = (reason: EndReason, flaky = false): TaskResult => ({
  id: `t-${Math.random()}`,
  name: 'task',
  attempts: [],
  reason,
  flaky,
  durationMs: 0,
});

describe('totals and the gate', () => {
  it('counts every reason once', () => {
    const totals = computeTotals([
      task('passed'),
      task('passed', true),
      task('failed'),
      task('timed-out'),
      task('stalled'),
      task('crashed'),
      task('cancelled'),
    ]);
    expect(totals).toEqual({
      total: 7,
      passed: 2,
      failed: 1,
      timedOut: 1,
      stalled: 1,
      crashed: 1,
      cancelled: 1,
      flaky: 1,
    });
  });

  it('counts tasks cancelled by --bail as not passed, but judges an interrupted run on what finished', () => {
    const totals = computeTotals([task('passed'), task('passed'), task('cancelled'), task('cancelled')]);
    expect(successRate(totals, false)).toBe(0.5);
    expect(successRate(totals, true)).toBe(1);
  });

  it('gives 0 for a run where nothing counted, and passes exactly at the target', () => {
    expect(successRate(computeTotals([]), false)).toBe(0);
    expect(successRate(computeTotals([task('cancelled')]), true)).toBe(0);
    expect(
      successRate(computeTotals([task('passed'), task('passed'), task('cancelled')]), false),
    ).toBeCloseTo(2 / 3);
    expect(verdictOf(0.9, 0.9)).toBe('pass');
    expect(verdictOf(0.8999, 0.9)).toBe('fail');
    expect(verdictOf(0, 0)).toBe('pass');
  });

  it('never passes an interrupted run, however well the tasks it finished did', () => {
    expect(verdictOf(1, 0.9, true)).toBe('interrupted');
    expect(verdictOf(0, 0.9, true)).toBe('interrupted');
  });
});
