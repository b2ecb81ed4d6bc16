import { median, percent, quantile } from '../common/stats.js';
import type { Outcome, SimResult } from './simulate.js';
import type { FailureStats } from './strategies.js';
import type { ClassSpec, HangKind } from './workload.js';

/** What the benchmark reports per strategy; every field is computed from the same simulated runs. */

export interface ClassMetrics {
  id: string;
  runs: number;
  killed: number;
  killedPct: number;
  /** After the first WARM_UP runs of the class. */
  warmRuns: number;
  warmKilled: number;
  warmPct: number;
  hangs: number;
  hangP50Ms?: number;
  hangP95Ms?: number;
  /** Hours hung runs of this class held a slot, plus hours of work lost to killed legitimate runs. */
  wastedHours: number;
}

export interface HangKindMetrics {
  kind: HangKind;
  runs: number;
  /** Ended by the strategy's own limits, not by the job timeout. */
  caught: number;
  p50Ms?: number;
  p95Ms?: number;
}

export interface ColdStart {
  /** The first `window` runs of every class. */
  window: number;
  runs: number;
  killed: number;
  killedPct: number;
  /** Median of (max limit incl. extensions) / (the class's true p99 duration): how loose the first limits are. */
  limitToP99?: number;
}

export interface StepRecovery {
  runsAfterStep: number;
  /**
   * Runs after the step before the max limit, with the extensions a progressing run gets, covers the new
   * p99 for STREAK runs in a row; null: never.
   */
  runsToRecover: number | null;
  /** The same for the planned max limit alone: how fast the limit itself is relearned. */
  runsToRelearn: number | null;
  /** Legitimate runs killed among the first 100 after the step. */
  killedInFirst100: number;
  newP99Ms?: number;
}

export interface StrategyMetrics {
  id: string;
  label: string;
  signals: string;
  role: 'main' | 'sweep' | 'diagnostic';
  legit: { runs: number; killed: number; killedPct: number; byStall: number; byMax: number };
  classes: ClassMetrics[];
  hangs: { runs: number; caught: number; p50Ms?: number; p95Ms?: number; kinds: HangKindMetrics[] };
  wasted: { hangHours: number; legitHours: number };
  coldStart: ColdStart[];
  /** Absent when the family has no step change. */
  step?: StepRecovery;
  /** Under a failing store: plans made during failures and how many were tighter than healthy ones. */
  failure?: FailureStats;
}

export const WARM_UP = 100;
export const COLD_WINDOWS = [1, 10, 100] as const;
const STREAK = 50;

const isKill = (o: Outcome): boolean => o.end !== 'finished';

/** The true (1 - alpha) quantile of each class's legitimate durations before any step change. */
function classQuantiles(
  classes: readonly ClassSpec[],
  rows: readonly Outcome[],
  q: number,
): (number | undefined)[] {
  return classes.map((_, c) =>
    quantile(
      rows.filter((o) => o.cls === c && o.hang === undefined && !o.afterStep).map((o) => o.durationMs),
      q,
    ),
  );
}

function stepRecovery(stepClass: number, rows: readonly Outcome[], q: number): StepRecovery {
  const after = rows.filter((o) => o.cls === stepClass && o.afterStep);
  const newP99Ms = quantile(
    after.filter((o) => o.hang === undefined).map((o) => o.durationMs),
    q,
  );
  const killedInFirst100 = after.slice(0, 100).filter((o) => o.hang === undefined && isKill(o)).length;
  const covered = (limit: (o: Outcome) => number): number | null => {
    if (newP99Ms === undefined) return null;
    for (let r = 0; r < after.length; r++) {
      const window = after.slice(r, r + STREAK);
      // Near the end of the sequence a shorter run of covered limits has to do, but not a handful.
      if (window.length < Math.min(STREAK, 10)) break;
      if (window.every((o) => limit(o) >= newP99Ms)) return r;
    }
    return null;
  };
  const runsToRecover = covered((o) => o.effectiveMaxMs);
  const runsToRelearn = covered((o) => o.maxMs);
  return {
    runsAfterStep: after.length,
    runsToRecover,
    runsToRelearn,
    killedInFirst100,
    ...(newP99Ms ? { newP99Ms } : {}),
  };
}

