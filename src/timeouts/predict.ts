import type { Config, TaskKind } from '../config.js';
import type { RunRecord } from '../history/types.js';
import type { ClassLevel } from './classify.js';
import { formatDuration } from './duration-text.js';
import {
  type Anchor,
  type BoundCandidate,
  type BoundMethod,
  evaluateLevel,
  type LevelBound,
  OWN_LEVELS,
  priorBound,
} from './level-bound.js';
import { type Metric, type SampleSet, samplesOf } from './samples.js';
import { median, quantile } from './stats.js';
import type { LimitOrigin } from './types.js';

/**
 * Max and stall limits of a task from the history of its class levels. Pure: the same history, config
 * and `now` always give the same prediction, and nothing here does I/O or reads the clock.
 */

export interface LevelHistory {
  level: ClassLevel;
  key: string;
  /** Newest first. */
  runs: RunRecord[];
}

export type PredictorConfig = Config['predictor'];

/** What a clamp did to a limit. */
export type ClampKind = 'floor' | 'cap' | 'stall-floor' | 'quiet-floor' | 'max-limit';

export interface LimitDerivation {
  /** The limit, in ms. */
  ms: number;
  origin: LimitOrigin;
  /** One line for reports, e.g. "conformal bound (k=100 of 100 runs) at template level: 6m 12s × 1.5". */
  detail: string;
  method: BoundMethod;
  /** The level whose runs decided; absent when the prior did. */
  level?: ClassLevel;
  key?: string;
  n: number;
  finished: number;
  censored: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  k?: number;
  t?: number;
  alpha: number;
  borrowedFrom?: { level: ClassLevel; ratio: number };
  /** The bound before the safety factor. */
  boundMs: number;
  safetyFactor: number;
  /** boundMs × safetyFactor, before clamping. */
  scaledMs: number;
  clamp: { lowerMs: number; upperMs: number; applied?: ClampKind };
}

export interface MetricReport {
  n: number;
  finished: number;
  censored: number;
  trusted: boolean;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  /** Bounds this level weighed; empty when it had no runs. */
  considered: BoundCandidate[];
  /** The counted cut-offs, each evidence "at least this long": the lowest and highest value counted. */
  cutOffs?: { lowestMs: number; highestMs: number };
  /** The bound this level handed to more specific levels, before the safety factor. */
  passedOnMs: number;
}

export interface LevelReport {
  level: ClassLevel;
  key: string;
  /** Records read from history for this level. */
  runs: number;
  dropped: { killedByStall: number; retryLater: number; invalid: number; presumedHung: number };
  newestAgeMs?: number;
  duration: MetricReport;
  silence: MetricReport;
}

export interface Prediction {
  kind: TaskKind;
  max: LimitDerivation;
  stall: LimitDerivation;
  /**
   * The quiet limit (longest stretch with nothing new: no new output or agent work); absent when it would
   * not be below the max limit.
   */
  quiet?: LimitDerivation;
  extension: { times: number; byMs: number };
  /** Most specific first. */
  levels: LevelReport[];
  /** The most specific level of the command's own with enough finished runs to set its own max limit. */
  trustedLevel?: ClassLevel;
  /** The same for the stall limit (trust is counted per metric). */
  stallTrustedLevel?: ClassLevel;
  /** The level that would take over next, and how many more finished runs it needs. */
  next?: { level: ClassLevel; key: string; finished: number; needed: number };
}

interface Chain {
  result: LevelBound;
  reports: MetricReport[];
  sets: SampleSet[];
  /** Index (most specific first) of the most specific trusted level of the command's own. */
  trustedIndex?: number;
}

function evaluateChain(
  levels: readonly LevelHistory[],
  metric: Metric,
  priorRawMs: number,
  config: PredictorConfig,
): Chain {
  const reports: MetricReport[] = new Array(levels.length);
  const sets: SampleSet[] = new Array(levels.length);
  let parent = priorBound(priorRawMs);
  let anchor: Anchor | undefined;
  let trustedIndex: number | undefined;
  for (let i = levels.length - 1; i >= 0; i--) {
    const { level, key, runs } = levels[i]!;
    const set = samplesOf(runs, metric, config.window, config.presumedHangRate);
    const evaluation = evaluateLevel(level, key, set, parent, anchor, config);
    const f = set.finite;
    sets[i] = set;
    reports[i] = {
      n: f.length + set.censored.length,
      finished: f.length,
      censored: set.censored.length,
      trusted: evaluation.trusted,
      p50Ms: quantile(f, 0.5),
      p90Ms: quantile(f, 0.9),
      p99Ms: quantile(f, 0.99),
      maxMs: f[f.length - 1],
      considered: evaluation.considered,
      passedOnMs: evaluation.bound.rawMs,
      ...(set.censored.length === 0
        ? {}
        : { cutOffs: { lowestMs: set.censored[0]!, highestMs: set.censored[set.censored.length - 1]! } }),
    };
    if (evaluation.trusted) {
      if (OWN_LEVELS.has(level)) trustedIndex = i;
      const medianMs = median(f);
      if (medianMs !== undefined)
        anchor = {
          level,
          rawMs: evaluation.bound.rawMs,
          medianMs,
          cutOffs: OWN_LEVELS.has(level) ? set.censored.length + set.presumedHung : 0,
        };
    }
    parent = evaluation.bound;
  }
  return { result: parent, reports, sets, trustedIndex };
}

