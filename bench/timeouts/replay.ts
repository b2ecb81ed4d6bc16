import { DEFAULT_PROGRESS_RULES } from '../../src/exec/watchdog/progress-rules.js';
import { Watchdog } from '../../src/exec/watchdog/watchdog.js';
import type { TimeoutPlan } from '../../src/timeouts/types.js';
import { ProgressFeed } from './feed.js';
import {
  type AgentEventSort,
  HEARTBEAT,
  LINE,
  SAMPLE,
  SAMPLE_MS,
  TailEvents,
  type Timeline,
} from './timeline.js';

/**
 * Plays a timeline through the real Watchdog of src/exec/watchdog/watchdog.ts. The Watchdog is a clock-driven state
 * machine without timers of its own, so virtual time can drive it directly: between two events the only
 * moments a limit can fire are the stall and max deadlines it reports, checked on the watch loop's tick.
 */

/** The watch loop's default tick (LocalExecutor pollMs): limits fire on the first tick at or after them. */
export const TICK_MS = 500;

/** What the watchdog is fed: output alone (no /proc, e.g. macOS) or output plus CPU and I/O (Linux). */
export type Signals = 'output' | 'full';

export type End = 'finished' | 'stall' | 'max' | 'job';

export interface ReplayResult {
  end: End;
  /** When the run exited or was killed, ms since its start. */
  atMs: number;
  longestSilenceMs: number;
  longestQuietMs: number;
  extensions: number;
}

/** Next moment a limit could fire if nothing else happens, on the tick grid. */
function nextFire(watchdog: Watchdog, now: number): number {
  const due = watchdog.dueAt(now);
  return Math.max(now, Math.ceil(due / TICK_MS) * TICK_MS);
}

/** Walks the finite events of a timeline, then the periodic events a hung run repeats forever. */
class Cursor {
  private i = 0;
  private readonly tail: TailEvents | undefined;

  constructor(
    private readonly tl: Timeline,
    private readonly full: boolean,
  ) {
    if (tl.hang !== undefined) this.tail = new TailEvents(tl.hang.tail, tl.hang.onsetMs, full);
    this.skipUnseen();
  }

  /** Samples are invisible to an output-only watchdog. */
  private skipUnseen(): void {
    if (this.full) return;
    while (this.i < this.tl.at.length && this.tl.kind[this.i]! === SAMPLE) this.i++;
  }

  peek(): number {
    if (this.i < this.tl.at.length) return this.tl.at[this.i]!;
    return this.tail?.peek() ?? Number.POSITIVE_INFINITY;
  }

  /** Feeds the next event to the watchdog. */
  apply(feed: ProgressFeed): void {
    const tl = this.tl;
    if (this.i < tl.at.length) {
      const i = this.i;
      const kind = tl.kind[i]!;
      if (kind === LINE) feed.line(tl.at[i]!, tl.aux[i]!, tl.frame[i]!);
      else if (kind === HEARTBEAT) feed.agentEvent(tl.at[i]!, tl.aux[i]! as AgentEventSort);
      else feed.sample(tl.at[i]!, tl.cpuMs[i]!, tl.ioBytes[i]!, tl.usefulIoBytes[i]!);
      this.i++;
      this.skipUnseen();
      return;
    }
    const e = this.tail!.take();
    if (e.kind === LINE) feed.line(e.at, e.aux, e.frame);
    else if (e.kind === HEARTBEAT) feed.agentEvent(e.at, e.aux as AgentEventSort);
    else feed.sample(e.at, e.cpuMs, e.ioBytes, e.usefulIoBytes);
  }
}

/**
 * Runs one timeline under one plan. `horizonMs` is the job timeout around everything (a CI job's own
 * limit): a run no limit of the plan stops is ended there, and reported as 'job'.
 */
export function replay(
  plan: TimeoutPlan,
  tl: Timeline,
  signals: Signals,
  horizonMs: number,
  rules: 'plain' | 'product' = 'product',
): ReplayResult {
  const full = signals === 'full';
  // The product widens the activity window to two samples; the bench samples every SAMPLE_MS.
  const windowMs = Math.max(DEFAULT_PROGRESS_RULES.windowMs, 2 * SAMPLE_MS);
  const watchdog = new Watchdog(plan, 0, full, { ...DEFAULT_PROGRESS_RULES, windowMs });
  const feed = new ProgressFeed(watchdog, tl.agentEvents ?? false, rules);
  const cursor = new Cursor(tl, full);
  // As the watch loop does on Linux: the task's live processes at every scan, which decide whether an
  // open tool call holds the stall clock (only while the tool runs as a process of its own).
  let proc = 0;
  const procNext = (): number =>
    full && proc < tl.procAt.length ? tl.procAt[proc]! : Number.POSITIVE_INFINITY;
  if (full) watchdog.processes(1, 0);
  let now = 0;
  for (;;) {
    const next = Math.min(cursor.peek(), procNext());
    const fire = nextFire(watchdog, now);
    if (fire < Math.min(next, tl.endMs) && fire <= horizonMs) {
      now = fire;
      const verdict = watchdog.check(fire);
      if (verdict.action === 'kill') {
        return {
          end: verdict.termination,
          atMs: fire,
          longestSilenceMs: watchdog.longestSilenceMs(fire),
          longestQuietMs: watchdog.longestQuietMs(fire),
          extensions: watchdog.extensions,
        };
      }
      continue;
    }
    if (tl.endMs <= next && tl.endMs <= horizonMs) {
      watchdog.stop(tl.endMs);
      return {
        end: 'finished',
        atMs: tl.endMs,
        longestSilenceMs: watchdog.longestSilenceMs(tl.endMs),
        longestQuietMs: watchdog.longestQuietMs(tl.endMs),
        extensions: watchdog.extensions,
      };
    }
    if (next > horizonMs) {
      return {
        end: 'job',
        atMs: horizonMs,
        longestSilenceMs: watchdog.longestSilenceMs(horizonMs),
        longestQuietMs: watchdog.longestQuietMs(horizonMs),
        extensions: watchdog.extensions,
      };
    }
    now = next;
    // On a tie the event goes first: a tool's process starts after the call that announced it.
    if (cursor.peek() === next) cursor.apply(feed);
    else watchdog.processes(tl.procCount[proc++]!, next);
  }
}
