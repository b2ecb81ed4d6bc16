import { CircuitBreaker } from './circuit-breaker.js';
import { withDeadline } from './deadline.js';
import { HistoryDataError } from './errors.js';
import type { PendingRemote } from './pending-remote.js';
import { mergeRecent } from './records.js';
import type { ClassSummary, HistoryStore, RunRecord } from './types.js';

/** What the fallback needs from the shared store; RedisHistoryStore provides it. */
export interface RemoteHistoryStore extends HistoryStore {
  /** Where it lives, without secrets, for messages. */
  readonly where: string;
  /** Identifies the shared history (server and key prefix, no secrets) its replay queue belongs to. */
  readonly target: string;
  readonly isReady: boolean;
  connect(timeoutMs: number): Promise<boolean>;
  ping(): Promise<void>;
  onReady(listener: () => void): () => void;
  onConnectionError(listener: (error: Error) => void): () => void;
  describeFailure(error: unknown): string;
}

/** What the fallback needs from the embedded store; SqliteHistoryStore provides it. */
export interface LocalHistoryStore extends HistoryStore {
  readonly path: string;
  /** The durable queue of records the remote store `target` has not acknowledged, at most `limit`. */
  pendingFor(target: string, limit: number): PendingRemote;
}

export interface FallbackOptions {
  /** Records queued for replay while the remote store is away; beyond it the oldest stay only local. */
  pendingLimit: number;
  onWarning(message: string): void;
  /** Longest a record/recent/classes call waits on the remote store. */
  callBudgetMs?: number;
  /** First wait before probing a failed remote store; doubles up to maxRetryAfterMs. */
  retryAfterMs?: number;
  maxRetryAfterMs?: number;
  /** Records per replay round trip. */
  replayBatch?: number;
  /** How long close() tries to push this run's queued records before leaving them to a later run. */
  closeFlushMs?: number;
}

export interface FallbackStatus {
  breaker: 'closed' | 'open' | 'probing';
  /** Records in the embedded store waiting for the remote store, queued by this run or earlier ones. */
  pending: number;
  /** Records this run pushed out of the full queue; they are in the embedded store only. */
  droppedFromPending: number;
  /** Records written to the remote store by replay. */
  replayed: number;
}

const MAX_REPORTED_BAD_KEYS = 20;

/** A replay round trip may take longer than a call: nothing waits on it. */
const REPLAY_BUDGET_MS = 2000;

/**
 * The remote store for sharing, the embedded store so nothing is lost. Every record goes to both;
 * while the remote store fails or is slow a circuit breaker keeps calls away from it (one warning),
 * reads come from the embedded store, and records the remote store did not take are queued in the
 * embedded store's file. The queue is replayed in the background when a probe succeeds, and by the
 * next run (in any process sharing the file) that reaches the remote store; the remote write is
 * idempotent per runId, so replaying twice, or from two processes at once, is harmless.
 * No call waits on the remote store longer than callBudgetMs.
 */
export class FallbackHistoryStore implements HistoryStore {
  readonly kind = 'redis+sqlite';
  private readonly breaker: CircuitBreaker;
  private readonly callBudgetMs: number;
  private readonly replayBatch: number;
  private readonly pending: PendingRemote;
  /** Records this run queued: only those are worth holding up close() for. */
  private queued = 0;
  private dropped = 0;
  private replayed = 0;
  private warned = false;
  private readonly badKeys = new Set<string>();
  private leftoverWarned = '';
  private closed = false;
  private replaying: Promise<boolean> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  /** Set while the first connection is still being made in the background (see start). */
  private joining: { budgetMs: number; stop(): void } | undefined;
  /**
   * Settles when start()'s wait is over. Calls wait for it first (reads of a class the embedded store has
   * runs of excepted), so a caller that does not await start() goes on with its own start-up, and its
   * first read of a class new to this machine still finds a healthy Redis.
   */
  private opened: Promise<void> = Promise.resolve();
  /**
   * Set while start()'s wait is on: starts its clock, if start() left that to the first call that waits.
   */
  private startWait: (() => void) | undefined;

  constructor(
    private readonly primary: RemoteHistoryStore,
    private readonly local: LocalHistoryStore,
    private readonly options: FallbackOptions,
  ) {
    this.callBudgetMs = options.callBudgetMs ?? 300;
    this.replayBatch = options.replayBatch ?? 50;
    this.pending = local.pendingFor(primary.target, options.pendingLimit);
    this.breaker = new CircuitBreaker({
      retryAfterMs: options.retryAfterMs ?? 500,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 5000,
    });
    // A reconnect after a dropped connection is the quickest sign that the remote store is back.
    this.unsubscribe = primary.onReady(() => {
      if (this.breaker.startProbe(true)) void this.probe();
    });
  }