function describeBound(b: LevelBound, kind: TaskKind, metric: Metric): string {
  const at = b.level === undefined ? '' : `${b.level} level`;
  const value = formatDuration(b.rawMs);
  const what =
    metric === 'duration'
      ? 'runs'
      : metric === 'silence'
        ? 'runs’ longest silences'
        : 'runs’ longest quiet stretches';
  switch (b.method) {
    case 'conformal':
      return `conformal bound (k=${b.k} of ${b.n} ${what}) at ${at}: ${value}`;
    case 'lognormal':
      return `log-normal bound of ${b.finished} ${what} at ${at} (t=${(b.t ?? 0).toFixed(2)}): ${value}`;
    case 'borrowed':
      return `median of ${b.finished} ${what} at ${at} × ${b.borrowedFrom?.level ?? 'parent'} spread ${(b.borrowedFrom?.ratio ?? 1).toFixed(2)}: ${value}`;
    case 'observed-max':
      return `longest of ${b.finished} ${what} at ${at}: ${value}`;
    case 'censored-floor':
      return `${b.censored === 1 ? 'a run' : `${b.censored} runs`} at ${at} cut off by a limit, each counted as at least the limit it met: ${value}`;
    case 'parent':
    case 'prior':
      return metric === 'duration'
        ? `prior for ${kind} tasks (predictor.priorMaxSeconds)`
        : metric === 'silence'
          ? `prior for ${kind} tasks (predictor.priorStallSeconds)`
          : `prior for ${kind} tasks (predictor.priorMaxSeconds)`;
  }
}

function originOf(b: LevelBound, applied: ClampKind | undefined, maxOrigin?: LimitOrigin): LimitOrigin {
  if (applied === 'max-limit' && maxOrigin !== undefined) return maxOrigin;
  if (applied !== undefined) return 'config-default';
  if (b.method === 'prior' || b.method === 'parent') return 'prior';
  if (b.method === 'borrowed') return 'borrowed';
  return 'learned';
}

function derivation(
  b: LevelBound,
  summary: Pick<MetricReport, 'p50Ms' | 'p90Ms' | 'p99Ms'>,
  config: PredictorConfig,
  scaledMs: number,
  ms: number,
  clamp: LimitDerivation['clamp'],
  origin: LimitOrigin,
  detail: string,
): LimitDerivation {
  return {
    ms,
    origin,
    detail,
    method: b.method,
    level: b.level,
    key: b.key,
    n: b.n,
    finished: b.finished,
    censored: b.censored,
    p50Ms: summary.p50Ms,
    p90Ms: summary.p90Ms,
    p99Ms: summary.p99Ms,
    k: b.k,
    t: b.t,
    alpha: config.alpha,
    borrowedFrom: b.borrowedFrom,
    boundMs: b.rawMs,
    safetyFactor: config.safetyFactor,
    scaledMs,
    clamp,
  };
}

function levelSummary(
  chain: Chain,
  levels: readonly LevelHistory[],
  b: LevelBound,
): Pick<MetricReport, 'p50Ms' | 'p90Ms' | 'p99Ms'> {
  const i = levels.findIndex((l) => l.level === b.level && l.key === b.key);
  const r = i < 0 ? undefined : chain.reports[i];
  return { p50Ms: r?.p50Ms, p90Ms: r?.p90Ms, p99Ms: r?.p99Ms };
}

interface Clamped {
  ms: number;
  scaledMs: number;
  clamp: LimitDerivation['clamp'];
  /** What the clamp adds to the one-line detail. */
  note: string;
}

function clampMax(bound: LevelBound, config: PredictorConfig): Clamped {
  const floorMs = config.floorSeconds * 1000;
  const capMs = Math.max(floorMs, config.capSeconds * 1000);
  const scaledMs = bound.rawMs * config.safetyFactor;
  const clamp: LimitDerivation['clamp'] = { lowerMs: floorMs, upperMs: capMs };
  let note = '';
  if (scaledMs < floorMs) {
    clamp.applied = 'floor';
    note = `, raised to the ${formatDuration(floorMs)} floor (predictor.floorSeconds)`;
  } else if (scaledMs > capMs) {
    clamp.applied = 'cap';
    note = `, capped at ${formatDuration(capMs)} (predictor.capSeconds)`;
  }
  return { ms: Math.round(Math.min(Math.max(scaledMs, floorMs), capMs)), scaledMs, clamp, note };
}

