import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import type { ClassSummary, HistoryStore, RunRecord } from '../../src/history/types.js';
import { CLASS_LEVELS, classify } from '../../src/timeouts/classify.js';
import { failLoose, type MissingLevel } from '../../src/timeouts/fail-loose.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import { PlanCache } from '../../src/timeouts/plan-cache.js';
import { type LevelHistory, type PredictorConfig, predictLimits } from '../../src/timeouts/predict.js';
import type { PlanInput } from '../../src/timeouts/types.js';
import { OutageStore, type ReadFailure } from '../helpers/outage-store.js';
import { configArb, historyArb, kindArb, NOW, runArb } from './history-arbitraries.js';

const defaults: PredictorConfig = configSchema.parse({}).predictor;
const S = 1000;

const failuresArb = fc.array(fc.constantFrom<ReadFailure>('ok', 'error', 'timeout'), {
  minLength: 5,
  maxLength: 5,
});

/** What the planner sees when the levels marked as failing or timing out do not answer. */
function asRead(history: LevelHistory[], failures: ReadFailure[]) {
  const missing: MissingLevel[] = [];
  const levels = history.map((l, i) => {
    const f = failures[i]!;
    if (f === 'ok') return l;
    missing.push({ level: l.level, reason: f });
    return { ...l, runs: [] };
  });
  return { levels, missing };
}

function runs(count: number, seconds: (i: number) => number): RunRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    runId: `r${i}`,
    durationMs: seconds(i) * S,
    longestSilenceMs: (seconds(i) * S) / 4,
    outcome: 'success' as const,
    at: NOW - i,
  }));
}

function levels(byLevel: Partial<Record<(typeof CLASS_LEVELS)[number], RunRecord[]>>): LevelHistory[] {
  return CLASS_LEVELS.map((level) => ({ level, key: `${level}-key`, runs: byLevel[level] ?? [] }));
}

