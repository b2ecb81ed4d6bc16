import { notStarted } from '../not-started.js';
import { OutputSink } from '../output/output-sink.js';
import type { ExecHooks, ExecRequest, ExecResult, Executor } from '../types.js';
import { DEFAULT_PROGRESS_RULES, type ProgressRules } from '../watchdog/progress-rules.js';
import { EndpointPool } from './ws-endpoints.js';
import { type RemoteEnd, RemoteRun } from './ws-remote-run.js';

export interface WebSocketExecutorOptions {
  /** Executor endpoints, e.g. ws://host:8003/ws/mcp; tasks are spread over them round-robin. */
  urls: string[];
  token?: string;
  /** Per URL: connecting and receiving `connected`. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * After CANCEL, how long to wait for `process.completed` (the existing service usually never sends it).
   * Default: the kill grace plus 5 s, so a remote process that uses its grace still reports how it ended.
   */
  completionGraceMs?: number;
  /** The kill grace (SIGTERM to SIGKILL) the remote side is expected to use. Default 5 s. */
  graceMs?: number;
  headBytes?: number;
  tailBytes?: number;
  /** Send each task's cwd to the server. Default false: the remote folder layout is usually not ours. */
  sendCwd?: boolean;
  /** How long a URL that failed to connect is tried last. Default 30 s. */
  downForMs?: number;
  /** How often the watchdog runs. Default 200 ms. */
  tickMs?: number;
  /** What counts as progress; the remote side judges CPU and I/O by its own rules. */
  progress?: ProgressRules;
}

/**
 * Runs tasks on executor servers over the WebSocket protocol (ours, or the existing service), with the same
 * output handling, expectations and limits as local tasks. Connection problems end a task as `crashed`
 * with the URL in the message; they never hang it.
 */
export class WebSocketExecutor implements Executor {
  readonly name: string;
  private readonly pool: EndpointPool;
  private readonly running = new Set<RemoteRun>();
  private readonly options: Required<Omit<WebSocketExecutorOptions, 'token' | 'urls'>> & { token?: string };

  constructor(options: WebSocketExecutorOptions) {
    this.pool = new EndpointPool(options.urls, options.downForMs ?? 30_000);
    this.name = `ws ${options.urls.join(', ')}`;
    const graceMs = options.graceMs ?? 5000;
    this.options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      completionGraceMs: Math.max(options.completionGraceMs ?? graceMs + 5000, 0),
      graceMs,
      headBytes: options.headBytes ?? 8 * 1024,
      tailBytes: options.tailBytes ?? 32 * 1024,
      sendCwd: options.sendCwd ?? false,
      downForMs: options.downForMs ?? 30_000,
      tickMs: options.tickMs ?? 200,
      progress: options.progress ?? DEFAULT_PROGRESS_RULES,
      ...(options.token !== undefined ? { token: options.token } : {}),
    };
  }

  /** Cancels the remote processes still running and waits (bounded) for them to end. */
  async close(): Promise<void> {
    await Promise.all([...this.running].map((run) => run.cancel('cancelled: the executor was closed')));
  }

  /** Last resort before the runner exits: CANCEL every remote process and drop the sockets. */
  killAllNow(): void {
    for (const run of this.running) run.abandon();
  }

  async run(request: ExecRequest, hooks: ExecHooks = {}): Promise<ExecResult> {
    const startedAt = Date.now();
    let watched: RemoteRun | undefined;
    let sink: OutputSink;
    try {
      sink = await OutputSink.forTask(request, this.options, hooks, {
        progress: (kind, detail) => watched?.progress(kind, detail),
        tools: (open, name) => watched?.tools(open, name),
      });
    } catch (error) {
      return notStarted(request, startedAt, 'crashed', (error as Error).message);
    }

    const connected = await this.pool.connect(
      {
        connectTimeoutMs: this.options.connectTimeoutMs,
        ...(this.options.token !== undefined ? { token: this.options.token } : {}),
      },
      request.signal,
    );
    let end: RemoteEnd;
    if (!connected.ok) {
      const now = Date.now();
      end = {
        termination: request.signal?.aborted ? 'cancelled' : 'crashed',
        exitCode: null,
        signal: null,
        detail: connected.detail,
        startedAt,
        endedAt: now,
        durationMs: now - startedAt,
        longestSilenceMs: now - startedAt,
        extensions: 0,
      };
    } else {
      watched = new RemoteRun(connected.session, request, sink, hooks, {
        completionGraceMs: this.options.completionGraceMs,
        sendCwd: this.options.sendCwd,
        tickMs: this.options.tickMs,
        progress: this.options.progress,
      });
      this.running.add(watched);
      try {
        end = await watched.run();
      } finally {
        this.running.delete(watched);
      }
    }

    const outcome = await sink.finish(end.exitCode);
    const detail = [end.detail, ...outcome.problems]
      .filter((part) => part !== undefined && part !== '')
      .join('; ');
    return {
      termination: end.termination,
      exitCode: end.exitCode,
      signal: end.signal,
      startedAt: end.startedAt,
      endedAt: end.endedAt,
      durationMs: end.durationMs,
      longestSilenceMs: end.longestSilenceMs,
      ...(end.longestQuietMs === undefined ? {} : { longestQuietMs: end.longestQuietMs }),
      stdoutBytes: outcome.stdoutBytes,
      stderrBytes: outcome.stderrBytes,
      outputHead: outcome.outputHead,
      outputTail: outcome.outputTail,
      logPath: request.logPath,
      failures: outcome.failures,
      ...(outcome.finalEvent !== undefined ? { finalEvent: outcome.finalEvent } : {}),
      retryLater: outcome.retryLater,
      extensions: end.extensions,
      ...(detail !== '' ? { detail } : {}),
    };
  }
}
