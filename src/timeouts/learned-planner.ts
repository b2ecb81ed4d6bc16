import type { Config, LoadedConfig } from '../config.js';
import type { HistoryStore, RunRecord } from '../history/types.js';
import { classify } from './classify.js';
import { failLoose, type MissingLevel } from './fail-loose.js';
import { readLevels } from './history-lookup.js';
import { PlanCache, planCachePathFor } from './plan-cache.js';
import { extensionWidened, type Prediction, predictLimits } from './predict.js';
import { RecentMirror } from './recent-mirror.js';
import type { LimitSource, PlanInput, TimeoutPlan, TimeoutPlanner } from './types.js';

export interface LearnedPlannerOptions {
  store: HistoryStore;
  config: Config;
  now?: () => number;
  /** Longest wait for history before a task starts without it; default 300 ms. */
  lookupTimeoutMs?: number;
  /**
   * The last plan of each class read in full, for when history cannot be read; default: in memory for
   * this planner only (history.planCacheSize classes).
   */
  planCache?: PlanCache;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 300;

/** Class levels whose recent runs are mirrored for when the store fails (a few MB at most). */
export const MIRRORED_LEVELS = 512;

/** The planner of `run` and `serve`: its last plans live beside the history file, for the next run. */
export function learnedPlannerFor(store: HistoryStore, loaded: LoadedConfig): LearnedTimeoutPlanner {
  const planCache = new PlanCache({
    size: loaded.config.history.planCacheSize,
    path: planCachePathFor(loaded.historyPath),
  });
  return new LearnedTimeoutPlanner({ store, config: loaded.config, planCache });
}

/**
 * Plans each task's limits from the history of its class: classify, read every class level at once
 * (bounded by the lookup timeout), predict. When some levels do not answer, they are read from the runs
 * this process mirrors (their last full read plus the runs recorded since, told to it by `observe`), and
 * the task gets at least the last plan of its class read in full, else the cap (see fail-loose.ts): a slow
 * or broken store may delay a start by the lookup timeout and loosen a limit, never tighten one, even
 * while the runs recorded during the outage make the healthy plan grow. Limits fixed by the suite always
 * win.
 */
export class LearnedTimeoutPlanner implements TimeoutPlanner {
  private readonly store: HistoryStore;
  private readonly config: Config;
  private readonly now: () => number;
  private readonly lookupTimeoutMs: number;
  private readonly cache: PlanCache;
  private readonly mirror: RecentMirror;

  constructor(options: LearnedPlannerOptions) {
    this.store = options.store;
    this.config = options.config;
    this.now = options.now ?? Date.now;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    this.cache = options.planCache ?? new PlanCache({ size: options.config.history.planCacheSize });
    this.mirror = new RecentMirror(options.config.predictor.window, MIRRORED_LEVELS);
  }

  /** A run was recorded in history under these keys: the mirror of the levels this process read takes it. */
  observe(classKeys: readonly string[], record: RunRecord): void {
    this.mirror.observe(classKeys, record);
  }

  async plan(task: PlanInput): Promise<TimeoutPlan> {
    const cls = classify(task, this.config.classifier.rules);
    const key = cls.levels[0]!.key;
    const lookup = await readLevels(this.store, cls, this.config.predictor.window, this.lookupTimeoutMs);
    const now = this.now();
    const missing: MissingLevel[] = [];
    const mirrored: MissingLevel[] = [];
    const levels = lookup.levels.map((l) => {
      const gap = lookup.missing.find((m) => m.level === l.level);
      if (gap === undefined) {
        this.mirror.seed(l.key, l.runs);
        return l;
      }
      const runs = this.mirror.get(l.key);
      if (runs === undefined) {
        missing.push(gap);
        return l;
      }
      mirrored.push(gap);
      return { ...l, runs };
    });
    const partial = predictLimits(levels, cls.kind, this.config.predictor, now);
    const complete = lookup.missing.length === 0;
    const { prediction } = failLoose(
      partial,
      missing,
      complete ? undefined : this.cache.get(key),
      this.config.predictor,
      mirrored,
    );
    if (complete)
      this.cache.remember(key, {
        maxMs: prediction.max.ms,
        stallMs: prediction.stall.ms,
        at: now,
        ...(extensionWidened(prediction.max.ms, prediction.extension, this.config.predictor)
          ? { extensionByMs: prediction.extension.byMs }
          : {}),
      });
    const note = complete
      ? ''
      : lookup.missing.some((m) => m.reason === 'timeout')
        ? ` (history did not answer within ${this.lookupTimeoutMs} ms)`
        : ' (history could not be read)';
    const plan = planFromPrediction(task, prediction, note);
    return { ...plan, classKey: key, classKeys: cls.levels.map((l) => l.key) };
  }

  /** Writes the plan cache's file, if it has one. */
  close(): void {
    this.cache.flush();
  }
}

const FIXED: LimitSource = { origin: 'suite', detail: 'fixed by the suite (timeout:)' };

/** Applies the suite's fixed limits on top of a prediction, keeping stall <= max. */
export function planFromPrediction(task: PlanInput, prediction: Prediction, note = ''): TimeoutPlan {
  const fixedMax = positiveMs(task.timeout.max);
  const fixedStall = positiveMs(task.timeout.stall);
  let maxMs = fixedMax ?? prediction.max.ms;
  let maxSource: LimitSource =
    fixedMax !== undefined ? FIXED : { origin: prediction.max.origin, detail: prediction.max.detail + note };
  if (fixedStall !== undefined && fixedMax === undefined && fixedStall > maxMs) {
    // The author's stall limit wins; a learned max below it is loosened rather than broken.
    maxMs = fixedStall;
    maxSource = {
      origin: 'suite',
      detail: `raised to the suite's stall limit (learned: ${prediction.max.detail})`,
    };
  }
  const stallMs = Math.min(fixedStall ?? prediction.stall.ms, maxMs);
  // A stall limit the author fixed is the whole rule for silence: CPU counts without a learned bound.
  const quiet =
    fixedStall === undefined && prediction.quiet !== undefined && prediction.quiet.ms < maxMs
      ? {
          quietMs: Math.max(prediction.quiet.ms, stallMs),
          quietSource: { origin: prediction.quiet.origin, detail: prediction.quiet.detail + note },
        }
      : {};
  const stallSource: LimitSource =
    fixedStall !== undefined
      ? FIXED
      : stallMs < prediction.stall.ms
        ? { origin: 'suite', detail: "capped at the suite's max limit" }
        : { origin: prediction.stall.origin, detail: prediction.stall.detail + note };
  return {
    maxMs,
    stallMs,
    maxSource,
    stallSource,
    ...quiet,
    // Fixed limits are the author's word and are never stretched; learned ones may be, when still progressing.
    extension:
      fixedMax !== undefined
        ? { times: 0, byMs: 0 }
        : {
            times: prediction.extension.times,
            byMs: Math.round((maxMs * prediction.extension.byMs) / Math.max(1, prediction.max.ms)),
          },
  };
}

function positiveMs(seconds: number | undefined): number | undefined {
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0
    ? Math.round(seconds * 1000)
    : undefined;
}
