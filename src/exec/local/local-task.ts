import type { OutputSink } from '../output/output-sink.js';
import type { OutputSpool } from '../output/output-spool.js';
import { type KillOutcome, killProcessTree } from '../process/kill-group.js';
import { isLive } from '../process/proc-fs.js';
import type { ProcSampler, TreeActivity } from '../process/proc-sampler.js';
import { groupExists } from '../process/process-group.js';
import type { LeaderExit, Spawned } from '../process/spawn-task.js';
import type { TaskGuardian } from '../process/task-guardian.js';
import { describeProcess, TaskProcesses } from '../process/task-processes.js';
import type { ExecHooks, ExecRequest, ExecResult, RunningTask, Termination } from '../types.js';
import type { WatchLoop } from '../watchdog/watch-loop.js';
import type { Watchdog } from '../watchdog/watchdog.js';
import type { OutputPump } from './output-pump.js';

const STATUS_EVERY_MS = 1000;
/** Leftovers named in a failure message; the rest are counted. */
const LEFTOVERS_NAMED = 5;

export interface LocalTaskParts {
  request: ExecRequest;
  hooks: ExecHooks;
  spawned: Spawned;
  /** The files the task writes its output to, read behind it into the sink by the pump. */
  spool: OutputSpool;
  pump: OutputPump;
  sink: OutputSink;
  watchdog: Watchdog;
  tag: string;
  sampler: ProcSampler;
  loop: WatchLoop;
  guardian: TaskGuardian | undefined;
  graceMs: number;
  /** Whether CPU and I/O growth counts as progress. */
  procProgress: boolean;
  startedAt: number;
  startMono: number;
}

/** One spawned task from start to result: streams, watchdog ticks, cancellation, pause, kill and cleanup. */
export class LocalTask {
  private termination: Termination = 'exit';
  private detail: string | undefined;
  private stopping: Promise<KillOutcome> | undefined;
  private leaderExited = false;
  private hookError: string | undefined;
  private lastStatusAt: number;
  private readonly processes: TaskProcesses;
  private outputSeen = 0;
  private outputCredit = 0;
  private giveUpOnLeader: (exit: LeaderExit) => void = () => {};
  private readonly leaderLost = new Promise<LeaderExit>((resolve) => {
    this.giveUpOnLeader = resolve;
  });

  constructor(private readonly parts: LocalTaskParts) {
    const { spawned, sampler, tag } = parts;
    this.processes = new TaskProcesses(
      spawned.pid,
      sampler,
      sampler.track(spawned.pid, tag, spawned.isContainer),
      spawned.isContainer,
    );
    this.lastStatusAt = parts.startMono;
  }

  /** Synchronous last resort (second Ctrl-C): SIGKILL to the group and every process that left it. */
  killNow(): void {
    this.processes.signal('SIGKILL');
  }

  /** Stops the task (termination 'cancelled') unless it already ended or is being stopped. */
  cancel(reason: string): void {
    this.stop('cancelled', reason);
  }

