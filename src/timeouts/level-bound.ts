import type { ClassLevel } from './classify.js';
import type { SampleSet, Summary } from './samples.js';
import { summarise } from './samples.js';
import { conformalRank, logNormalUpperBound, logStats, orderStatistic } from './stats.js';

/**
 * The bound of one metric at one class level, before the safety factor. Levels are evaluated from the
 * most general (the per-kind prior) to the most specific, each seeing its parent's result:
 *
 * - a level with at least `minSamples` finished runs is trusted and sets its own bound, tighter or looser
 *   than its parent: the split-conformal bound when the sample is large enough for alpha
 *   (k = ceil((n+1)(1-alpha)) <= n), otherwise the larger of a log-normal upper prediction bound of its
 *   runs and its longest finished run (with alpha = 0.01 the conformal rank needs 99 runs);
 * - when censored runs (killed by the max limit) push the conformal rank onto a censored sample, the
 *   bound cannot be read off the data; it becomes the largest of the same fallbacks and of the longest
 *   censored run, so a cut-off run only ever loosens;
 * - a level with fewer finished runs may only loosen what its parent gives: it takes the largest of the
 *   parent's bound, the borrowed spread (this level's median times the nearest trusted ancestor's
 *   bound/median ratio), a log-normal bound (from 5 runs on) and its longest run.
 *
 * So missing data only ever moves a limit toward the prior or above it, never below.
 */

export type BoundMethod =
  | 'conformal'
  | 'lognormal'
  | 'borrowed'
  | 'observed-max'
  | 'censored-floor'
  | 'parent'
  | 'prior';

export interface BoundCandidate {
  method: BoundMethod;
  rawMs: number;
}

export interface LevelBound {
  /** Bound before the safety factor, in ms (may be +Infinity only transiently; callers clamp). */
  rawMs: number;
  method: BoundMethod;
  /** The level whose data decided the bound; undefined when the prior did. */
  level?: ClassLevel;
  key?: string;
  /** Sample counts and percentiles of the deciding level. */
  n: number;
  finished: number;
  censored: number;
  summary: Summary;
  /** Conformal rank, when the conformal bound was computed. */
  k?: number;
  /** Student t quantile used by the log-normal bound. */
  t?: number;
  /** For borrowed bounds: whose spread, and the ratio bound/median applied. */
  borrowedFrom?: { level: ClassLevel; ratio: number };
  trusted: boolean;
}

/** A level's own evaluation: what it considered and what it passed on to more specific levels. */
export interface LevelEvaluation {
  bound: LevelBound;
  /** Bounds this level considered (empty when it had no runs and simply passed its parent's on). */
  considered: BoundCandidate[];
  trusted: boolean;
}

export interface BoundSettings {
  alpha: number;
  minSamples: number;
}

/** The nearest trusted ancestor: its bound and median give the spread that thin levels borrow. */
export interface Anchor {
  level: ClassLevel;
  rawMs: number;
  medianMs: number;
}

/** Runs needed before a log-normal fit of a thin level says anything (below that the t quantile explodes). */
export const MIN_LOGNORMAL_RUNS = 5;

/** Preference on ties: the more data-driven method names the result. */
const TIE_ORDER: readonly BoundMethod[] = [
  'parent',
  'conformal',
  'lognormal',
  'borrowed',
  'observed-max',
  'censored-floor',
];

/** Bounds this close are the same bound reached two ways (e.g. a spread borrowed from identical data). */
const SAME = 1e-9;

function pick(candidates: readonly BoundCandidate[]): BoundCandidate {
  let best = candidates[0]!;
  for (const c of candidates.slice(1)) {
    const tie =
      c.rawMs === best.rawMs ||
      (Number.isFinite(c.rawMs) &&
        Number.isFinite(best.rawMs) &&
        Math.abs(c.rawMs - best.rawMs) <= SAME * Math.max(Math.abs(c.rawMs), Math.abs(best.rawMs)));
    if (tie ? TIE_ORDER.indexOf(c.method) < TIE_ORDER.indexOf(best.method) : c.rawMs > best.rawMs) best = c;
  }
  return best;
}

export function priorBound(rawMs: number): LevelBound {
  return { rawMs, method: 'prior', n: 0, finished: 0, censored: 0, summary: {}, trusted: false };
}

export function evaluateLevel(
  level: ClassLevel,
  key: string,
  set: SampleSet,
  parent: LevelBound,
  anchor: Anchor | undefined,
  settings: BoundSettings,
): LevelEvaluation {
  const m = set.finite.length;
  const c = set.censored.length;
  const n = m + c;
  if (n === 0) return { bound: parent, considered: [], trusted: false };

  const summary = summarise(set);
  const trusted = m >= settings.minSamples;
  const candidates: BoundCandidate[] = [];
  let k: number | undefined;
  let t: number | undefined;
  let borrowedFrom: LevelBound['borrowedFrom'];

  const consider = (method: BoundMethod, rawMs: number): void => {
    // 0 × Infinity and friends must never win a comparison by accident.
    if (!Number.isNaN(rawMs)) candidates.push({ method, rawMs });
  };
  const addFallbacks = (borrow: boolean): void => {
    if (m >= MIN_LOGNORMAL_RUNS) {
      const ln = logNormalUpperBound(logStats(set.finite), settings.alpha);
      t = ln.t;
      consider('lognormal', ln.bound);
    }
    if (borrow && anchor !== undefined && summary.medianMs !== undefined) {
      // Below a millisecond a duration is noise; flooring both medians keeps the ratio meaningful.
      const ratio = anchor.rawMs / Math.max(anchor.medianMs, 1);
      borrowedFrom = { level: anchor.level, ratio };
      consider('borrowed', Math.max(summary.medianMs, 1) * ratio);
    }
    if (summary.maxMs !== undefined) consider('observed-max', summary.maxMs);
    if (c > 0) consider('censored-floor', set.censored[c - 1]!);
  };

  if (trusted) {
    k = conformalRank(n, settings.alpha);
    // Censored runs sort after every finished one: they count as +Infinity.
    const bound = k <= n ? orderStatistic(set.finite, k) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(bound)) {
      consider('conformal', bound);
      if (c > 0) consider('censored-floor', set.censored[c - 1]!);
    } else {
      // Enough runs of its own: the level's own spread, not a parent's, widens the bound.
      addFallbacks(false);
    }
  } else {
    consider('parent', parent.rawMs);
    addFallbacks(true);
  }

  const best = pick(candidates);
  if (best.method === 'parent') return { bound: parent, considered: candidates, trusted };
  const bound: LevelBound = {
    rawMs: best.rawMs,
    method: best.method,
    level,
    key,
    n,
    finished: m,
    censored: c,
    summary,
    k,
    t: best.method === 'lognormal' ? t : undefined,
    borrowedFrom: best.method === 'borrowed' ? borrowedFrom : undefined,
    trusted,
  };
  return { bound, considered: candidates, trusted };
}
