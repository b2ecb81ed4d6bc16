import type Database from 'better-sqlite3';
import { HistoryError } from './errors.js';
import { clampLimit, DEFAULT_MAX_CLASSES } from './limits.js';
import { type PendingRemote, PendingRemoteTable } from './pending-remote.js';
import { RecentRunsCache } from './recent-runs-cache.js';
import { pickRecord, runOutcomes, uniqueKeys } from './records.js';
import { describeSqliteFailure, type OpenDatabaseOptions, openHistoryDatabase } from './sqlite-schema.js';
import type { ClassSummary, HistoryStore, RunOutcome, RunRecord } from './types.js';

export interface SqliteStoreOptions extends OpenDatabaseOptions {
  maxRunsPerClass: number;
  maxClasses?: number;
}

interface RunRow {
  run_id: string;
  duration_ms: number;
  longest_silence_ms: number;
  longest_quiet_ms: number | null;
  outcome: string;
  at: number;
  limit_ms: number | null;
  program: string | null;
  simulated: number | null;
}

interface ClassRow {
  class_key: string;
  last_at: number;
  runs: number;
}

const knownOutcomes: ReadonlySet<string> = new Set(runOutcomes);

/**
 * The embedded store: one SQLite file that several runners on one machine may share. Class keys
 * only ever travel as bound parameters, and every write trims in the same transaction, so the
 * file stays bounded at maxRunsPerClass x maxClasses rows.
 */
