import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Config, configSchema } from '../../src/config.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { ClassSummary, HistoryStore, RunRecord } from '../../src/history/types.js';
import { classify } from '../../src/timeouts/classify.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import { PlanCache } from '../../src/timeouts/plan-cache.js';
import type { PlanInput } from '../../src/timeouts/types.js';

const config: Config = configSchema.parse({});
const NOW = 1_800_000_000_000;
const S = 1000;

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-planner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function task(argv: string[], extra: Partial<PlanInput> = {}): PlanInput {
  return { argv, shell: false, cwd: '/work/repo', timeout: {}, agent: 'none', ...extra };
}

function run(i: number, seconds: number, silenceSeconds = seconds / 10): RunRecord {
  return {
    runId: `run-${i}`,
    durationMs: seconds * S,
    longestSilenceMs: silenceSeconds * S,
    outcome: 'success',
    at: NOW - 10_000 + i,
  };
}

async function recordRuns(
  store: HistoryStore,
  keys: string[],
  count: number,
  seconds: (i: number) => number,
): Promise<void> {
  for (let i = 0; i < count; i++) await store.record(keys, run(i, seconds(i)));
}

/** A store whose reads never answer: what a wedged network store looks like to the planner. */
class HangingStore implements HistoryStore {
  readonly kind = 'hanging';
  readonly asked: string[] = [];
  async record(): Promise<void> {}
  recent(classKey: string): Promise<RunRecord[]> {
    this.asked.push(classKey);
    return new Promise<RunRecord[]>(() => {});
  }
  async classes(): Promise<ClassSummary[]> {
    return [];
  }
  async prune(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

/** Answers some keys, hangs on others, fails on the rest. */
class PartialStore extends HangingStore {
  constructor(
    private readonly answers: Map<string, RunRecord[]>,
    private readonly failing: Set<string>,
  ) {
    super();
  }
  override recent(classKey: string): Promise<RunRecord[]> {
    const known = this.answers.get(classKey);
    if (known !== undefined) return Promise.resolve(known);
    if (this.failing.has(classKey)) return Promise.reject(new Error('connection reset'));
    return super.recent(classKey);
  }
}

const npmTest = task(['npm', 'test']);

describe('LearnedTimeoutPlanner', () => {
  it('starts a new class on the priors and names every class key', async () => {
    const planner = new LearnedTimeoutPlanner({
      store: new MemoryHistoryStore({ maxRunsPerClass: 256 }),
      config,
      now: () => NOW,
    });
    const plan = await planner.plan(npmTest);
    const cls = classify(npmTest, []);
    expect(plan.maxMs).toBe(1200 * S);
    expect(plan.stallMs).toBe(300 * S);
    expect(plan.maxSource.origin).toBe('prior');
    expect(plan.classKey).toBe(cls.levels[0]!.key);
    expect(plan.classKeys).toEqual(cls.levels.map((l) => l.key));
    expect(plan.extension).toEqual({ times: 2, byMs: 300 * S });
  });

  it('learns from runs recorded under the plan keys', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW });
    const first = await planner.plan(npmTest);
    await recordRuns(store, first.classKeys!, 120, (i) => 30 + (i % 11));
    const plan = await planner.plan(npmTest);
    expect(plan.maxSource.origin).toBe('learned');
    expect(plan.maxMs).toBe(60 * S);
    // The 120 s stall floor for tests would exceed the max limit, so the max limit caps it.
    expect(plan.stallMs).toBe(60 * S);
    expect(plan.maxSource.detail).toContain('fingerprint level');
    expect(plan.stallSource.detail).toContain('max limit');
  });

