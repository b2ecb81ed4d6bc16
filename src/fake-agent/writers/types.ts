import type { Ending, ScriptEvent } from '../timeline.js';

export type ResultEnding = Extract<Ending, { kind: 'success' | 'api-error' | 'max-turns' | 'exit' }>;
export type StreamEvent = Exclude<ScriptEvent, { type: 'end' }>;

export interface Output {
  stdout: string[];
  stderr: string[];
}

/** Prints a session the way one CLI does, in one of its output modes. */
export interface FormatWriter {
  /** What the CLI prints when the event happens (nothing in text/json modes, where only the end is printed). */
  event(event: StreamEvent): Output;
  /** The closing output and the exit code the real CLI uses for this ending. */
  finish(ending: ResultEnding, durationMs: number): Output & { exitCode: number };
  /** One line of the endless output of `output-loop`. */
  loopLine(index: number): string;
}

export interface WriterContext {
  sessionId: string;
  model: string;
  prompt: string;
  seed: number;
  /** What the session itself reports for max turns (the real `--max-turns`, or the planned turns). */
  maxTurns: number;
}
