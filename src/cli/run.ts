import { join, resolve } from 'node:path';
import { type LoadedConfig, loadConfig } from '../config.js';
import { LocalExecutor } from '../exec/index.js';
import { groupOnlyWarning, probeContainment } from '../exec/process/containment.js';
import type { Executor } from '../exec/types.js';
import { progressRules } from '../exec/watchdog/progress-rules.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import { createReporters, DEFAULT_REPORTERS, parseReporterNames } from '../report/index.js';
import type { Reporter } from '../report/types.js';
import { displayCommand, runSuite, type SchedulerOptions, type ShardInfo } from '../run/index.js';
import { formatRampStep, formatRampTable, rampVerdict, runRamp } from '../run/ramp.js';
import { selectShard } from '../run/shard.js';
import { openRuntime, separateHistoryPath } from '../runtime/open-runtime.js';
import { loadSuite } from '../suite/index.js';
import type { TaskSpec } from '../suite/types.js';
import { compileUserPattern, type UserPattern } from '../text/user-pattern.js';
import { packageVersion } from '../version.js';
import { EXIT, UsageError } from './errors.js';
import type { Shard } from './options.js';
import { claimOutDir } from './out-dir.js';
import { exposeOwnBins } from './own-bins.js';
import { rerunSelection } from './rerun-failed.js';

/**
 * How long a run's first read of a class the embedded store has no runs of waits for Redis (the connection
 * is made meanwhile from the store's opening on, while the run starts up) before its first tasks go ahead
 * on the embedded store; a class this machine has run before plans from its own runs at once. Redis joins
 * in the background when it answers later. A healthy server is ready in two round trips (connect, INFO).
 */
const RUN_START_WAIT_MS = 100;

export interface RunOptions {
  concurrency?: number;
  repeat?: number;
  grep?: string;
  target?: number;
  reporter?: string[];
  out: string;
  list?: boolean;
  bail?: number;
  color: boolean;
  history: boolean;
  /** Use the configured history even when the suite asks for a separate one. */
  sharedHistory?: boolean;
  executor?: string[];
  token?: string;
  config?: string;
  shard?: Shard;
  /** Seconds between line-mode heartbeats of a running task; 0 = none. */
  heartbeat?: number;
  /** Concurrency of each step of a ramp; replaces --concurrency. */
  ramp?: number[];
  /** Only the tasks that did not pass in the report in --out, or in this report. */
  lastFailed?: boolean;
  rerunFailed?: string;
}

function selectTasks(tasks: TaskSpec[], grep: string | undefined): TaskSpec[] {
  if (grep === undefined) return tasks;
  let pattern: UserPattern;
  try {
    pattern = compileUserPattern(grep);
  } catch (error) {
    throw new UsageError(`--grep: not a valid regular expression (${(error as Error).message})`);
  }
  return tasks.filter((task) => pattern.test(task.id) || pattern.test(task.name));
}

