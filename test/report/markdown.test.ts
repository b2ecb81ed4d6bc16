import { describe, expect, it } from 'vitest';
import { markdownCell, renderMarkdown } from '../../src/report/markdown.js';
import { computeStats } from '../../src/run/stats.js';
import { attempt, HOSTILE, report, task } from './fixtures.js';

const tasks = [
  task('ok#1', [attempt({ durationMs: 1000 })], { category: 'build' }),
  task('ok#2', [attempt({ durationMs: 3000 })], { category: 'build' }),
  task('bad', [attempt({ reason: 'failed', messages: ['exit code 3, expected 0'] })], { category: 'agent' }),
  task('flaky', [attempt({ reason: 'stalled' }), attempt()], { category: 'agent' }),
];

describe('renderMarkdown', () => {
  it('gives the verdict, the counts, per-category success and durations, and what did not pass', () => {
    const md = renderMarkdown(report(tasks, { stats: computeStats(tasks, false) }));
    expect(md).toMatch(/^## cc-stress: demo ❌ FAIL\n/);
    expect(md).toContain('Success rate **75.0%** (3 of 4) vs target 90.0%');
    expect(md).toContain('| category | tasks | passed | success | p50 | p95 | max |');
    expect(md).toContain('| build | 2 | 2 | 100.0% | 1.0s | 3.0s | 3.0s |');
    expect(md).toContain('| **all** | 4 | 3 | 75.0% |');
    expect(md).toContain('### Not passed (1)');
    expect(md).toContain('| `bad` | failed | 1 | exit code 3, expected 0 |');
    expect(md).toContain('- flaky: stalled, then passed');
    // Repeats of a task count together in the per-task durations.
    expect(md).toContain('| ok | 2 | 2 | 100.0% | 1.0s | 3.0s | 3.0s |');
  });

  it('says an interrupted run does not pass', () => {
    const md = renderMarkdown(report([task('ok', [attempt()]), task('never', [])], { interrupted: true }));
    expect(md).toContain('⚠️ INTERRUPTED');
    expect(md).toContain('The run was interrupted: 1 task(s) did not run, and it does not pass.');
  });

  it('computes the stats of a report that has none (written before they existed)', () => {
    const md = renderMarkdown(report(tasks));
    expect(md).toContain('| build | 2 | 2 | 100.0% | 1.0s | 3.0s | 3.0s |');
  });

  it('keeps text from tasks from adding markup, links or table cells', () => {
    const md = renderMarkdown(
      report([
        task('bad', [attempt({ reason: 'failed', messages: [`${HOSTILE} | [x](http://e) **b**`] })], {
          category: HOSTILE,
        }),
      ]),
    );
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(/[^\\]\]\(http/);
    expect(md).toContain('\\[x\\](http');
    for (const row of md.split('\n').filter((l) => l.startsWith('| `bad`'))) {
      // Four cells: the pipe in the message is escaped.
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    }
    expect(markdownCell('a|b\nc <i>')).toBe('a\\|b \\| c &lt;i&gt;');
  });
});
