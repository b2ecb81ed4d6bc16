import type { ExecResult } from '../exec/types.js';
import type { TimeoutPlan } from '../timeouts/types.js';
import type { PreparedCommand } from './prepare-command.js';

/** One finished `execute`, handed to `onRecord` (e.g. to teach the history store). */
export interface ServedRun {
  sessionId: string;
  /** Unique per execute, for de-duplicated history writes. */
  runId: string;
  /** The client's `task` label, if any. */
  task?: string;
  command: PreparedCommand;
  plan: TimeoutPlan;
  result: ExecResult;
}
