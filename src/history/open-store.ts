import type { Config } from '../config.js';
import { MemoryHistoryStore } from './memory-store.js';
import { SqliteHistoryStore } from './sqlite-store.js';
import type { HistoryStore } from './types.js';

export interface OpenHistoryOptions {
  /** SQLite file of the embedded store (after CC_STRESS_HISTORY and config overrides). */
  historyPath: string;
  /**
   * May create the file's folder (default true). The CLI allows it only for the default location, so a
   * mistyped CC_STRESS_HISTORY is an error instead of a new folder tree.
   */
  createFolder?: boolean;
  /** When set, history is shared through Redis, with the embedded store as fallback. */
  redisUrl?: string;
  config: Config['history'];
  onWarning(message: string): void;
  /** --no-history: nothing is read from or written to disk. */
  disabled?: boolean;
  /** How long Redis has to connect before the run warns and goes on with the embedded store alone. */
  connectBudgetMs?: number;
  /**
   * How much of that budget the first call to the store may wait, counted from that call (default: all
   * of it, and opening waits); the rest runs in the background while the first tasks start on the
   * embedded store.
   */
  startWaitMs?: number;
}

/** Memory when disabled, the SQLite file by default, Redis backed by the SQLite file when a URL is given. */
export async function openHistoryStore(options: OpenHistoryOptions): Promise<HistoryStore> {
  const { config } = options;
  if (options.disabled === true) return new MemoryHistoryStore({ maxRunsPerClass: config.maxRunsPerClass });
  const local = SqliteHistoryStore.open(options.historyPath, {
    maxRunsPerClass: config.maxRunsPerClass,
    createFolder: options.createFolder ?? true,
    onWarning: options.onWarning,
  });
  if (options.redisUrl === undefined) return local;
  // Loaded only when Redis is configured: ioredis costs a noticeable part of every start-up.
  const [{ RedisHistoryStore }, { FallbackHistoryStore }] = await Promise.all([
    import('./redis-store.js'),
    import('./fallback-store.js'),
  ]);
  const remote = new RedisHistoryStore(options.redisUrl, {
    keyPrefix: config.keyPrefix,
    maxRunsPerClass: config.maxRunsPerClass,
    ttlDays: config.ttlDays,
    commandTimeoutMs: config.commandTimeoutMs,
  });
  const store = new FallbackHistoryStore(remote, local, {
    pendingLimit: config.bufferLimit,
    onWarning: options.onWarning,
    callBudgetMs: config.commandTimeoutMs,
  });
  const budgetMs = options.connectBudgetMs ?? 1000;
  if (options.startWaitMs === undefined) {
    await store.start(budgetMs);
    return store;
  }
  // The first call to the store waits instead, and only from then on: the caller's own start-up overlaps
  // the connection without using up the wait.
  void store.start(budgetMs, options.startWaitMs, { waitFromFirstCall: true });
  return store;
}