export class SqliteHistoryStore implements HistoryStore {
  readonly kind = 'sqlite';
  private closed = false;
  private readonly statements;
  /** Returns the classes the run was new to, and whether classes were evicted to make room. */
  private readonly recordTx: (
    classKeys: string[],
    record: RunRecord,
  ) => { addedTo: string[]; evicted: boolean };
  private readonly cache: RecentRunsCache;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly maxRunsPerClass: number,
    private readonly maxClasses: number,
  ) {
    this.statements = {
      findClass: db.prepare<[string], { id: number }>('SELECT id FROM classes WHERE class_key = ?'),
      addClass: db.prepare<[string, number], { id: number }>(
        'INSERT INTO classes (class_key, last_at) VALUES (?, ?) RETURNING id',
      ),
      touchClass: db.prepare<[number, number]>('UPDATE classes SET last_at = max(last_at, ?) WHERE id = ?'),
      addRun: db.prepare<
        [
          number,
          string,
          number,
          number,
          number,
          number | null,
          string,
          number | null,
          string | null,
          number | null,
        ]
      >(
        `INSERT OR IGNORE INTO runs
           (class_id, run_id, at, duration_ms, longest_silence_ms, longest_quiet_ms, outcome, limit_ms,
            program, simulated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      trimRuns: db.prepare<{ classId: number; keep: number }>(
        `DELETE FROM runs WHERE id IN (
           SELECT id FROM runs WHERE class_id = @classId ORDER BY at DESC, run_id DESC LIMIT -1 OFFSET @keep)`,
      ),
      countClasses: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM classes'),
      evictClasses: db.prepare<[number]>(
        'DELETE FROM classes WHERE id IN (SELECT id FROM classes ORDER BY last_at ASC, id ASC LIMIT ?)',
      ),
      recent: db.prepare<[string, number], RunRow>(
        `SELECT r.run_id, r.duration_ms, r.longest_silence_ms, r.longest_quiet_ms, r.outcome, r.at, r.limit_ms, r.program, r.simulated
         FROM runs r JOIN classes c ON c.id = r.class_id
         WHERE c.class_key = ? ORDER BY r.at DESC, r.run_id DESC LIMIT ?`,
      ),
      classes: db.prepare<[number], ClassRow>(
        `SELECT c.class_key, c.last_at, (SELECT count(*) FROM runs r WHERE r.class_id = c.id) AS runs
         FROM classes c ORDER BY c.last_at DESC, c.id DESC LIMIT ?`,
      ),
      prune: db.prepare<[number]>('DELETE FROM classes WHERE last_at < ?'),
    };
    this.recordTx = db.transaction((classKeys: string[], record: RunRecord) => {
      let addedClass = false;
      const addedTo: string[] = [];
      for (const classKey of classKeys) {
        let classId = this.statements.findClass.get(classKey)?.id;
        if (classId === undefined) {
          classId = this.statements.addClass.get(classKey, record.at)!.id;
          addedClass = true;
        } else {
          this.statements.touchClass.run(record.at, classId);
        }
        const { changes } = this.statements.addRun.run(
          classId,
          record.runId,
          record.at,
          record.durationMs,
          record.longestSilenceMs,
          record.longestQuietMs ?? null,
          record.outcome,
          record.limitMs ?? null,
          record.program ?? null,
          record.simulated === undefined ? null : Number(record.simulated),
        );
        if (changes > 0) {
          addedTo.push(classKey);
          this.statements.trimRuns.run({ classId, keep: this.maxRunsPerClass });
        }
      }
      if (addedClass) {
        const excess = this.statements.countClasses.get()!.n - this.maxClasses;
        if (excess > 0) return { addedTo, evicted: this.statements.evictClasses.run(excess).changes > 0 };
      }
      return { addedTo, evicted: false };
    }).immediate;
    // Prepared once: pragma() prepares its statement on every call, and the cache asks on every read.
    const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.cache = new RecentRunsCache(() => dataVersion.get()!);
  }

  /** Opens or creates the file. Throws a one-line HistoryError naming the path. */
  static open(path: string, options: SqliteStoreOptions): SqliteHistoryStore {
    const db = openHistoryDatabase(path, options);
    return new SqliteHistoryStore(
      db,
      path,
      options.maxRunsPerClass,
      options.maxClasses ?? DEFAULT_MAX_CLASSES,
    );
  }

  async record(classKeys: string[], record: RunRecord): Promise<void> {
    const keys = uniqueKeys(classKeys);
    if (keys.length === 0) return;
    const picked = pickRecord(record);
    const { addedTo, evicted } = this.guard(() => this.recordTx(keys, picked));
    if (evicted) this.cache.clear();
    // Only where the file took the run: a replayed run id may sit past the cached window, unseen by it.
    else this.cache.recorded(addedTo, picked);
  }

  async recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    const count = clampLimit(limit, this.maxRunsPerClass);
    const cached = this.guard(() => this.cache.get(classKey, count));
    if (cached !== undefined) return cached;
    const runs = this.read(classKey, count);
    this.cache.set(classKey, count, runs);
    return [...runs];
  }

  private read(classKey: string, count: number): RunRecord[] {
    const rows = this.guard(() => this.statements.recent.all(classKey, count));
    const records: RunRecord[] = [];
    for (const row of rows) {
      // A row from a newer cc-stress with an outcome this one does not know is skipped, not guessed.
      if (!knownOutcomes.has(row.outcome)) continue;
      records.push({
        runId: row.run_id,
        durationMs: row.duration_ms,
        longestSilenceMs: row.longest_silence_ms,
        ...(row.longest_quiet_ms === null ? {} : { longestQuietMs: row.longest_quiet_ms }),
        outcome: row.outcome as RunOutcome,
        at: row.at,
        ...(row.limit_ms === null ? {} : { limitMs: row.limit_ms }),
        ...(row.program !== null ? { program: row.program } : {}),
        ...(row.simulated !== null ? { simulated: row.simulated !== 0 } : {}),
      });
    }
    return records;
  }

  async classes(limit?: number): Promise<ClassSummary[]> {
    const rows = this.guard(() =>
      this.statements.classes.all(limit === undefined ? -1 : clampLimit(limit, Number.MAX_SAFE_INTEGER)),
    );
    return rows.map((row) => ({ classKey: row.class_key, runs: row.runs, lastAt: row.last_at }));
  }

  async prune(olderThan: number): Promise<number> {
    this.cache.clear();
    return this.guard(() =>
      this.db.transaction(() => this.statements.prune.run(olderThan).changes).immediate(),
    );
  }

  /** The queue, in this file, of records that the remote store `target` has not acknowledged yet. */
  pendingFor(target: string, limit: number): PendingRemote {
    if (this.closed) throw new HistoryError(`history file ${this.path} is already closed`);
    return new PendingRemoteTable(this.db, this.path, target, limit);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private guard<T>(action: () => T): T {
    if (this.closed) throw new HistoryError(`history file ${this.path} is already closed`);
    try {
      return action();
    } catch (error) {
      throw describeSqliteFailure(this.path, error);
    }
  }
}
