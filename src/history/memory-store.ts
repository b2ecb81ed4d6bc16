import { clampLimit, DEFAULT_MAX_CLASSES } from './limits.js';
import { newestFirst, pickRecord, uniqueKeys } from './records.js';
import type { ClassSummary, HistoryStore, RunRecord } from './types.js';

export interface MemoryStoreOptions {
  maxRunsPerClass: number;
  maxClasses?: number;
}

interface ClassRuns {
  /** Newest first. */
  runs: RunRecord[];
  ids: Set<string>;
  lastAt: number;
}

/** History that lives only as long as the process: for --no-history and for tests of pure logic. */
export class MemoryHistoryStore implements HistoryStore {
  readonly kind = 'memory';
  private readonly classMap = new Map<string, ClassRuns>();
  private readonly maxRunsPerClass: number;
  private readonly maxClasses: number;

  constructor(options: MemoryStoreOptions) {
    this.maxRunsPerClass = options.maxRunsPerClass;
    this.maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  }

  async record(classKeys: string[], record: RunRecord): Promise<void> {
    const stored = pickRecord(record);
    for (const classKey of uniqueKeys(classKeys)) this.recordOne(classKey, stored);
  }

  private recordOne(classKey: string, record: RunRecord): void {
    let entry = this.classMap.get(classKey);
    if (entry === undefined) {
      entry = { runs: [], ids: new Set(), lastAt: record.at };
      this.classMap.set(classKey, entry);
      this.evictLeastRecentlyUsed();
    }
    entry.lastAt = Math.max(entry.lastAt, record.at);
    if (entry.ids.has(record.runId)) return;
    const at = insertionPoint(entry.runs, record);
    entry.runs.splice(at, 0, record);
    entry.ids.add(record.runId);
    while (entry.runs.length > this.maxRunsPerClass) {
      const dropped = entry.runs.pop()!;
      entry.ids.delete(dropped.runId);
    }
  }

  private evictLeastRecentlyUsed(): void {
    while (this.classMap.size > this.maxClasses) {
      let oldestKey: string | undefined;
      let oldestAt = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.classMap) {
        if (entry.lastAt < oldestAt) {
          oldestAt = entry.lastAt;
          oldestKey = key;
        }
      }
      if (oldestKey === undefined) return;
      this.classMap.delete(oldestKey);
    }
  }

  async recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    const entry = this.classMap.get(classKey);
    if (entry === undefined) return [];
    return entry.runs.slice(0, clampLimit(limit, this.maxRunsPerClass)).map((run) => ({ ...run }));
  }

  async classes(limit?: number): Promise<ClassSummary[]> {
    const all = [...this.classMap.entries()].map(([classKey, entry]) => ({
      classKey,
      runs: entry.runs.length,
      lastAt: entry.lastAt,
    }));
    all.sort((a, b) => b.lastAt - a.lastAt);
    return all.slice(0, clampLimit(limit, all.length));
  }

  async prune(olderThan: number): Promise<number> {
    let dropped = 0;
    for (const [key, entry] of this.classMap) {
      if (entry.lastAt < olderThan) {
        this.classMap.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  async close(): Promise<void> {}
}

/** Binary search for where a record goes in a newest-first list; new records almost always go first. */
function insertionPoint(runs: RunRecord[], record: RunRecord): number {
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (newestFirst(runs[mid]!, record) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
