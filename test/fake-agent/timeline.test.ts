import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFakeAgentOptions } from '../../src/fake-agent/options.js';
import { planSession } from '../../src/fake-agent/timeline.js';

const options = (...args: string[]) => parseFakeAgentOptions(['-p', 'x', ...args]);

const scripts = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  durationMs: fc.integer({ min: 0, max: 600_000 }),
  turns: fc.integer({ min: 1, max: 30 }),
  thinkMs: fc.integer({ min: 0, max: 60_000 }),
  thinkCount: fc.integer({ min: 0, max: 5 }),
  toolMs: fc.integer({ min: 0, max: 60_000 }),
  bytes: fc.integer({ min: 0, max: 100_000 }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('planSession', () => {
  it('always starts with init, ends with one end step, and never waits a negative time', () => {
    fc.assert(
      fc.property(scripts, (s) => {
        const plan = planSession(
          options(
            `--fake-seed=${s.seed}`,
            `--fake-duration=${s.durationMs}ms`,
            `--fake-turns=${s.turns}`,
            `--fake-think=${s.thinkMs}ms`,
            `--fake-think-count=${s.thinkCount}`,
            `--fake-tool-duration=${s.toolMs}ms`,
            `--fake-output-bytes=${s.bytes}`,
            `--fake-jitter=${s.jitter}`,
          ),
        );
        expect(plan.steps[0]!.event.type).toBe('init');
        expect(plan.steps.filter((step) => step.event.type === 'end')).toHaveLength(1);
        expect(plan.steps.at(-1)!.event.type).toBe('end');
        for (const step of plan.steps) expect(step.waitMs).toBeGreaterThanOrEqual(0);
        const total = plan.steps.reduce((sum, step) => sum + step.waitMs, 0);
        const fixed = s.thinkMs * s.thinkCount + (s.turns > 1 ? s.toolMs : 0);
        // The jittered total, unless the silences asked for do not fit in it.
        expect(total).toBe(Math.max(plan.plannedMs, fixed + Math.round(Math.min(400, plan.plannedMs / 4))));
        const textBytes = plan.steps.reduce(
          (sum, step) => sum + (step.event.type === 'text' ? step.event.bytes : 0),
          0,
        );
        expect(textBytes).toBe(s.bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('is a pure function of the options: same seed, same plan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const args = [`--fake-seed=${seed}`, '--fake-turns=5', '--fake-think=1s', '--fake-tool-duration=2s'];
        expect(planSession(options(...args))).toEqual(planSession(options(...args)));
      }),
      { numRuns: 50 },
    );
  });

  it('jitters the total log-normally by seed, and not at all with jitter 0', () => {
    const totals = [1, 2, 3, 4, 5, 6].map(
      (seed) =>
        planSession(options(`--fake-seed=${seed}`, '--fake-duration=10s', '--fake-jitter=0.5')).plannedMs,
    );
    expect(new Set(totals).size).toBe(totals.length);
    for (const total of totals) {
      expect(total).toBeGreaterThan(10_000 * Math.exp(-0.5 * 5));
      expect(total).toBeLessThan(10_000 * Math.exp(0.5 * 5));
    }
    expect(planSession(options('--fake-seed=1', '--fake-duration=10s', '--fake-jitter=0')).plannedMs).toBe(
      10_000,
    );
  });

  it('answers every tool_use with a tool_result, the long tool bracketed by task events', () => {
    const plan = planSession(options('--fake-seed=1', '--fake-turns=5', '--fake-tool-duration=20s'));
    const types = plan.steps.map((step) => step.event.type);
    expect(types.filter((t) => t === 'tool-use')).toHaveLength(4);
    expect(types.filter((t) => t === 'tool-result')).toHaveLength(4);
    const started = types.indexOf('task-started');
    expect(types.slice(started - 1, started + 3)).toEqual([
      'tool-use',
      'task-started',
      'task-notification',
      'tool-result',
    ]);
    // task_started about 3 s in, the rest of the 20 s tool silent until the notification.
    expect(plan.steps[started]!.waitMs).toBe(3000);
    expect(plan.steps[started + 1]!.waitMs).toBe(17_000);
  });

  it('spreads thinking phases over the turns', () => {
    const plan = planSession(
      options('--fake-seed=1', '--fake-turns=4', '--fake-think=5s', '--fake-think-count=2'),
    );
    const thinks = plan.steps.filter((step) => step.silence === 'think');
    expect(thinks.map((step) => step.waitMs)).toEqual([5000, 5000]);
    expect(thinks.map((step) => (step.event.type === 'text' ? step.event.turn : 0))).toEqual([1, 3]);
  });

  it('spaces rate-limit retries like a growing backoff within the duration', () => {
    const plan = planSession(
      options('--fake-seed=1', '--fake-duration=60s', '--fake-jitter=0', '--fake-fail=rate-limit'),
    );
    const retries = plan.steps.flatMap((step) => (step.event.type === 'retry' ? [step.event] : []));
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(retries[2]!.delayMs).toBeGreaterThan(retries[0]!.delayMs);
    expect(plan.steps.reduce((sum, step) => sum + step.waitMs, 0)).toBe(60_000);
    expect(plan.steps.at(-1)!.event).toEqual({ type: 'end', ending: { kind: 'api-error', status: 429 } });
  });

  it('crashes part-way, before the final answer', () => {
    const plan = planSession(options('--fake-seed=1', '--fake-turns=6', '--fake-fail=crash'));
    expect(plan.steps.at(-1)!.event).toEqual({ type: 'end', ending: { kind: 'crash', how: 'segv' } });
    expect(plan.steps.some((step) => step.event.type === 'text' && step.event.final)).toBe(false);
  });

  it('splits large output into blocks of bounded size', () => {
    const plan = planSession(options('--fake-seed=1', '--fake-turns=1', '--fake-output-bytes=100000'));
    const blocks = plan.steps.flatMap((step) => (step.event.type === 'text' ? [step.event.bytes] : []));
    expect(blocks.length).toBeGreaterThan(1);
    expect(Math.max(...blocks)).toBeLessThanOrEqual(16 * 1024);
  });
});
