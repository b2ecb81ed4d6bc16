import type { Config } from '../../src/config.js';
import { type End, replay } from './replay.js';
import { createStrategies, type StoreKind, type Strategy } from './strategies.js';
import { createWorkload, type HangKind, type WorkloadRates } from './workload.js';

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

export interface SimOptions {
  runs: number;
  seed: number;
  store: StoreKind;
  config: Config;
  rates?: WorkloadRates;
  /** Called now and then with the runs done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface SimResult {
  strategies: Pick<Strategy, 'id' | 'label' | 'signals' | 'role'>[];
  /** Per strategy (same order), one outcome per run. */
  outcomes: Outcome[][];
  /** Wall-clock time the whole replay took, and the share spent planning with our planner. */
  elapsedMs: number;
  planMs: number;
  plans: number;
}

export async function simulate(options: SimOptions): Promise<SimResult> {
  const strategies = createStrategies(options.config, options.store);
  const workload = createWorkload(options.seed, options.runs, options.rates);
  const outcomes: Outcome[][] = strategies.map(() => []);
  const started = performance.now();
  let planMs = 0;
  let plans = 0;
  try {
    for (let run = workload.next(); run !== undefined; run = workload.next()) {
      for (let s = 0; s < strategies.length; s++) {
        const strategy = strategies[s]!;
        const t0 = performance.now();
        const plan = await strategy.plan(run);
        if (strategy.id.startsWith('ours')) {
          planMs += performance.now() - t0;
          plans++;
        }
        const result = replay(plan, run.timeline, strategy.signals, JOB_TIMEOUT_MS);
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
    await Promise.all(strategies.map((s) => s.close?.()));
  }
  return {
    strategies: strategies.map((s) => ({
      id: s.id,
      label: s.label,
      signals: s.signals,
      ...(s.role !== undefined ? { role: s.role } : {}),
    })),
    outcomes,
    elapsedMs: performance.now() - started,
    planMs,
    plans,
  };
}
