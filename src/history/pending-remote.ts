import type Database from 'better-sqlite3';
import { z } from 'zod';
import { parseStoredRecord, pickRecord, uniqueKeys } from './records.js';
import { describeSqliteFailure } from './sqlite-schema.js';
import type { RunRecord } from './types.js';

export interface PendingEntry {
  seq: number;
  classKeys: string[];
  record: RunRecord;
}

export interface PendingBatch {
  entries: PendingEntry[];
  /** The highest seq looked at, unreadable rows included: where the next batch starts. */
  lastSeq: number;
}

/**
 * Records one remote store has not acknowledged, oldest first, kept where any later run can find
 * them. Calls are synchronous (SQLite) and throw a one-line HistoryError naming the file.
 */
export interface PendingRemote {
  /** Queues a record once per runId; returns how many of the oldest entries the bound pushed out. */
  add(classKeys: string[], record: RunRecord): number;
  /** Up to `limit` entries queued after `afterSeq`, oldest first. */
  after(afterSeq: number, limit: number): PendingBatch;
  /** Forgets entries once the remote store has them. */
  remove(seqs: readonly number[]): void;
  /** Entries waiting for this remote store, whichever process queued them. */
  count(): number;
}

interface PendingRow {
  seq: number;
  class_keys: string;
  record: string;
}

const classKeysSchema = z.array(z.string()).min(1);

function parseClassKeys(text: string): string[] | undefined {
  try {
    const parsed = classKeysSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The replay queue in the history file (table pending_remote). Entries are per remote store
 * (`target`), so a file shared by runners that use different Redis servers or key prefixes never
 * sends a record to the wrong one. The table as a whole keeps at most `limit` entries, so the file
 * stays bounded however long the remote store is away.
 */
export class PendingRemoteTable implements PendingRemote {
  private readonly statements;
  private readonly addTx: (classKeys: string[], record: RunRecord) => number;
  private readonly removeTx: (seqs: readonly number[]) => void;

  constructor(
    db: Database.Database,
    private readonly path: string,
    private readonly target: string,
    private readonly limit: number,
  ) {
    this.statements = {
      insert: db.prepare<[string, string, string, string]>(
        'INSERT OR IGNORE INTO pending_remote (target, run_id, class_keys, record) VALUES (?, ?, ?, ?)',
      ),
      // Seqs only grow, so their span bounds the row count: the exact count (a walk) is rarely needed.
      span: db.prepare<[], { n: number | null }>(
        `SELECT (SELECT max(seq) FROM pending_remote) - (SELECT min(seq) FROM pending_remote) + 1 AS n`,
      ),
      trim: db.prepare<[number]>(
        `DELETE FROM pending_remote WHERE seq IN (
           SELECT seq FROM pending_remote ORDER BY seq DESC LIMIT -1 OFFSET ?)`,
      ),
      after: db.prepare<[string, number, number], PendingRow>(
        `SELECT seq, class_keys, record FROM pending_remote
         WHERE target = ? AND seq > ? ORDER BY seq LIMIT ?`,
      ),
      remove: db.prepare<[number]>('DELETE FROM pending_remote WHERE seq = ?'),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM pending_remote WHERE target = ?'),
    };
    this.addTx = db.transaction((classKeys: string[], record: RunRecord) => {
      const { changes } = this.statements.insert.run(
        this.target,
        record.runId,
        JSON.stringify(classKeys),
        JSON.stringify(record),
      );
      if (changes === 0 || (this.statements.span.get()!.n ?? 0) <= this.limit) return 0;
      return this.statements.trim.run(this.limit).changes;
    }).immediate;
    this.removeTx = db.transaction((seqs: readonly number[]) => {
      for (const seq of seqs) this.statements.remove.run(seq);
    }).immediate;
  }

  add(classKeys: string[], record: RunRecord): number {
    const keys = uniqueKeys(classKeys);
    if (keys.length === 0) return 0;
    return this.guard(() => this.addTx(keys, pickRecord(record)));
  }

  after(afterSeq: number, limit: number): PendingBatch {
    const rows = this.guard(() => this.statements.after.all(this.target, afterSeq, limit));
    const entries: PendingEntry[] = [];
    for (const row of rows) {
      // A row this version cannot read (damage, or a newer cc-stress) is left for one that can.
      const classKeys = parseClassKeys(row.class_keys);
      const record = parseStoredRecord(row.record);
      if (classKeys !== undefined && record !== undefined) entries.push({ seq: row.seq, classKeys, record });
    }
    return { entries, lastSeq: rows.at(-1)?.seq ?? afterSeq };
  }

  remove(seqs: readonly number[]): void {
    if (seqs.length > 0) this.guard(() => this.removeTx(seqs));
  }

  count(): number {
    return this.guard(() => this.statements.count.get(this.target)!.n);
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw describeSqliteFailure(this.path, error);
    }
  }
}
