import { type Config, configSchema } from '../../src/config.js';
import { createRng } from '../common/rng.js';
import { computeMetrics, type StrategyMetrics } from './metrics.js';
import { JOB_TIMEOUT_MS, simulate } from './simulate.js';
import type { StoreKind } from './strategies.js';
import { checkTargets, type TargetCheck } from './targets.js';
import { CLASSES, DEFAULT_RATES, STEP_CLASS, STEP_FACTOR } from './workload.js';

export interface TimeoutBenchOptions {
  runs: number;
  seed: number;
  store: StoreKind;
  config?: Config;
  onProgress?: (done: number, total: number) => void;
}

export interface TimeoutBenchResult {
  benchmark: 'timeouts';
  seed: number;
  runs: number;
  store: StoreKind;
  elapsedMs: number;
  planner: { plans: number; meanMs: number };
  workload: {
    classes: { id: string; command: string; medianS: number; sigma: number; appearsAt: number }[];
    rates: typeof DEFAULT_RATES;
    stepChange: { className: string; factor: number; atRun: number };
    jobTimeoutMs: number;
  };
  predictor: Config['predictor'];
  strategies: StrategyMetrics[];
  targets: TargetCheck[];
}

/** Simulates, measures and checks; printing and files are the caller's business. */
export async function runTimeoutBench(options: TimeoutBenchOptions): Promise<TimeoutBenchResult> {
  const config = options.config ?? configSchema.parse({});
  const sim = await simulate({
    runs: options.runs,
    seed: options.seed,
    store: options.store,
    config,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const alpha = config.predictor.alpha;
  const strategies = computeMetrics(sim, alpha);
  const targets = strategies
    .filter((m) => m.id === 'ours-full' || m.id === 'ours-output')
    // The full-signal planner is what runs on Linux; output-only is the fallback elsewhere.
    .sort((a, b) => (a.id === 'ours-full' ? -1 : b.id === 'ours-full' ? 1 : 0))
    .flatMap((m) => checkTargets(m, strategies, alpha));
  return {
    benchmark: 'timeouts',
    seed: options.seed,
    runs: options.runs,
    store: options.store,
    elapsedMs: Math.round(sim.elapsedMs),
    planner: { plans: sim.plans, meanMs: sim.plans === 0 ? 0 : sim.planMs / sim.plans },
    workload: {
      classes: CLASSES.map((c) => ({
        id: c.id,
        command: c.argv(createRng(0)).join(' '),
        medianS: c.medianS,
        sigma: c.sigma,
        appearsAt: c.appearsAt,
      })),
      rates: DEFAULT_RATES,
      stepChange: { className: STEP_CLASS, factor: STEP_FACTOR, atRun: Math.floor(options.runs / 2) },
      jobTimeoutMs: JOB_TIMEOUT_MS,
    },
    predictor: config.predictor,
    strategies,
    targets,
  };
}
