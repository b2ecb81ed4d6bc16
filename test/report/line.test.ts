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

  it('shows each start with both limits and where they came from', () => {
    expect(lines[1]).toBe(
      '[0/2] start      Flaky one [flaky]  attempt 1/2  max 1m00s (learned: p99 bound of 48 runs x 1.5)  ' +
        'stall 20.0s (config-default: config limits.defaultStallSeconds)',
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
