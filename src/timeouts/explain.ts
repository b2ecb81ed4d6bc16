import { quoteArgv } from '../command/quote.js';
import type { Config, TaskKind } from '../config.js';
import type { HistoryStore } from '../history/types.js';
import { type ClassLevel, classify } from './classify.js';
import { type Fallback, failLoose } from './fail-loose.js';
import { readLevels } from './history-lookup.js';
import { planFromPrediction } from './learned-planner.js';
import { type BoundCandidate, type BoundMethod, OWN_LEVELS } from './level-bound.js';
import type { PlanCache } from './plan-cache.js';
import { extensionWidened, type LimitDerivation, type Prediction, predictLimits } from './predict.js';
import { describeBucket } from './template.js';
import type { LimitSource, PlanInput } from './types.js';

export { formatExplanation } from './format-explanation.js';

/** Everything `explain-timeout` shows; plain data, safe to print as JSON. */
export interface Explanation {
  command: string;
  class: {
    kind: TaskKind;
    tool: string;
    verb: string;
    /** The program actually run, wrappers resolved. */
    program: string;
    /** The simulated agent: its history is kept apart from every real tool's. */
    simulated: boolean;
    category: string;
    complexity: string;
    model?: string;
    prompt?: { chars: number; bucket: string };
    reasons: string[];
  };
  levels: ExplainedLevel[];
  /** The level whose runs decided the max limit, or `prior`. */
  usedLevel: ClassLevel | 'prior';
  why: string;
  max: ExplainedLimit;
  stall: ExplainedLimit;
  /** Absent when the task gets none: it would not be below the max limit, or the suite fixed the stall. */
  quiet?: ExplainedLimit;
  /** `widened`: longer than the usual share of the max limit, because cut-offs were presumed hangs. */
  extension: { times: number; byMs: number; widened: boolean };
  next?: { level: ClassLevel; key: string; finished: number; needed: number; message: string };
  settings: { alpha: number; safetyFactor: number; minSamples: number; window: number };
  history: {
    store: string;
    missing: { level: ClassLevel; reason: 'timeout' | 'error' }[];
    /** What stood in for the history that could not be read. */
    fallback?: Fallback;
  };
}

export interface ExplainedLevel {
  level: ClassLevel;
  key: string;
  label: string;
  /** Records read. */
  runs: number;
  /** Finished runs (success or failed) and runs cut off by the max limit, within the window. */
  finished: number;
  censored: number;
  dropped: { killedByStall: number; retryLater: number; invalid: number; presumedHung: number };
  trusted: boolean;
  usedForMax: boolean;
  usedForStall: boolean;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  silenceP99Ms?: number;
  newestAgeMs?: number;
  /** Bounds (before the safety factor) this level weighed for the max limit. */
  considered: BoundCandidate[];
  /** Counted cut-offs by the max limit: each is evidence "at least this long". */
  cutOffsMs?: { lowestMs: number; highestMs: number };
}

export interface ExplainedLimit {
  ms: number;
  source: LimitSource;
  /** How the predictor got there (also when the suite overrides it, for comparison). */
  predicted: LimitDerivation;
  fixedBySuite: boolean;
}

export interface ExplainOptions {
  /** How long to wait for history; the CLI can afford more than a task start. Default 5000 ms. */
  lookupTimeoutMs?: number;
  /** Last plans of classes, consulted as the planner does when history cannot be read. */
  planCache?: PlanCache;
}

const METHOD_WORDS: Readonly<Record<BoundMethod, string>> = {
  conformal: 'the conformal bound of its runs',
  lognormal: 'a log-normal bound of its runs (too few for the conformal bound at this alpha)',
  borrowed: "its median times a parent level's spread",
  'observed-max': 'its longest finished run',
  'censored-floor': 'runs cut off by the max limit, each counted as at least the limit it met',
  parent: "its parent's bound",
  prior: 'the prior',
};

