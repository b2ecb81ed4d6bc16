import { notStarted } from '../not-started.js';
import { OutputSink } from '../output/output-sink.js';
import { OutputSpool } from '../output/output-spool.js';
import { type Containment, type ContainmentChoice, containment } from '../process/containment.js';
import { ProcSampler } from '../process/proc-sampler.js';
import { loadExeca, spawnTask } from '../process/spawn-task.js';
import { TaskGuardian } from '../process/task-guardian.js';
import { newRunnerToken, taskTag } from '../process/task-tag.js';
import type { ExecHooks, ExecRequest, ExecResult, Executor } from '../types.js';
import { DEFAULT_PROGRESS_RULES, type ProgressRules } from '../watchdog/progress-rules.js';
import { WatchLoop } from '../watchdog/watch-loop.js';
import { Watchdog } from '../watchdog/watchdog.js';
import { LocalTask } from './local-task.js';
import { OutputPump } from './output-pump.js';

export interface LocalExecutorOptions {
  /** Time between SIGTERM to a task's processes and SIGKILL. */
  graceMs: number;
  /** Bytes of the start and of the end of each task's output kept in memory. */
  headBytes: number;
  tailBytes: number;
  /** Watchdog tick: limits are checked and /proc is sampled this often. Default 500 ms. */
  pollMs?: number;
  /**
   * Start a guardian process that stops every task if the runner dies, even by SIGKILL. Default true;
   * tests of the guardian itself and embedders with their own supervision may turn it off.
   */
  dieWithRunner?: boolean;
  /**
   * Count CPU time and I/O of the task's processes as progress (Linux; default true). False leaves output
   * and agent events as the only signs of life, as on other platforms.
   */
  progressFromProc?: boolean;
  /** What counts as progress: how long repeats and keep-alives count, CPU and I/O thresholds. */
  progress?: ProgressRules;
}

const DEFAULT_POLL_MS = 500;

/**
 * Lets spawns through one per event-loop turn. The scheduler spreads starts, but each start first opens
 * its log on the thread pool, and those opens complete together: without this, tens of forks (a few ms
 * each) would run back to back in one turn and stall the loop that reads every task's output.
 */
class SpawnTurns {
  private tail: Promise<void> = Promise.resolve();

  next(): Promise<void> {
    const turn = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.tail = turn;
    return turn;
  }
}

/** Runs tasks as local process groups, each under a watchdog, all sharing one timer and one /proc scan. */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  private readonly sampler = new ProcSampler();
  private readonly loop: WatchLoop;
  private readonly runnerToken = newRunnerToken();
  private sequence = 0;
  private guardian: TaskGuardian | undefined;
  private guardianStarted = false;
  private readonly running = new Map<LocalTask, Promise<ExecResult>>();
  /** Every run() not yet returned, including those still spawning, which `running` does not hold yet. */
  private readonly inFlight = new Set<Promise<ExecResult>>();
  private closing = false;
  private readonly container: ContainmentChoice;
  private readonly spawnTurns = new SpawnTurns();

  /** Throws when CC_STRESS_CONTAINMENT asks for a containment this machine cannot give. */
  constructor(private readonly options: LocalExecutorOptions) {
    // Loads while the run reads its suite and opens its history, not when its first task starts.
    void loadExeca();
    this.loop = new WatchLoop(options.pollMs ?? DEFAULT_POLL_MS, this.sampler);
    this.container = containment();
  }

  get containment(): Containment {
    return this.container.kind;
  }

  /** Why tasks only get process groups, when they do. */
  get containmentNote(): string | undefined {
    return this.container.why;
  }

  /** Never rejects: spawn errors, unwritable logs and cancellation all come back as a result. */
  async run(request: ExecRequest, hooks: ExecHooks = {}): Promise<ExecResult> {
    const result = this.start(request, hooks);
    this.inFlight.add(result);
    try {
      return await result;
    } finally {
      this.inFlight.delete(result);
    }
  }

  private async start(request: ExecRequest, hooks: ExecHooks): Promise<ExecResult> {
    const startedAt = Date.now();
    let watchdog: Watchdog | undefined;
    let sink: OutputSink;
    let spool: OutputSpool;
    try {
      spool = await OutputSpool.create(request.logPath);
      sink = await OutputSink.forTask(
        request,
        this.options,
        hooks,
        {
          progress: (kind, detail) => watchdog?.progress(kind, performance.now(), detail),
          tools: (open, name) => watchdog?.tools(open, name, performance.now()),
        },
        spool.log,
      );
    } catch (error) {
      return notStarted(request, startedAt, 'crashed', (error as Error).message);
    }

    await this.spawnTurns.next();
    if (request.signal?.aborted) {
      await sink.finish(null);
      return notStarted(request, startedAt, 'cancelled', 'cancelled before the task started');
    }
    const tag = taskTag(this.runnerToken, ++this.sequence);
    const guardian = this.startGuardian();
    const startMono = performance.now();
    const procProgress = this.sampler.supported && this.options.progressFromProc !== false;
    const rules = this.options.progress ?? DEFAULT_PROGRESS_RULES;
    // However the window is configured, it holds at least two samples.
    const windowMs = Math.max(rules.windowMs, 2 * (this.options.pollMs ?? DEFAULT_POLL_MS));
    watchdog = new Watchdog(request.plan, startMono, procProgress, { ...rules, windowMs });
    // Reading starts before the task does, so both files are read in the order it writes them, and the
    // watchdog, which hears of the output, is there before any.
    const pump = new OutputPump(spool, sink);
    const spawned = await spawnTask(request, tag, this.container, spool.fds);
    // The task holds its own copies now; the runner's would keep nothing open but its own files.
    spool.releaseChildFds();
    if (!spawned.ok) {
      await sink.finish(null);
      return notStarted(request, startedAt, 'crashed', spawned.detail);
    }
    const task = new LocalTask({
      request,
      hooks,
      spawned,
      spool,
      pump,
      sink,
      watchdog,
      tag,
      sampler: this.sampler,
      loop: this.loop,
      guardian,
      graceMs: this.options.graceMs,
      procProgress,
      startedAt,
      startMono,
    });
    const result = task.run();
    this.running.set(task, result);
    // close() came while this task was spawning: it must not outlive the executor.
    if (this.closing) task.cancel('cancelled: the executor was closed');
    try {
      return await result;
    } finally {
      this.running.delete(task);
    }
  }

  killAllNow(): void {
    for (const task of this.running.keys()) task.killNow();
  }

  /** Cancels whatever is still running, waits for it to be gone, and lets the guardian go. */
  async close(): Promise<void> {
    this.closing = true;
    for (const task of this.running.keys()) task.cancel('cancelled: the executor was closed');
    await Promise.allSettled([...this.inFlight]);
    this.closing = false;
    this.guardian?.close();
    this.guardian = undefined;
    this.guardianStarted = false;
  }

  private startGuardian(): TaskGuardian | undefined {
    if (this.options.dieWithRunner === false) return undefined;
    if (!this.guardianStarted) {
      this.guardianStarted = true;
      this.guardian = TaskGuardian.start(this.runnerToken, this.options.graceMs);
    }
    return this.guardian;
  }
}
