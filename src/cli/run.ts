import { resolve } from 'node:path';
import { type LoadedConfig, loadConfig } from '../config.js';
import { LocalExecutor } from '../exec/index.js';
import type { Executor } from '../exec/types.js';
import { WebSocketExecutor } from '../exec/ws-executor.js';
import { openHistoryStore } from '../history/index.js';
import type { HistoryStore } from '../history/types.js';
import { createReporters } from '../report/index.js';
import { displayCommand, runSuite } from '../run/index.js';
import { selectShard } from '../run/shard.js';
import { loadSuite } from '../suite/index.js';
import type { TaskSpec } from '../suite/types.js';
import { ConfigTimeoutPlanner } from '../timeouts/config-planner.js';
import { LearnedTimeoutPlanner } from '../timeouts/learned-planner.js';
import type { TimeoutPlanner } from '../timeouts/types.js';
import { EXIT, UsageError } from './errors.js';
import type { Shard } from './options.js';
import { exposeOwnBins } from './own-bins.js';
import { packageVersion } from './version.js';

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
  executor?: string[];
  token?: string;
  config?: string;
  shard?: Shard;
}

function selectTasks(tasks: TaskSpec[], grep: string | undefined): TaskSpec[] {
  if (grep === undefined) return tasks;
  let pattern: RegExp;
  try {
    pattern = new RegExp(grep);
  } catch (error) {
    throw new UsageError(`--grep: not a valid regular expression (${(error as Error).message})`);
  }
  return tasks.filter((task) => pattern.test(task.id) || pattern.test(task.name));
}

function createExecutors(options: RunOptions, loaded: LoadedConfig): Executor[] {
  const { config } = loaded;
  const common = {
    graceMs: config.limits.graceSeconds * 1000,
    headBytes: config.output.headBytes,
    tailBytes: config.output.tailBytes,
  };
  if (options.executor !== undefined && options.executor.length > 0) {
    for (const url of options.executor) {
      if (!/^wss?:\/\//.test(url)) throw new UsageError(`--executor: "${url}" must be a ws:// or wss:// URL`);
    }
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

/** `cc-stress run`: returns the process exit code. */
export async function runCommand(suitePath: string, options: RunOptions): Promise<number> {
  const loaded = loadConfig(options.config !== undefined ? { configPath: options.config } : {});
  exposeOwnBins();
  const suite = loadSuite(suitePath, options.repeat !== undefined ? { repeat: options.repeat } : {});
  let tasks = selectTasks(suite.tasks, options.grep);
  if (tasks.length === 0) throw new UsageError(`--grep "${options.grep}" matches no task in ${suitePath}`);

  const warnings: string[] = [];
  let warn = (message: string): void => {
    warnings.push(message);
  };
  let history: HistoryStore | undefined;
  if (options.history) {
    history = await openHistoryStore({
      historyPath: loaded.historyPath,
      ...(loaded.redisUrl !== undefined ? { redisUrl: loaded.redisUrl } : {}),
      config: loaded.config.history,
      onWarning: (message) => warn(message),
    });
  }
  try {
    if (options.shard !== undefined) tasks = await selectShard(tasks, options.shard, history);
    if (options.list) {
      for (const task of tasks)
        process.stdout.write(`${task.id}\t${displayCommand(task.argv, task.shell)}\n`);
      process.stdout.write(`${tasks.length} task(s)\n`);
      return EXIT.pass;
    }
    const planner: TimeoutPlanner =
      history !== undefined
        ? new LearnedTimeoutPlanner({ store: history, config: loaded.config })
        : new ConfigTimeoutPlanner(loaded.config);
    const executors = createExecutors(options, loaded);
    const outDir = resolve(options.out);
    const reporter = createReporters({
      reporters: options.reporter ?? ['auto', 'json', 'junit', 'summary'],
      outDir,
      color: options.color && !loaded.env.noColor,
      ci: loaded.env.ci,
    });
    for (const message of warnings) reporter.onWarning?.(message);
    warn = (message) => reporter.onWarning?.(message);

    const interrupt = new AbortController();
    let signals = 0;
    const onSignal = (): void => {
      signals++;
      if (signals === 1) {
        reporter.onWarning?.(
          'interrupted: stopping; running tasks are being killed (press Ctrl-C again to exit now)',
        );
        interrupt.abort();
        return;
      }
      for (const executor of executors) executor.killAllNow?.();
      process.exit(EXIT.interrupted);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const report = await runSuite({
        suite,
        tasks,
        concurrency: options.concurrency ?? suite.defaults.concurrency,
        target: options.target ?? suite.defaults.target,
        outDir,
        planner,
        executors,
        reporter,
        ...(history !== undefined ? { history } : {}),
        ...(options.bail !== undefined ? { bail: options.bail } : {}),
        ...(options.shard !== undefined ? { shard: options.shard } : {}),
        signal: interrupt.signal,
        version: packageVersion(),
        onWarning: (message) => warn(message),
      });
      await Promise.all(executors.map((executor) => executor.close?.()));
      if (report.interrupted) return EXIT.interrupted;
      return report.verdict === 'pass' ? EXIT.pass : EXIT.fail;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await history?.close();
  }
}
