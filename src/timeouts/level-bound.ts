import type { ClassLevel } from './classify.js';
import type { SampleSet, Summary } from './samples.js';
import { summarise } from './samples.js';
import { conformalRank, logNormalUpperBound, logStats, orderStatistic } from './stats.js';

/**
 * The bound of one metric at one class level, before the safety factor. Levels are evaluated from the
 * most general (the per-kind prior) to the most specific, each seeing its parent's result:
 *
 * - a level of the command's own (fingerprint, template, verb) with at least `minSamples` finished runs is
 *   trusted and sets its own bound, tighter or looser than its parent: the split-conformal bound when the
 *   sample is large enough for alpha (k = ceil((n+1)(1-alpha)) <= n, cut-offs ranked above every finished
 *   run), otherwise the larger of a log-normal upper prediction bound of its runs and its longest finished
 *   run (with alpha = 0.01 the conformal rank needs 99 runs);
 * - the general levels (tool, kind) hold runs of other commands: however many they have, they may raise
 *   what their parent gives, never lower it, so a never-seen command is never held below the prior;
 * - when cut-offs push the conformal rank past the finished runs, the bound cannot be read off the data; it
 *   becomes the largest of the same fallbacks and of the cut-off floor: the longest limit a counted cut-off
 *   met, but at most `cutOffGrowth` times the lowest one (after the safety factor). A cut-off is evidence
 *   "at least the limit", so repeated hangs lift a limit once, boundedly, instead of compounding; only
 *   finished runs (or the window moving on) lift it further;
 * - a level with fewer finished runs may only loosen what its parent gives: it takes the largest of the
 *   parent's bound, the borrowed spread (this level's median times the nearest trusted ancestor's
 *   bound/median ratio), a log-normal bound (from 5 runs on) and its longest run.
 *
 * So a level with too few runs of the command's own only ever moves a limit toward the prior or above it.
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
  safetyFactor: number;
  /** Cut-offs lift a limit to at most this many times the lowest limit they met. */
  cutOffGrowth: number;
}

/** The levels that hold only runs of the command itself, and so may tighten a limit below the prior. */
export const OWN_LEVELS: ReadonlySet<ClassLevel> = new Set<ClassLevel>(['fingerprint', 'template', 'verb']);

/** The cut-off floor: the longest counted cut-off, at most cutOffGrowth × the lowest once scaled. */
export function cutOffFloor(censored: ArrayLike<number>, settings: BoundSettings): number | undefined {
  const c = censored.length;
  if (c === 0) return undefined;
  return Math.min(censored[c - 1]!, (settings.cutOffGrowth * censored[0]!) / settings.safetyFactor);
}

/** The nearest trusted ancestor: its bound and median give the spread that thin levels borrow. */
export interface Anchor {
  level: ClassLevel;
  rawMs: number;
  medianMs: number;
  /**
   * Cut-offs in its window, counted or presumed hangs; 0 for a general level, whose window of other
   * commands' runs need not hold this command's cut-offs.
   */
  cutOffs: number;
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
  mayTighten = OWN_LEVELS.has(level),
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
    // Runs are recorded under every level, so a trusted ancestor of the command's own that holds as many
    // cut-offs has already weighed these, with more runs to tell an occasional hang from a slower class:
    // judged again among a thin level's few runs, one hang would lift the limit (no ratchet, but a
    // lift every time hangs happen to fall on the same fingerprint).
    const judged = borrow && anchor !== undefined && anchor.cutOffs >= c + set.presumedHung;
    const floor = judged ? undefined : cutOffFloor(set.censored, settings);
    if (floor !== undefined) consider('censored-floor', floor);
  };

  if (trusted) {
    // A general level never goes below what it was given, however many runs of other commands it holds.
    if (!mayTighten) consider('parent', parent.rawMs);
    k = conformalRank(n, settings.alpha);
    // Censored runs sort after every finished one: they count as +Infinity, which is conservative, so a
    // bound read off the finished runs already allows for them.
    const bound = k <= n ? orderStatistic(set.finite, k) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(bound)) {
      consider('conformal', bound);
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
