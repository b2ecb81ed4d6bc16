import { setMaxListeners } from 'node:events';
import type { ExecResult, Executor } from '../exec/types.js';
import { provenanceOf, runRecordOf } from '../history/run-record.js';
import type { HistoryStore, RunRecord } from '../history/types.js';
import type { Reporter } from '../report/types.js';
import type { Suite, TaskSpec } from '../suite/types.js';
import type { TimeoutPlan, TimeoutPlanner } from '../timeouts/types.js';
import { displayCommand } from './display-command.js';
import { endReasonOf, messagesOf } from './end-reason.js';
import { logPathFor } from './log-path.js';
import { StartGate } from './start-gate.js';
import { computeStats } from './stats.js';
import { computeTotals, successRate, verdictOf } from './totals.js';
import {
  type AttemptResult,
  REPORT_SCHEMA_VERSION,
  type RunReport,
  type ShardInfo,
  type TaskResult,
} from './types.js';

export interface SchedulerOptions {
  suite: Suite;
  /** The tasks to run (already filtered, expanded and sharded). */
  tasks: TaskSpec[];
  concurrency: number;
  target: number;
  outDir: string;
  planner: TimeoutPlanner;
  /** One executor, or several to spread tasks over (round-robin). */
  executors: Executor[];
  reporter: Reporter;
  history?: HistoryStore;
  /** Stop starting tasks and cancel the running ones after this many failed tasks. */
  bail?: number;
  /** Aborting interrupts the run (Ctrl-C): running tasks are killed and a partial report is produced. */
  signal?: AbortSignal;
  shard?: ShardInfo;
  version: string;
  /** Reports history write problems without failing the run. */
  onWarning?: (message: string) => void;
  newRunId?: () => string;
}

/**
 * Drives a suite: a pool of `concurrency` workers takes tasks in order, plans each attempt's limits,
 * runs it, records what it taught, and tells the reporters. Never throws for a task's failure.
 */
