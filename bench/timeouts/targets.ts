import { duration, pct } from '../common/table.js';
import type { StrategyMetrics } from './metrics.js';

/** The targets of the benchmark issue, checked on measured figures; nothing here is tuned per run. */

export interface TargetCheck {
  /** The workload family it was checked on. */
  family?: string;
  strategy: string;
  target: string;
  pass: boolean;
  detail: string;
}

export const MAX_LEGIT_KILLED_PCT = 1;
export const DETECTION_SPEEDUP = 2;

/**
 * The fixed no-output limit to compare with: the shortest one that kills no more legitimate runs than
 * `ours` (the fairest fixed rival: any shorter one buys its speed with killed runs). When none is that
 * gentle, the gentlest one tried.
 */
export function fixedRival(
  ours: StrategyMetrics,
  all: readonly StrategyMetrics[],
): StrategyMetrics | undefined {
  const fixed = all
    .filter((m) => m.id.startsWith('no-output-'))
    .sort((a, b) => Number.parseInt(a.id.slice(10), 10) - Number.parseInt(b.id.slice(10), 10));
  return fixed.find((m) => m.legit.killedPct <= ours.legit.killedPct) ?? fixed[fixed.length - 1];
}

export function checkTargets(
  ours: StrategyMetrics,
  all: readonly StrategyMetrics[],
  alpha: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const name = ours.label;
  checks.push({
    strategy: ours.id,
    target: `legitimate runs killed <= ${MAX_LEGIT_KILLED_PCT}%`,
    pass: ours.legit.killedPct <= MAX_LEGIT_KILLED_PCT,
    detail: `${name}: ${pct(ours.legit.killedPct)} (${ours.legit.killed} of ${ours.legit.runs})`,
  });

  const alphaPct = alpha * 100;
  const worst = [...ours.classes].sort((a, b) => b.warmPct - a.warmPct)[0]!;
  const over = ours.classes.filter((c) => c.warmPct > alphaPct);
  checks.push({
    strategy: ours.id,
    target: `every class, once warmed up, <= alpha = ${pct(alphaPct, 0)}`,
    pass: over.length === 0,
    detail:
      over.length === 0
        ? `${name}: worst class ${worst.id} ${pct(worst.warmPct)} (${worst.warmKilled} of ${worst.warmRuns})`
        : `${name}: over alpha: ${over.map((c) => `${c.id} ${pct(c.warmPct)} (${c.warmKilled} of ${c.warmRuns})`).join(', ')}`,
  });

  const rival = fixedRival(ours, all);
  const mine = ours.hangs.p95Ms;
  const theirs = rival?.hangs.p95Ms;
  const pass = mine !== undefined && theirs !== undefined && mine * DETECTION_SPEEDUP <= theirs;
  checks.push({
    strategy: ours.id,
    target: `hang detection p95 >= ${DETECTION_SPEEDUP}x faster than the fixed no-output limit that kills as few legitimate runs`,
    pass,
    detail:
      rival === undefined
        ? 'no fixed no-output strategy to compare with'
        : `${name}: p95 ${duration(mine)} vs ${duration(theirs)} for ${rival.label} ` +
          `(legit killed ${pct(rival.legit.killedPct)} vs ${pct(ours.legit.killedPct)}); ` +
          `speed-up ${mine && theirs ? (theirs / mine).toFixed(2) : '-'}x`,
  });
  const failure = ours.failure;
  checks.push({
    strategy: ours.id,
    target: 'no plan tighter under store failure than when healthy',
    pass: failure !== undefined && failure.tighter === 0,
    detail:
      failure === undefined
        ? `${name}: not measured`
        : `${name}: ${failure.tighter} of ${failure.plans} plans made while lookups failed were tighter` +
          (failure.examples.length > 0 ? `; e.g. ${failure.examples[0]}` : ''),
  });
  return checks;
}