  async run(): Promise<ExecResult> {
    const { request, hooks, spawned, spool, pump, sink, watchdog, sampler, guardian } = this.parts;
    const pgid = spawned.pid;
    guardian?.watch(pgid);
    pump.onResumed = (heldMs, now) => watchdog.forgive(heldMs, now);
    const unwatch = this.parts.loop.add({ tick: (now, lag) => this.tick(now, lag) });
    const abort = request.signal;
    const onAbort = (): void => this.cancel(describeAbort(abort?.reason));
    abort?.addEventListener('abort', onAbort, { once: true });
    if (abort?.aborted) onAbort();
    this.callHook(() => hooks.onStart?.(this.runningTask()));
    pump.open();

    const exit = await Promise.race([spawned.exited, this.leaderLost]);
    const exitMono = performance.now();
    const exitWall = Date.now();
    this.leaderExited = true;
    watchdog.stop(exitMono);
    unwatch();
    abort?.removeEventListener('abort', onAbort);

    const notes: string[] = [];
    let leftBehind: string | undefined;
    if (this.stopping) notes.push(...this.killNotes(await this.stopping));
    else {
      const leftovers = exit.alone === true ? { notes: [] } : await this.stopLeftovers(exitMono);
      leftBehind = leftovers.leftBehind;
      notes.push(...leftovers.notes);
    }
    sampler.untrack(this.processes.tree);
    guardian?.unwatch(pgid);

    // Every process of the task is gone: what they wrote is in the files, whatever the runner read so far.
    // A stopped task's container exits right behind it and is waited for while the files drain, so that
    // no zombie of the runner's outlives the result; a process stuck past SIGKILL is not waited for. A task
    // that ended by itself is not held up for it: its container is reaped in the next few turns.
    const stopped = this.stopping !== undefined || leftBehind !== undefined;
    await Promise.all([spool.drain(), stopped ? within(spawned.reaped, this.parts.graceMs) : undefined]);
    const outcome = await sink.finish(exit.exitCode);
    notes.push(...outcome.problems);
    if (this.hookError) notes.push(this.hookError);
    const details = [this.detail, ...notes].filter((text): text is string => text !== undefined);

    return {
      termination: this.termination,
      exitCode: exit.exitCode,
      signal: exit.signal,
      startedAt: this.parts.startedAt,
      endedAt: exitWall,
      // Paused time is not the task's: it counts toward no limit and would skew learned durations.
      durationMs: Math.max(0, Math.round(exitMono - this.parts.startMono - watchdog.pausedMs(exitMono))),
      longestSilenceMs: Math.round(watchdog.longestSilenceMs(exitMono)),
      longestQuietMs: Math.round(watchdog.longestQuietMs(exitMono)),
      stdoutBytes: outcome.stdoutBytes,
      stderrBytes: outcome.stderrBytes,
      outputHead: outcome.outputHead,
      outputTail: outcome.outputTail,
      logPath: sink.logPath,
      // Processes left running are a failure whatever the exit code: a task that passes must end cleanly.
      failures: leftBehind === undefined ? outcome.failures : [...outcome.failures, leftBehind],
      ...(outcome.finalEvent ? { finalEvent: outcome.finalEvent } : {}),
      retryLater: outcome.retryLater,
      extensions: watchdog.extensions,
      ...(details.length > 0 ? { detail: details.join('; ') } : {}),
    };
  }

  private stop(termination: Termination, detail: string): void {
    if (this.stopping || this.leaderExited) return;
    this.termination = termination;
    this.detail = detail;
    this.stopping = killProcessTree(this.processes, { graceMs: this.parts.graceMs }).then((outcome) => {
      // A main process stuck in uninterruptible I/O never exits; the result must not wait for it forever.
      if (outcome.survivors > 0) this.giveUpOnLeader({ exitCode: null, signal: null });
      return outcome;
    });
  }

  private tick(now: number, lagMs: number): void {
    if (this.stopping || this.leaderExited) return;
    const { watchdog, hooks } = this.parts;
    const forgiven = Math.max(lagMs, this.parts.pump.held.take(now));
    if (forgiven > 0) watchdog.forgive(forgiven, now);
    const activity = this.withoutOutput(this.processes.tree.takeActivity());
    if (this.parts.procProgress) {
      watchdog.activity(activity, now);
      let live = 0;
      for (const stat of this.processes.tree.members.values()) if (isLive(stat)) live++;
      watchdog.processes(live, now);
    }
    const verdict = watchdog.check(now);
    if (verdict.action === 'kill') this.stop(verdict.termination, verdict.detail);
    if (now - this.lastStatusAt >= STATUS_EVERY_MS) {
      this.lastStatusAt = now;
      this.callHook(() => hooks.onStatus?.(watchdog.status(now)));
    }
  }

