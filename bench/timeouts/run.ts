import { type Config, configSchema } from '../../src/config.js';
import { createRng } from '../common/rng.js';
import { FAMILIES, type Family, ORIGINAL } from './families.js';
import { computeMetrics, type StrategyMetrics } from './metrics.js';
import { JOB_TIMEOUT_MS, simulate } from './simulate.js';
import type { PlannerFactory, StoreKind } from './strategies.js';
import { checkTargets, type TargetCheck } from './targets.js';
import { STEP_FACTOR, type WorkloadRates } from './workload.js';

export interface FamilyBenchOptions {
  runs: number;
  seed: number;
  store: StoreKind;
  /** The original workload with every strategy when absent. */
  family?: Family;
  config?: Config;
  planner?: PlannerFactory;
  onProgress?: (done: number, total: number) => void;
}

export interface FamilyBenchResult {
  benchmark: 'timeouts';
  family: { id: string; title: string };
  seed: number;
  runs: number;
  store: StoreKind;
  elapsedMs: number;
  planner: { plans: number; meanMs: number };
  workload: {
    classes: { id: string; command: string; medianS: number; sigma: number; appearsAt: number }[];
    rates: WorkloadRates;
    hangKinds: readonly string[];
    stepChange?: { className: string; factor: number; atRun: number };
    storeFailure?: Family['storeFailure'];
    demo?: Family['demo'];
    jobTimeoutMs: number;
  };
  predictor: Config['predictor'];
  strategies: StrategyMetrics[];
  targets: TargetCheck[];
}

/** Simulates one family, measures and checks; printing and files are the caller's business. */
export async function runFamilyBench(options: FamilyBenchOptions): Promise<FamilyBenchResult> {
  const config = options.config ?? configSchema.parse({});
  const family: Family = options.family ?? ORIGINAL;
  const sim = await simulate({
    runs: options.runs,
    seed: options.seed,
    store: options.store,
    config,
    family,
    ...(options.planner ? { planner: options.planner } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const alpha = config.predictor.alpha;
  const strategies = computeMetrics(sim, alpha);
  const targets = strategies
    .filter((m) => m.id === 'ours-full' || m.id === 'ours-output')
    // The full-signal planner is what runs on Linux; output-only is the fallback elsewhere.
    .sort((a, b) => (a.id === 'ours-full' ? -1 : b.id === 'ours-full' ? 1 : 0))
    .flatMap((m) => checkTargets(m, strategies, alpha))
    .map((t) => ({ ...t, family: family.id }));
  return {
    benchmark: 'timeouts',
    family: { id: family.id, title: family.title },
    seed: options.seed,
    runs: options.runs,
    store: options.store,
    elapsedMs: Math.round(sim.elapsedMs),
    planner: { plans: sim.plans, meanMs: sim.plans === 0 ? 0 : sim.planMs / sim.plans },
    workload: {
      classes: family.classes.map((c) => ({
        id: c.id,
        command: c.argv(createRng(0), 0).join(' '),
        medianS: c.medianS,
        sigma: c.sigma,
        appearsAt: c.appearsAt,
      })),
      rates: family.rates,
      hangKinds: family.hangKinds,
      ...(family.stepClass
        ? {
            stepChange: {
              className: family.stepClass,
              factor: STEP_FACTOR,
              atRun: Math.floor(options.runs / 2),
            },
          }
        : {}),
      ...(family.storeFailure ? { storeFailure: family.storeFailure } : {}),
      ...(family.demo ? { demo: family.demo } : {}),
      jobTimeoutMs: JOB_TIMEOUT_MS,
    },
    predictor: config.predictor,
    strategies,
    targets,
  };
}

export interface TimeoutBenchOptions {
  seed: number;
  store: StoreKind;
  quick: boolean;
  /** Runs per family instead of each family's own default. */
  runs?: number;
  /** Only these families (ids), in the listed order; all when absent. */
  only?: readonly string[];
  config?: Config;
  onFamily?: (family: Family, runs: number) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface TimeoutBenchResult {
  benchmark: 'timeouts';
  seed: number;
  store: StoreKind;
  elapsedMs: number;
  families: FamilyBenchResult[];
  targets: TargetCheck[];
}

/** Every family (or the chosen ones), each on a fresh history. */
export async function runTimeoutBench(options: TimeoutBenchOptions): Promise<TimeoutBenchResult> {
  const chosen =
    options.only === undefined
      ? FAMILIES
      : options.only.map((id) => {
          const family = FAMILIES.find((f) => f.id === id);
          if (family === undefined)
            throw new Error(`--family: "${id}" is not one of ${FAMILIES.map((f) => f.id).join(', ')}`);
          return family;
        });
  const started = performance.now();
  const families: FamilyBenchResult[] = [];
  for (const family of chosen) {
    const runs = options.runs ?? (options.quick ? family.runs.quick : family.runs.full);
    options.onFamily?.(family, runs);
    families.push(
      await runFamilyBench({
        runs,
        seed: options.seed,
        store: options.store,
        family,
        ...(options.config ? { config: options.config } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
    );
  }
  return {
    benchmark: 'timeouts',
    seed: options.seed,
    store: options.store,
    elapsedMs: Math.round(performance.now() - started),
    families,
    targets: families.flatMap((f) => f.targets),
  };
}