/** The stall limit: at least the per-kind stall floor, never above the cap or the max limit. */
function clampStall(bound: LevelBound, kind: TaskKind, config: PredictorConfig, maxMs: number): Clamped {
  const floorMs = config.floorSeconds * 1000;
  const capMs = Math.max(floorMs, config.capSeconds * 1000);
  const stallFloorMs = config.stallFloorSeconds[kind] * 1000;
  const lowerMs = Math.max(floorMs, stallFloorMs);
  const scaledMs = bound.rawMs * config.safetyFactor;
  const clamp: LimitDerivation['clamp'] = { lowerMs, upperMs: Math.min(capMs, maxMs) };
  let ms = scaledMs;
  let note = '';
  if (ms < lowerMs) {
    ms = lowerMs;
    clamp.applied = stallFloorMs >= floorMs ? 'stall-floor' : 'floor';
    note =
      clamp.applied === 'stall-floor'
        ? `, raised to the ${kind} stall floor of ${formatDuration(stallFloorMs)} (predictor.stallFloorSeconds)`
        : `, raised to the ${formatDuration(floorMs)} floor (predictor.floorSeconds)`;
  }
  if (ms > capMs) {
    ms = capMs;
    clamp.applied = 'cap';
    note = `, capped at ${formatDuration(capMs)} (predictor.capSeconds)`;
  }
  if (ms > maxMs) {
    ms = maxMs;
    clamp.applied = 'max-limit';
    note = `, capped at the max limit of ${formatDuration(maxMs)}`;
  }
  return { ms: Math.round(ms), scaledMs, clamp, note };
}

/**
 * The quiet limit: the bound × the safety factor, at least the per-kind quiet floor and the stall limit (a
 * silence is quiet too), and none at all unless it is finite and below the max limit. The floor is what
 * makes it safe: it only has to end loops that would otherwise run to the max limit, hours in a class
 * with long runs.
 */
function clampQuiet(
  bound: LevelBound,
  kind: TaskKind,
  config: PredictorConfig,
  stallMs: number,
  maxMs: number,
): Clamped | undefined {
  const scaledMs = bound.rawMs * config.safetyFactor;
  if (!Number.isFinite(scaledMs)) return undefined;
  const floorMs = config.quietFloorSeconds[kind] * 1000;
  const lowerMs = Math.max(floorMs, stallMs);
  const ms = Math.round(Math.max(scaledMs, lowerMs));
  if (ms >= maxMs) return undefined;
  const clamp: LimitDerivation['clamp'] = { lowerMs, upperMs: maxMs };
  let note = '';
  if (scaledMs < lowerMs) {
    clamp.applied = floorMs >= stallMs ? 'quiet-floor' : 'stall-floor';
    note =
      clamp.applied === 'quiet-floor'
        ? `, raised to the ${kind} quiet floor of ${formatDuration(floorMs)} (predictor.quietFloorSeconds)`
        : `, raised to the stall limit of ${formatDuration(stallMs)}`;
  }
  return { ms, scaledMs, clamp, note };
}

function limit(
  chain: Chain,
  levels: readonly LevelHistory[],
  metric: Metric,
  kind: TaskKind,
  config: PredictorConfig,
  clamped: Clamped,
  maxOrigin?: LimitOrigin,
): LimitDerivation {
  const b = chain.result;
  const factor = b.method === 'prior' ? '' : ` × ${config.safetyFactor}`;
  return derivation(
    b,
    levelSummary(chain, levels, b),
    config,
    clamped.scaledMs,
    clamped.ms,
    clamped.clamp,
    originOf(b, clamped.clamp.applied, maxOrigin),
    `${describeBound(b, kind, metric)}${factor}${clamped.note}`,
  );
}

