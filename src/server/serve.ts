import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { containment, groupOnlyWarning } from '../exec/process/containment.js';
import { progressRules } from '../exec/watchdog/progress-rules.js';
import { provenanceOf, runRecordOf } from '../history/run-record.js';
import type { HistoryStore } from '../history/types.js';
import type { TimeoutPlanner } from '../timeouts/types.js';
import { DEFAULT_ALLOWED_ENV } from './allow-list.js';
import { type RunningServer, startServer } from './server.js';
import type { ServedRun } from './session.js';

/** The options of `cc-stress serve`, as commander parses them. */
export interface ServeOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Program names or paths; entries may be comma separated. */
  allow?: string[];
  allowCodeRunner?: string[];
  allowEnv?: string[];
  root?: string;
  queryToken?: boolean;
  maxSessions?: number;
  /** Keep every process's output log here; absent = temporary logs, deleted once sent. */
  logDir?: string;
  pingIntervalSeconds?: number;
}

export interface ServeDeps {
  config: Config;
  /** The same planner the runner would use (learned from history, or the config defaults). */
  planner: TimeoutPlanner;
  /** Where completed runs are recorded so the runner and the server learn from each other. */
  history?: HistoryStore;
  /** One line for the operator (stderr). */
  log: (line: string) => void;
}

/**
 * Records a served run under its class keys, exactly as the runner records an attempt; a history failure
 * is reported once and never disturbs the session.
 */
export function historyRecorder(
  store: HistoryStore,
  warn: (message: string) => void,
  planner?: Pick<TimeoutPlanner, 'observe'>,
): (run: ServedRun) => void {
  let warned = false;
  return (run) => {
    const keys = run.plan.classKeys ?? (run.plan.classKey !== undefined ? [run.plan.classKey] : []);
    const record = runRecordOf(run.result, run.runId, run.plan, provenanceOf(run.command));
    if (keys.length === 0 || record === undefined) return;
    store.record(keys, record).then(
      // The planner keeps what it read up to date, for when the store stops answering reads.
      () => planner?.observe?.(keys, record),
      (error: unknown) => {
        if (warned) return;
        warned = true;
        warn(`could not record a run in history (${(error as Error).message}); later failures are not shown`);
      },
    );
  };
}

/** Starts the server for `cc-stress serve` and describes it in a few lines. */
export async function serve(options: ServeOptions, deps: ServeDeps): Promise<RunningServer> {
  const allow = splitEntries(options.allow);
  const allowCodeRunners = splitEntries(options.allowCodeRunner) ?? [];
  const allowEnv = splitEntries(options.allowEnv) ?? [];
  const programs = [...(allow ?? []), ...allowCodeRunners];
  const restricted = programs.length > 0;
  const server = await startServer({
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(restricted ? { allow: programs } : {}),
    allowCodeRunners,
    allowEnv,
    ...(options.root !== undefined ? { root: resolve(options.root) } : {}),
    queryToken: options.queryToken === true,
    capSeconds: deps.config.predictor.capSeconds,
    ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
    ...(options.logDir !== undefined ? { logDir: resolve(options.logDir) } : {}),
    ...(options.pingIntervalSeconds !== undefined
      ? { pingIntervalSeconds: options.pingIntervalSeconds }
      : {}),
    planner: deps.planner,
    graceMs: deps.config.limits.graceSeconds * 1000,
    headBytes: deps.config.output.headBytes,
    tailBytes: deps.config.output.tailBytes,
    progress: progressRules(deps.config.progress),
    ...(deps.history !== undefined
      ? {
          onRecord: historyRecorder(deps.history, (message) => deps.log(`warning: ${message}`), deps.planner),
        }
      : {}),
    onError: (message) => deps.log(`error: ${message}`),
  });
  const base = server.url.replace(/^ws:/, 'http:').replace(/\/ws\/mcp$/, '');
  deps.log(`listening on ${server.url} (also ${base.replace(/^http:/, 'ws:')}/ws); health: ${base}/health`);
  const contained = containment();
  deps.log(
    contained.kind === 'pid-namespace'
      ? 'containment: pid-namespace (each process in a PID namespace of its own)'
      : `warning: ${groupOnlyWarning(contained.why)}`,
  );
  deps.log(
    restricted
      ? `programs allowed: ${programs.join(', ')} (matched by resolved path; their arguments are not restricted; shell mode off)`
      : 'programs allowed: any (restrict with --allow)',
  );
  if (restricted) {
    deps.log(
      `variables clients may set: ${[...DEFAULT_ALLOWED_ENV, ...allowEnv].join(', ')} (add with --allow-env)`,
    );
  }
  const root = options.root !== undefined ? resolve(options.root) : restricted ? process.cwd() : undefined;
  if (root !== undefined) deps.log(`commands run inside ${root}`);
  deps.log(
    `limits when a client sends no timeout: ${deps.history !== undefined ? `learned from history (${deps.history.kind})` : 'config defaults'}`,
  );
  if (options.token !== undefined) {
    deps.log(
      `clients must send the token (Authorization: Bearer${options.queryToken === true ? ', or ?token=' : ''})`,
    );
  }
  return server;
}

/** `--allow a,b --allow c` → [a, b, c]; undefined when the option was not given. */
function splitEntries(values: string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export interface StopRequests {
  /** Resolves with the first SIGTERM or SIGINT. */
  requested: Promise<NodeJS.Signals>;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * Catches SIGTERM and SIGINT from now on (also while the server is still starting): the first asks for a
 * graceful stop, a second one calls `forceExit`.
 */
export function stopRequests(log: (line: string) => void, forceExit: () => void): StopRequests {
  let signals = 0;
  let resolveRequested: (signal: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    resolveRequested = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      resolveRequested(signal);
      return;
    }
    log(`${signal} again: exiting now`);
    forceExit();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    requested,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/**
 * Resolves once the process was asked to stop (SIGTERM or SIGINT) and the server has shut down gracefully:
 * no new sessions, running processes cancelled with their `process.completed` sent, sockets closed.
 */
export async function untilStopped(
  server: RunningServer,
  log: (line: string) => void,
  forceExit: () => void,
  stop: StopRequests = stopRequests(log, forceExit),
): Promise<void> {
  try {
    const signal = await stop.requested;
    const running = server.sessionStats().filter((session) => session.busy).length;
    log(`${signal}: shutting down${running > 0 ? `, cancelling ${running} running process(es)` : ''}`);
    await server.close();
    log('stopped');
  } finally {
    stop.dispose();
  }
}
