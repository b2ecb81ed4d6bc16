import { describe, expect, it } from 'vitest';
import { LineReporter } from '../../src/report/line.js';
import {
  attempt,
  attemptStart,
  Capture,
  colored,
  plain,
  raw,
  report,
  spec,
  startInfo,
  task,
} from './fixtures.js';

function drive(colors = plain): Capture {
  const stream = new Capture();
  const reporter = new LineReporter({ stream, colors });
  const flaky = spec('flaky', { retries: 1, name: 'Flaky one' });
  const hang = spec('hang', { name: 'Hangs\n\u001b[2J forever' });
  reporter.onBegin(startInfo([flaky, hang]));
  reporter.onTaskBegin(attemptStart(flaky, 1));
  const first = attempt({
    reason: 'failed',
    exitCode: 3,
    messages: ['expected stdout to contain "ok"', 'second'],
  });
  reporter.onTaskEnd(flaky, first, raw(first), true);
  reporter.onTaskBegin(attemptStart(flaky, 2));
  const second = attempt({ attempt: 2 });
  reporter.onTaskEnd(flaky, second, raw(second), false);
  reporter.onTaskBegin(attemptStart(hang));
  const killed = attempt({
    reason: 'stalled',
    durationMs: 20_000,
    messages: ['no progress for 20s (stall limit 20s)'],
  });
  reporter.onTaskEnd(hang, killed, raw(killed), false);
  reporter.onWarning('history: Redis unreachable\nusing the embedded store');
  reporter.onEnd(report([task('flaky', [first, second]), task('hang', [killed])]));
  return stream;
}

describe('LineReporter', () => {
  const lines = drive().lines();

  it('prints one line per event, in order', () => {
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('cc-stress demo: 2 task(s), concurrency 2, target 90.0%, reports in reports');
  });

  it('shows each start with both limits and, in one word, where they came from', () => {
    expect(lines[1]).toBe(
      '[0/2] start      Flaky one [flaky]  attempt 1/2  max 1m00s (learned)  stall 20.0s (config-default)',
    );
  });

  it('shows a retry with what went wrong, then the final result', () => {
    expect(lines[2]).toBe(
      '[0/2] retry      Flaky one [flaky] in 1.5s (failed, exit 3, attempt 1/2): expected stdout to contain "ok"',
    );
    expect(lines[4]).toBe('[1/2] passed     Flaky one [flaky] in 1.5s (exit 0, attempt 2/2)');
  });

  it('shows a kill with its reason, duration, signal and evidence', () => {
    expect(lines[6]).toBe(
      '[2/2] stalled    Hangs |  forever [hang] after 20.0s (signal SIGKILL): no progress for 20s (stall limit 20s)',
    );
  });

  it('prints warnings and a closing verdict line', () => {
    expect(lines[7]).toBe('warning    history: Redis unreachable | using the embedded store');
    expect(lines[8]).toBe('done in 42.0s: 1 of 2 passed, success rate 50.0% vs target 90.0%: FAIL');
  });

  it('never writes cursor control codes, even from task text', () => {
    const text = drive().text();
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
  });

  it('colours only when asked to', () => {
    const text = drive(colored).text();
    expect(text).toContain('\u001b[32m');
    expect(text).not.toMatch(/\u001b\[(?!\d+m)/);
  });
});

describe('LineReporter heartbeats', () => {
  const status = (elapsedMs: number) => ({
    elapsedMs,
    sinceProgressMs: 12_000,
    maxMs: 1_800_000,
    stallMs: 600_000,
    lastProgress: 'cpu',
  });

  it('prints a line for a long task once per heartbeat interval, and none after it ends', () => {
    let now = 0;
    const stream = new Capture();
    const reporter = new LineReporter({ stream, colors: plain, heartbeatMs: 60_000, now: () => now });
    const slow = spec('slow', { name: 'Slow build' });
    reporter.onBegin(startInfo([slow]));
    reporter.onTaskBegin(attemptStart(slow));
    for (now = 1000; now <= 150_000; now += 1000) reporter.onTaskStatus(slow, 1, status(now));
    const beats = stream
      .text()
      .split('\n')
      .filter((line) => line.includes('running'));
    expect(beats).toEqual([
      '[0/1] running    Slow build [slow] 1m00s of max 30m00s, idle 12.0s of stall 10m00s (last progress: cpu)',
      '[0/1] running    Slow build [slow] 2m00s of max 30m00s, idle 12.0s of stall 10m00s (last progress: cpu)',
    ]);
    const ended = attempt({ durationMs: 150_000 });
    reporter.onTaskEnd(slow, ended, raw(ended), false);
    reporter.onTaskStatus(slow, 1, status(400_000));
    expect(
      stream
        .text()
        .split('\n')
        .filter((line) => line.includes('running')),
    ).toHaveLength(2);
  });

  it('prints none when heartbeats are off', () => {
    let now = 0;
    const stream = new Capture();
    const reporter = new LineReporter({ stream, colors: plain, heartbeatMs: 0, now: () => now });
    const slow = spec('slow');
    reporter.onBegin(startInfo([slow]));
    reporter.onTaskBegin(attemptStart(slow));
    for (now = 1000; now <= 300_000; now += 1000) reporter.onTaskStatus(slow, 1, status(now));
    expect(stream.text()).not.toContain('running');
  });
});
