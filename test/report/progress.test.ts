import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressReporter } from '../../src/report/progress.js';
import { attempt, attemptStart, Capture, plain, raw, report, spec, startInfo } from './fixtures.js';

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const WRAP_ON = '\u001b[?7h';

const reporters: ProgressReporter[] = [];
afterEach(() => {
  for (const r of reporters.splice(0)) r.stop();
});

function setup(options: { maxTaskLines?: number; columns?: number } = {}) {
  const stream = new Capture({ tty: true, columns: options.columns ?? 120, rows: 30 });
  let clock = 1_000_000;
  const reporter = new ProgressReporter({
    stream,
    colors: plain,
    fps: 100,
    now: () => clock,
    ...(options.maxTaskLines !== undefined ? { maxTaskLines: options.maxTaskLines } : {}),
  });
  reporters.push(reporter);
  let mark = 0;
  return {
    stream,
    reporter,
    advance: (ms: number) => {
      clock += ms;
    },
    /** Output written since the last call. */
    fresh: () => {
      const text = stream.text().slice(mark);
      mark = stream.text().length;
      return text;
    },
  };
}

const a = spec('a');
const b = spec('b');
const c = spec('c');

describe('ProgressReporter', () => {
  it('draws an overall line and a line per running task with its clocks against its limits', async () => {
    const { stream, reporter } = setup();
    reporter.onBegin(startInfo([a, b]));
    reporter.onTaskBegin(attemptStart(a));
    reporter.onTaskStatus(a, 1, {
      elapsedMs: 12_000,
      sinceProgressMs: 3_000,
      maxMs: 60_000,
      stallMs: 20_000,
      lastProgress: 'stdout',
    });
    await vi.waitFor(() => expect(stream.text()).toContain('idle 3.0s/20.0s'));
    const text = stream.text();
    expect(text).toContain(HIDE_CURSOR);
    expect(text).toMatch(
      /overall [░█]+ 0\/2 {2}passed 0 {2}failed 0 {2}running 1 {2}success - \(target 90\.0%\)/,
    );
    expect(text).toMatch(/ {2}Task a \[a\] +[░█]+ 12\.0s\/1m00s {2}idle 3\.0s\/20\.0s/);
  });

  it('keeps the clocks ticking between status events, but not past a silent executor', async () => {
    const { stream, reporter, advance } = setup();
    reporter.onBegin(startInfo([a]));
    reporter.onTaskBegin(attemptStart(a));
    reporter.onTaskStatus(a, 1, {
      elapsedMs: 12_000,
      sinceProgressMs: 3_000,
      maxMs: 60_000,
      stallMs: 20_000,
      lastProgress: 'cpu',
    });
    advance(1_000);
    await vi.waitFor(() => expect(stream.text()).toContain('13.0s/1m00s  idle 4.0s/20.0s'));
    advance(30_000);
    await vi.waitFor(() => expect(stream.text()).toContain('14.0s/1m00s  idle 5.0s/20.0s'));
    expect(stream.text()).not.toContain('idle 33.0s');
  });

  it('lines the bars up in a narrow terminal when one task’s clocks are wider than another’s', async () => {
    const { stream, reporter } = setup({ columns: 60 });
    const long = spec('a-much-longer-task-name');
    reporter.onBegin(startInfo([a, long]));
    reporter.onTaskBegin(attemptStart(a));
    reporter.onTaskBegin(attemptStart(long));
    const status = (elapsedMs: number) => ({
      elapsedMs,
      sinceProgressMs: elapsedMs,
      maxMs: 900_000,
      stallMs: 300_000,
      lastProgress: 'stdout' as const,
    });
    reporter.onTaskStatus(a, 1, status(107));
    reporter.onTaskStatus(long, 1, status(97));
    await vi.waitFor(() => expect(stream.text()).toContain('97ms/15m00s'));
    const frame = stream
      .text()
      .split(/\n|\u001b\[\d*[GK]/)
      .slice(-40);
    const barAt = (label: string) => frame.findLast((line) => line.includes(label))!.search(/[░█]/);
    expect(barAt('107ms/15m00s')).toBeGreaterThan(0);
    expect(barAt('97ms/15m00s')).toBe(barAt('107ms/15m00s'));
  });

  it('removes a task line when the task ends and counts the result', async () => {
    const { stream, reporter } = setup();
    reporter.onBegin(startInfo([a, b]));
    reporter.onTaskBegin(attemptStart(a));
    reporter.onTaskBegin(attemptStart(b));
    await vi.waitFor(() => expect(stream.text()).toContain('Task b [b]'));
    const passed = attempt();
    reporter.onTaskEnd(a, passed, raw(passed), false);
    const mark = stream.text().length;
    const since = (): string => stream.text().slice(mark);
    await vi.waitFor(() => {
      expect(since()).toContain('1/2  passed 1  failed 0  running 1  success 100.0%');
      expect(since()).toContain('Task b [b]');
    });
    expect(since()).not.toContain('Task a [a]');
  });

  it('prints failures and warnings above the bars, where they stay', async () => {
    const { stream, reporter } = setup({ columns: 60 });
    reporter.onBegin(startInfo([a]));
    reporter.onTaskBegin(attemptStart(a));
    const failed = attempt({ reason: 'failed', exitCode: 2, messages: ['expected stdout to contain "ok"'] });
    reporter.onTaskEnd(a, failed, raw(failed), false);
    reporter.onWarning('history: Redis unreachable, using the embedded store');
    const plainText = (): string => stream.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    const words = (text: string): string => text.replace(/\s+/g, ' ');
    // Long lines are broken at spaces within the terminal width, since wrapping is off while bars are drawn.
    await vi.waitFor(() =>
      expect(words(plainText())).toContain(
        words('warning    history: Redis unreachable, using the embedded store'),
      ),
    );
    expect(words(plainText())).toContain(
      words('failed     Task a [a] in 1.5s (exit 2): expected stdout to contain "ok"'),
    );
    // No word is cut in two.
    expect(plainText()).not.toMatch(/unreach\n|embed\n|conta\n/);
    // Whatever is drawn between two moves of the cursor to the start of a line fits the terminal.
    const segments = stream.text().split(/\n|\u001b\[\d*G/);
    for (const segment of segments) {
      expect(Array.from(segment.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).length).toBeLessThan(60);
    }
  });

  it('shows at most the configured number of task lines and counts the rest', async () => {
    const { stream, reporter } = setup({ maxTaskLines: 2 });
    reporter.onBegin(startInfo([a, b, c]));
    for (const t of [a, b, c]) reporter.onTaskBegin(attemptStart(t));
    await vi.waitFor(() => expect(stream.text()).toContain('… and 1 more running'));
    expect(stream.text()).not.toContain('Task c [c]');
  });

  it('stops cleanly: final line kept, cursor and wrapping restored, no more drawing', async () => {
    const { reporter, fresh } = setup();
    const exitListeners = process.listenerCount('exit');
    reporter.onBegin(startInfo([a]));
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    reporter.onTaskBegin(attemptStart(a));
    const passed = attempt();
    reporter.onTaskEnd(a, passed, raw(passed), false);
    reporter.onEnd(report([]));
    const tail = fresh();
    expect(tail).toContain('overall');
    expect(tail).toContain('1/1');
    expect(tail.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(tail.lastIndexOf(HIDE_CURSOR));
    expect(tail).toContain(WRAP_ON);
    expect(tail.endsWith('\n')).toBe(true);
    expect(process.listenerCount('exit')).toBe(exitListeners);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fresh()).toBe('');
    // Late events after the end do not draw on a terminal that is no longer ours.
    reporter.onWarning('late');
    expect(fresh()).toBe('warning    late\n');
  });

  it('keeps task text from sending its own terminal commands', async () => {
    const { stream, reporter } = setup();
    const evil = spec('evil', { name: 'x\u001b[2J\u001b[H\rname\nnext' });
    reporter.onBegin(startInfo([evil]));
    reporter.onTaskBegin(attemptStart(evil));
    await vi.waitFor(() => expect(stream.text()).toContain('x | name | next'));
    reporter.onEnd(report([]));
    expect(stream.text()).not.toContain('\u001b[2J');
    expect(stream.text()).not.toContain('\u001b[H');
  });
});
