import type { LoadedConfig } from '../config.js';
import type { HistoryStore } from '../history/types.js';
import { openRuntime } from '../runtime/open-runtime.js';

/** Config plus the history store it names, for the commands that only read or manage history. */
export async function withHistory<T>(
  configPath: string | undefined,
  use: (store: HistoryStore, loaded: LoadedConfig) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime({
    ...(configPath !== undefined ? { config: configPath } : {}),
    onWarning: (message) => process.stderr.write(`cc-stress: warning: ${message}\n`),
  });
  try {
    return await use(runtime.history!, runtime.loaded);
  } finally {
    await runtime.close();
  }
}
