import type { LimitSource } from '../timeouts/types.js';

/** How a task attempt ended, from the user's point of view. */
export type EndReason = 'passed' | 'failed' | 'timed-out' | 'stalled' | 'crashed' | 'cancelled';

export interface AttemptResult {
  attempt: number;
  command: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  limits: {
    maxMs: number;
    stallMs: number;
    max: LimitSource;
    stall: LimitSource;
    quietMs?: number;
    quiet?: LimitSource;
    extensions: number;
  };
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
  /** 1-based line of the task in the suite file (report.suite.file), for CI annotations. */
  line?: number;
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

/** Version 2 added the `interrupted` verdict (docs/report-format.md, Versioning). */
export const REPORT_SCHEMA_VERSION = 2;

/** How long attempts took, over every attempt that ran to an end (cancelled ones left out). */
export interface DurationStats {
  /** Tasks in the group. */
  tasks: number;
  passed: number;
  /** passed / counted, counted as for the run's success rate; 0 when nothing counted. */
  successRate: number;
  /** Attempts the durations are taken from. */
  attempts: number;
  /** Nearest-rank percentiles and the maximum, in ms; null when no attempt ran. */
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface RunStats {
  all: DurationStats;
  /** Per category, by name; tasks without one are under "(none)". */
  categories: Array<DurationStats & { category: string }>;
  /** Per task as written in the suite: repeats of a task (`id#1`, `id#2`) count together. */
  tasks: Array<DurationStats & { task: string; category?: string }>;
}

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
  /** `interrupted` when the run was stopped by Ctrl-C or SIGTERM, whatever the rate of what it finished. */
  verdict: 'pass' | 'fail' | 'interrupted';
  /** Success rate and duration percentiles per task, category and run (absent in version 1 reports). */
  stats?: RunStats;
  /**
   * What kept each task's processes from outliving it: a PID namespace per task, or only a process group
   * (escapable). Absent for remote executors and in reports of older versions.
   */
  containment?: Containment;
}

export type Containment = 'pid-namespace' | 'process-group';