export function computeMetrics(sim: SimResult, alpha: number): StrategyMetrics[] {
  const q = 1 - alpha;
  const { classes, hangKinds, stepClass } = sim.family;
  const step = classes.findIndex((c) => c.id === stepClass);
  return sim.strategies.map((strategy, s) => {
    const rows = sim.outcomes[s]!;
    const legit = rows.filter((o) => o.hang === undefined);
    const killed = legit.filter(isKill);
    const hung = rows.filter((o) => o.hang !== undefined);
    const detect = (list: readonly Outcome[]): number[] => list.map((o) => Math.max(0, o.atMs - o.onsetMs));
    const p99 = classQuantiles(classes, rows, q);

    const perClass = classes.map((spec, c): ClassMetrics => {
      const mine = legit.filter((o) => o.cls === c);
      const warm = mine.filter((o) => o.ordinal > WARM_UP);
      const k = mine.filter(isKill).length;
      const wk = warm.filter(isKill).length;
      const myHangs = hung.filter((o) => o.cls === c);
      const times = detect(myHangs);
      const lost = mine.filter(isKill).reduce((a, o) => a + o.atMs, 0);
      return {
        id: spec.id,
        runs: mine.length,
        killed: k,
        killedPct: percent(k, mine.length),
        warmRuns: warm.length,
        warmKilled: wk,
        warmPct: percent(wk, warm.length),
        hangs: myHangs.length,
        hangP50Ms: quantile(times, 0.5),
        hangP95Ms: quantile(times, 0.95),
        wastedHours: (times.reduce((a, b) => a + b, 0) + lost) / 3_600_000,
      };
    });

    const kinds = hangKinds.map((kind): HangKindMetrics => {
      const mine = hung.filter((o) => o.hang === kind);
      const times = detect(mine);
      return {
        kind,
        runs: mine.length,
        caught: mine.filter((o) => o.end !== 'job').length,
        p50Ms: quantile(times, 0.5),
        p95Ms: quantile(times, 0.95),
      };
    });

    const coldStart = COLD_WINDOWS.map((window): ColdStart => {
      const early = legit.filter((o) => o.ordinal <= window);
      const k = early.filter(isKill).length;
      const ratios = early.filter((o) => p99[o.cls] !== undefined).map((o) => o.effectiveMaxMs / p99[o.cls]!);
      return {
        window,
        runs: early.length,
        killed: k,
        killedPct: percent(k, early.length),
        limitToP99: median(ratios),
      };
    });

    const hours = (ms: number): number => ms / 3_600_000;
    return {
      id: strategy.id,
      label: strategy.label,
      signals: strategy.signals,
      role: strategy.role ?? 'main',
      legit: {
        runs: legit.length,
        killed: killed.length,
        killedPct: percent(killed.length, legit.length),
        byStall: killed.filter((o) => o.end === 'stall').length,
        byMax: killed.filter((o) => o.end === 'max' || o.end === 'job').length,
      },
      classes: perClass,
      hangs: {
        runs: hung.length,
        caught: hung.filter((o) => o.end !== 'job').length,
        p50Ms: quantile(detect(hung), 0.5),
        p95Ms: quantile(detect(hung), 0.95),
        kinds,
      },
      wasted: {
        hangHours: hours(detect(hung).reduce((a, b) => a + b, 0)),
        legitHours: hours(killed.reduce((a, o) => a + o.atMs, 0)),
      },
      coldStart,
      ...(step >= 0 ? { step: stepRecovery(step, rows, q) } : {}),
      ...(strategy.failure !== undefined ? { failure: strategy.failure } : {}),
    };
  });
}
