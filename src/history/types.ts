/** How a recorded run ended, as the predictor needs to know it. */
export type RunOutcome =
  /** Finished and passed: a full duration sample. */
  | 'success'
  /** Finished on its own but failed its expectations: its duration is still a sample. */
  | 'failed'
  /** Killed by the max limit: censored, it says "at least this long". */
  | 'killed-max'
  /** Killed by the stall limit. */
  | 'killed-stall'
  /** Ended by a rate limit or overload ("retry later"): not a duration sample. */
  | 'retry-later';

export interface RunRecord {
  /** Unique per attempt; writes are de-duplicated on it. */
  runId: string;
  durationMs: number;
  longestSilenceMs: number;
  /**
   * Longest stretch with nothing new: no new output or agent work, whatever the CPU, I/O, repeated output
   * or keep-alives. Absent on records written before cc-stress kept it.
   */
  longestQuietMs?: number;
  outcome: RunOutcome;
  /** Epoch milliseconds when the run ended. */
  at: number;
  /**
   * For a run cut off by a limit, the limit in force when it was cut off (the max limit without its
   * extensions, or the stall limit): a cut-off says "at least this long", and no more. Absent on finished
   * runs and on records written before it was recorded.
   */
  limitMs?: number;
  /**
   * Where the run came from: the program actually run, wrappers resolved (`claude`, `npm`, `fake-agent`).
   * Absent only on records written before cc-stress kept it.
   */
  program?: string;
  /** The simulated agent ran it (`cc-stress-fake-agent`): a demo or test, never a real tool's timing. */
  simulated?: boolean;
}

/** Where a run came from, as recorded with it. */
export type RunProvenance = Required<Pick<RunRecord, 'program' | 'simulated'>>;

export interface ClassSummary {
  classKey: string;
  runs: number;
  lastAt: number;
}

/**
 * Per-class bounded history. A class key is any string; stores never use it as a file path,
 * a Redis key or a pattern without hashing it first.
 */
export interface HistoryStore {
  readonly kind: string;
  /** Appends a record under each class key (most specific first). Idempotent per runId. */
  record(classKeys: string[], record: RunRecord): Promise<void>;
  /** The most recent runs of a class, newest first, at most `limit`. */
  recent(classKey: string, limit?: number): Promise<RunRecord[]>;
  /** Classes known to the store, most recently used first. */
  classes(limit?: number): Promise<ClassSummary[]>;
  /** Drops classes whose last run is older than the given epoch ms; returns how many were dropped. */
  prune(olderThan: number): Promise<number>;
  close(): Promise<void>;
}