async function createExecutors(options: RunOptions, loaded: LoadedConfig): Promise<Executor[]> {
  const { config } = loaded;
  const common = {
    graceMs: config.limits.graceSeconds * 1000,
    headBytes: config.output.headBytes,
    tailBytes: config.output.tailBytes,
    progress: progressRules(config.progress),
  };
  if (options.executor !== undefined && options.executor.length > 0) {
    for (const url of options.executor) {
      if (!/^wss?:\/\//.test(url)) throw new UsageError(`--executor: "${url}" must be a ws:// or wss:// URL`);
    }
    // Loaded only for remote runs, like ws itself.
    const { WebSocketExecutor } = await import('../exec/remote/ws-executor.js');
    return [
      new WebSocketExecutor({
        urls: options.executor,
        ...(options.token !== undefined ? { token: options.token } : {}),
        connectTimeoutMs: 5000,
        ...common,
      }),
    ];
  }
  return [new LocalExecutor(common)];
}

/** Time for the reports to be written after the tasks were killed, before an interrupted run gives up. */
const SHUTDOWN_SLACK_MS = 5000;

/** `cc-stress run`: returns the process exit code. */
export async function runCommand(suitePath: string, options: RunOptions): Promise<number> {
  // The containment probe starts a trial container: it runs while the suite loads and history opens.
  const local = options.executor === undefined || options.executor.length === 0;
  const probing = local ? probeContainment().catch(() => undefined) : undefined;
  const loaded = loadConfig(options.config !== undefined ? { configPath: options.config } : {});
  exposeOwnBins();
  if (options.reporter !== undefined) {
    try {
      parseReporterNames(options.reporter);
    } catch (error) {
      throw new UsageError(`--reporter: ${(error as Error).message}`);
    }
  }
  const suite = loadSuite(suitePath, options.repeat !== undefined ? { repeat: options.repeat } : {});
  let tasks = selectTasks(suite.tasks, options.grep);
  if (tasks.length === 0) throw new UsageError(`--grep "${options.grep}" matches no task in ${suitePath}`);
  const rerun = rerunSelection(tasks, options);
  if (rerun !== undefined) {
    process.stderr.write(`${rerun.note}\n`);
    if (rerun.tasks.length === 0) return EXIT.pass;
    tasks = rerun.tasks;
  }
  if (options.ramp !== undefined && options.concurrency !== undefined) {
    throw new UsageError('--ramp sets the concurrency of each step; leave out --concurrency');
  }

  const warnings: string[] = [];
  let warn = (message: string): void => {
    warnings.push(message);
  };
  const separate = suite.history === 'separate' && options.sharedHistory !== true;
  if (options.history && separate) {
    process.stderr.write(
      `history: ${separateHistoryPath(options.out)} (this suite keeps its history apart from yours; --shared-history to use yours)\n`,
    );
  }
  const runtime = await openRuntime({
    config: loaded,
    history: options.history,
    ...(separate ? { separateHistoryIn: options.out } : {}),
    onWarning: (message) => warn(message),
    // Sharding splits by what history says, which must be the same in every job: it waits for Redis.
    ...(options.shard === undefined ? { startWaitMs: RUN_START_WAIT_MS } : {}),
  });
  const { history } = runtime;
  try {
    let shard: ShardInfo | undefined;
    if (options.shard !== undefined) {
      const selection = await selectShard(tasks, options.shard, history, {
        classifierRules: loaded.config.classifier.rules,
        readLimit: loaded.config.history.maxRunsPerClass,
      });
      tasks = selection.tasks;
      shard = { ...options.shard, split: selection.split };
      const how =
        selection.method === 'history'
          ? `balanced by the durations of runs before ${new Date(selection.cutoff).toISOString()}`
          : history === undefined
            ? 'round-robin (--no-history)'
            : 'round-robin (no task has runs from before today, UTC)';
      process.stderr.write(
        `shard ${options.shard.index}/${options.shard.total}: ${tasks.length} task(s), ${how}\n`,
      );
    }
    if (options.list) {
      for (const task of tasks)
        process.stdout.write(`${task.id}\t${displayCommand(task.argv, task.shell)}\n`);
      process.stdout.write(`${tasks.length} task(s)\n`);
      return EXIT.pass;
    }
    const planner = runtime.planner();
    const outDir = resolve(options.out);
    // Before any task starts: a bad --out would otherwise fail every task and lose every report.
    const lock = claimOutDir(outDir);
    try {
      await probing;
      const executors = await createExecutors(options, loaded);
      const reporterFor = (dir: string): Reporter =>
        createReporters({
          reporters: options.reporter ?? DEFAULT_REPORTERS,
          outDir: dir,
          color: options.color && !loaded.env.noColor,
          ci: loaded.env.ci,
          github: loaded.env.github,
          ...(options.heartbeat !== undefined ? { heartbeatMs: options.heartbeat * 1000 } : {}),
        });
      // A ramp keeps each step's reports in a folder of its own, beside a ramp.json of all steps.
      const stepDir = (step: number, concurrency: number): string =>
        join(outDir, `step-${step}-c${concurrency}`);
      let reporter = reporterFor(options.ramp !== undefined ? stepDir(1, options.ramp[0]!) : outDir);
      for (const message of warnings) reporter.onWarning?.(message);
      for (const executor of executors) {
        if (executor.containment === 'process-group')
          reporter.onWarning?.(groupOnlyWarning(executor.containmentNote));
      }
      warn = (message) => reporter.onWarning?.(message);

      const interrupt = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) {
          reporter.onWarning?.(
            'interrupted: stopping; running tasks are being killed (press Ctrl-C again to exit now)',
          );
          interrupt.abort();
          // Bounded: whatever the shutdown waits on (a stuck file system, a history server), the runner
          // ends once the kills have had their grace period, twice over, and the reports a little more.
          const boundMs = 2 * loaded.config.limits.graceSeconds * 1000 + SHUTDOWN_SLACK_MS;
          setTimeout(() => {
            process.stderr.write(
              `cc-stress: still shutting down after ${Math.round(boundMs / 1000)}s; killing every task and exiting\n`,
            );
            for (const executor of executors) executor.killAllNow?.();
            // Dies of the signal it got rather than exit(): exit() waits for the thread pool, and a thread
            // blocked in the kernel (a hung file system) would hold the runner forever.
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            process.kill(process.pid, signal);
          }, boundMs).unref();
          return;
        }
        for (const executor of executors) executor.killAllNow?.();
        process.exit(EXIT.interrupted);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const common = (dir: string): SchedulerOptions => ({
        suite,
        tasks,
        concurrency: options.concurrency ?? suite.defaults.concurrency,
        target: options.target ?? suite.defaults.target,
        outDir: dir,
        planner,
        executors,
        reporter,
        ...(history !== undefined ? { history } : {}),
        ...(options.bail !== undefined ? { bail: options.bail } : {}),
        ...(shard !== undefined ? { shard } : {}),
        signal: interrupt.signal,
        version: packageVersion(),
        onWarning: (message) => warn(message),
      });
      try {
        if (options.ramp !== undefined) {
          const steps = await runRamp({
            concurrencies: options.ramp,
            signal: interrupt.signal,
            stepOptions: (step) => {
              const dir = stepDir(step.step, step.concurrency);
              if (step.step > 1) reporter = reporterFor(dir);
              process.stderr.write(
                `ramp step ${step.step} of ${options.ramp!.length}: concurrency ${step.concurrency}\n`,
              );
              return common(dir);
            },
            onStepEnd: (result) => {
              process.stderr.write(`${formatRampStep(result, options.ramp!.length)}\n`);
            },
          });
          await Promise.all(executors.map((executor) => executor.close?.()));
          process.stderr.write(`\n${formatRampTable(steps)}\n`);
          await writeFileAtomic(join(outDir, 'ramp.json'), `${JSON.stringify({ steps }, null, 2)}\n`);
          if (steps.some((step) => step.interrupted)) return EXIT.interrupted;
          return rampVerdict(steps) === 'pass' ? EXIT.pass : EXIT.fail;
        }
        const report = await runSuite(common(outDir));
        await Promise.all(executors.map((executor) => executor.close?.()));
        if (report.interrupted) return EXIT.interrupted;
        return report.verdict === 'pass' ? EXIT.pass : EXIT.fail;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // After an interrupt, another Ctrl-C during shutdown (closing history) must still exit with 130.
        if (signals > 0) {
          const exitNow = (): never => process.exit(EXIT.interrupted);
          process.on('SIGINT', exitNow);
          process.on('SIGTERM', exitNow);
        }
      }
    } finally {
      lock.release();
    }
  } finally {
    await runtime.close();
  }
}
