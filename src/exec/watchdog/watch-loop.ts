import type { ProcSampler } from '../process/proc-sampler.js';

export interface Watched {
  /**
   * Called once per tick, after the shared /proc scan. `lagMs` is how late this tick came when the runner's
   * own event loop was held up beyond tolerance (0 otherwise): time during which output could not be read.
   */
  tick(now: number, lagMs: number): void;
}

/** Late ticks below this are normal scheduling noise on a busy machine and are not forgiven. */
export const LAG_TOLERANCE_MS = 1000;

/**
 * The one timer of an executor: each tick measures how late it is, scans /proc once for all tasks and then
 * lets every task's watchdog decide. Runs only while tasks are running.
 */
export class WatchLoop {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private lastTickAt = 0;

  constructor(
    private readonly pollMs: number,
    private readonly sampler: ProcSampler,
    private readonly lagToleranceMs = LAG_TOLERANCE_MS,
  ) {}

  add(entry: Watched): () => void {
    this.watched.add(entry);
    if (!this.timer) {
      this.lastTickAt = performance.now();
      this.timer = setInterval(() => this.tick(), this.pollMs);
    }
    return () => {
      this.watched.delete(entry);
      if (this.watched.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.lastTickAt - this.pollMs;
    this.lastTickAt = now;
    const lag = late > this.lagToleranceMs ? late : 0;
    this.sampler.sample();
    for (const entry of [...this.watched]) entry.tick(now, lag);
  }
}