describe('failLoose', () => {
  it('is never tighter than the healthy plan, for any history and any store failure, with no earlier plan', () => {
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, failuresArb, (history, config, kind, failures) => {
        const healthy = predictLimits(history, kind, config, NOW);
        const read = asRead(history, failures);
        const partial = predictLimits(read.levels, kind, config, NOW);
        const { prediction } = failLoose(partial, read.missing, undefined, config);
        expect(prediction.max.ms).toBeGreaterThanOrEqual(healthy.max.ms);
        expect(prediction.stall.ms).toBeGreaterThanOrEqual(healthy.stall.ms);
        expect(prediction.stall.ms).toBeLessThanOrEqual(prediction.max.ms);
        // A quiet limit is a limit a healthy plan may lack: under any failure there is none.
        if (read.missing.length > 0) expect(prediction.quiet).toBeUndefined();
        else expect(prediction.quiet).toEqual(healthy.quiet);
      }),
      { numRuns: 500 },
    );
  });

  it('is never tighter than the healthy plan when the last plan came from the same history', () => {
    fc.assert(
      fc.property(historyArb(40), configArb, kindArb, failuresArb, (history, config, kind, failures) => {
        const healthy = predictLimits(history, kind, config, NOW);
        const last = { maxMs: healthy.max.ms, stallMs: healthy.stall.ms, at: NOW - 60_000 };
        const read = asRead(history, failures);
        const partial = predictLimits(read.levels, kind, config, NOW);
        const { prediction } = failLoose(partial, read.missing, last, config);
        expect(prediction.max.ms).toBeGreaterThanOrEqual(healthy.max.ms);
        expect(prediction.stall.ms).toBeGreaterThanOrEqual(healthy.stall.ms);
        expect(prediction.stall.ms).toBeLessThanOrEqual(prediction.max.ms);
        // And never looser than it needs to be: the last plan, or what the levels that answered say.
        expect(prediction.max.ms).toBeLessThanOrEqual(Math.max(healthy.max.ms, partial.max.ms));
      }),
      { numRuns: 500 },
    );
  });

  it('uses the last plan of the class when a level it depends on is missing', () => {
    // The verb level says runs take 100-200 minutes; the kind prior is 30 minutes.
    const slow = runs(60, (i) => 6000 + i * 100);
    const history = levels({ fingerprint: runs(3, () => 6500), verb: slow, tool: slow, kind: slow });
    const healthy = predictLimits(history, 'llm-agent', defaults, NOW);
    expect(healthy.max.ms).toBeGreaterThan(3 * 3600 * S);
    const read = asRead(history, ['ok', 'ok', 'timeout', 'error', 'error']);
    const partial = predictLimits(read.levels, 'llm-agent', defaults, NOW);
    expect(partial.max.ms).toBeLessThan(healthy.max.ms);
    const last = { maxMs: healthy.max.ms, stallMs: healthy.stall.ms, at: Date.UTC(2026, 11, 1, 9, 30) };
    const { prediction, fallback } = failLoose(partial, read.missing, last, defaults);
    expect(prediction.max.ms).toBe(healthy.max.ms);
    expect(prediction.stall.ms).toBe(healthy.stall.ms);
    expect(prediction.max.detail).toContain('the last plan for this class from 2026-12-01T09:30Z');
    expect(fallback).toMatchObject({ max: 'last-plan', stall: 'last-plan' });
    expect(fallback?.summary).toBe(
      'store unavailable: using the last plan for this class from 2026-12-01T09:30Z as the least this task gets',
    );
  });

  it('uses the cap when there is no earlier plan', () => {
    const read = asRead(levels({}), ['error', 'error', 'error', 'error', 'error']);
    const partial = predictLimits(read.levels, 'test', defaults, NOW);
    const { prediction, fallback } = failLoose(partial, read.missing, undefined, defaults);
    expect(prediction.max.ms).toBe(defaults.capSeconds * S);
    expect(prediction.stall.ms).toBe(defaults.capSeconds * S);
    expect(prediction.extension.byMs).toBe(defaults.capSeconds * S * defaults.extensionFraction);
    expect(fallback?.summary).toContain('no earlier plan');
  });

  it('keeps an exact prediction when the missing levels are more general than a trusted own level', () => {
    const own = runs(100, (i) => 40 + (i % 10));
    const history = levels({ fingerprint: own, template: own, verb: own, tool: own, kind: own });
    const healthy = predictLimits(history, 'build', defaults, NOW);
    const read = asRead(history, ['ok', 'ok', 'timeout', 'timeout', 'error']);
    const { prediction, fallback } = failLoose(
      predictLimits(read.levels, 'build', defaults, NOW),
      read.missing,
      undefined,
      defaults,
    );
    expect(prediction.max.ms).toBe(healthy.max.ms);
    expect(prediction.stall.ms).toBe(healthy.stall.ms);
    expect(fallback).toMatchObject({ max: 'exact', stall: 'exact' });
  });

  it('does not let a trusted tool level decide alone, since it only loosens what the kind level gives', () => {
    const quick = runs(100, () => 20);
    const slow = runs(100, (i) => 5000 + i);
    const history = levels({ tool: quick, kind: slow });
    const healthy = predictLimits(history, 'build', defaults, NOW);
    const read = asRead(history, ['ok', 'ok', 'ok', 'ok', 'timeout']);
    const { prediction, fallback } = failLoose(
      predictLimits(read.levels, 'build', defaults, NOW),
      read.missing,
      undefined,
      defaults,
    );
    expect(fallback?.max).toBe('cap');
    expect(prediction.max.ms).toBeGreaterThanOrEqual(healthy.max.ms);
  });
});

