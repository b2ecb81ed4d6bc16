import { describeCommand } from '../command/model.js';
import type { ExecResult } from '../exec/types.js';
import type { RunOutcome, RunProvenance, RunRecord } from '../history/types.js';
import type { TimeoutPlan } from '../timeouts/types.js';
import type { EndReason } from './types.js';

export function endReasonOf(result: ExecResult): EndReason {
  switch (result.termination) {
    case 'cancelled':
      return 'cancelled';
    case 'crashed':
      return 'crashed';
    case 'max':
      return 'timed-out';
    case 'stall':
      return 'stalled';
    case 'exit':
      return result.failures.length === 0 ? 'passed' : 'failed';
  }
}

/**
 * What an attempt teaches the predictor, or undefined when it teaches nothing: a cancelled or crashed
 * attempt says nothing about how long the task takes.
 */
export function historyOutcomeOf(reason: EndReason, result: ExecResult): RunOutcome | undefined {
  if (result.retryLater && reason !== 'passed') return 'retry-later';
  switch (reason) {
    case 'passed':
      return 'success';
    case 'failed':
      return 'failed';
    case 'timed-out':
      return 'killed-max';
    case 'stalled':
      return 'killed-stall';
    default:
      return undefined;
  }
}

/**
 * The history record an execution leaves, or undefined when it teaches nothing. The runner, the executor
 * server and the benchmark all record through this, so they learn from the same evidence. With the plan
 * the run had, a cut-off records the limit that cut it off: the recorded duration of a max-limit kill also
 * holds the extensions and the grace period, which say nothing about how long the task takes.
 */
export function runRecordOf(
  raw: ExecResult,
  runId: string,
  plan?: Pick<TimeoutPlan, 'maxMs' | 'stallMs'>,
  provenance?: RunProvenance,
): RunRecord | undefined {
  const outcome = historyOutcomeOf(endReasonOf(raw), raw);
  if (outcome === undefined) return undefined;
  const limitMs =
    plan === undefined
      ? undefined
      : outcome === 'killed-max'
        ? plan.maxMs
        : outcome === 'killed-stall'
          ? plan.stallMs
          : undefined;
  return {
    runId,
    durationMs: raw.durationMs,
    longestSilenceMs: raw.longestSilenceMs,
    outcome,
    at: raw.endedAt,
    ...(limitMs === undefined || !Number.isFinite(limitMs) ? {} : { limitMs }),
    ...provenance,
  };
}

/** Where a task's runs come from: the program its command really runs, and whether it is the simulated agent. */
export function provenanceOf(command: { argv: readonly string[]; shell: boolean }): RunProvenance {
  try {
    const model = describeCommand(command.argv, command.shell);
    return { program: model.program, simulated: model.simulated };
  } catch {
    // The classifier reads such a command as opaque too.
    return { program: 'unknown', simulated: false };
  }
}

/** Evidence lines for the report: expectation failures, or why the executor ended the task. */
export function messagesOf(reason: EndReason, result: ExecResult): string[] {
  if (reason === 'passed') return [];
  const messages = [...result.failures];
  if (result.detail !== undefined && result.detail !== '') messages.unshift(result.detail);
  return messages;
}