function why(prediction: Prediction, minSamples: number): string {
  const max = prediction.max;
  if (max.level === undefined) {
    const anyRuns = prediction.levels.some((l) => l.duration.n > 0);
    const general = prediction.levels.filter((l) => !OWN_LEVELS.has(l.level) && l.duration.trusted);
    if (general.length > 0)
      return `the ${general.map((l) => l.level).join(' and ')} level holds enough runs, but of other commands: it may loosen the prior for ${prediction.kind} tasks, never tighten it, and its runs fit within it; no level of this command's own has ${minSamples} finished runs yet`;
    return anyRuns
      ? `no level has ${minSamples} finished runs yet, and the runs there are fit within the prior for ${prediction.kind} tasks`
      : `no runs of this class yet: the prior for ${prediction.kind} tasks applies`;
  }
  const report = prediction.levels.find((l) => l.level === max.level);
  const finished = report?.duration.finished ?? max.finished;
  const moreSpecific = prediction.levels
    .slice(
      0,
      prediction.levels.findIndex((l) => l.level === max.level),
    )
    .filter((l) => l.duration.n > 0)
    .map((l) => `${l.level} has ${l.duration.finished}`);
  const thinner =
    moreSpecific.length > 0 ? `; more specific levels have too few (${moreSpecific.join(', ')})` : '';
  if (report?.duration.trusted && !OWN_LEVELS.has(max.level)) {
    return `runs of other commands at ${max.level} level take longer than the prior for ${prediction.kind} tasks allows, so they loosen it (a general level never tightens it); it uses ${METHOD_WORDS[max.method]}${thinner}`;
  }
  if (report?.duration.trusted) {
    return `${max.level} is the most specific level with at least ${minSamples} finished runs (${finished}); it uses ${METHOD_WORDS[max.method]}${thinner}`;
  }
  return `${max.level} has only ${finished} finished runs (fewer than ${minSamples}), which may loosen a limit but never tighten it; ${METHOD_WORDS[max.method]} is above what the more general levels give${thinner}`;
}

function nextMessage(next: NonNullable<Prediction['next']>): string {
  const runs = next.needed === 1 ? 'run' : 'runs';
  return `${next.needed} more finished ${runs} at ${next.level} level (${next.finished} so far) would let it set its own limit`;
}

/** Classifies a command, reads its history and explains the limits a task would get. */
export async function explainTimeout(
  input: PlanInput,
  store: HistoryStore,
  config: Config,
  now: number,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const cls = classify(input, config.classifier.rules);
  const lookup = await readLevels(store, cls, config.predictor.window, options.lookupTimeoutMs ?? 5000);
  const partial = predictLimits(lookup.levels, cls.kind, config.predictor, now);
  const { prediction, fallback } = failLoose(
    partial,
    lookup.missing,
    lookup.missing.length === 0 ? undefined : options.planCache?.get(cls.levels[0]!.key),
    config.predictor,
  );
  const plan = planFromPrediction(input, prediction);

  const levels: ExplainedLevel[] = cls.levels.map((l, i) => {
    const report = prediction.levels[i]!;
    return {
      level: l.level,
      key: l.key,
      label: l.label,
      runs: report.runs,
      finished: report.duration.finished,
      censored: report.duration.censored,
      dropped: report.dropped,
      trusted: report.duration.trusted,
      usedForMax: prediction.max.level === l.level,
      usedForStall: prediction.stall.level === l.level,
      p50Ms: report.duration.p50Ms,
      p90Ms: report.duration.p90Ms,
      p99Ms: report.duration.p99Ms,
      silenceP99Ms: report.silence.p99Ms,
      newestAgeMs: report.newestAgeMs,
      considered: report.duration.considered,
      ...(report.duration.cutOffs === undefined ? {} : { cutOffsMs: report.duration.cutOffs }),
    };
  });

  return {
    command: input.shell ? input.argv.join(' ') : quoteArgv(input.argv),
    class: {
      kind: cls.kind,
      tool: cls.tool,
      verb: cls.verb,
      program: cls.program,
      simulated: cls.simulated,
      category: cls.category,
      complexity: cls.complexity,
      model: cls.model,
      prompt:
        cls.prompt === undefined
          ? undefined
          : { chars: cls.prompt.chars, bucket: describeBucket(cls.prompt.bucket) },
      reasons: cls.reasons,
    },
    levels,
    usedLevel: prediction.max.level ?? 'prior',
    why: why(prediction, config.predictor.minSamples),
    max: {
      ms: plan.maxMs,
      source: plan.maxSource,
      predicted: prediction.max,
      fixedBySuite: plan.maxSource.origin === 'suite',
    },
    stall: {
      ms: plan.stallMs,
      source: plan.stallSource,
      predicted: prediction.stall,
      fixedBySuite: plan.stallSource.origin === 'suite',
    },
    ...(plan.quietMs === undefined || plan.quietSource === undefined || prediction.quiet === undefined
      ? {}
      : {
          quiet: {
            ms: plan.quietMs,
            source: plan.quietSource,
            predicted: prediction.quiet,
            fixedBySuite: false,
          },
        }),
    extension: {
      ...plan.extension,
      widened: extensionWidened(plan.maxMs, plan.extension, config.predictor),
    },
    next:
      prediction.next === undefined
        ? undefined
        : { ...prediction.next, message: nextMessage(prediction.next) },
    settings: {
      alpha: config.predictor.alpha,
      safetyFactor: config.predictor.safetyFactor,
      minSamples: config.predictor.minSamples,
      window: config.predictor.window,
    },
    history: { store: store.kind, missing: lookup.missing, ...(fallback === undefined ? {} : { fallback }) },
  };
}