export function predictLimits(
  levels: readonly LevelHistory[],
  kind: TaskKind,
  config: PredictorConfig,
  now: number,
): Prediction {
  // Priors are final limits; dividing by the factor lets them travel the chain like any other bound.
  const priorMaxRaw = (config.priorMaxSeconds[kind] * 1000) / config.safetyFactor;
  const priorStallRaw = (config.priorStallSeconds[kind] * 1000) / config.safetyFactor;
  const durations = evaluateChain(levels, 'duration', priorMaxRaw, config);
  const silences = evaluateChain(levels, 'silence', priorStallRaw, config);
  // The quiet prior is the max prior: a never-seen command gets no quiet limit below its max limit, but
  // one whose max limit its history raised to hours still stops a loop within the prior.
  const quiets = evaluateChain(levels, 'quiet', priorMaxRaw, config);

  const max = limit(durations, levels, 'duration', kind, config, clampMax(durations.result, config));
  // Which cut-offs were hangs is a guess, and it is wrong exactly when a class has rare slow runs that
  // look alive: cut off at the max limit and presumed hangs, they would never be learned. The watchdog
  // extends only a run still progressing at the max limit, so such a run gets the room the limit would
  // have had with every cut-off counted; a silent run is still cut off at the max limit, and the limits
  // recorded stay the max limit, so hangs cannot compound the room.
  const counted =
    config.presumedHangRate > 0 && durations.sets.some((set) => set.presumedHung > 0)
      ? clampMax(
          evaluateChain(levels, 'duration', priorMaxRaw, { ...config, presumedHangRate: 0 }).result,
          config,
        )
      : undefined;
  const extension = extensionOf(max.ms, counted?.ms, config);
  const stallClamped = clampStall(silences.result, kind, config, max.ms);
  const stall = limit(silences, levels, 'silence', kind, config, stallClamped, max.origin);
  const quietClamped = clampQuiet(quiets.result, kind, config, stall.ms, max.ms);
  const quiet =
    quietClamped === undefined ? undefined : limit(quiets, levels, 'quiet', kind, config, quietClamped);

  const reports: LevelReport[] = levels.map((l, i) => {
    const set = durations.sets[i]!;
    return {
      level: l.level,
      key: l.key,
      runs: l.runs.length,
      dropped: {
        killedByStall: set.droppedStall,
        retryLater: set.droppedRetryLater,
        invalid: set.droppedInvalid,
        presumedHung: set.presumedHung,
      },
      newestAgeMs: set.newestAt === undefined ? undefined : Math.max(0, now - set.newestAt),
      duration: durations.reports[i]!,
      silence: silences.reports[i]!,
    };
  });

  return {
    kind,
    max,
    stall,
    ...(quiet === undefined ? {} : { quiet }),
    extension,
    levels: reports,
    trustedLevel: durations.trustedIndex === undefined ? undefined : levels[durations.trustedIndex]?.level,
    stallTrustedLevel: silences.trustedIndex === undefined ? undefined : levels[silences.trustedIndex]?.level,
    next: nextLevel(levels, durations, config.minSamples),
  };
}

type ExtensionConfig = Pick<PredictorConfig, 'extensionTimes' | 'extensionFraction'>;

/** Each soft extension of a max limit, as usual: `extensionFraction` of it. */
export function usualExtensionMs(maxMs: number, config: Pick<PredictorConfig, 'extensionFraction'>): number {
  return Math.round(maxMs * config.extensionFraction);
}

/** Whether the extensions of a max limit are longer than usual (cut-offs presumed hangs widened them). */
export function extensionWidened(
  maxMs: number,
  extension: Prediction['extension'],
  config: ExtensionConfig,
): boolean {
  return extension.byMs > usualExtensionMs(maxMs, config);
}

/**
 * `extensionTimes` extensions of a max limit that reach at least `reachMs` altogether, each no shorter
 * than usual.
 */
export function extensionReaching(
  maxMs: number,
  reachMs: number,
  config: ExtensionConfig,
): Prediction['extension'] {
  const times = config.extensionTimes;
  const byMs = usualExtensionMs(maxMs, config);
  if (times <= 0 || reachMs <= maxMs + times * byMs) return { times, byMs };
  return { times, byMs: Math.ceil((reachMs - maxMs) / times) };
}

/**
 * The soft extensions of a max limit: as usual, or, when the limit every cut-off would have set
 * (`countedMaxMs`) is higher, extensions that reach that limit with its own extensions.
 */
function extensionOf(
  maxMs: number,
  countedMaxMs: number | undefined,
  config: ExtensionConfig,
): Prediction['extension'] {
  if (countedMaxMs === undefined) return extensionReaching(maxMs, maxMs, config);
  const reach = countedMaxMs + config.extensionTimes * usualExtensionMs(countedMaxMs, config);
  return extensionReaching(maxMs, reach, config);
}

/**
 * The level that will take over next: among the command's own levels more specific than the trusted one,
 * the one with the most finished runs (the most specific on a tie), since history is recorded under every
 * level. The tool and kind levels never take over: they only loosen the prior.
 */
function nextLevel(levels: readonly LevelHistory[], chain: Chain, minSamples: number): Prediction['next'] {
  const end = chain.trustedIndex ?? levels.length;
  let best: number | undefined;
  for (let i = 0; i < end; i++) {
    if (!OWN_LEVELS.has(levels[i]!.level)) continue;
    if (best === undefined || chain.reports[i]!.finished > chain.reports[best]!.finished) best = i;
  }
  if (best === undefined) return undefined;
  const finished = chain.reports[best]!.finished;
  return {
    level: levels[best]!.level,
    key: levels[best]!.key,
    finished,
    needed: Math.max(1, minSamples - finished),
  };
}