/** A store that answers each class key from a map, or fails, or never answers, as told per key. */
class ScriptedStore implements HistoryStore {
  readonly kind = 'scripted';
  constructor(
    private readonly runs: Map<string, RunRecord[]>,
    private readonly failures: Map<string, ReadFailure>,
  ) {}
  async record(): Promise<void> {}
  recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    const failure = this.failures.get(classKey) ?? 'ok';
    if (failure === 'error') return Promise.reject(new Error('database disk image is malformed'));
    if (failure === 'timeout') return new Promise<RunRecord[]>(() => {});
    return Promise.resolve((this.runs.get(classKey) ?? []).slice(0, limit));
  }
  async classes(): Promise<ClassSummary[]> {
    return [];
  }
  async prune(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

describe('LearnedTimeoutPlanner when history fails', () => {
  const input: PlanInput = {
    argv: ['npm', 'test'],
    shell: false,
    cwd: '/work/repo',
    timeout: {},
    agent: 'none',
  };
  const keys = classify(input, []).levels.map((l) => l.key);
  const base = configSchema.parse({});

  it('never plans tighter than with healthy history, whichever levels fail or time out', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb(30),
        configArb,
        failuresArb,
        fc.boolean(),
        async (history, predictor, failures, plannedBefore) => {
          const config = { ...base, predictor };
          const runs = new Map(keys.map((k, i) => [k, history[i]!.runs]));
          const cache = new PlanCache({ size: 10 });
          const healthy = await new LearnedTimeoutPlanner({
            store: new ScriptedStore(runs, new Map()),
            config,
            now: () => NOW,
            planCache: plannedBefore ? cache : new PlanCache({ size: 10 }),
          }).plan(input);
          const failing = new ScriptedStore(runs, new Map(keys.map((k, i) => [k, failures[i]!])));
          const plan = await new LearnedTimeoutPlanner({
            store: failing,
            config,
            now: () => NOW,
            lookupTimeoutMs: 5,
            planCache: cache,
          }).plan(input);
          expect(plan.maxMs).toBeGreaterThanOrEqual(healthy.maxMs);
          expect(plan.stallMs).toBeGreaterThanOrEqual(healthy.stallMs);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('LearnedTimeoutPlanner when history fails while runs keep being recorded', () => {
  const input: PlanInput = {
    argv: ['claude', '-p', 'Summarise the changelog', '--output-format', 'stream-json'],
    shell: false,
    cwd: '/work/repo',
    timeout: {},
    agent: 'claude',
  };
  const keys = classify(input, []).levels.map((l) => l.key);
  const base = configSchema.parse({});
  /** A run recorded during the outage, by this task's class (depth 0) or by a class sharing only its more general levels. */
  const recordedArb = fc.record({ run: runArb, depth: fc.integer({ min: 0, max: 4 }) });

  it('never plans tighter than the healthy store, however much the recorded runs make its plan grow', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb(30),
        configArb,
        fc.constantFrom<ReadFailure>('error', 'timeout'),
        fc.array(recordedArb, { minLength: 1, maxLength: 40 }),
        async (history, predictor, failure, recorded) => {
          const config = { ...base, predictor };
          const inner = new MemoryHistoryStore({ maxRunsPerClass: 200 });
          for (const [i, level] of history.entries())
            for (const run of level.runs) await inner.record([keys[i]!], run);
          const store = new OutageStore(inner);
          const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW, lookupTimeoutMs: 5 });
          const healthy = new LearnedTimeoutPlanner({ store: inner, config, now: () => NOW });
          // The last full read, then an outage during which every run is still recorded.
          await planner.plan(input);
          store.state = failure;
          for (const [i, { run, depth }] of recorded.entries()) {
            const record = { ...run, runId: `outage-${i}`, at: NOW + i };
            const under = keys.slice(depth);
            await store.record(under, record);
            planner.observe(under, record);
            const failed = await planner.plan(input);
            const good = await healthy.plan(input);
            expect(failed.maxMs).toBeGreaterThanOrEqual(good.maxMs);
            expect(failed.maxMs + failed.extension.times * failed.extension.byMs).toBeGreaterThanOrEqual(
              good.maxMs + good.extension.times * good.extension.byMs,
            );
            expect(failed.stallMs).toBeGreaterThanOrEqual(good.stallMs);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('grows with the runs recorded during the outage instead of staying at the last plan', async () => {
    const config = base;
    const inner = new MemoryHistoryStore({ maxRunsPerClass: 200 });
    for (const run of runs(100, (i) => 60 + (i % 7))) await inner.record(keys, run);
    const store = new OutageStore(inner);
    const planner = new LearnedTimeoutPlanner({ store, config, now: () => NOW, lookupTimeoutMs: 5 });
    const before = await planner.plan(input);
    store.state = 'error';
    // The class got slower while the store was down: a run of 10 minutes.
    const slow = { ...runs(1, () => 600)[0]!, runId: 'slow', at: NOW + 1 };
    await store.record(keys, slow);
    planner.observe(keys, slow);
    const failed = await planner.plan(input);
    const good = await new LearnedTimeoutPlanner({ store: inner, config, now: () => NOW }).plan(input);
    expect(good.maxMs).toBeGreaterThan(before.maxMs);
    expect(failed.maxMs).toBe(good.maxMs);
    expect(failed.maxSource.detail).toContain('history could not be read');
  });
});
