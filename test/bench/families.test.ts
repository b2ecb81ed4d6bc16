import { describe, expect, it } from 'vitest';
import { createRng } from '../../bench/common/rng.js';
import { quantile } from '../../bench/common/stats.js';
import { loadDemoTasks } from '../../bench/timeouts/demo.js';
import { FAMILIES, familyById } from '../../bench/timeouts/families.js';
import { ours, type PlannerFactory, shippedPlanner } from '../../bench/timeouts/strategies.js';
import { createWorkload, type SimRun, storeStates } from '../../bench/timeouts/workload.js';
import { configSchema } from '../../src/config.js';
import type { HistoryStore } from '../../src/history/types.js';
import { classify } from '../../src/timeouts/classify.js';

const config = configSchema.parse({});

function runsOf(id: string, n: number, seed = 4): SimRun[] {
  const workload = createWorkload(seed, n, familyById(id)!);
  const runs: SimRun[] = [];
  for (let run = workload.next(); run !== undefined; run = workload.next()) runs.push(run);
  return runs;
}

/** p99 / p50 of the legitimate durations of one class: how heavy its tail is. */
function tailRatio(runs: SimRun[], cls: number): number {
  const d = runs
    .filter((r) => r.cls === cls && r.hang === undefined && !r.afterStep)
    .map((r) => r.durationMs);
  return quantile(d, 0.99)! / quantile(d, 0.5)!;
}

describe('workload families', () => {
  it('every family draws the same runs from the same seed', () => {
    for (const family of FAMILIES) {
      const a = runsOf(family.id, 300, 21);
      const b = runsOf(family.id, 300, 21);
      expect(b.map((r) => [r.cls, r.durationMs, r.hang, r.store, r.task.argv.join(' ')])).toEqual(
        a.map((r) => [r.cls, r.durationMs, r.hang, r.store, r.task.argv.join(' ')]),
      );
      expect(b[299]!.timeline.at).toEqual(a[299]!.timeline.at);
    }
  });

  it('keeps the original workload run for run, so its published figures stay comparable', () => {
    const runs = runsOf('original', 200, 11);
    const plain = createWorkload(11, 200);
    for (const run of runs) expect(plain.next()!.durationMs).toBe(run.durationMs);
  });

  it('heavy-tailed classes have far longer tails than the original ones', () => {
    const base = runsOf('original', 4000);
    const heavy = runsOf('heavy-tail', 4000);
    // agent-code: log-normal sigma 0.7 in the original, a Pareto tail of shape 1.3 here.
    expect(tailRatio(base, 1)).toBeLessThan(6);
    expect(tailRatio(heavy, 1)).toBeGreaterThan(15);
  });

  it('bimodal classes put 10-20% of their runs in a slow mode far from the fast one', () => {
    const runs = runsOf('bimodal', 4000);
    const build = runs.filter((r) => r.cls === 4 && r.hang === undefined).map((r) => r.durationMs);
    const slow = build.filter((d) => d > 5 * 60_000).length / build.length;
    expect(slow).toBeGreaterThan(0.1);
    expect(slow).toBeLessThan(0.2);
    // Nearly nothing between the modes.
    expect(build.filter((d) => d > 90_000 && d < 5 * 60_000).length / build.length).toBeLessThan(0.03);
  });

  it('thin prompts leave most fingerprint levels below minSamples, while the verb level fills up', () => {
    const runs = runsOf('thin-prompts', 3000).filter((r) => r.task.argv[0] === 'claude');
    const perFingerprint = new Map<string, number>();
    const perVerb = new Map<string, number>();
    for (const run of runs) {
      const levels = classify(run.task, config.classifier.rules).levels;
      perFingerprint.set(levels[0]!.key, (perFingerprint.get(levels[0]!.key) ?? 0) + 1);
      const verb = levels.find((l) => l.level === 'verb')!.key;
      perVerb.set(verb, (perVerb.get(verb) ?? 0) + 1);
    }
    const counts = [...perFingerprint.values()];
    expect(quantile(counts, 0.9)!).toBeLessThan(config.predictor.minSamples);
    expect(Math.max(...perVerb.values())).toBeGreaterThan(1000);
  });

  it('late classes first appear half-way or later', () => {
    const family = familyById('late-classes')!;
    const runs = runsOf('late-classes', 3000);
    for (const [id, from] of [
      ['late-plan', 0.5],
      ['late-cargo-test', 0.65],
      ['late-gemini', 0.8],
    ] as const) {
      const cls = family.classes.findIndex((c) => c.id === id);
      const first = runs.findIndex((r) => r.cls === cls);
      expect(first).toBeGreaterThanOrEqual(from * 3000);
      expect(runs.filter((r) => r.cls === cls).length).toBeGreaterThan(50);
    }
  });

  it('a failing store fails in stretches, by error and by timeout, for about the share asked', () => {
    const failure = { share: 0.3, minRuns: 40, maxRuns: 400 };
    const states = storeStates(createRng(1), 20_000, failure);
    expect(storeStates(createRng(1), 20_000, failure)).toEqual(states);
    const failing = states.filter((s) => s !== 'ok').length / states.length;
    expect(failing).toBeGreaterThan(0.2);
    expect(failing).toBeLessThan(0.4);
    const stretches: { state: string; len: number }[] = [];
    states.forEach((s, i) => {
      if (s === 'ok') return;
      if (i > 0 && states[i - 1] === s) stretches[stretches.length - 1]!.len++;
      else stretches.push({ state: s, len: 1 });
    });
    expect(new Set(stretches.map((s) => s.state))).toEqual(new Set(['error', 'timeout']));
    // Only a stretch cut by the end of the replay may be shorter than asked.
    expect(stretches.slice(0, -1).every((s) => s.len >= 40 && s.len <= 400)).toBe(true);
    expect(storeStates(createRng(1), 500, undefined).every((s) => s === 'ok')).toBe(true);
  });

  it("the demo family records every run of the demo suite's tasks, each time it is seeded", async () => {
    const tasks = loadDemoTasks();
    expect(tasks.length).toBeGreaterThan(10);
    expect(tasks.some((t) => t.argv[0] === 'cc-stress-fake-agent')).toBe(true);
    let store: HistoryStore | undefined;
    const spy: PlannerFactory = (input) => {
      store ??= input.store;
      return shippedPlanner(input);
    };
    const strategy = ours('full', config, 'memory', { planner: spy });
    for (let k = 0; k < 4; k++)
      await strategy.seed!(
        tasks,
        0,
        tasks.map(() => 2000),
      );
    const plan = await shippedPlanner({ store: store!, config, now: () => 0, lookupTimeoutMs: 1000 }).plan(
      tasks[0]!,
    );
    const recorded = await store!.recent(plan.classKeys![0]!, 100);
    expect(recorded).toHaveLength(4);
    await strategy.close!();
  });
});
