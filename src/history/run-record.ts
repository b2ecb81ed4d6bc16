import { describeCommand } from '../command/model.js';
import type { RunOutcome, RunProvenance, RunRecord } from './types.js';

/**
 * What history needs of an ended execution; the executors' ExecResult satisfies it. Declared here so
 * that history depends on no executor.
 */
export interface EndedExecution {
  termination: 'exit' | 'max' | 'stall' | 'cancelled' | 'crashed';
  /** Expectation failures; empty when the output met every expectation. */
  failures: readonly string[];
  /** The agent asked to be tried later (rate limit, overload). */
  retryLater: boolean;
  durationMs: number;
  longestSilenceMs: number;
  /** Longest stretch with nothing new (no new output or agent work); absent where not told. */
  longestQuietMs?: number;
  endedAt: number;
}

/**
 * What an attempt teaches the predictor, or undefined when it teaches nothing: a cancelled or crashed
 * attempt says nothing about how long the task takes.
 */
export function runOutcomeOf(result: EndedExecution): RunOutcome | undefined {
  const passed = result.termination === 'exit' && result.failures.length === 0;
  if (result.retryLater && !passed) return 'retry-later';
  switch (result.termination) {
    case 'exit':
      return passed ? 'success' : 'failed';
    case 'max':
      return 'killed-max';
    case 'stall':
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
  raw: EndedExecution,
  runId: string,
  plan?: { maxMs: number; stallMs: number },
  provenance?: RunProvenance,
): RunRecord | undefined {
  const outcome = runOutcomeOf(raw);
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
    ...(raw.longestQuietMs === undefined ? {} : { longestQuietMs: raw.longestQuietMs }),
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
