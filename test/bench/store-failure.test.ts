import { describe, expect, it } from 'vitest';
import { familyById } from '../../bench/timeouts/families.js';
import { runFamilyBench } from '../../bench/timeouts/run.js';
import { fixedPlan, type PlannerFactory, tighterThan } from '../../bench/timeouts/strategies.js';
import type { TimeoutPlan } from '../../src/timeouts/types.js';

const MIN = 60_000;
const healthyPlan = { ...fixedPlan(30 * MIN, 10 * MIN, 'test'), classKeys: ['k'] };

/**
 * Plans 30 min / 10 min when its lookup answers, and `onFailure` when the lookup fails or does not answer
 * within the planner's lookup timeout, as the shipped planner waits for its history.
 */
function plannerThat(onFailure: TimeoutPlan): PlannerFactory {
  return ({ store, lookupTimeoutMs }) => ({
    plan: async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), lookupTimeoutMs);
      });
      const answer = await Promise.race([
        store.recent('k', 10).then(
          () => 'ok' as const,
          () => 'error' as const,
        ),
        deadline,
      ]);
      clearTimeout(timer);
      return answer === 'ok' ? healthyPlan : { ...onFailure, classKeys: ['k'] };
    },
  });
}

const tightening = plannerThat(fixedPlan(5 * MIN, 2 * MIN, 'tightened'));
const loosening = plannerThat(fixedPlan(60 * MIN, 20 * MIN, 'loosened'));

describe('plans tighter under store failure than when healthy', () => {
  it('a plan is tighter when any limit, extensions included, is lower', () => {
    const base = { ...fixedPlan(10 * MIN, 5 * MIN, 'x'), extension: { times: 2, byMs: MIN } };
    expect(tighterThan(base, base)).toBe(false);
    expect(tighterThan({ ...base, maxMs: 9 * MIN }, base)).toBe(true);
    expect(tighterThan({ ...base, stallMs: 4 * MIN }, base)).toBe(true);
    expect(tighterThan({ ...base, extension: { times: 1, byMs: MIN } }, base)).toBe(true);
    expect(tighterThan({ ...base, maxMs: 20 * MIN, stallMs: 6 * MIN }, base)).toBe(false);
  });

  it('counts every plan of a deliberately tightening planner during the failing stretches, and fails the target', async () => {
    const result = await runFamilyBench({
      runs: 600,
      seed: 2,
      store: 'memory',
      family: familyById('failing-store')!,
      planner: tightening,
    });
    for (const id of ['ours-full', 'ours-output']) {
      const m = result.strategies.find((s) => s.id === id)!;
      expect(m.failure!.plans).toBeGreaterThan(60);
      expect(m.failure!.tighter).toBe(m.failure!.plans);
      expect(m.failure!.examples[0]).toMatch(/healthy max 1800s.*failed max 300s/);
      const target = result.targets.find((t) => t.strategy === id && t.target.includes('store failure'))!;
      expect(target.pass).toBe(false);
    }
  });

  it('counts nothing for a planner that only loosens under failure, and passes the target', async () => {
    const result = await runFamilyBench({
      runs: 600,
      seed: 2,
      store: 'memory',
      family: familyById('failing-store')!,
      planner: loosening,
    });
    const m = result.strategies.find((s) => s.id === 'ours-full')!;
    expect(m.failure!.plans).toBeGreaterThan(60);
    expect(m.failure!.tighter).toBe(0);
    expect(
      result.targets.find((t) => t.strategy === 'ours-full' && t.target.includes('store failure'))!.pass,
    ).toBe(true);
  });

  it('on a healthy store, probes with failing lookups catch a tightening planner too', async () => {
    const result = await runFamilyBench({
      runs: 300,
      seed: 2,
      store: 'memory',
      family: familyById('thin-prompts')!,
      planner: tightening,
    });
    const m = result.strategies.find((s) => s.id === 'ours-full')!;
    // Every 25th run is probed, half with an error and half with a lookup that never answers.
    expect(m.failure!.plans).toBe(12);
    expect(m.failure!.tighter).toBe(12);
  });
});
