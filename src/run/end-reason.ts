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

/** Evidence lines for the report: expectation failures, or why the executor ended the task. */
export function messagesOf(reason: EndReason, result: ExecResult): string[] {
  if (reason === 'passed') return [];
  const messages = [...result.failures];
  if (result.detail !== undefined && result.detail !== '') messages.unshift(result.detail);
  return messages;
}
