import type { EndReason, RunReport, TaskResult, Totals } from './types.js';

/** The one definition of the totals, the success rate and the verdict, shared by run and merge. */
export function computeTotals(tasks: readonly TaskResult[]): Totals {
  const totals: Totals = {
    total: 0,
    passed: 0,
    failed: 0,
    timedOut: 0,
    stalled: 0,
    crashed: 0,
    cancelled: 0,
    flaky: 0,
  };
  const field: Record<EndReason, keyof Totals> = {
    passed: 'passed',
    failed: 'failed',
    'timed-out': 'timedOut',
    stalled: 'stalled',
    crashed: 'crashed',
    cancelled: 'cancelled',
  };
  for (const task of tasks) {
    totals.total++;
    totals[field[task.reason]]++;
    if (task.flaky) totals.flaky++;
  }
  return totals;
}

/**
 * passed / counted. An interrupted run is judged only on the tasks it got to finish; a run that was not
 * interrupted counts cancelled tasks (e.g. after --bail) as not passed.
 */
export function successRate(totals: Totals, interrupted: boolean): number {
  const counted = interrupted ? totals.total - totals.cancelled : totals.total;
  return counted <= 0 ? 0 : totals.passed / counted;
}

/** An interrupted run never passes: what it finished says nothing about what it did not get to. */
export function verdictOf(rate: number, target: number, interrupted = false): RunReport['verdict'] {
  if (interrupted) return 'interrupted';
  return rate >= target ? 'pass' : 'fail';
}
