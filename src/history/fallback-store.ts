import { CircuitBreaker } from './circuit-breaker.js';
import { withDeadline } from './deadline.js';
import { mergeRecent } from './records.js';
import type { ClassSummary, HistoryStore, RunRecord } from './types.js';

/** What the fallback needs from the shared store; RedisHistoryStore provides it. */
export interface RemoteHistoryStore extends HistoryStore {
  /** Where it lives, without secrets, for messages. */
  readonly where: string;
  readonly isReady: boolean;
  connect(timeoutMs: number): Promise<boolean>;
  ping(): Promise<void>;
  onReady(listener: () => void): () => void;
  describeFailure(error: unknown): string;
}

/** What the fallback needs from the embedded store; SqliteHistoryStore provides it. */
export interface LocalHistoryStore extends HistoryStore {
  readonly path: string;
}

export interface FallbackOptions {
  /** Records kept in memory for replay while the remote store is away; older ones stay only local. */
  bufferLimit: number;
  onWarning(message: string): void;
  /** Longest a record/recent/classes call waits on the remote store. */
  callBudgetMs?: number;
  /** First wait before probing a failed remote store; doubles up to maxRetryAfterMs. */
  retryAfterMs?: number;
  maxRetryAfterMs?: number;
  /** Records per replay round trip. */
  replayBatch?: number;
  /** How long close() tries to push buffered records before giving up. */
  closeFlushMs?: number;
}

export interface FallbackStatus {
  breaker: 'closed' | 'open' | 'probing';
  /** Records waiting in memory for the remote store. */
  buffered: number;
  /** Records that fell out of the full buffer; they are in the embedded store only. */
  droppedFromBuffer: number;
  /** Records written to the remote store by replay. */
  replayed: number;
}

interface Pending {
  seq: number;
  classKeys: string[];
  record: RunRecord;
}

const REPLAY_BUDGET_MS = 2000;

/**
 * The remote store for sharing, the embedded store so nothing is lost. Every record goes to both;
 * while the remote store fails or is slow a circuit breaker keeps calls away from it (one warning),
 * reads come from the embedded store, and records wait in a bounded buffer until a probe succeeds
 * and they are replayed (the remote write is idempotent per runId, so replaying twice is harmless).
 * No call waits on the remote store longer than callBudgetMs.
 */
