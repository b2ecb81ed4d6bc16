import type { ExecResult, LiveStatus } from '../exec/types.js';
import type { AttemptResult, Containment, RunReport } from '../run/types.js';
import type { Suite, TaskSpec } from '../suite/types.js';

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
