import type { HistoryStore, RunRecord } from '../history/types.js';
import type { TaskClass } from './classify.js';
import type { LevelHistory } from './predict.js';

export interface LevelLookup {
  levels: LevelHistory[];
  /** Levels whose history did not arrive in time or failed; they count as having no runs. */
  missing: { level: LevelHistory['level']; reason: 'timeout' | 'error' }[];
}

/**
 * Reads the recent runs of every class level in parallel, waiting at most `timeoutMs` in total, so a slow
 * or broken store delays a task start by at most `timeoutMs`. Levels that do not answer in time, or fail,
 * come back empty and are listed in `missing`: an empty level alone could make a limit tighter than the
 * healthy one (its runs might have loosened it), so callers must hand `missing` to failLoose
 * (fail-loose.ts), which makes sure missing data only ever loosens a limit.
 */
export async function readLevels(
  store: HistoryStore,
  cls: TaskClass,
  window: number,
  timeoutMs: number,
): Promise<LevelLookup> {
  const answers: (RunRecord[] | 'error' | undefined)[] = cls.levels.map(() => undefined);
  const reads = cls.levels.map((l, i) =>
    Promise.resolve()
      .then(() => store.recent(l.key, window))
      .then(
        (runs) => {
          answers[i] = Array.isArray(runs) ? runs : 'error';
        },
        () => {
          answers[i] = 'error';
        },
      ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs));
    // A pending lookup must never keep the process alive on its own.
    timer.unref();
  });
  await Promise.race([Promise.all(reads), deadline]);
  clearTimeout(timer);

  const levels: LevelHistory[] = [];
  const missing: LevelLookup['missing'] = [];
  cls.levels.forEach((l, i) => {
    const answer = answers[i];
    if (answer === undefined || answer === 'error') {
      missing.push({ level: l.level, reason: answer === undefined ? 'timeout' : 'error' });
      levels.push({ level: l.level, key: l.key, runs: [] });
    } else {
      levels.push({ level: l.level, key: l.key, runs: answer });
    }
  });
  return { levels, missing };
}
