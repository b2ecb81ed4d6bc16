import { describe, expect, it } from 'vitest';
import { renderSummary, SummaryReporter } from '../../src/report/summary.js';
import { attempt, Capture, colored, plain, report, task } from './fixtures.js';

const run = report([
  task('a', [attempt({ durationMs: 5_000 })], { category: 'simple' }),
  task('b', [attempt({ reason: 'failed', messages: ['expected stdout to contain "done"'] })], {
    category: 'simple',
  }),
  task('c', [attempt({ reason: 'timed-out', durationMs: 61_000, messages: ['max limit reached'] })], {
    category: 'long',
  }),
  task('d', [attempt({ reason: 'stalled', durationMs: 20_000 }), attempt({ durationMs: 3_000 })], {
    category: 'long',
  }),
  task('e', [attempt({ durationMs: 100 })]),
  task('f', []),
]);

function rowOf(text: string, name: string): string[] {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
  expect(line, `row ${name}`).toBeDefined();
  return line!.trim().split(/\s+/);
}

describe('renderSummary', () => {
  const text = renderSummary(run, { colors: plain, files: ['reports/report.json', 'reports/junit.xml'] });

  it('counts each reason per category, with a total row', () => {
    expect(rowOf(text, 'category')).toEqual([
      'category',
      'total',
      'passed',
      'failed',
      'timed-out',
      'stalled',
      'crashed',
      'cancelled',
      'flaky',
    ]);
    expect(rowOf(text, 'simple')).toEqual(['simple', '2', '1', '1', '0', '0', '0', '0', '0']);
    expect(rowOf(text, 'long')).toEqual(['long', '2', '1', '0', '1', '0', '0', '0', '1']);
    expect(rowOf(text, '(none)')).toEqual(['(none)', '2', '1', '0', '0', '0', '0', '1', '0']);
    expect(rowOf(text, 'all')).toEqual(['all', '6', '3', '1', '1', '0', '0', '1', '1']);
  });

  it('states the success rate against the target with the verdict', () => {
    expect(text).toContain('Success rate 50.0% (3 of 6) vs target 90.0%: FAIL');
    const passing = renderSummary(report([task('a', [attempt()])]), { colors: plain });
    expect(passing).toContain('Success rate 100.0% (1 of 1) vs target 90.0%: PASS');
  });

  it('explains that cancelled tasks of an interrupted run are not counted', () => {
    const interrupted = renderSummary(
      report([task('a', [attempt()]), task('b', [])], { interrupted: true }),
      {
        colors: plain,
      },
    );
    expect(interrupted).toContain('(interrupted)');
    // However well the finished tasks did, an interrupted run does not pass.
    expect(interrupted).toContain('Success rate 100.0% (1 of 1) vs target 90.0%: INTERRUPTED');
    expect(interrupted).toContain('1 cancelled task(s) not counted');
  });

  it('lists flaky tasks, the tasks that did not pass with their first message, and the report files', () => {
    expect(text).toMatch(/Flaky \(passed after a retry\): 1\n {2}Task d \[d\]: stalled, then passed/);
    expect(text).toContain('failed     Task b [b]: expected stdout to contain "done"');
    expect(text).toContain('timed-out  Task c [c]: max limit reached');
    expect(text).toMatch(/Reports\n {2}reports\/report\.json\n {2}reports\/junit\.xml/);
  });

  it('shows the five slowest tasks, slowest first, against their max limit', () => {
    const slowest = text.split('Slowest\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(slowest).toHaveLength(5);
    expect(slowest[0]).toMatch(/1\. +1m01s of max 1m00s \(102%\) +Task c \[c\]/);
    expect(slowest[1]).toMatch(/2\. +20\.0s of max 1m00s \(33%\) +Task d \[d\], attempt 1 of 2/);
    expect(slowest.join('\n')).not.toContain('Task f');
  });

  it('gives success and p50/p95/max of every attempt that ended, per category and for the slowest tasks', () => {
    const durations = text.split('Durations (every attempt that ended)\n')[1]!.split('\n\n');
    const [categories, tasks] = durations.map((block) => block.split('\n'));
    expect(rowOf(categories!.join('\n'), 'category')).toEqual([
      'category',
      'success',
      'attempts',
      'p50',
      'p95',
      'max',
    ]);
    expect(rowOf(categories!.join('\n'), 'long')).toEqual(['long', '50.0%', '3', '20.0s', '1m01s', '1m01s']);
    expect(rowOf(categories!.join('\n'), 'all')).toEqual(['all', '50.0%', '6', '3.0s', '1m01s', '1m01s']);
    // Tasks by p95, highest first; a task that never ran has no row.
    expect(tasks!.slice(1, 3).map((l) => l.trim().split(/\s+/)[0])).toEqual(['c', 'd']);
    expect(tasks!.some((l) => l.trim().startsWith('f '))).toBe(false);
  });

  it('is plain text without colours and coloured with them', () => {
    expect(text).not.toContain('\u001b');
    const colourful = renderSummary(run, { colors: colored });
    expect(colourful).toContain('\u001b[31m');
    expect(colourful.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderSummary(run, { colors: plain }));
  });

  it('keeps a task from drawing on the terminal through its name or messages', () => {
    const nasty = report([
      task('x', [attempt({ reason: 'failed', messages: ['line1\n\u001b[2Jcleared'] })], {
        name: 'evil\u001b[1A\rname',
        category: 'cat\nnext',
      }),
    ]);
    const out = renderSummary(nasty, { colors: plain });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\r');
    expect(out).toContain('line1 | cleared');
  });
});

describe('SummaryReporter', () => {
  it('prints the summary with the warnings of the run at the end', () => {
    const stream = new Capture();
    const reporter = new SummaryReporter({ stream, colors: plain, files: ['out/report.json'] });
    reporter.onWarning('history: Redis unreachable, using the embedded store');
    reporter.onEnd(run);
    expect(stream.text()).toContain('Summary: demo (6 task(s) in 42.0s)');
    expect(stream.text()).toMatch(/Warnings: 1\n {2}history: Redis unreachable, using the embedded store/);
  });
});
