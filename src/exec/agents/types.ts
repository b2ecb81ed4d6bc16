import type { AgentEvent } from '../types.js';

/** Turns one agent CLI's output lines into normalised events. One instance per task attempt. */
export interface AgentAdapter {
  /** Feeds one line (without newline). Returns the events it contains (often none). Never throws. */
  onLine(stream: 'stdout' | 'stderr', line: string): AgentEvent[];
  /** The final `finished` event seen so far, if any. */
  finished(): Extract<AgentEvent, { type: 'finished' }> | undefined;
}

/**
 * Judges a task's output against its expectations while it streams, so the full output never has to be
 * kept in memory. One instance per attempt.
 */
export interface ExpectationTracker {
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /**
   * The failures, one readable line each; empty means every expectation held.
   * `finished` is the agent adapter's final event (undefined if none was seen).
   */
  verdict(input: {
    exitCode: number | null;
    totalBytes: number;
    finished: Extract<AgentEvent, { type: 'finished' }> | undefined;
  }): string[];
}
