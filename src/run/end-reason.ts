import type { ExecResult } from '../exec/types.js';
import type { EndReason } from './types.js';

/** How an attempt ended, in the words of the report. */
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
 * Evidence lines for the report, the reason first: why the executor ended the task, or, for a task that
 * ended on its own, what it failed (an API status, an expectation) before side notes about its end.
 */
export function messagesOf(reason: EndReason, result: ExecResult): string[] {
  if (reason === 'passed') return [];
  const detail = result.detail !== undefined && result.detail !== '' ? [result.detail] : [];
  return reason === 'failed' ? [...result.failures, ...detail] : [...detail, ...result.failures];
}
