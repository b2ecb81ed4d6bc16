import { describe, expect, it } from 'vitest';
import { computeStats, taskKey } from '../../src/run/stats.js';
import { attempt, task } from '../report/fixtures.js';

describe('computeStats', () => {
  const ms = (durationMs: number, reason: 'passed' | 'failed' | 'timed-out' = 'passed') =>
    attempt({ durationMs, reason });

  it('groups repeats of a task together, and tasks by category', () => {
    const stats = computeStats(
      [
        task('a#1', [ms(1000)], { category: 'build' }),
        task('a#2', [ms(3000)], { category: 'build' }),
        task('a#3', [ms(2000, 'failed'), ms(9000, 'timed-out')], { category: 'build' }),
        task('b', [ms(500)]),
        task('c', []),
      ],
      false,
    );
    expect(stats.tasks.map((t) => t.task)).toEqual(['a', 'b', 'c']);
    expect(stats.tasks[0]).toMatchObject({
      category: 'build',
      tasks: 3,
      passed: 2,
      attempts: 4,
      p50Ms: 2000,
      p95Ms: 9000,
      maxMs: 9000,
    });
    expect(stats.tasks[0]!.successRate).toBeCloseTo(2 / 3);
    // A task that never ran has no durations, and counts as not passed in a run that was not interrupted.
    expect(stats.tasks[2]).toMatchObject({ tasks: 1, passed: 0, attempts: 0, p50Ms: null, maxMs: null });
    expect(stats.categories.map((c) => [c.category, c.tasks])).toEqual([
      ['build', 3],
      ['(none)', 2],
    ]);
    expect(stats.all).toMatchObject({ tasks: 5, passed: 3, attempts: 5, maxMs: 9000, successRate: 0.6 });
  });

  it("leaves never-started tasks out of an interrupted run's rates", () => {
    const stats = computeStats([task('a', [ms(10)]), task('b', [])], true);
    expect(stats.all.successRate).toBe(1);
  });

  it('strips only a repeat suffix from an id', () => {
    expect(taskKey('models[model=haiku]#12')).toBe('models[model=haiku]');
    expect(taskKey('v1.2-x')).toBe('v1.2-x');
  });
});
