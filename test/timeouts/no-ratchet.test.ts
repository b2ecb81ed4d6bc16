import { describe, expect, it } from 'vitest';
import { type Config, configSchema } from '../../src/config.js';
import type { ExecResult, Termination } from '../../src/exec/types.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { runRecordOf } from '../../src/history/run-record.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import type { PlanInput, TimeoutPlan } from '../../src/timeouts/types.js';

/**
 * Repeated hangs of one task, recorded exactly as the runner records them (runRecordOf with the plan in
 * force), must leave its limits bounded: a cut-off is evidence "at least the limit", not a multiplier.
 */

const config: Config = configSchema.parse({});
const S = 1000;
const TICK_MS = 500;
const GRACE_MS = config.limits.graceSeconds * S;
const build: PlanInput = {
  argv: ['npm', 'run', 'build'],
  shell: false,
  cwd: '/work/app',
  timeout: {},
  agent: 'none',
};

function result(
  termination: Termination,
  durationMs: number,
  longestSilenceMs: number,
  extensions = 0,
): ExecResult {
  return {
    termination,
    exitCode: termination === 'exit' ? 0 : null,
    signal: termination === 'exit' ? null : 'SIGTERM',
    startedAt: 0,
    endedAt: durationMs,
    durationMs,
    longestSilenceMs,
    stdoutBytes: 0,
    stderrBytes: 0,
    outputHead: '',
    outputTail: '',
    logPath: '',
    failures: [],
    retryLater: false,
    extensions,
  };
}

/** A hang that keeps printing: the watchdog extends it at the max limit every time, then kills it. */
function maxKill(plan: TimeoutPlan): ExecResult {
  const killedAt = plan.maxMs + plan.extension.times * plan.extension.byMs + TICK_MS;
  return result('max', killedAt + GRACE_MS, 2 * S, plan.extension.times);
}

/** A hang that goes silent after 20 s: the stall limit kills it. */
function stallKill(plan: TimeoutPlan): ExecResult {
  const silent = plan.stallMs + TICK_MS;
  return result('stall', 20 * S + silent + GRACE_MS, silent);
}

async function scenario(healthyRuns: number, hang: (plan: TimeoutPlan) => ExecResult, withLimit = true) {
  let clock = 1_800_000_000_000;
  const store = new MemoryHistoryStore({ maxRunsPerClass: config.history.maxRunsPerClass });
  const planner = new LearnedTimeoutPlanner({ store, config, now: () => clock });
  const record = async (plan: TimeoutPlan, raw: ExecResult, id: string) => {
    clock += 1000;
    const r = runRecordOf(raw, id, withLimit ? plan : undefined);
    if (r !== undefined) await store.record(plan.classKeys!, { ...r, at: clock });
  };
  for (let i = 0; i < healthyRuns; i++) {
    const plan = await planner.plan(build);
    // About 90 s, a few seconds either way, never silent for more than 8 s.
    await record(plan, result('exit', (84 + ((i * 7) % 13)) * S, (3 + (i % 6)) * S), `ok-${i}`);
  }
  const healthy = await planner.plan(build);
  const after: TimeoutPlan[] = [];
  let plan = healthy;
  for (let i = 0; i < 10; i++) {
    await record(plan, hang(plan), `hang-${i}`);
    plan = await planner.plan(build);
    after.push(plan);
  }
  return { healthy, after };
}

describe('ten consecutive hangs of a 90 s task', () => {
  it.each([
    ['a warm class (100 runs)', 100],
    ['a cold class (3 runs, on the priors)', 3],
  ])('killed by the max limit leave max <= 3x and stall <= 2x the healthy limits: %s', async (_, runs) => {
    const { healthy, after } = await scenario(runs, maxKill);
    for (const plan of after) {
      expect(plan.maxMs).toBeLessThanOrEqual(3 * healthy.maxMs);
      expect(plan.stallMs).toBeLessThanOrEqual(2 * healthy.stallMs);
    }
  });

  it.each([
    ['a warm class (100 runs)', 100],
    ['a cold class (3 runs, on the priors)', 3],
  ])('killed by the stall limit leave max <= 3x and stall <= 2x the healthy limits: %s', async (_, runs) => {
    const { healthy, after } = await scenario(runs, stallKill);
    for (const plan of after) {
      expect(plan.maxMs).toBeLessThanOrEqual(3 * healthy.maxMs);
      expect(plan.stallMs).toBeLessThanOrEqual(2 * healthy.stallMs);
    }
  });

  it('stays bounded on records written before the limit in force was recorded', async () => {
    // Such a cut-off counts at its duration, extensions and grace included; the floor still stops at
    // cutOffGrowth x the lowest one instead of compounding to the cap.
    const { healthy, after } = await scenario(3, maxKill, false);
    const firstCutOffMs = maxKill(healthy).durationMs;
    for (const plan of after) {
      expect(plan.maxMs).toBeLessThanOrEqual(config.predictor.cutOffGrowth * firstCutOffMs);
    }
    expect(after.at(-1)!.maxMs).toBeLessThan(config.predictor.capSeconds * S);
  });
});
