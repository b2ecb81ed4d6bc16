import { Redis } from 'ioredis';
import { DeadlineError, withDeadline } from './deadline.js';
import { asDataError, HistoryError } from './errors.js';
import { clampLimit, DEFAULT_MAX_CLASSES } from './limits.js';
import { defineScripts, type ScriptedRedis } from './lua-scripts.js';
import { parseStoredRecord, pickRecord, uniqueKeys } from './records.js';
import { classHash, RedisKeys } from './redis-keys.js';
import { redactRedisUrl } from './redis-url.js';
import type { ClassSummary, HistoryStore, RunRecord } from './types.js';

export interface RedisStoreOptions {
  keyPrefix: string;
  maxRunsPerClass: number;
  ttlDays: number;
  /** Every command fails after this long instead of waiting on a slow or paused server. */
  commandTimeoutMs: number;
  /** Bound on establishing the TCP connection; reconnection goes on in the background. */
  connectTimeoutMs?: number;
  maxClasses?: number;
}

const PRUNE_BATCH = 500;

/**
 * History shared through Redis. Every multi-step update is one Lua script (src/history/lua/), so
 * concurrent runners never see half an update. Commands fail fast instead of queueing while the
 * server is away; the fallback store decides what to do then.
 */
export class RedisHistoryStore implements HistoryStore {
  readonly kind = 'redis';
  /** The URL without its password, for messages. */
  readonly where: string;
  /** Which shared history this is (server and key prefix, no password), e.g. for a replay queue. */
  readonly target: string;
  private readonly redis: ScriptedRedis;
  private readonly keys: RedisKeys;
  private readonly ttlSeconds: number;
  private readonly maxClasses: number;
  private lastConnectionError: Error | undefined;
  private started = false;

  constructor(
    url: string,
    private readonly options: RedisStoreOptions,
  ) {
    this.where = redactRedisUrl(url);
    this.target = `${this.where} ${options.keyPrefix}`;
    this.keys = new RedisKeys(options.keyPrefix);
    this.ttlSeconds = Math.max(1, Math.round(options.ttlDays * 24 * 3600));
    this.maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
    const client = new Redis(url, {
      lazyConnect: true,
      // Queued commands would make a caller wait for a server that may never return.
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
      ...(url.startsWith('rediss:') ? { tls: {} } : {}),
    });
    client.on('error', (error: Error) => {
      this.lastConnectionError = error;
    });
    client.on('ready', () => {
      this.lastConnectionError = undefined;
    });
    this.redis = defineScripts(client);
  }

  /** Connects or throws a one-line HistoryError; for commands that need Redis itself (history list). */
  static async open(url: string, options: RedisStoreOptions): Promise<RedisHistoryStore> {
    const store = new RedisHistoryStore(url, options);
    const budget = options.connectTimeoutMs ?? 1000;
    if (!(await store.connect(budget))) {
      const reason = store.lastConnectionError?.message ?? `not ready within ${budget} ms`;
      await store.close();
      throw new HistoryError(
        `Redis at ${store.where} is unreachable (${reason}); check the URL and that Redis is running`,
      );
    }
    return store;
  }

  get isReady(): boolean {
    return this.redis.status === 'ready';
  }

  /** Starts connecting (once) and waits at most `timeoutMs` for the connection; true when ready. */
  connect(timeoutMs: number): Promise<boolean> {
    if (!this.started) {
      this.started = true;
      // A failed first attempt is retried in the background by retryStrategy.
      this.redis.connect().catch(() => {});
    }
    if (this.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(this.isReady), timeoutMs);
      timer.unref();
      this.redis.on('ready', onReady);
    });
  }

  /** Calls `listener` with each connection error (refused, reset, timed out); returns an unsubscribe function. */
  onConnectionError(listener: (error: Error) => void): () => void {
    this.redis.on('error', listener);
    return () => this.redis.off('error', listener);
  }

  /** Calls `listener` each time the connection becomes ready again; returns an unsubscribe function. */
  onReady(listener: () => void): () => void {
    this.redis.on('ready', listener);
    return () => this.redis.off('ready', listener);
  }

  /** A round trip within the command timeout, or a rejection. */
  async ping(): Promise<void> {
    if (!this.isReady) throw new Error('not connected');
    await withDeadline(this.redis.ping(), this.options.commandTimeoutMs);
  }

  /** Why a call failed, in a few words for a warning: "ECONNREFUSED", "no answer within 250 ms". */
  describeFailure(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    // ioredis says "Stream isn't writeable..." when the socket is gone, even before its status changes.
    const disconnected =
      !this.isReady || message.includes('enableOfflineQueue') || message.includes('Connection is closed');
    if (disconnected) {
      const lost = this.lastConnectionError;
      return lost === undefined ? 'connection lost' : ((lost as NodeJS.ErrnoException).code ?? lost.message);
    }
    if (error instanceof DeadlineError) return error.message;
    if (message === 'Command timed out') return `no answer within ${this.options.commandTimeoutMs} ms`;
    return message;
  }

  async record(classKeys: string[], record: RunRecord): Promise<void> {
    const stored = pickRecord(record);
    const json = JSON.stringify(stored);
    // Each class on its own: a class whose key holds another type must not keep the run from the others.
    const results = await Promise.allSettled(
      uniqueKeys(classKeys).map((classKey) => {
        const hash = classHash(classKey);
        const keys = this.keys.forClass(hash);
        return this.redis.recordRun(
          keys.runs,
          keys.order,
          keys.meta,
          this.keys.index,
          stored.runId,
          stored.at,
          json,
          classKey,
          hash,
          this.options.maxRunsPerClass,
          this.ttlSeconds,
          this.maxClasses,
          this.keys.classPrefix,
        );
      }),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw asDataError(failure.reason);
  }

  async recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    const keys = this.keys.forClass(classHash(classKey));
    const values = await this.redis
      .recentRuns(keys.runs, keys.order, clampLimit(limit, this.options.maxRunsPerClass))
      .catch((error: unknown) => {
        throw asDataError(error);
      });
    const records: RunRecord[] = [];
    for (const value of values) {
      const record = parseStoredRecord(value);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  async classes(limit?: number): Promise<ClassSummary[]> {
    const flat = await this.redis.listClasses(
      this.keys.index,
      clampLimit(limit, this.maxClasses),
      this.keys.classPrefix,
    );
    const summaries: ClassSummary[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      summaries.push({ classKey: String(flat[i]), lastAt: Number(flat[i + 1]), runs: Number(flat[i + 2]) });
    }
    return summaries;
  }

  async prune(olderThan: number): Promise<number> {
    let total = 0;
    for (;;) {
      const dropped = await this.redis.pruneClasses(
        this.keys.index,
        olderThan,
        this.keys.classPrefix,
        PRUNE_BATCH,
      );
      total += dropped;
      if (dropped < PRUNE_BATCH) return total;
    }
  }

  async close(): Promise<void> {
    // disconnect, not quit: quit would wait for a paused server's reply.
    this.redis.disconnect();
  }
}