export async function runSuite(options: SchedulerOptions): Promise<RunReport> {
  const { reporter, tasks } = options;
  const started = Date.now();
  const stop = new AbortController();
  // Every running attempt listens on this one signal: hundreds at once are the point, not a leak.
  setMaxListeners(0, stop.signal);
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
    stop.abort('the run was interrupted');
  };
  if (options.signal?.aborted) onInterrupt();
  options.signal?.addEventListener('abort', onInterrupt, { once: true });

  // Several executors report one containment only when they all agree; remote ones report none.
  const containments = new Set(options.executors.map((executor) => executor.containment));
  const containment = containments.size === 1 ? [...containments][0] : undefined;
  reporter.onBegin?.({
    suite: options.suite,
    tasks,
    concurrency: options.concurrency,
    target: options.target,
    outDir: options.outDir,
    ...(containment !== undefined ? { containment } : {}),
  });

  const results = new Map<string, TaskResult>();
  const pendingHistory: Promise<void>[] = [];
  let failedTasks = 0;
  let next = 0;
  let executorTurn = 0;
  const newRunId = options.newRunId ?? (() => crypto.randomUUID());
  const gate = new StartGate();

  const runTask = async (task: TaskSpec): Promise<TaskResult> => {
    const attempts: AttemptResult[] = [];
    const maxAttempts = task.retries + 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (stop.signal.aborted && attempts.length > 0) break;
      await gate.pass();
      const plan = await options.planner.plan(task);
      const executor = options.executors[executorTurn++ % options.executors.length]!;
      const limits = limitsOf(plan, 0);
      reporter.onTaskBegin?.({ task, attempt, limits });
      const raw = await executor.run(
        {
          taskId: task.id,
          attempt,
          argv: task.argv,
          shell: task.shell,
          cwd: task.cwd,
          env: task.env,
          agent: task.agent,
          expect: task.expect,
          plan,
          logPath: logPathFor(options.outDir, task.id, attempt),
          signal: stop.signal,
        },
        { onStatus: (status) => reporter.onTaskStatus?.(task, attempt, status) },
      );
      const result = attemptResultOf(task, attempt, plan, raw, executor.name);
      attempts.push(result);
      if (options.history !== undefined && plan.classKeys !== undefined) {
        pendingHistory.push(
          recordHistory(
            options.history,
            plan.classKeys,
            runRecordOf(raw, newRunId(), plan, provenanceOf(task)),
            options.onWarning,
            options.planner,
          ),
        );
      }
      const willRetry = result.reason !== 'passed' && result.reason !== 'cancelled' && attempt < maxAttempts;
      reporter.onTaskEnd?.(task, result, raw, willRetry && !stop.signal.aborted);
      if (!willRetry) break;
    }
    const last = attempts[attempts.length - 1]!;
    return {
      id: task.id,
      name: task.name,
      ...(task.category !== undefined ? { category: task.category } : {}),
      ...(task.complexity !== undefined ? { complexity: task.complexity } : {}),
      attempts,
      reason: last.reason,
      flaky: last.reason === 'passed' && attempts.length > 1,
      durationMs: attempts.reduce((sum, a) => sum + a.durationMs, 0),
      ...lineOf(task),
    };
  };

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const index = next++;
      const task = tasks[index];
      if (task === undefined) return;
      const result = await runTask(task);
      results.set(task.id, result);
      if (result.reason !== 'passed' && result.reason !== 'cancelled') {
        failedTasks++;
        if (options.bail !== undefined && failedTasks >= options.bail && !stop.signal.aborted) {
          options.onWarning?.(`--bail ${options.bail}: ${failedTasks} task(s) failed; stopping the run`);
          stop.abort(`--bail ${options.bail} reached`);
        }
      }
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, tasks.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  options.signal?.removeEventListener('abort', onInterrupt);
  await Promise.all(pendingHistory);

  // Tasks never started (interrupt, --bail) are reported as cancelled, so the report covers the suite.
  const taskResults = tasks.map(
    (task): TaskResult =>
      results.get(task.id) ?? {
        id: task.id,
        name: task.name,
        ...(task.category !== undefined ? { category: task.category } : {}),
        ...(task.complexity !== undefined ? { complexity: task.complexity } : {}),
        attempts: [],
        reason: 'cancelled',
        flaky: false,
        durationMs: 0,
        ...lineOf(task),
      },
  );
  const totals = computeTotals(taskResults);
  const rate = successRate(totals, interrupted);
  const ended = Date.now();
  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'cc-stress', version: options.version },
    suite: {
      name: options.suite.name,
      ...(options.suite.description !== undefined ? { description: options.suite.description } : {}),
      file: options.suite.file,
    },
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationMs: ended - started,
    interrupted,
    tasks: taskResults,
    totals,
    successRate: rate,
    target: options.target,
    verdict: verdictOf(rate, options.target, interrupted),
    stats: computeStats(taskResults, interrupted),
    ...(containment !== undefined ? { containment } : {}),
  };
  await reporter.onEnd?.(report);
  return report;
}

function lineOf(task: TaskSpec): { line?: number } {
  return task.source !== undefined ? { line: task.source.line } : {};
}

function limitsOf(plan: TimeoutPlan, extensions: number): AttemptResult['limits'] {
  return {
    maxMs: plan.maxMs,
    stallMs: plan.stallMs,
    max: plan.maxSource,
    stall: plan.stallSource,
    ...(plan.quietMs === undefined || plan.quietSource === undefined
      ? {}
      : { quietMs: plan.quietMs, quiet: plan.quietSource }),
    extensions,
  };
}

function attemptResultOf(
  task: TaskSpec,
  attempt: number,
  plan: TimeoutPlan,
  raw: ExecResult,
  executor: string,
): AttemptResult {
  const reason = endReasonOf(raw);
  return {
    attempt,
    command: displayCommand(task.argv, task.shell),
    startedAt: new Date(raw.startedAt).toISOString(),
    endedAt: new Date(raw.endedAt).toISOString(),
    durationMs: raw.durationMs,
    limits: limitsOf(plan, raw.extensions),
    reason,
    exitCode: raw.exitCode,
    signal: raw.signal,
    messages: messagesOf(reason, raw),
    outputTail: raw.outputTail,
    logPath: raw.logPath,
    longestSilenceMs: raw.longestSilenceMs,
    executor,
  };
}

async function recordHistory(
  store: HistoryStore,
  classKeys: string[],
  record: RunRecord | undefined,
  onWarning: ((message: string) => void) | undefined,
  planner: TimeoutPlanner,
): Promise<void> {
  if (record === undefined) return;
  try {
    await store.record(classKeys, record);
    // The planner keeps what it read up to date, for when the store stops answering reads.
    planner.observe?.(classKeys, record);
  } catch (error) {
    onWarning?.(`history: could not record a run (${(error as Error).message})`);
  }
}
