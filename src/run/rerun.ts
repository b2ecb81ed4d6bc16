import type { TaskSpec } from '../suite/types.js';
import type { RunReport } from './types.js';

/** Tasks of a report that did not pass: failed, timed out, stalled, crashed, or never got to run. */
export function notPassedIds(report: RunReport): Set<string> {
  return new Set(report.tasks.filter((task) => task.reason !== 'passed').map((task) => task.id));
}

export interface RerunSelection {
  tasks: TaskSpec[];
  /** Ids that did not pass in the report but are no longer in the (filtered) suite. */
  missing: string[];
}

/** The suite's tasks that did not pass in an earlier report, in suite order. */
export function selectNotPassed(tasks: readonly TaskSpec[], report: RunReport): RerunSelection {
  const wanted = notPassedIds(report);
  const selected = tasks.filter((task) => wanted.has(task.id));
  const present = new Set(selected.map((task) => task.id));
  return { tasks: selected, missing: [...wanted].filter((id) => !present.has(id)) };
}
