import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_REPORT_FILE, readReport } from '../report/index.js';
import { type RerunSelection, selectNotPassed } from '../run/rerun.js';
import type { TaskSpec } from '../suite/types.js';
import { UsageError } from './errors.js';

export interface RerunOptions {
  lastFailed?: boolean;
  rerunFailed?: string;
  out: string;
}

/**
 * `--last-failed` (the report in --out) and `--rerun-failed FILE`: the tasks that did not pass there.
 * Undefined when neither was asked for.
 */
export function rerunSelection(
  tasks: readonly TaskSpec[],
  options: RerunOptions,
): (RerunSelection & { note: string }) | undefined {
  if (options.lastFailed && options.rerunFailed !== undefined) {
    throw new UsageError('use --last-failed or --rerun-failed FILE, not both');
  }
  let file = options.rerunFailed;
  if (options.lastFailed) {
    file = join(options.out, JSON_REPORT_FILE);
    if (!existsSync(file)) {
      throw new UsageError(
        `--last-failed: no ${file} from an earlier run; run the suite once, or give --out`,
      );
    }
  }
  if (file === undefined) return undefined;
  const selection = selectNotPassed(tasks, readReport(file));
  const gone =
    selection.missing.length > 0
      ? `; ${selection.missing.length} of them no longer in the suite (or left out by --grep): ${selection.missing.slice(0, 5).join(', ')}${selection.missing.length > 5 ? ', …' : ''}`
      : '';
  const note =
    selection.tasks.length === 0 && selection.missing.length === 0
      ? `nothing to rerun: every task passed in ${file}`
      : `rerunning ${selection.tasks.length} task(s) that did not pass in ${file}${gone}`;
  return { ...selection, note };
}
