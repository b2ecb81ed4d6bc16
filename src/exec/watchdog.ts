import type { TimeoutPlan } from '../timeouts/types.js';
import { maxEvidence, stallEvidence } from './evidence.js';
import { TICK_MS } from './proc-fs.js';
import type { TreeActivity } from './proc-sampler.js';
import type { LiveStatus } from './types.js';

export type ProgressKind = 'stdout' | 'stderr' | 'agent-event' | 'cpu' | 'io';

export type WatchdogVerdict =
  | { action: 'continue' }
  | { action: 'kill'; termination: 'stall' | 'max'; detail: string };

/**
 * CPU counts as progress only when the task used at least this share of one core since CPU last counted:
 * a busy compile or a model streaming tokens passes at once, while a hung process that wakes up for a timer
 * now and then (0.1% of a core) never does.
 */
export const MIN_CPU_SHARE = 0.01;

/** At the max limit a task is extended only if it made progress within min(stall limit, this). */
export const EXTENSION_WINDOW_MS = 30_000;

/**
 * The limits of one task as a clock-driven state machine, with no timers or processes of its own, so its
 * rules can be tested with plain numbers. Times given to it are monotonic milliseconds; all limits run on
 * "active" time, which stops while the task is paused.
 */
export class Watchdog {
  private readonly startAt: number;
  private pausedTotal = 0;
  private pausedSince: number | undefined;
  private stoppedAt: number | undefined;
  private lastProgressAt = 0;
  private lastKind: ProgressKind | undefined;
  private longest = 0;
  private deadline: number;
  private extended = 0;
  private cpuSinceMark = 0;
  private cpuMarkAt = 0;

  constructor(
    private readonly plan: TimeoutPlan,
    now: number,
    /** Whether CPU and I/O are watched too (Linux); only changes how evidence reads. */
    private readonly procSignals: boolean,
  ) {
    this.startAt = now;
    this.deadline = plan.maxMs;
  }

  get extensions(): number {
    return this.extended;
  }

  get paused(): boolean {
    return this.pausedSince !== undefined;
  }

  /** Longest gap between progress signals, counting the final one up to now (or up to stop()). */
  longestSilenceMs(now: number): number {
    return Math.max(this.longest, this.active(now) - this.lastProgressAt);
  }

  /** Time spent paused so far. */
  pausedMs(now: number): number {
    return this.pausedTotal + (this.pausedSince === undefined ? 0 : now - this.pausedSince);
  }

  progress(kind: ProgressKind, now: number): void {
    if (this.stoppedAt !== undefined) return;
    const at = this.active(now);
    // A remote executor may report progress that happened a while ago, older than what is known.
    if (at < this.lastProgressAt) return;
    this.longest = Math.max(this.longest, at - this.lastProgressAt);
    this.lastProgressAt = at;
    this.lastKind = kind;
  }

  activity(activity: TreeActivity, now: number): void {
    const at = this.active(now);
    this.cpuSinceMark += activity.cpuMs;
    if (this.cpuSinceMark >= TICK_MS && this.cpuSinceMark >= MIN_CPU_SHARE * (at - this.cpuMarkAt)) {
      this.cpuSinceMark = 0;
      this.cpuMarkAt = at;
      this.progress('cpu', now);
    }
    if (activity.ioBytes > 0) this.progress('io', now);
  }

  /** The runner was late by `lagMs` (its event loop was blocked): that time is not the task's silence. */
  forgive(lagMs: number, now: number): void {
    if (lagMs <= 0) return;
    this.lastProgressAt = Math.min(this.lastProgressAt + lagMs, this.active(now));
  }

  pause(now: number): boolean {
    if (this.paused || this.stoppedAt !== undefined) return false;
    this.pausedSince = now;
    return true;
  }

  resume(now: number): boolean {
    if (this.pausedSince === undefined) return false;
    this.pausedTotal += now - this.pausedSince;
    this.pausedSince = undefined;
    return true;
  }

  /** The task's main process exited: limits no longer apply and the silence clock stops. */
  stop(now: number): void {
    if (this.stoppedAt === undefined) this.stoppedAt = this.active(now);
  }

  check(now: number): WatchdogVerdict {
    if (this.paused || this.stoppedAt !== undefined) return { action: 'continue' };
    const at = this.active(now);
    const silent = at - this.lastProgressAt;
    const last = { kind: this.lastKind, atMs: this.lastProgressAt };
    if (silent >= this.plan.stallMs) {
      const detail = stallEvidence({
        silentMs: silent,
        stallMs: this.plan.stallMs,
        source: this.plan.stallSource.detail,
        procSignals: this.procSignals,
        last,
      });
      return { action: 'kill', termination: 'stall', detail };
    }
    const window = Math.min(this.plan.stallMs, EXTENSION_WINDOW_MS);
    const { times, byMs } = this.plan.extension;
    while (at >= this.deadline) {
      if (silent > window || this.extended >= times || byMs <= 0) {
        const detail = maxEvidence({
          elapsedMs: at,
          maxMs: this.plan.maxMs,
          source: this.plan.maxSource.detail,
          extensions: this.extended,
          extension: this.plan.extension,
          silentMs: silent,
          windowMs: window,
          last,
        });
        return { action: 'kill', termination: 'max', detail };
      }
      this.extended++;
      this.deadline += byMs;
    }
    return { action: 'continue' };
  }

  status(now: number): LiveStatus {
    const at = this.active(now);
    return {
      elapsedMs: at,
      sinceProgressMs: at - this.lastProgressAt,
      maxMs: this.deadline,
      stallMs: this.plan.stallMs,
      lastProgress: this.lastKind ?? 'none',
    };
  }

  private active(now: number): number {
    if (this.stoppedAt !== undefined) return this.stoppedAt;
    const end = this.pausedSince ?? now;
    return Math.max(0, end - this.startAt - this.pausedTotal);
  }
}