export class FallbackHistoryStore implements HistoryStore {
  readonly kind = 'redis+sqlite';
  private readonly breaker: CircuitBreaker;
  private readonly callBudgetMs: number;
  private readonly replayBatch: number;
  private buffer: Pending[] = [];
  private seq = 0;
  private dropped = 0;
  private replayed = 0;
  private warned = false;
  private leftoverWarned = 0;
  private closed = false;
  private replaying: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly primary: RemoteHistoryStore,
    private readonly local: LocalHistoryStore,
    private readonly options: FallbackOptions,
  ) {
    this.callBudgetMs = options.callBudgetMs ?? 300;
    this.replayBatch = options.replayBatch ?? 200;
    this.breaker = new CircuitBreaker({
      retryAfterMs: options.retryAfterMs ?? 500,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 5000,
    });
    // A reconnect after a dropped connection is the quickest sign that the remote store is back.
    this.unsubscribe = primary.onReady(() => {
      if (this.breaker.startProbe(true)) void this.probe();
    });
  }

  /** Connects within `budgetMs`; if that fails the store starts in fallback mode (one warning). */
  async start(budgetMs: number): Promise<void> {
    const ready = await this.primary.connect(budgetMs);
    if (!ready && this.breaker.isClosed) this.fail(new Error(`no connection within ${budgetMs} ms`));
  }

  status(): FallbackStatus {
    return {
      breaker: this.breaker.state,
      buffered: this.buffer.length,
      droppedFromBuffer: this.dropped,
      replayed: this.replayed,
    };
  }

  async record(classKeys: string[], record: RunRecord): Promise<void> {
    let localError: unknown;
    try {
      await this.local.record(classKeys, record);
    } catch (error) {
      localError = error;
    }
    if (this.breaker.isClosed) {
      try {
        await withDeadline(this.primary.record(classKeys, record), this.callBudgetMs);
      } catch (error) {
        this.fail(error);
        this.enqueue(classKeys, record);
      }
    } else {
      this.enqueue(classKeys, record);
    }
    if (localError !== undefined) throw localError;
  }

  async recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    const remote = this.fromPrimary(() => this.primary.recent(classKey, limit));
    const localRuns = await this.local.recent(classKey, limit);
    const remoteRuns = await remote;
    if (remoteRuns === undefined) return localRuns;
    return mergeRecent([remoteRuns, localRuns], limit ?? Math.max(remoteRuns.length, localRuns.length));
  }

  async classes(limit?: number): Promise<ClassSummary[]> {
    const remote = this.fromPrimary(() => this.primary.classes(limit));
    const localClasses = await this.local.classes(limit);
    const remoteClasses = await remote;
    if (remoteClasses === undefined) return localClasses;
    const byKey = new Map<string, ClassSummary>();
    for (const summary of [...remoteClasses, ...localClasses]) {
      const seen = byKey.get(summary.classKey);
      byKey.set(
        summary.classKey,
        seen === undefined
          ? { ...summary }
          : {
              classKey: summary.classKey,
              runs: Math.max(seen.runs, summary.runs),
              lastAt: Math.max(seen.lastAt, summary.lastAt),
            },
      );
    }
    const merged = [...byKey.values()].sort((a, b) => b.lastAt - a.lastAt);
    return limit === undefined ? merged : merged.slice(0, Math.max(0, limit));
  }

  async prune(olderThan: number): Promise<number> {
    const localDropped = await this.local.prune(olderThan);
    // Pruning is a maintenance command, not a task start: it may wait longer than a call.
    const remoteDropped = await this.fromPrimary(() => this.primary.prune(olderThan), 30_000);
    return Math.max(localDropped, remoteDropped ?? 0);
  }

  /**
   * Tries for at most `timeoutMs` to push buffered records to the remote store, e.g. before exit.
   * Whatever is left stays in the embedded store; a warning says how much.
   */
  async flush(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = (): number => deadline - Date.now();
    while (this.buffer.length > 0 && remaining() > 0 && !this.closed) {
      if (!this.breaker.isClosed && !(await this.probeUntil(remaining()))) break;
      await withDeadline(this.startReplay(), Math.max(1, remaining())).catch(() => {});
    }
    this.warnLeftover();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush(this.options.closeFlushMs ?? 2000);
    this.closed = true;
    clearTimeout(this.probeTimer);
    this.unsubscribe();
    await Promise.allSettled([this.primary.close(), this.local.close()]);
  }

  /** Runs a read against the remote store within budget; undefined when it is avoided or fails. */
  private async fromPrimary<T>(read: () => Promise<T>, budgetMs = this.callBudgetMs): Promise<T | undefined> {
    if (!this.breaker.isClosed) return undefined;
    try {
      return await withDeadline(read(), budgetMs);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  private fail(error: unknown): void {
    this.breaker.fail();
    if (!this.warned) {
      this.warned = true;
      this.options.onWarning(
        `Redis at ${this.primary.where} unreachable (${this.primary.describeFailure(error)}); ` +
          `using the embedded store at ${this.local.path}; records will be replayed when it returns`,
      );
    }
    this.scheduleProbe();
  }

  private enqueue(classKeys: string[], record: RunRecord): void {
    this.seq += 1;
    this.buffer.push({ seq: this.seq, classKeys: [...classKeys], record: { ...record } });
    const excess = this.buffer.length - this.options.bufferLimit;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.breaker.startProbe()) void this.probe();
      else if (!this.breaker.isClosed) this.scheduleProbe();
    }, this.breaker.msUntilProbe());
    // Probing must never keep a finished run alive.
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    try {
      await this.primary.ping();
    } catch {
      this.breaker.fail();
      this.scheduleProbe();
      return;
    }
    this.breaker.succeed();
    void this.startReplay();
  }

  /** For flush: waits for a connection and a successful ping, at most `timeoutMs`. */
  private async probeUntil(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.primary.connect(deadline - Date.now())) {
        try {
          await this.primary.ping();
          this.breaker.succeed();
          return true;
        } catch {
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(100, Math.max(0, deadline - Date.now()))),
          );
        }
      }
    }
    return false;
  }

  private startReplay(): Promise<void> {
    this.replaying ??= this.replayLoop().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayLoop(): Promise<void> {
    while (this.buffer.length > 0 && this.breaker.isClosed && !this.closed) {
      const batch = this.buffer.slice(0, this.replayBatch);
      try {
        await withDeadline(
          Promise.all(batch.map((pending) => this.primary.record(pending.classKeys, pending.record))),
          REPLAY_BUDGET_MS,
        );
      } catch {
        this.breaker.fail();
        this.scheduleProbe();
        return;
      }
      // The buffer may have lost its oldest entries meanwhile; remove exactly the replayed prefix.
      const lastSeq = batch[batch.length - 1]!.seq;
      let done = 0;
      while (done < this.buffer.length && this.buffer[done]!.seq <= lastSeq) done += 1;
      this.buffer.splice(0, done);
      this.replayed += batch.length;
    }
  }

  private warnLeftover(): void {
    const left = this.buffer.length + this.dropped;
    if (left === 0 || left === this.leftoverWarned) return;
    this.leftoverWarned = left;
    this.options.onWarning(
      `${left} history records did not reach Redis at ${this.primary.where}; ` +
        `they are kept in the embedded store at ${this.local.path}`,
    );
  }
}
