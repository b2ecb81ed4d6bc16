import { describe, expect, it } from 'vitest';
import { formatRampStep, formatRampTable, rampVerdict, stepResult } from '../../src/run/ramp.js';
import { attempt, report, task } from '../report/fixtures.js';

describe('ramp step results', () => {
  it('takes the success rate from the gate and the p95 over the attempts that ran', () => {
    const tasks = [
      ...Array.from({ length: 18 }, (_, i) => task(`ok${i}`, [attempt({ durationMs: 1000 + i })])),
      task('slow', [attempt({ durationMs: 9000 })]),
      task('retried', [attempt({ reason: 'stalled', durationMs: 30_000 }), attempt({ durationMs: 1200 })]),
      task('never-started', []),
    ];
    const result = stepResult({ step: 2, concurrency: 8 }, report(tasks), '/out/step-2-c8');
    expect(result).toMatchObject({
      step: 2,
      concurrency: 8,
      tasks: 21,
      ran: 20,
      passed: 20,
      verdict: 'pass',
      interrupted: false,
      outDir: '/out/step-2-c8',
    });
    expect(result.successRate).toBeCloseTo(20 / 21);
    // 21 attempts ran; the nearest-rank p95 is the 20th smallest: the slow one, below the stalled 30 s.
    expect(result.p95Ms).toBe(9000);
  });

  it('has no p95 when nothing ran', () => {
    expect(stepResult({ step: 1, concurrency: 1 }, report([task('x', [])]), '/o').p95Ms).toBeUndefined();
  });

  it('gates on the last step only', () => {
    const pass = stepResult({ step: 1, concurrency: 1 }, report([task('a', [attempt()])]), '/o');
    const fail = stepResult(
      { step: 2, concurrency: 16 },
      report([task('a', [attempt({ reason: 'timed-out' })])]),
      '/o',
    );
    expect(rampVerdict([pass, fail])).toBe('fail');
    expect(rampVerdict([fail, pass])).toBe('pass');
    expect(rampVerdict([])).toBe('fail');
  });

  it('prints one line per step and an aligned table', () => {
    const steps = [1, 4, 16].map((concurrency, i) =>
      stepResult(
        { step: i + 1, concurrency },
        report([
          task('a', [attempt({ durationMs: 1000 * (i + 1) })]),
          task('b', [attempt({ reason: i === 2 ? 'stalled' : 'passed', durationMs: 500 })]),
        ]),
        '/o',
      ),
    );
    expect(formatRampStep(steps[2]!, 3)).toBe(
      'ramp step 3 of 3 (concurrency 16): 1 of 2 passed, success 50.0%, p95 3.00s, took 42.0s',
    );
    const lines = formatRampTable(steps).split('\n');
    expect(lines[0]).toBe('Ramp');
    expect(lines[1]).toMatch(/^\s+step\s+concurrency\s+tasks\s+passed\s+success\s+p95\s+time\s+verdict$/);
    expect(lines[4]).toMatch(/^\s+3\s+16\s+2\s+1\s+50\.0%\s+3\.00s\s+42\.0s\s+FAIL$/);
    const widths = new Set(lines.slice(1).map((line) => line.lastIndexOf(' ')));
    expect(widths.size).toBe(1);
  });
});
