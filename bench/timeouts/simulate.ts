import type { Config } from '../../src/config.js';
import { createRng } from '../common/rng.js';
import { loadDemoTasks } from './demo.js';
import { type Family, ORIGINAL } from './families.js';
import { type End, replay } from './replay.js';
import {
  createStrategies,
  type FailureStats,
  type PlannerFactory,
  type StoreKind,
  type Strategy,
} from './strategies.js';
import { createWorkload, type HangKind } from './workload.js';

/** A CI job's own limit around everything (GitHub Actions' default is 6 h): what stops a run nothing else does. */
export const JOB_TIMEOUT_MS = 6 * 3600 * 1000;

/** One run as one strategy handled it. */
export interface Outcome {
  cls: number;
  ordinal: number;
  afterStep: boolean;
  hang?: HangKind;
  onsetMs: number;
  /** How long the run takes (or would have taken, for a hung run). */
  durationMs: number;
  end: End;
  atMs: number;
  maxMs: number;
  /** The max limit with every soft extension a still-progressing run may get. */
  effectiveMaxMs: number;
  stallMs: number;
}

/** On a healthy store, every this many runs our planner is asked again with lookups failing. */
export const PROBE_EVERY = 25;

export interface SimOptions {
  runs: number;
  seed: number;
  store: StoreKind;
  config: Config;
  /** The workload family; the original workload with every strategy when absent. */
  family?: Family;
  /** Another planner in place of the shipped one (tests use a deliberately bad one). */
  planner?: PlannerFactory;
  /** Called now and then with the runs done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface SimResult {
  family: Family;
  strategies: (Pick<Strategy, 'id' | 'label' | 'signals' | 'role'> & { failure?: FailureStats })[];
  /** Per strategy (same order), one outcome per run. */
  outcomes: Outcome[][];
  /** Wall-clock time the whole replay took, and the share spent planning with our planner. */
  elapsedMs: number;
  planMs: number;
  plans: number;
}

export async function simulate(options: SimOptions): Promise<SimResult> {
  const family: Family = options.family ?? ORIGINAL;
  const strategies = createStrategies(options.config, options.store, {
    baselines: family.baselines ?? false,
    ...(family.storeFailure ? { failingStore: true } : { probeEvery: PROBE_EVERY }),
    ...(options.planner ? { planner: options.planner } : {}),
    classNames: family.classes.map((c) => c.id),
  });
  const workload = createWorkload(options.seed, options.runs, family);
  const demo = family.demo === undefined ? undefined : { ...family.demo, tasks: loadDemoTasks() };
  const demoRng = createRng(options.seed).fork(-2);
  const outcomes: Outcome[][] = strategies.map(() => []);
  // The planner's lookup deadline does not keep a process alive (by design); the replay must.
  const keepAlive = setInterval(() => {}, 60_000);
  const started = performance.now();
  let planMs = 0;
  let plans = 0;
  try {
    for (let run = workload.next(); run !== undefined; run = workload.next()) {
      if (demo !== undefined && (run.index === 0 || run.index % demo.every === 0)) {
        const times = run.index === 0 ? demo.before : 1;
        for (let k = 0; k < times; k++) {
          // The demo's simulated agent finishes in 0.3-8 s, whatever its command looks like.
          const durations = demo.tasks.map(() => Math.round(demoRng.uniform(300, 8000)));
          for (const strategy of strategies) await strategy.seed?.(demo.tasks, run.index, durations);
        }
      }
      for (let s = 0; s < strategies.length; s++) {
        const strategy = strategies[s]!;
        const t0 = performance.now();
        const plan = await strategy.plan(run);
        if (strategy.id.startsWith('ours')) {
          planMs += performance.now() - t0;
          plans++;
        }
        const result = replay(plan, run.timeline, strategy.signals, JOB_TIMEOUT_MS, strategy.progress);
        await strategy.learn(run, plan, result);
        const effectiveMaxMs = Math.min(
          JOB_TIMEOUT_MS,
          plan.maxMs + plan.extension.times * plan.extension.byMs,
        );
        outcomes[s]!.push({
          cls: run.cls,
          ordinal: run.ordinal,
          afterStep: run.afterStep,
          ...(run.hang === undefined ? {} : { hang: run.hang }),
          onsetMs: run.onsetMs,
          durationMs: run.durationMs,
          end: result.end,
          atMs: result.atMs,
          maxMs: Math.min(plan.maxMs, JOB_TIMEOUT_MS),
          effectiveMaxMs,
          stallMs: plan.stallMs,
        });
      }
      if ((run.index + 1) % 500 === 0) options.onProgress?.(run.index + 1, workload.total);
    }
  } finally {
    clearInterval(keepAlive);
    await Promise.all(strategies.map((s) => s.close?.()));
  }
  return {
    family,
    strategies: strategies.map((s) => ({
      id: s.id,
      label: s.label,
      signals: s.signals,
      ...(s.role !== undefined ? { role: s.role } : {}),
      ...(s.failure !== undefined ? { failure: s.failure } : {}),
    })),
    outcomes,
    elapsedMs: performance.now() - started,
    planMs,
    plans,
  };
}
