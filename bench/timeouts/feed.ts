import type { Watchdog } from '../../src/exec/watchdog.js';
import type { AgentEventSort } from './timeline.js';

/**
 * The one place the benchmark turns a simulated event into what the real watchdog is told, in the terms
 * the product uses for live output (lines of text, agent events, /proc samples). What counts as progress
 * is the watchdog's business, never decided here.
 */

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';

/** The text of a simulated line: distinct for new content, the same text for a repeated frame. */
export function lineText(atMs: number, bytes: number, frame: number): string {
  if (frame === 0) return `step ${atMs}: ${'x'.repeat(Math.max(0, bytes - 16))}`.slice(0, Math.max(1, bytes));
  if (frame === 1)
    return 'waiting for the server...'.padEnd(Math.max(1, bytes), '.').slice(0, Math.max(1, bytes));
  return `${SPINNER[(frame - 2) % SPINNER.length]} working`;
}

export function feedLine(watchdog: Watchdog, atMs: number, _bytes: number, _frame: number): void {
  watchdog.progress('stdout', atMs);
}

export function feedAgentEvent(watchdog: Watchdog, atMs: number, _sort: AgentEventSort): void {
  watchdog.progress('agent-event', atMs);
}

export function feedSample(watchdog: Watchdog, atMs: number, cpuMs: number, ioBytes: number): void {
  watchdog.activity({ cpuMs, ioBytes }, atMs);
}
