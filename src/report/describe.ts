import type { AttemptResult, EndReason, RunReport } from '../run/types.js';
import type { TaskSpec } from '../suite/types.js';
import type { LimitSource } from '../timeouts/types.js';
import type { ChalkInstance } from './colors.js';
import { formatDuration, oneLine, padEnd, taskLabel } from './format.js';
import type { AttemptStart } from './types.js';

/** One-line descriptions of run events, shared by the line reporter and the progress log. */

const WORD_WIDTH = 9;

export function reasonColor(reason: EndReason, c: ChalkInstance): (text: string) => string {
  switch (reason) {
    case 'passed':
      return c.green;
    case 'failed':
    case 'crashed':
      return c.red;
    case 'timed-out':
    case 'stalled':
      return c.magenta;
    case 'cancelled':
      return c.gray;
  }
}

/** PASS, FAIL or INTERRUPTED, coloured: an interrupted run is neither. */
export function verdictWord(verdict: RunReport['verdict'], c: ChalkInstance): string {
  if (verdict === 'pass') return c.green.bold('PASS');
  if (verdict === 'fail') return c.red.bold('FAIL');
  return c.yellow.bold('INTERRUPTED');
}

export function sourceText(source: LimitSource): string {
  const detail = oneLine(source.detail, 120);
  return detail === '' ? source.origin : `${source.origin}: ${detail}`;
}

function attemptText(attempt: number, task: TaskSpec): string | undefined {
  return task.retries > 0 ? `attempt ${attempt}/${task.retries + 1}` : undefined;
}

export function describeStart(start: AttemptStart, c: ChalkInstance): string {
  const { task, attempt, limits } = start;
  const parts = [
    c.cyan(padEnd('start', WORD_WIDTH)),
    c.bold(taskLabel(task)),
    attemptText(attempt, task),
    // Where each limit came from in one word; the details are in the reports and `explain-timeout`.
    `max ${formatDuration(limits.maxMs)} ${c.dim(`(${limits.max.origin})`)}`,
    `stall ${formatDuration(limits.stallMs)} ${c.dim(`(${limits.stall.origin})`)}`,
  ];
  return parts.filter((part) => part !== undefined).join('  ');
}

/** "exit 1", "signal SIGKILL", or nothing when the process never ran. */
export function exitText(result: Pick<AttemptResult, 'exitCode' | 'signal'>): string | undefined {
  if (result.signal !== null && result.signal !== '') return `signal ${oneLine(result.signal, 20)}`;
  if (result.exitCode !== null) return `exit ${result.exitCode}`;
  return undefined;
}

export function firstMessage(result: Pick<AttemptResult, 'messages'>): string | undefined {
  const message = result.messages.find((m) => m.trim() !== '');
  return message === undefined ? undefined : oneLine(message, 300);
}

export function describeEnd(
  task: TaskSpec,
  result: AttemptResult,
  willRetry: boolean,
  c: ChalkInstance,
): string {
  const color = reasonColor(result.reason, c);
  const word = willRetry ? c.yellow(padEnd('retry', WORD_WIDTH)) : color(padEnd(result.reason, WORD_WIDTH));
  const facts = [
    willRetry ? result.reason : undefined,
    exitText(result),
    attemptText(result.attempt, task),
  ].filter((fact) => fact !== undefined);
  const killed = result.reason === 'timed-out' || result.reason === 'stalled';
  let text = `${word}  ${c.bold(taskLabel(task))} ${killed ? 'after' : 'in'} ${formatDuration(result.durationMs)}`;
  if (facts.length > 0) text += ` (${facts.join(', ')})`;
  const message = result.reason === 'passed' ? undefined : firstMessage(result);
  if (message !== undefined) text += `: ${color(message)}`;
  return text;
}

export function describeWarning(message: string, c: ChalkInstance): string {
  return `${c.yellow(padEnd('warning', WORD_WIDTH))}  ${oneLine(message, 500)}`;
}
