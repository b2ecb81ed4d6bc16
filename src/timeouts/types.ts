import type { RunRecord } from '../history/types.js';
import type { TaskSpec } from '../suite/types.js';

/** Where a limit came from; shown in reports and by explain-timeout. */
export type LimitOrigin = 'suite' | 'client' | 'config-default' | 'learned' | 'borrowed' | 'prior';

export interface LimitSource {
  origin: LimitOrigin;
  /** One human line, e.g. "p99 bound of 48 runs at template level x 1.5". */
  detail: string;
}

export interface TimeoutPlan {
  /** Wall-clock limit. */
  maxMs: number;
  /** Longest allowed time without any progress signal. Never above maxMs. */
  stallMs: number;
  maxSource: LimitSource;
  stallSource: LimitSource;
  /**
   * Longest allowed time with CPU as the only progress (no output, agent work or I/O), learned from the
   * class's own runs: a busy loop looks like progress to the stall limit. Absent: CPU always counts.
   */
  quietMs?: number;
  quietSource?: LimitSource;
  /** Soft escalation at the max limit: how many times and by how much a still-progressing task is extended. */
  extension: { times: number; byMs: number };
  /** The most specific class key of the task, used to record history; absent for planners that keep none. */
  classKey?: string;
  /** All class keys from most specific to most general; history is recorded under each. */
  classKeys?: string[];
}

/** What a planner needs to know about a task; a TaskSpec satisfies it. */
export type PlanInput = Pick<
  TaskSpec,
  'argv' | 'shell' | 'cwd' | 'timeout' | 'category' | 'complexity' | 'agent'
>;

export interface TimeoutPlanner {
  plan(task: PlanInput): Promise<TimeoutPlan>;
  /** A run of a planned task was recorded in history under these class keys (planners that learn). */
  observe?(classKeys: readonly string[], record: RunRecord): void;
}