  /**
   * Connects within `budgetMs`, but holds calls up for at most `waitMs` of it (the returned promise, and
   * every call made meanwhile, settle then; a read of a class the embedded store has runs of does not
   * wait at all): a run's first task must not wait on a server that is down or hung. The wait counts from
   * now, or with `waitFromFirstCall` from the first call that waits, so that a caller busy starting up
   * (which keeps the connection from being handled) does not use it up. Until the connection is ready
   * every call goes to the embedded store (records are queued for replay); Redis joins in the background
   * once it answers. A refused connection warns at once, one that never gets ready warns when `budgetMs`
   * is spent. Records queued by earlier runs are replayed in the background: nothing waits for them.
   */
  start(budgetMs: number, waitMs = budgetMs, options: { waitFromFirstCall?: boolean } = {}): Promise<void> {
    this.opened = this.join(budgetMs, waitMs, options.waitFromFirstCall === true);
    return this.opened;
  }

  private async join(budgetMs: number, waitMs: number, fromFirstCall: boolean): Promise<void> {
    let failed: (() => void) | undefined;
    const stopErrors = this.primary.onConnectionError((error) => {
      this.endJoin();
      this.fail(error);
      failed?.();
    });
    const joined = this.primary.connect(budgetMs);
    let waitTimer: NodeJS.Timeout | undefined;
    // A failed attempt (refused, or no answer within the command timeout) ends the wait at once; the
    // retries go on behind.
    const early = await Promise.race([
      joined,
      new Promise<undefined>((resolve) => {
        failed = () => resolve(undefined);
        this.startWait = () => {
          waitTimer ??= setTimeout(() => resolve(undefined), Math.min(waitMs, budgetMs));
        };
        if (!fromFirstCall) this.startWait();
      }),
    ]);
    failed = undefined;
    this.startWait = undefined;
    clearTimeout(waitTimer);
    if (early === true) {
      stopErrors();
      void this.startReplay();
      return;
    }
    if (early === false || !this.breaker.isClosed) {
      stopErrors();
      if (this.breaker.isClosed) this.fail(new Error(`no connection within ${budgetMs} ms`));
      return;
    }
    // Still connecting: keep calls away from Redis (silently) until it is ready; the ready listener
    // set up in the constructor probes it and closes the breaker then.
    this.breaker.fail();
    this.joining = { budgetMs, stop: stopErrors };
    void joined.then((ready) => {
      if (this.joining === undefined) return;
      this.endJoin();
      if (!ready) this.fail(new Error(`no connection within ${budgetMs} ms`));
    });
  }

  /** Settles when start()'s wait is over; the first call starts its clock where start() left it to. */
  private untilOpened(): Promise<void> {
    this.startWait?.();
    return this.opened;
  }

  private endJoin(): void {
    this.joining?.stop();
    this.joining = undefined;
  }

  status(): FallbackStatus {
    return {
      breaker: this.breaker.state,
      pending: this.pendingCount(),
      droppedFromPending: this.dropped,
      replayed: this.replayed,
    };
  }

  async record(classKeys: string[], record: RunRecord): Promise<void> {
    await this.untilOpened();
    let localError: unknown;
    try {
      await this.local.record(classKeys, record);
    } catch (error) {
      localError = error;
    }
    let reachedRemote = false;
    if (this.breaker.isClosed) {
      try {
        await withDeadline(this.primary.record(classKeys, record), this.callBudgetMs);
        reachedRemote = true;
      } catch (error) {
        // The other classes were written; the bad key would refuse a replay too, so nothing is queued.
        if (error instanceof HistoryDataError) reachedRemote = this.skipData(error);
        else this.fail(error);
      }
    }
    if (!reachedRemote) {
      try {
        this.dropped += this.pending.add(classKeys, record);
        this.queued += 1;
      } catch (error) {
        localError ??= error;
      }
    }
    if (localError !== undefined) throw localError;
  }

