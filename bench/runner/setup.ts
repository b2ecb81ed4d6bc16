import { join } from 'node:path';
import { type Config, configSchema } from '../../src/config.js';
import { LocalExecutor } from '../../src/exec/local/local-executor.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';

/** What `cc-stress run` sets up by default: config defaults, the SQLite history, the learned planner. */
export interface DefaultRunner {
  config: Config;
  store: SqliteHistoryStore;
  planner: LearnedTimeoutPlanner;
  executor: LocalExecutor;
  close(): Promise<void>;
}

export function defaultRunner(dir: string): DefaultRunner {
  const config = configSchema.parse({});
  const store = SqliteHistoryStore.open(join(dir, 'history.db'), {
    maxRunsPerClass: config.history.maxRunsPerClass,
  });
  const planner = new LearnedTimeoutPlanner({ store, config });
  const executor = new LocalExecutor({
    graceMs: config.limits.graceSeconds * 1000,
    headBytes: config.output.headBytes,
    tailBytes: config.output.tailBytes,
  });
  return {
    config,
    store,
    planner,
    executor,
    close: async () => {
      await executor.close();
      await store.close();
    },
  };
}
