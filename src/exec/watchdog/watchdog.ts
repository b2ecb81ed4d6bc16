import type { TimeoutPlan } from '../../timeouts/types.js';
import type { TreeActivity } from '../process/proc-sampler.js';
import type { LiveStatus } from '../types.js';
import { ActivityWindow } from './activity-window.js';
import { type LastProgress, maxEvidence, quietEvidence, stallEvidence } from './evidence.js';
import { DEFAULT_PROGRESS_RULES, type ProgressRules } from './progress-rules.js';

export type ProgressKind = 'stdout' | 'stderr' | 'agent-event' | 'cpu' | 'io';

/**
 * How much a signal says. `real`: new output, an agent event that shows work, CPU or I/O above the
 * thresholds. `repeat`: output whose lines were all seen recently. `keep-alive`: an agent's sign of life
 * that shows no work (an API ping, a retry notice).
 */
/** How far back a tool call's baseline process count is looked for (see sizeBeforeCall). */
const TOOL_BASELINE_MS = 2000;

/** "a", "a and b", "a, b and c"; undefined for none. */
function listed(words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export type ProgressStrength = 'real' | 'repeat' | 'keep-alive';

export interface ProgressDetail {
  strength?: ProgressStrength;
  /** What it was, for evidence ("tool_result", "assistant"); the kind when not given. */
  what?: string;
}

export type WatchdogVerdict =
  | { action: 'continue' }
  | { action: 'kill'; termination: 'stall' | 'max'; detail: string };

/** At the max limit a task is extended only if it made progress within min(stall limit, this). */
export const EXTENSION_WINDOW_MS = 30_000;

const WEAK_WORDS: Record<Exclude<ProgressStrength, 'real'>, string> = {
  repeat: 'repeated output',
  'keep-alive': 'keep-alives',
};

/**
 * The limits of one task as a clock-driven state machine, with no timers or processes of its own, so its
 * rules can be tested with plain numbers. Times given to it are monotonic milliseconds; all limits run on
 * "active" time, which stops while the task is paused.
 *
 * The stall clock runs from the last signal that counted. Real progress always counts. Weak signals count
 * only within a bounded time after the last real progress: repeated output within `repeatMs`, keep-alives
 * within `keepAliveMs`, and an open tool call whose tool runs as a process (more live processes than when
 * the call started; any open call where processes are not visible) holds the clock up to `keepAliveMs`.
 * So a task that shows only weak signals is stall-killed at the latest at (last real progress + allowance
 * + stall limit), and one that shows nothing at all at (last real progress + stall limit).
 *
 * CPU counts at a sample that used some, when the task used at least `minCpuShare` of one core over the
 * last `windowMs` (or since the start, if shorter); I/O likewise at `minIoBytesPerSecond`, counting only
 * bytes beyond SMALL_CALL_BYTES per read or write call, from each process's first sighting, and not the
 * task's own stdout and stderr (see ActivityWindow, TrackedTree, LocalTask). Below that they never count.
 *
 * A second clock, the quiet clock, runs from the last news: new output, an agent event that shows work, or
 * a tool the agent runs. CPU, I/O, repeated output and keep-alives do not stop it. A plan with a quiet
 * limit (learned from the longest quiet stretches of the class's own runs, and generous) ends a task that
 * has said nothing new for longer: a busy loop, or a loop that prints the same line while it does I/O,
 * keeps the stall clock near zero forever.
 */
export class Watchdog {
  private readonly startAt: number;
  private pausedTotal = 0;
  private pausedSince: number | undefined;
  private stoppedAt: number | undefined;
  /** The stall clock: active time of the last signal that counted. */
  private lastProgressAt = 0;
  private lastKind: ProgressKind | undefined;
  /** The quiet clock: active time of the last news (new output, an agent's work, a running tool). */
  private lastQuietEndAt = 0;
  private longestQuiet = 0;
  /** The last news itself (new output, an agent's work), from which a tool's hold on the quiet clock runs. */
  private lastNewsAt = 0;
  /** What was seen since the last news, for the evidence of a quiet kill. */
  private readonly quietSeen = new Set<string>();
  /** The last real progress, which evidence names and from which weak signals' allowances run. */
  private lastRealAt = 0;
  private lastReal: string | undefined;
  /** Weak signals seen since the last real progress, counted or not, for the evidence. */
  private readonly weakSince = new Set<string>();
  private idleSince = false;
  private openTools = 0;
  private openTool: string | undefined;
  /** Live processes of the task at the latest scan; undefined where processes are not visible. */
  private treeSize: number | undefined;
  /** How many there were when the first open tool call started. */
  private toolBaseline: number | undefined;
  /** Process counts of the scans in the last TOOL_BASELINE_MS, to find the count from before a call. */
  private recentSizes: { at: number; count: number }[] = [];
  private longest = 0;
  private deadline: number;
  private extended = 0;
  private readonly activityWindow: ActivityWindow;

  constructor(
    private readonly plan: TimeoutPlan,
    now: number,
    /** Whether CPU and I/O are watched too (Linux); only changes how evidence reads. */
    private readonly procSignals: boolean,
    private readonly rules: ProgressRules = DEFAULT_PROGRESS_RULES,
  ) {
    this.startAt = now;
    this.deadline = plan.maxMs;
    this.activityWindow = new ActivityWindow(rules.windowMs, rules.minCpuShare, rules.minIoBytesPerSecond);
  }

  get extensions(): number {
    return this.extended;
  }

  get paused(): boolean {
    return this.pausedSince !== undefined;
  }

  /** Longest gap between progress signals that counted, counting the final one up to now (or up to stop()). */
  longestSilenceMs(now: number): number {
    const at = this.active(now);
    this.holdForTools(at);
    return Math.max(this.longest, at - this.lastProgressAt);
  }

  /** Longest stretch with nothing new: no new output or agent work (CPU, I/O and weak signals aside). */
  longestQuietMs(now: number): number {
    const at = this.active(now);
    this.holdForTools(at);
    return Math.max(this.longestQuiet, at - this.lastQuietEndAt);
  }

  /** Time spent paused so far. */
  pausedMs(now: number): number {
    return this.pausedTotal + (this.pausedSince === undefined ? 0 : now - this.pausedSince);
  }

  progress(kind: ProgressKind, now: number, detail: ProgressDetail = {}): void {
    if (this.stoppedAt !== undefined) return;
    const at = this.active(now);
    this.holdForTools(at);
    // A remote executor may report progress that happened a while ago, older than what is known.
    if (at < this.lastProgressAt) return;
    const strength = detail.strength ?? 'real';
    if (strength === 'real') {
      this.count(kind, at);
      if (kind === 'cpu') this.quietSeen.add('CPU');
      else if (kind === 'io') this.quietSeen.add('I/O');
      else {
        this.lastNewsAt = at;
        this.endQuiet(at);
      }
      this.lastRealAt = at;
      this.lastReal = detail.what ?? kind;
      this.weakSince.clear();
      this.idleSince = false;
      return;
    }
    this.weakSince.add(WEAK_WORDS[strength]);
    this.quietSeen.add(WEAK_WORDS[strength]);
    const allowance = strength === 'repeat' ? this.rules.repeatMs : this.rules.keepAliveMs;
    if (at - this.lastRealAt <= allowance) this.count(kind, at);
  }

  /**
   * How many of the agent's tool calls are open. While one is, and the tool runs as a process of its own
   * (the task has more processes than when the call started), the task counts as progressing for up to
   * `keepAliveMs` after its last real progress: a shell tool may run silently for minutes, and the CLIs
   * bound their tools with timeouts of their own. An agent that hangs with a call open but nothing running
   * gets no such hold. Where processes are not visible, an open call is enough.
   */
  tools(open: number, name: string | undefined, now: number): void {
    this.holdForTools(this.active(now));
    if (this.openTools === 0 && open > 0) this.toolBaseline = this.sizeBeforeCall();
    this.openTools = Math.max(0, open);
    if (name !== undefined) this.openTool = name;
  }

  /** The number of live processes of the task, from each scan of /proc. */
  processes(count: number, now: number): void {
    this.holdForTools(this.active(now));
    this.treeSize = count;
    this.recentSizes.push({ at: now, count });
    while (this.recentSizes.length > 0 && now - this.recentSizes[0]!.at > TOOL_BASELINE_MS) {
      this.recentSizes.shift();
    }
  }

  /**
   * The task's process count from before its tool call opened. A CLI starts its tool right after printing
   * the call, so a scan may see the tool before a busy runner reads that line: the smallest count of the
   * last scans is the one without it.
   */
  private sizeBeforeCall(): number | undefined {
    if (this.treeSize === undefined) return undefined;
    return Math.min(this.treeSize, ...this.recentSizes.map((size) => size.count));
  }

  activity(activity: TreeActivity, now: number): void {
    const at = this.active(now);
    const judged = this.activityWindow.add(activity, at);
    if (judged.cpu) this.progress('cpu', now);
    if (judged.io) this.progress('io', now);
    if (judged.idle) this.idleSince = true;
  }

  /** The runner was late by `lagMs` (its event loop was blocked): that time is not the task's silence. */
  forgive(lagMs: number, now: number): void {
    if (lagMs <= 0) return;
    const at = this.active(now);
    this.lastProgressAt = Math.min(this.lastProgressAt + lagMs, at);
    this.lastQuietEndAt = Math.min(this.lastQuietEndAt + lagMs, at);
    this.lastNewsAt = Math.min(this.lastNewsAt + lagMs, at);
    this.lastRealAt = Math.min(this.lastRealAt + lagMs, at);
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
    this.holdForTools(at);
    const silent = at - this.lastProgressAt;
    const last: LastProgress = { kind: this.lastReal, atMs: this.lastRealAt };
    if (silent >= this.plan.stallMs) {
      const detail = stallEvidence({
        silentMs: at - this.lastRealAt,
        stallMs: this.plan.stallMs,
        source: this.plan.stallSource.detail,
        procSignals: this.procSignals,
        last,
        weak: this.weakDescription(),
        idle: this.idleSince ? this.rules : undefined,
      });
      return { action: 'kill', termination: 'stall', detail };
    }
    const quietMs = this.plan.quietMs;
    if (quietMs !== undefined && at - this.lastQuietEndAt >= quietMs) {
      const detail = quietEvidence({
        quietMs: at - this.lastQuietEndAt,
        limitMs: quietMs,
        source: this.plan.quietSource?.detail ?? 'the plan',
        seen: listed([...this.quietSeen]) ?? 'an open tool call',
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
    this.holdForTools(at);
    return {
      elapsedMs: at,
      sinceProgressMs: at - this.lastProgressAt,
      maxMs: this.deadline,
      stallMs: this.plan.stallMs,
      lastProgress: this.lastKind ?? 'none',
    };
  }

  /**
   * The next active time at which a limit could fire if no signal counts meanwhile (the deadline may still
   * be extended there).
   */
  dueAt(now: number): number {
    const at = this.active(now);
    this.holdForTools(at);
    const quietAt =
      this.plan.quietMs === undefined ? Number.POSITIVE_INFINITY : this.lastQuietEndAt + this.plan.quietMs;
    return Math.min(this.lastProgressAt + this.plan.stallMs, quietAt, this.deadline);
  }

  private count(kind: ProgressKind, at: number): void {
    this.longest = Math.max(this.longest, at - this.lastProgressAt);
    this.lastProgressAt = at;
    this.lastKind = kind;
  }

  private endQuiet(at: number): void {
    this.longestQuiet = Math.max(this.longestQuiet, at - this.lastQuietEndAt);
    this.lastQuietEndAt = at;
    this.quietSeen.clear();
  }

  /** An open tool call keeps the stall clock at the present, within its allowance. */
  private holdForTools(at: number): void {
    if (this.openTools === 0) return;
    const running =
      this.treeSize === undefined || this.toolBaseline === undefined || this.treeSize > this.toolBaseline;
    if (!running) return;
    const held = Math.min(at, this.lastRealAt + this.rules.keepAliveMs);
    // A tool at work (a build the agent started) is news too, but only within keepAliveMs of the last
    // news: CPU keeps lastRealAt fresh, so a tool spinning in a loop would otherwise hold it forever.
    const heldNews = Math.min(at, this.lastNewsAt + this.rules.keepAliveMs);
    if (heldNews > this.lastQuietEndAt) this.endQuiet(heldNews);
    if (held <= this.lastProgressAt) return;
    this.lastProgressAt = held;
    this.lastKind = 'agent-event';
    this.weakSince.add(`an open tool call${this.openTool === undefined ? '' : ` (${this.openTool})`}`);
  }

  private weakDescription(): string | undefined {
    return listed([...this.weakSince]);
  }

  private active(now: number): number {
    if (this.stoppedAt !== undefined) return this.stoppedAt;
    const end = this.pausedSince ?? now;
    return Math.max(0, end - this.startAt - this.pausedTotal);
  }
}