  async recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    if (this.startWait !== undefined) {
      // Only a class this machine knows nothing of is worth the start wait: one it has runs of plans from
      // them, and Redis joins the reads once it answers.
      const localRuns = await this.local.recent(classKey, limit);
      if (localRuns.length > 0) return localRuns;
      await this.untilOpened();
    }
    const remote = this.fromPrimary(() => this.primary.recent(classKey, limit));
    const localRuns = await this.local.recent(classKey, limit);
    const remoteRuns = await remote;
    if (remoteRuns === undefined) return localRuns;
    return mergeRecent([remoteRuns, localRuns], limit ?? Math.max(remoteRuns.length, localRuns.length));
  }

  async classes(limit?: number): Promise<ClassSummary[]> {
    await this.untilOpened();
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
    await this.untilOpened();
    const localDropped = await this.local.prune(olderThan);
    // Pruning is a maintenance command, not a task start: it may wait longer than a call.
    const remoteDropped = await this.fromPrimary(() => this.primary.prune(olderThan), 30_000);
    return Math.max(localDropped, remoteDropped ?? 0);
  }

  /**
   * Tries for at most `timeoutMs` to push queued records to the remote store, e.g. before exit.
   * Whatever is left stays queued in the embedded store for a later run; a warning says how much.
   */
  async flush(timeoutMs = 2000): Promise<void> {
    await this.untilOpened();
    if (this.joining !== undefined) {
      // The run ends before Redis ever answered: say so now, as a longer run would have.
      const { budgetMs } = this.joining;
      this.endJoin();
      this.fail(new Error(`no connection within ${budgetMs} ms`));
    }
    const deadline = Date.now() + timeoutMs;
    const remaining = (): number => deadline - Date.now();
    while (remaining() > 0 && !this.closed && this.pendingCount() > 0) {
      if (!this.breaker.isClosed) {
        // Waiting for the remote store to return is worth it for this run's records only.
        if (this.queued === 0 || !(await this.probeUntil(remaining()))) break;
      }
      const drained = await withDeadline(this.startReplay(), Math.max(1, remaining())).catch(() => false);
      // Not drained with the breaker still closed: the queue itself failed, and retrying would spin.
      if (drained || this.breaker.isClosed) break;
    }
    this.warnLeftover();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush(this.options.closeFlushMs ?? 2000);
    this.closed = true;
    this.endJoin();
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
      if (error instanceof HistoryDataError) this.skipData(error);
      else this.fail(error);
      return undefined;
    }
  }

  /** One warning per bad key (a bounded number of them); the server stays in use for everything else. */
  private skipData(error: HistoryDataError): true {
    if (!this.badKeys.has(error.key) && this.badKeys.size < MAX_REPORTED_BAD_KEYS) {
      this.badKeys.add(error.key);
      this.options.onWarning(
        `Redis at ${this.primary.where}: ${error.message}; that class is kept in the embedded store only ` +
          `(remove the key with redis-cli DEL if nothing else owns it)`,
      );
    }
    return true;
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

  private pendingCount(): number {
    try {
      return this.pending.count();
    } catch {
      return 0;
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

  /** One replay pass at a time; resolves true when it reached the end of the queue. */
  private startReplay(): Promise<boolean> {
    this.replaying ??= this.replayPass().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  /**
   * Sends the queue oldest first, in small batches so that a task start's lookup on the same
   * connection never queues behind a long backlog. Never rejects: it mostly runs unawaited.
   */
  private async replayPass(): Promise<boolean> {
    let afterSeq = 0;
    try {
      while (this.breaker.isClosed && !this.closed) {
        const batch = this.pending.after(afterSeq, this.replayBatch);
        if (batch.lastSeq === afterSeq) return true;
        afterSeq = batch.lastSeq;
        const { entries } = batch;
        try {
          await withDeadline(
            Promise.all(
              entries.map((entry) =>
                this.primary.record(entry.classKeys, entry.record).catch((error: unknown) => {
                  // A bad key would refuse this entry on every pass: drop it from the queue (it is local).
                  if (error instanceof HistoryDataError) this.skipData(error);
                  else throw error;
                }),
              ),
            ),
            REPLAY_BUDGET_MS,
          );
        } catch {
          this.breaker.fail();
          this.scheduleProbe();
          return false;
        }
        // Once closed the file is gone; the entries stay queued and the next run sends them again.
        if (this.closed) return false;
        this.pending.remove(entries.map((entry) => entry.seq));
        this.replayed += entries.length;
      }
    } catch {
      // The embedded store failed; what is queued stays queued.
    }
    return false;
  }

  private warnLeftover(): void {
    // A run that queued nothing leaves the earlier runs' queue as it found it: nothing new to warn about.
    if (this.queued === 0 && this.dropped === 0) return;
    const left = this.pendingCount();
    const key = `${left}/${this.dropped}`;
    if (left + this.dropped === 0 || key === this.leftoverWarned) return;
    this.leftoverWarned = key;
    this.options.onWarning(leftoverMessage(left, this.dropped, this.primary.where, this.local.path));
  }
}

function leftoverMessage(left: number, dropped: number, where: string, path: string): string {
  const queued = `kept in the embedded store at ${path} and queued for the next run that reaches Redis`;
  const lost = `fell out of the full replay queue (history.bufferLimit) and are only in the embedded store at ${path}`;
  if (dropped === 0) return `${left} history records did not reach Redis at ${where}; they are ${queued}`;
  if (left === 0) return `${dropped} history records did not reach Redis at ${where}; they ${lost}`;
  return `${left + dropped} history records did not reach Redis at ${where}; ${left} are ${queued}, ${dropped} ${lost}`;
}
