import type { ClassLevel } from './classify.js';
import { formatDuration } from './duration-text.js';
import { OWN_LEVELS } from './level-bound.js';
import type { LastPlan } from './plan-cache.js';
import { extensionReaching, type LimitDerivation, type Prediction, type PredictorConfig } from './predict.js';

/**
 * What a task gets when part of its history could not be read. Any level that did not answer could have
 * held runs that loosen a limit, up to the cap, so the partial prediction alone may be tighter than the
 * healthy one. Per limit:
 * - when a level of the command's own that answered has enough runs to set the limit by itself, and every
 *   level that did not answer is more general than it, the missing levels could not have changed it: the
 *   partial prediction is exact;
 * - otherwise the limit is at least what the class was planned with the last time its history was read
 *   in full (the plan cache), or, without such a plan, the cap.
 * A level that did not answer but that this process mirrors (its last full read plus every run recorded
 * since, recent-mirror.ts) counts as answered: its runs are the store's, unless another process wrote to
 * it meanwhile, so the limits are also kept at least at the last plan, which covers what that process
 * knew when history was last read.
 * The quiet limit is dropped whenever a level is missing or mirrored: CPU then counts without limit, as
 * for a class never seen.
 */

export interface MissingLevel {
  level: ClassLevel;
  reason: 'timeout' | 'error';
}

export type FallbackSource = 'exact' | 'last-plan' | 'cap';

export interface Fallback {
  missing: MissingLevel[];
  /** Levels that did not answer but were read from the runs this process mirrored (recent-mirror.ts). */
  mirrored: MissingLevel[];
  max: FallbackSource;
  stall: FallbackSource;
  /** The cached plan that was consulted, if any. */
  lastPlan?: LastPlan;
  /** One line: what was used and why. */
  summary: string;
}

function isoMinute(at: number): string {
  return new Date(at).toISOString().replace(/:\d\d\.\d+Z$/, 'Z');
}

/** Whether a limit is decided by answered levels alone (see above). */
function decided(
  prediction: Prediction,
  missing: readonly MissingLevel[],
  metric: 'duration' | 'silence',
): boolean {
  const missingAt = missing.map((m) => prediction.levels.findIndex((l) => l.level === m.level));
  const first = Math.min(...missingAt.map((i) => (i < 0 ? Number.POSITIVE_INFINITY : i)));
  for (let i = 0; i < Math.min(first, prediction.levels.length); i++) {
    const l = prediction.levels[i]!;
    if (OWN_LEVELS.has(l.level) && l[metric].trusted) return true;
  }
  return false;
}

function raised(
  d: LimitDerivation,
  ms: number,
  detail: string,
  origin: LimitDerivation['origin'],
): LimitDerivation {
  return ms > d.ms ? { ...d, ms, detail, origin } : d;
}

/**
 * The prediction to use when some levels are missing, never tighter than the healthy prediction would be
 * (given a last plan from the same history, or none). Pure.
 */
export function failLoose(
  prediction: Prediction,
  missing: readonly MissingLevel[],
  lastPlan: LastPlan | undefined,
  config: PredictorConfig,
  mirrored: readonly MissingLevel[] = [],
): { prediction: Prediction; fallback?: Fallback } {
  if (missing.length === 0 && mirrored.length === 0) return { prediction };
  const capMs = Math.round(Math.max(config.floorSeconds, config.capSeconds) * 1000);
  const why = [...missing, ...mirrored].some((m) => m.reason === 'timeout')
    ? 'history did not answer in time'
    : 'history could not be read';
  const lastText =
    lastPlan === undefined ? '' : `the last plan for this class from ${isoMinute(lastPlan.at)}`;
  // A mirrored level may lack runs another process recorded: the last plan still bounds it from below.
  const source = (metric: 'duration' | 'silence'): FallbackSource => {
    const exact = missing.length === 0 || decided(prediction, missing, metric);
    if (exact && (mirrored.length === 0 || lastPlan === undefined)) return 'exact';
    return lastPlan !== undefined ? 'last-plan' : 'cap';
  };

  const maxSource = source('duration');
  let max = prediction.max;
  if (maxSource === 'last-plan')
    max = raised(
      max,
      lastPlan!.maxMs,
      `at least ${lastText} (${formatDuration(lastPlan!.maxMs)})`,
      'learned',
    );
  else if (maxSource === 'cap')
    max = raised(
      max,
      capMs,
      `no earlier plan for this class: the ${formatDuration(capMs)} cap (predictor.capSeconds)`,
      'config-default',
    );

  const stallSource = source('silence');
  let stall = prediction.stall;
  if (max.ms > prediction.max.ms && stall.clamp.applied === 'max-limit') {
    // The stall limit was held down by the max limit, which has just been raised.
    const ms = Math.round(Math.min(Math.max(stall.scaledMs, stall.clamp.lowerMs), capMs, max.ms));
    stall = { ...stall, ms, clamp: { ...stall.clamp, upperMs: Math.min(capMs, max.ms) } };
  }
  if (stallSource === 'last-plan')
    stall = raised(
      stall,
      Math.min(lastPlan!.stallMs, max.ms),
      `at least ${lastText} (${formatDuration(lastPlan!.stallMs)})`,
      'learned',
    );
  else if (stallSource === 'cap')
    stall = raised(
      stall,
      max.ms,
      'no earlier plan for this class: no tighter than the max limit',
      'config-default',
    );

  const levelsText = (list: readonly MissingLevel[]): string => list.map((m) => m.level).join(', ');
  const fromMirror =
    mirrored.length === 0
      ? ''
      : `; ${levelsText(mirrored)} read from the runs this process recorded since its last full read`;
  const summary =
    maxSource === 'exact' && stallSource === 'exact'
      ? `${why} for ${levelsText([...missing, ...mirrored])}; the levels that answered decide both limits${fromMirror}`
      : lastPlan !== undefined && missing.length === 0
        ? `store unavailable: ${levelsText(mirrored)} read from the runs this process recorded since its last full read, and no tighter than ${lastText}`
        : lastPlan !== undefined
          ? `store unavailable: using ${lastText} as the least this task gets${fromMirror}`
          : `store unavailable and no earlier plan for this class: using the cap${fromMirror}`;
  const { quiet: _quiet, ...withoutQuiet } = prediction;
  // The room a still-progressing run gets reaches at least what it reached in the prediction and in the
  // last plan (predict.ts, extensionOf: cut-offs presumed hangs, which may have been slow runs, widen it).
  const reachOf = (maxMs: number, byMs: number): number => maxMs + config.extensionTimes * byMs;
  const extension = extensionReaching(
    max.ms,
    Math.max(
      reachOf(prediction.max.ms, prediction.extension.byMs),
      maxSource === 'last-plan' && lastPlan!.extensionByMs !== undefined
        ? reachOf(lastPlan!.maxMs, lastPlan!.extensionByMs)
        : 0,
    ),
    config,
  );
  return {
    prediction: {
      ...withoutQuiet,
      max,
      stall,
      extension,
    },
    fallback: {
      missing: [...missing],
      mirrored: [...mirrored],
      max: maxSource,
      stall: stallSource,
      lastPlan,
      summary,
    },
  };
}
