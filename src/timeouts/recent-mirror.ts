import { mergeRecent, pickRecord } from '../history/records.js';
import type { RunRecord } from '../history/types.js';

/**
 * What the store would answer for the class levels this process has read in full, kept up to date with
 * the runs this process records. A level's last full read seeds it; every run recorded afterwards under
 * that level's key is merged in, newest first, at most `window` runs, as the store keeps them.
 *
 * Why: when the store stops answering, its history does not stop growing (this process keeps recording
 * runs, and a store that fails reads may still take writes), so the healthy plan can grow during an
 * outage. No margin over the last plan bounds that growth: one finished run that used its extensions can
 * lift a limit by safetyFactor × (1 + extensions), and again on the next run. The mirror instead holds the
 * very records the healthy plan is made of, so a plan made from it is the healthy plan, as long as no
 * other process wrote to those levels meanwhile (see fail-loose.ts for what covers that).
 */
export class RecentMirror {
  private readonly levels = new Map<string, RunRecord[]>();

  constructor(
    /** Runs kept per level: the predictor's window, which is what a plan reads. */
    private readonly window: number,
    /** Levels kept; the least recently read or recorded go first. */
    private readonly maxLevels: number,
  ) {}

  /** A full read of a level: the store's answer (newest first) replaces what was mirrored. */
  seed(key: string, runs: readonly RunRecord[]): void {
    this.put(key, runs.slice(0, this.window).map(pickRecord));
  }

  /** A run recorded under these keys; levels never read in full are not started by it. */
  observe(keys: readonly string[], record: RunRecord): void {
    const stored = pickRecord(record);
    for (const key of new Set(keys)) {
      const runs = this.levels.get(key);
      if (runs !== undefined) this.put(key, mergeRecent([[stored], runs], this.window));
    }
  }

  /** The mirrored runs of a level, newest first, or undefined when it was never read in full. */
  get(key: string): RunRecord[] | undefined {
    return this.levels.get(key);
  }

  private put(key: string, runs: RunRecord[]): void {
    // Re-inserting moves a key to the newest end, so the Map's order is the eviction order.
    this.levels.delete(key);
    this.levels.set(key, runs);
    while (this.levels.size > this.maxLevels) this.levels.delete(this.levels.keys().next().value!);
  }
}
