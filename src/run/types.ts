import type { ExecResult, LiveStatus } from '../exec/types.js';
import type { Suite, TaskSpec } from '../suite/types.js';
import type { LimitSource } from '../timeouts/types.js';

/** How a task attempt ended, from the user's point of view. */
export type EndReason = 'passed' | 'failed' | 'timed-out' | 'stalled' | 'crashed' | 'cancelled';

export interface AttemptResult {
  attempt: number;
  command: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  limits: { maxMs: number; stallMs: number; max: LimitSource; stall: LimitSource; extensions: number };
  reason: EndReason;
  exitCode: number | null;
  signal: string | null;
  /** Expectation failures, or the limit/crash evidence. */
  messages: string[];
  outputTail: string;
  logPath: string;
  longestSilenceMs: number;
  executor: string;
}

export interface TaskResult {
  id: string;
  name: string;
  category?: string;
  complexity?: string;
  attempts: AttemptResult[];
  /** The reason of the last attempt. */
  reason: EndReason;
  /** Passed only after a retry. */
  flaky: boolean;
  durationMs: number;
}

export interface Totals {
  total: number;
  passed: number;
  failed: number;
  timedOut: number;
  stalled: number;
  crashed: number;
  cancelled: number;
  flaky: number;
}

export const REPORT_SCHEMA_VERSION = 1;

/** Which shard a run was, and the fingerprint of the split it computed (absent in older reports). */
export interface ShardInfo {
  index: number;
  total: number;
  split?: string;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'cc-stress'; version: string };
  suite: { name: string; description?: string; file: string };
  shard?: ShardInfo;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  interrupted: boolean;
  tasks: TaskResult[];
  totals: Totals;
  /** passed / (total - cancelled when interrupted, else total); 0 when nothing ran. */
  successRate: number;
  target: number;
  verdict: 'pass' | 'fail';
  /**
   * What kept each task's processes from outliving it: a PID namespace per task, or only a process group
   * (escapable). Absent for remote executors and in reports of older versions.
   */
  containment?: Containment;
}

export type Containment = 'pid-namespace' | 'process-group';

export interface RunStartInfo {
  suite: Suite;
  tasks: TaskSpec[];
  concurrency: number;
  target: number;
  outDir: string;
  containment?: Containment;
}

export interface AttemptStart {
  task: TaskSpec;
  attempt: number;
  limits: AttemptResult['limits'];
}

/**
 * Lifecycle hooks every reporter implements (any subset). The scheduler calls them in order:
 * onBegin, then per attempt onTaskBegin, onTaskStatus*, onTaskEnd, and finally onEnd.
 */
export interface Reporter {
  onBegin?(info: RunStartInfo): void;
  onTaskBegin?(start: AttemptStart): void;
  onTaskStatus?(task: TaskSpec, attempt: number, status: LiveStatus): void;
  /** `willRetry` is true when another attempt of the same task follows. */
  onTaskEnd?(task: TaskSpec, result: AttemptResult, raw: ExecResult, willRetry: boolean): void;
  /** A warning for the user (e.g. history fell back to the embedded store). */
  onWarning?(message: string): void;
  onEnd?(report: RunReport): void | Promise<void>;
}
