import type { RunRecord } from './types.js';

/** Classes whose recent runs are kept: the few a suite plans over and over, not the whole file. */
const MAX_KEYS = 128;

interface Entry {
  /** The newest runs of the class, newest first, exactly as a query with this limit returns them. */
  runs: readonly RunRecord[];
  limit: number;
}

/**
 * The newest runs per class of one SQLite history file, as this connection last read them, so that a
 * suite planning the same class for every task reads the file once rather than once per task. Writes
 * through this connection update the entries; any commit by another connection (another runner sharing
 * the file) empties the cache, as SQLite's data_version says: a cached read is never staler than a read
 * of the file would be.
 */
export class RecentRunsCache {
  private readonly entries = new Map<string, Entry>();
  private version: number | undefined;

  constructor(
    /** PRAGMA data_version: changes whenever another connection committed. */
    private readonly dataVersion: () => number,
  ) {}

  /** The newest `limit` runs of the class, or undefined when they must be read from the file. */
  get(classKey: string, limit: number): RunRecord[] | undefined {
    this.checkVersion();
    const entry = this.entries.get(classKey);
    if (entry === undefined || entry.limit < limit) return undefined;
    // Most recently used last, so the first key is the one to evict.
    this.entries.delete(classKey);
    this.entries.set(classKey, entry);
    return entry.runs.slice(0, limit);
  }

  /** What a read of `limit` runs returned; the records are frozen, as they are shared by every reader. */
  set(classKey: string, limit: number, runs: RunRecord[]): void {
    this.checkVersion();
    this.entries.delete(classKey);
    this.entries.set(classKey, { runs: runs.map((run) => Object.freeze(run)), limit });
    while (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
  }

  /** A run this connection added to these classes: only those the file took it into, not a replay. */
  recorded(classKeys: string[], run: RunRecord): void {
    this.checkVersion();
    const frozen = Object.freeze({ ...run });
    for (const classKey of classKeys) {
      const entry = this.entries.get(classKey);
      if (entry === undefined) continue;
      const runs = [...entry.runs];
      const at = runs.findIndex((known) => newerFirst(frozen, known) < 0);
      runs.splice(at < 0 ? runs.length : at, 0, frozen);
      entry.runs = runs.slice(0, entry.limit);
    }
  }

  /** Classes or runs went away (eviction, pruning): nothing cached can be trusted. */
  clear(): void {
    this.entries.clear();
  }

  private checkVersion(): void {
    const version = this.dataVersion();
    if (version !== this.version) this.entries.clear();
    this.version = version;
  }
}

/** The file's order: newest first, then by run id, descending. */
function newerFirst(a: RunRecord, b: RunRecord): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}
