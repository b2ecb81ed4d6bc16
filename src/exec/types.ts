import type { AgentKind, Expectations } from '../suite/types.js';
import type { TimeoutPlan } from '../timeouts/types.js';

/** Why the process (or remote session) stopped, as seen by the executor. */
export type Termination =
  | 'exit'
  /** Killed by the max (wall-clock) limit. */
  | 'max'
  /** Killed by the stall (no progress) limit. */
  | 'stall'
  /** Stopped on request (Ctrl-C, --bail, runner shutdown). */
  | 'cancelled'
  /** Could not start, or the executor connection failed. */
  | 'crashed';

/**
 * Normalised events of agent CLIs (claude, codex, gemini) parsed from their JSON lines. For the watchdog:
 * `content` (the model wrote text, thinking or tokens), turns, tool calls and results, the start and the
 * end show work; a `heartbeat` (a status line such as task_started) shows work only when its line is not a
 * repeat of a recent one; a `keep-alive` (an API ping, a retry or reconnect notice) never shows work.
 */
export type AgentEvent =
  | { type: 'started' }
  | { type: 'turn' }
  | { type: 'content'; what: string }
  | { type: 'tool-start'; name?: string }
  | { type: 'tool-end' }
  | { type: 'heartbeat'; what: string }
  | { type: 'keep-alive'; what: string }
  | { type: 'api-error'; status?: number | null; fatal: boolean }
  | {
      type: 'finished';
      ok: boolean;
      retryLater: boolean;
      raw: Record<string, unknown>;
      /** The API status behind a failure, where the agent's output tells it (codex, gemini). */
      status?: number | null;
    };

export interface ExecRequest {
  taskId: string;
  attempt: number;
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  agent: AgentKind;
  expect: Expectations;
  plan: TimeoutPlan;
  /** Where the full output stream is written. */
  logPath: string;
  /** Aborting cancels the task (termination 'cancelled'). */
  signal?: AbortSignal;
}

/** A live view of a running task, emitted by the watchdog about once a second. */
export interface LiveStatus {
  elapsedMs: number;
  sinceProgressMs: number;
  maxMs: number;
  stallMs: number;
  /** What last counted as progress: 'stdout', 'stderr', 'agent-event', 'cpu', 'io' (or 'none'). */
  lastProgress: string;
}

/** Given to onStart: what the caller may do with the running task. */
export interface RunningTask {
  pid?: number;
  pgid?: number;
  /** SIGSTOP to the group; time spent paused does not count toward any limit. False when not running. */
  pause(): boolean;
  /** SIGCONT to the group. False when not paused. */
  resume(): boolean;
}

export interface OutputFlow {
  full(): boolean;
  drained(): Promise<void>;
}

export interface ExecHooks {
  onStart?(task: RunningTask): void;
  /**
   * Every line of output as it arrives (the line without its newline; long lines may arrive in pieces).
   * `terminated` is false for a piece of a longer line and for a last line without a newline (executors
   * that cannot tell leave it undefined), so a consumer can rebuild the exact stream.
   */
  onOutput?(stream: 'stdout' | 'stderr', line: string, terminated?: boolean): void;
  /**
   * The raw bytes of each read of the output, in the order read, before any decoding (only valid during
   * the call), for a consumer of bytes (a binary socket).
   */
  onChunk?(stream: 'stdout' | 'stderr', bytes: Uint8Array): void;
  /**
   * For an onOutput or onChunk consumer that can fall behind (a socket): while full() is true the executor
   * reads no more output until drained() resolves, and that wait counts toward none of the task's silence
   * limits. A local task is not slowed by it (its output goes to files), only the reading behind it.
   */
  outputFlow?: OutputFlow;
  onStatus?(status: LiveStatus): void;
  onAgentEvent?(event: AgentEvent): void;
}

export interface ExecResult {
  termination: Termination;
  exitCode: number | null;
  signal: string | null;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  longestSilenceMs: number;
  /** Longest stretch with nothing new: no new output or agent work, whatever the CPU and I/O. */
  longestQuietMs?: number;
  stdoutBytes: number;
  stderrBytes: number;
  /** Bounded head and tail of the combined output (full stream is in logPath). */
  outputHead: string;
  outputTail: string;
  logPath: string;
  /** Expectation failures; empty means the output satisfied every expectation. */
  failures: string[];
  /** The agent's final result event, when the adapter saw one. */
  finalEvent?: Record<string, unknown>;
  /** The agent ended with a rate-limit / overload error: not a duration sample. */
  retryLater: boolean;
  /** How many times the max limit was extended because the task was still progressing. */
  extensions: number;
  /** For kills: which limit fired and the evidence; for crashes: the error. */
  detail?: string;
}

export interface Executor {
  readonly name: string;
  /** What keeps a task's processes from outliving it (local executors; remote ones leave it to the server). */
  readonly containment?: 'pid-namespace' | 'process-group';
  /** Why only process groups are available, when that is the case. */
  readonly containmentNote?: string | undefined;
  run(request: ExecRequest, hooks?: ExecHooks): Promise<ExecResult>;
  /** Synchronous last resort (second Ctrl-C, runner crash): SIGKILL every process group still running. */
  killAllNow?(): void;
  close?(): Promise<void>;
}