  /**
   * What the task wrote to its stdout and stderr is judged as output (new or repeated), so it is taken out
   * of its I/O counters: a keep-alive line every second must not count as I/O instead. Bytes read from the
   * output files after the scan that counted their writing are taken out of the next sample.
   */
  private withoutOutput(activity: TreeActivity): TreeActivity {
    const total = this.parts.sink.outputBytes;
    const fresh = total - this.outputSeen;
    this.outputSeen = total;
    const available = fresh + this.outputCredit;
    const useful = activity.usefulIoBytes ?? activity.ioBytes;
    const taken = Math.min(useful, available);
    // Only the latest sample's output is carried over, so output never piles up to hide later real I/O.
    this.outputCredit = Math.min(available - taken, fresh);
    return {
      cpuMs: activity.cpuMs,
      ioBytes: Math.max(0, activity.ioBytes - available),
      usefulIoBytes: useful - taken,
    };
  }

  /**
   * The main process is done, but it may have left processes behind (`cmd &`, a daemon): they would
   * go on writing to its output or outlive the run, so they are stopped like a timed-out task. Only needed
   * where the container could not say that the task's namespace was already empty: a scan of /proc costs
   * milliseconds per task on a busy machine.
   */
  private async stopLeftovers(exitedAt: number): Promise<{ leftBehind?: string; notes: string[] }> {
    const { sampler, graceMs } = this.parts;
    // Tasks that end together share one scan of /proc: any scan taken after this task's exit shows what
    // it left behind.
    await sampler.scanAfter(exitedAt);
    let leftBehind: string;
    if (sampler.supported) {
      const pids = this.processes.alive(exitedAt).map((stat) => stat.pid);
      if (pids.length === 0) return { notes: [] };
      const named = pids.slice(0, LEFTOVERS_NAMED).map(describeProcess);
      if (pids.length > LEFTOVERS_NAMED) named.push(`${pids.length - LEFTOVERS_NAMED} more`);
      leftBehind = `left ${pids.length} process${pids.length === 1 ? '' : 'es'} behind: ${named.join(', ')}`;
    } else {
      if (!groupExists(this.processes.pgid)) return { notes: [] };
      leftBehind = 'left processes behind in its process group';
    }
    const outcome = await killProcessTree(this.processes, { graceMs });
    return {
      leftBehind,
      notes: [`the task exited but ${leftBehind}; stopped them`, ...this.killNotes(outcome)],
    };
  }

  private killNotes(outcome: KillOutcome): string[] {
    const notes: string[] = [];
    if (outcome.forced)
      notes.push(`SIGKILL after ${this.parts.graceMs / 1000}s because SIGTERM was not enough`);
    if (outcome.survivors > 0) {
      notes.push(`${outcome.survivors} process(es) survived SIGKILL (probably stuck in uninterruptible I/O)`);
    }
    return notes;
  }

  private runningTask(): RunningTask {
    const { watchdog } = this.parts;
    const pgid = this.processes.pgid;
    return {
      pid: pgid,
      pgid,
      pause: () => {
        if (this.leaderExited || this.stopping || !watchdog.pause(performance.now())) return false;
        this.processes.signal('SIGSTOP');
        return true;
      },
      resume: () => {
        if (!watchdog.resume(performance.now())) return false;
        if (!this.leaderExited) this.processes.signal('SIGCONT');
        return true;
      },
    };
  }

  /** A reporter's bug must not stop or misjudge the task; the first one is reported with the result. */
  private callHook(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      this.hookError ??= `a hook threw: ${(error as Error).message}`;
    }
  }
}

function describeAbort(reason: unknown): string {
  if (reason instanceof Error) {
    return reason.name === 'AbortError' ? 'cancelled' : `cancelled: ${reason.message}`;
  }
  if (typeof reason === 'string' && reason !== '') return `cancelled: ${reason}`;
  return 'cancelled';
}

/** Resolves when the promise does, or after `ms` at the latest. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
