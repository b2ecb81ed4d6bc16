import { constants } from 'node:os';
import type { ExecResult, Termination } from '../exec/types.js';
import type {
  AppliedTimeouts,
  CompletionReason,
  LimitReport,
  ServerNotifications,
} from '../protocol/messages.js';
import type { LimitSource, TimeoutPlan } from '../timeouts/types.js';

const REASONS: Record<Termination, CompletionReason> = {
  exit: 'exit',
  max: 'timeout',
  stall: 'stall',
  cancelled: 'canceled',
  crashed: 'error',
};

/** The protocol's exit code: the process's own, or minus the number of the signal that killed it. */
export function protocolExitCode(result: Pick<ExecResult, 'exitCode' | 'signal'>): number {
  if (result.exitCode !== null) return result.exitCode;
  const number = result.signal === null ? undefined : constants.signals[result.signal as NodeJS.Signals];
  // Ended without a code or a known signal (the executor lost it): report a failure, never a success.
  return number === undefined ? 1 : -number;
}

function limitReport(ms: number, source: LimitSource): LimitReport {
  return { seconds: ms / 1000, origin: source.origin, detail: source.detail };
}

export function appliedTimeouts(plan: TimeoutPlan, extensions = 0): AppliedTimeouts {
  return {
    max: limitReport(plan.maxMs, plan.maxSource),
    stall: limitReport(plan.stallMs, plan.stallSource),
    extensions,
  };
}

export function completedParams(
  ids: { pid: number; pgid: number },
  plan: TimeoutPlan,
  result: ExecResult,
): ServerNotifications['process.completed'] {
  const exitCode = protocolExitCode(result);
  const clean = result.termination === 'exit';
  return {
    status: clean && exitCode === 0 ? 'completed' : 'failed',
    ...ids,
    exit_code: exitCode,
    error: clean ? null : (result.detail ?? `ended by ${result.termination}`),
    execution_time: Math.round(result.durationMs) / 1000,
    reason: REASONS[result.termination],
    timeouts: appliedTimeouts(plan, result.extensions),
  };
}
