import { describe, expect, it } from 'vitest';
import {
  compareReports,
  regressions,
  renderComparison,
  renderComparisonMarkdown,
} from '../../src/report/compare.js';
import type { AttemptResult } from '../../src/run/types.js';
import { attempt, plain, report, task } from './fixtures.js';

const ok = (durationMs: number): AttemptResult => attempt({ durationMs });
const bad = (durationMs: number): AttemptResult => attempt({ reason: 'failed', durationMs });

const base = report([
  task('a#1', [ok(1000)], { category: 'agent' }),
  task('a#2', [ok(2000)], { category: 'agent' }),
  task('b', [ok(100)], { category: 'build' }),
  task('old', [ok(10)], { category: 'build' }),
]);
const head = report([
  task('a#1', [ok(1500)], { category: 'agent' }),
  task('a#2', [bad(4000)], { category: 'agent' }),
  task('b', [ok(100)], { category: 'build' }),
  task('new', [ok(10)], { category: 'build' }),
]);

describe('compareReports', () => {
  const comparison = compareReports(base, head);
  const find = (scope: string, name: string) =>
    comparison.changes.find((c) => c.scope === scope && c.name === name)!;

  it('gives success-rate and p50/p95 changes for the run, each category and each task', () => {
    expect(find('run', 'all').successDelta).toBeCloseTo(-0.25);
    expect(find('category', 'agent')).toMatchObject({ successDelta: -0.5, p50Ratio: 1.5, p95Ratio: 2 });
    expect(find('category', 'build').successDelta).toBe(0);
    // Repeats of a task are one row.
    expect(find('task', 'a')).toMatchObject({ successDelta: -0.5, p95Ratio: 2 });
    expect(find('task', 'b')).toMatchObject({ successDelta: 0, p50Ratio: 1 });
  });

  it('lists tasks found in only one report without a change', () => {
    expect(find('task', 'old')).toMatchObject({ base: expect.any(Object) });
    expect(find('task', 'old')).not.toHaveProperty('head');
    expect(find('task', 'new')).not.toHaveProperty('base');
    expect(find('task', 'new')).not.toHaveProperty('successDelta');
    const text = renderComparison(comparison, plain);
    expect(text).toMatch(/task\s+old \(gone\)/);
    expect(text).toMatch(/task\s+new \(new\)/);
    expect(text).toMatch(
      /category\s+agent\s+100\.0% → 50\.0%\s+-50\.0 pp\s+1\.0s → 1\.5s\s+\+50%\s+2\.0s → 4\.0s\s+\+100%/,
    );
  });
});

describe('regressions', () => {
  const comparison = compareReports(base, head);

  it('flags the run and categories that lost more success rate, or slowed more, than allowed', () => {
    expect(regressions(comparison, { maxRegression: 0.3 })).toEqual([
      'category agent: success rate 100.0% → 50.0% (-50.0 pp, more than --max-regression 0.3)',
    ]);
    expect(regressions(comparison, { maxRegression: 0.2 })).toHaveLength(2);
    expect(regressions(comparison, { maxSlowdown: 1.5 })).toEqual([
      'the run: p95 2.0s → 4.0s (x2.00, more than --max-slowdown 1.5)',
      'category agent: p95 2.0s → 4.0s (x2.00, more than --max-slowdown 1.5)',
    ]);
  });

  it('passes an unchanged run, a drop exactly at the limit, and no gate at all', () => {
    expect(regressions(compareReports(base, base), { maxRegression: 0, maxSlowdown: 1 })).toEqual([]);
    expect(regressions(comparison, { maxRegression: 0.5 })).toEqual([]);
    expect(regressions(comparison, {})).toEqual([]);
  });
});

describe('renderComparisonMarkdown', () => {
  it('gives one table row per change and lists the regressions', () => {
    const comparison = compareReports(base, head);
    const found = regressions(comparison, { maxRegression: 0.3 });
    const md = renderComparisonMarkdown(comparison, found);
    expect(md).toMatch(/^## cc-stress compare: demo ❌ regressed\n/);
    expect(md).toContain(
      '| category | agent | 100.0% → 50.0% | -50.0 pp | 1.0s → 1.5s | +50% | 2.0s → 4.0s | +100% |',
    );
    expect(md).toContain('| task | new (new) | - → 100.0% |');
    expect(md).toContain('### Regressions\n\n- category agent: success rate 100.0% → 50.0%');
    expect(renderComparisonMarkdown(compareReports(base, base), [])).toContain('✅ no regression');
  });
});
