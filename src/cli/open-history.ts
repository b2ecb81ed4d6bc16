import { type LoadedConfig, loadConfig } from '../config.js';
import { openHistoryStore } from '../history/open-store.js';
import type { HistoryStore } from '../history/types.js';

/** Config plus the history store it names, for the commands that only read or manage history. */
export async function withHistory<T>(
  configPath: string | undefined,
  use: (store: HistoryStore, loaded: LoadedConfig) => Promise<T>,
): Promise<T> {
  const loaded = loadConfig(configPath !== undefined ? { configPath } : {});
  const store = await openHistoryStore({
    historyPath: loaded.historyPath,
    createFolder: loaded.historyPathIsDefault,
    ...(loaded.redisUrl !== undefined ? { redisUrl: loaded.redisUrl } : {}),
    config: loaded.config.history,
    onWarning: (message) => process.stderr.write(`cc-stress: warning: ${message}\n`),
  });
  try {
    return await use(store, loaded);
  } finally {
    await store.close();
  }
}
