import { join, resolve } from 'node:path';
import { type LoadedConfig, loadConfig } from '../config.js';
import { openHistoryStore } from '../history/open-store.js';
import type { HistoryStore } from '../history/types.js';
import { ConfigTimeoutPlanner } from '../timeouts/config-planner.js';
import { type LearnedTimeoutPlanner, learnedPlannerFor } from '../timeouts/learned-planner.js';
import type { TimeoutPlanner } from '../timeouts/types.js';

export interface RuntimeOptions {
  /** The config already loaded (so its errors come first), or the --config file to load. */
  config?: LoadedConfig | string;
  /** false (--no-history): no store is opened and the planner uses the config defaults. */
  history?: boolean;
  /**
   * A folder that keeps a history of its own (a suite with `history: separate`): one local file there,
   * its plan cache beside it, never the user's history folder or a shared Redis.
   */
  separateHistoryIn?: string;
  /** How long the first uses of history may wait for Redis (see openHistoryStore). */
  startWaitMs?: number;
  onWarning(message: string): void;
}

/** What every command works with: the config, the history store it names, and the planner built on both. */
export interface Runtime {
  /** The config, with `historyPath` where this runtime's history really lives. */
  loaded: LoadedConfig;
  /** Undefined with --no-history. */
  history: HistoryStore | undefined;
  /** The planner of every task: learned from history, or the config defaults without it. Built once. */
  planner(): TimeoutPlanner;
  /** Writes the planner's cache and closes the store. */
  close(): Promise<void>;
}

/** The history file of a suite that keeps its history apart, in its report folder. */
export function separateHistoryPath(folder: string): string {
  return join(resolve(folder), 'history.db');
}

/** Opens config → history store → planner, the same way for run, serve, explain-timeout and history. */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const given =
    typeof options.config === 'object'
      ? options.config
      : loadConfig(options.config !== undefined ? { configPath: options.config } : {});
  const separate = options.separateHistoryIn !== undefined;
  const loaded: LoadedConfig = separate
    ? { ...given, historyPath: separateHistoryPath(options.separateHistoryIn!) }
    : given;
  const history =
    options.history === false
      ? undefined
      : await openHistoryStore({
          historyPath: loaded.historyPath,
          // A separate history lives in the report folder, which the run makes anyway.
          createFolder: separate || loaded.historyPathIsDefault,
          ...(loaded.redisUrl !== undefined && !separate ? { redisUrl: loaded.redisUrl } : {}),
          config: loaded.config.history,
          onWarning: options.onWarning,
          ...(options.startWaitMs !== undefined ? { startWaitMs: options.startWaitMs } : {}),
        });
  let learned: LearnedTimeoutPlanner | undefined;
  let planner: TimeoutPlanner | undefined;
  return {
    loaded,
    history,
    planner() {
      if (planner === undefined) {
        learned = history !== undefined ? learnedPlannerFor(history, loaded) : undefined;
        planner = learned ?? new ConfigTimeoutPlanner(loaded.config);
      }
      return planner;
    },
    async close() {
      learned?.close();
      await history?.close();
    },
  };
}