  it('gives a class with long runs a quiet limit from their quiet stretches, unless the suite fixed the stall', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW });
    const build = task(['cargo', 'build', '--release']);
    const keys = (await planner.plan(build)).classKeys!;
    for (let i = 0; i < 120; i++) {
      await store.record(keys, { ...run(i, 5400 + i, 60), longestQuietMs: (1200 + i) * S });
    }
    const plan = await planner.plan(build);
    expect(plan.maxMs).toBeGreaterThan(2 * 3600 * S);
    expect(plan.quietMs).toBeGreaterThanOrEqual(1319 * 1.5 * S);
    expect(plan.quietMs).toBeLessThan(plan.maxMs);
    expect(plan.quietSource?.detail).toMatch(
      /longest quiet stretches\) at fingerprint level: 21m59s × 1\.5$/,
    );
    const fixedStall = await planner.plan(task(['cargo', 'build', '--release'], { timeout: { stall: 600 } }));
    expect(fixedStall.quietMs).toBeUndefined();
  });

  it('gives a new command the limits of its verb until it has its own runs', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW });
    const keys = (await planner.plan(task(['npm', 'test'], { cwd: '/other/repo' }))).classKeys!;
    await recordRuns(store, keys, 100, () => 40);
    const plan = await planner.plan(task(['npm', 'test'], { cwd: '/new/repo' }));
    expect(plan.maxMs).toBe(60 * S);
    expect(plan.maxSource.detail).toContain('template level');
  });

  it('reads the embedded SQLite store the same way', async () => {
    const sqlite = SqliteHistoryStore.open(join(dir, 'history.db'), { maxRunsPerClass: 256 });
    const memory = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    try {
      const keys = classify(npmTest, []).levels.map((l) => l.key);
      for (const store of [sqlite, memory]) await recordRuns(store, keys, 60, (i) => 20 + (i % 7) * 3);
      const fromSqlite = await new LearnedTimeoutPlanner({ store: sqlite, config, now: () => NOW }).plan(
        npmTest,
      );
      const fromMemory = await new LearnedTimeoutPlanner({ store: memory, config, now: () => NOW }).plan(
        npmTest,
      );
      expect(fromSqlite).toEqual(fromMemory);
      expect(fromSqlite.maxSource.origin).toBe('learned');
    } finally {
      await sqlite.close();
    }
  });

  it('lets limits fixed by the suite win and never stretches them', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW });
    const both = await planner.plan(task(['npm', 'test'], { timeout: { max: 90, stall: 30 } }));
    expect(both).toMatchObject({ maxMs: 90 * S, stallMs: 30 * S, extension: { times: 0, byMs: 0 } });
    expect(both.maxSource.origin).toBe('suite');
    expect(both.stallSource.origin).toBe('suite');
    const maxOnly = await planner.plan(task(['npm', 'test'], { timeout: { max: 60 } }));
    expect(maxOnly).toMatchObject({ maxMs: 60 * S, stallMs: 60 * S });
    const stallOnly = await planner.plan(task(['npm', 'test'], { timeout: { stall: 5000 } }));
    expect(stallOnly.stallMs).toBe(5000 * S);
    expect(stallOnly.maxMs).toBeGreaterThanOrEqual(stallOnly.stallMs);
  });

  it('starts a task within 300 ms when history never answers, on the cap when the class has no earlier plan', async () => {
    const store = new HangingStore();
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW });
    const started = performance.now();
    const plan = await planner.plan(npmTest);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(600);
    expect(plan.maxMs).toBe(config.predictor.capSeconds * S);
    expect(plan.maxSource.detail).toContain('no earlier plan for this class');
    expect(plan.maxSource.detail).toContain('did not answer within 300 ms');
    // All levels were asked at once, not one after another.
    expect(store.asked).toHaveLength(5);
  });

  it('honours a shorter lookup budget', async () => {
    const planner = new LearnedTimeoutPlanner({ store: new HangingStore(), config, lookupTimeoutMs: 50 });
    const started = performance.now();
    await planner.plan(npmTest);
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('uses the levels that answered when they decide the limits on their own', async () => {
    const cls = classify(npmTest, []);
    const [fp, , verb, tool] = cls.levels.map((l) => l.key);
    const runs = Array.from({ length: 100 }, (_, i) => run(i, 50));
    const store = new PartialStore(
      new Map([
        [fp!, runs],
        [cls.levels[1]!.key, runs],
      ]),
      new Set([verb!, tool!]),
    );
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW, lookupTimeoutMs: 100 });
    const plan = await planner.plan(npmTest);
    expect(plan.maxMs).toBe(75 * S);
    expect(plan.maxSource.detail).toContain('fingerprint level');
    expect(plan.maxSource.detail).toContain('did not answer within 100 ms');
  });

  it('gives a task at least the last plan of its class when a level it depends on is missing', async () => {
    const cls = classify(npmTest, []);
    const keys = cls.levels.map((l) => l.key);
    const slow = Array.from({ length: 100 }, (_, i) => run(i, 5000 + i));
    const byKey = new Map<string, RunRecord[]>(keys.map((k, i) => [k, i === 2 ? slow : []]));
    const healthyStore = new PartialStore(byKey, new Set());
    const cache = new PlanCache({ size: 10 });
    const healthy = await new LearnedTimeoutPlanner({
      store: healthyStore,
      config,
      now: () => NOW,
      planCache: cache,
    }).plan(npmTest);
    expect(healthy.maxMs).toBeGreaterThan(2 * 3600 * S);
    // The verb level, which held the slow runs, now fails; alone the rest would give the 20 min prior.
    byKey.delete(keys[2]!);
    const failing = new PartialStore(byKey, new Set([keys[2]!]));
    const planner = new LearnedTimeoutPlanner({
      store: failing,
      config,
      now: () => NOW + 60_000,
      planCache: cache,
    });
    const plan = await planner.plan(npmTest);
    expect(plan.maxMs).toBe(healthy.maxMs);
    expect(plan.stallMs).toBe(healthy.stallMs);
    expect(plan.maxSource.detail).toContain('at least the last plan for this class from');
  });

  it('keeps the last plans in a file beside the history file, for the next run', async () => {
    const path = join(dir, 'history.db.last-plans.json');
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const keys = classify(npmTest, []).levels.map((l) => l.key);
    await recordRuns(store, keys, 100, () => 3000);
    const first = new LearnedTimeoutPlanner({
      store,
      config,
      now: () => NOW,
      planCache: new PlanCache({ size: 10, path }),
    });
    const healthy = await first.plan(npmTest);
    first.close();
    const failing = new PartialStore(new Map(), new Set(keys));
    const next = new LearnedTimeoutPlanner({
      store: failing,
      config,
      now: () => NOW,
      planCache: new PlanCache({ size: 10, path }),
    });
    const plan = await next.plan(npmTest);
    expect(plan.maxMs).toBe(healthy.maxMs);
    expect(plan.maxMs).toBeLessThan(config.predictor.capSeconds * S);
  });

  it('falls back at once, never below the healthy limits, when the store fails', async () => {
    const cls = classify(npmTest, []);
    const store = new PartialStore(new Map(), new Set(cls.levels.map((l) => l.key)));
    const planner = new LearnedTimeoutPlanner({ store, config });
    const started = performance.now();
    const plan = await planner.plan(npmTest);
    expect(performance.now() - started).toBeLessThan(200);
    expect(plan.maxSource).toMatchObject({ origin: 'config-default' });
    expect(plan.maxMs).toBe(config.predictor.capSeconds * S);
    expect(plan.maxSource.detail).toContain('could not be read');
  });
});
