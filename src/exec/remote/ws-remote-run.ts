import { constants } from 'node:os';
import { quoteArgv } from '../../command/quote.js';
import {
  type CompletedParams,
  completedParamsSchema,
  processErrorParamsSchema,
  progressParamsSchema,
  readBinaryOutput,
  readOutputParams,
  startedParamsSchema,
} from '../../protocol/messages.js';
import type { OutputSink } from '../output/output-sink.js';
import type { ExecHooks, ExecRequest, Termination } from '../types.js';
import { HeldTime } from '../watchdog/held-time.js';
import type { ProgressRules } from '../watchdog/progress-rules.js';
import { LAG_TOLERANCE_MS } from '../watchdog/watch-loop.js';
import { type ProgressDetail, Watchdog } from '../watchdog/watchdog.js';
import { type RemoteSession, RpcError } from './ws-connection.js';

/** How one remote execution ended, before the output is judged. */
export interface RemoteEnd {
  termination: Termination;
  exitCode: number | null;
  signal: string | null;
  detail?: string;
  startedAt: number;
  endedAt: number;
  /** Wall-clock time without the time spent paused, as for local tasks. */
  durationMs: number;
  longestSilenceMs: number;
  longestQuietMs?: number;
  extensions: number;
}

export interface RemoteRunOptions {
  /** After CANCEL, how long to wait for `process.completed` (the existing service often never sends it). */
  completionGraceMs: number;
  /** Send the task's cwd to the server (false: the command runs in the server's own folder). */
  sendCwd: boolean;
  /** How often the watchdog is asked. */
  tickMs: number;
  progress: ProgressRules;
}

/** The existing service's own silence timer: it stops reading but kills nothing, so this is a stall. */
const STREAM_TIMED_OUT = /^\[Stream timed out after (\d+(?:\.\d+)?)s\]\r?\n?$/;

/** Extra time the server's own limits get, so the client's watchdog (with its evidence) decides first. */
const SERVER_LIMIT_MARGIN_S = 2;

const REASON_TERMINATION: Record<string, Termination> = {
  exit: 'exit',
  timeout: 'max',
  stall: 'stall',
  canceled: 'cancelled',
  error: 'crashed',
};

/**
 * One `execute` on a remote session, watched exactly like a local task: the output goes through the same
 * sink, the same watchdog decides stalls and max limits (on active time, pauses excluded), and the client
 * cancels the remote process itself rather than trusting the server to.
 */
export class RemoteRun {
  private readonly watchdog: Watchdog;
  private readonly startedAt = Date.now();
  private readonly startMono = performance.now();
  private started = false;
  private stopping: { termination: Termination; detail?: string } | undefined;
  private ended: RemoteEnd | undefined;
  private resolveEnd: (end: RemoteEnd) => void = () => {};
  private readonly endedPromise = new Promise<RemoteEnd>((resolve) => {
    this.resolveEnd = resolve;
  });
  private tickTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private lastTick = performance.now();
  private lastStatus = 0;
  private remotePaused = false;
  /** The socket not read because the sink is behind. */
  private readonly held = new HeldTime();
  private readonly onAbort = (): void => this.stop('cancelled', 'cancelled by the runner');

  constructor(
    private readonly session: RemoteSession,
    private readonly request: ExecRequest,
    private readonly sink: OutputSink,
    private readonly hooks: ExecHooks,
    private readonly options: RemoteRunOptions,
  ) {
    this.watchdog = new Watchdog(request.plan, this.startMono, false, options.progress);
  }

  /** Output bytes or an agent event reached the sink. */
  progress(kind: 'stdout' | 'stderr' | 'agent-event', detail: ProgressDetail): void {
    this.watchdog.progress(kind, performance.now(), detail);
  }

  /** The agent's open tool calls changed. */
  tools(open: number, name: string | undefined): void {
    this.watchdog.tools(open, name, performance.now());
  }

  /** Stops the remote process (termination 'cancelled') and resolves once this run has ended. */
  cancel(detail: string): Promise<RemoteEnd> {
    this.stop('cancelled', detail);
    return this.endedPromise;
  }

  /**
   * Sends CANCEL and drops the socket at once, for a runner about to exit: our server kills the process
   * group on disconnect, and the existing service gets the CANCEL first.
   */
  abandon(): void {
    if (this.ended) return;
    this.control('CANCEL');
    this.session.terminate();
  }

  run(): Promise<RemoteEnd> {
    const ended = this.endedPromise;
    this.session.onNotification((method, params) => this.onNotification(method, params));
    this.session.onBinary((frame) => this.onBinary(frame));
    this.session.onClose((code, reason) => this.onClose(code, reason));
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs);
    if (this.request.signal?.aborted) {
      this.finish('cancelled', null, null, 'cancelled before it started');
      return ended;
    }
    this.request.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.session.request('execute', this.executeParams()).then(
      () => this.markStarted(),
      (error: Error) => {
        const detail =
          error instanceof RpcError
            ? `the executor at ${this.session.url} refused the command: ${error.message} (code ${error.code})`
            : `the executor at ${this.session.url} did not start the command: ${error.message}`;
        this.finish(this.stopping?.termination ?? 'crashed', null, null, this.stopping?.detail ?? detail);
      },
    );
    return ended;
  }

  private executeParams(): Record<string, unknown> {
    const { plan, argv, shell } = this.request;
    const ceilingMs = plan.maxMs + plan.extension.times * plan.extension.byMs;
    const params: Record<string, unknown> = {
      command: shell ? (argv[0] ?? '') : quoteArgv(argv),
      // Whole seconds: the existing service takes an integer.
      timeout: Math.ceil(ceilingMs / 1000) + SERVER_LIMIT_MARGIN_S,
      stall_timeout: plan.stallMs / 1000 + SERVER_LIMIT_MARGIN_S,
      task: this.request.taskId,
      // The runner records this attempt in its own history; the server must not count it twice.
      record: false,
      // The server sees CPU and I/O of the process; we only see its output.
      progress: true,
      // Several lines per frame: one frame per line costs both sides more than the lines themselves.
      batch_output: true,
      // Better still, our server sends the bytes as read, in binary frames, reading the process's output no
      // faster than we take it. The existing service ignores both and sends a line per frame.
      binary_output: true,
      // The agent's own events tell us of its limits; the server's search of the output for them is
      // work we would throw away.
      limit_signals: false,
    };
    if (shell) params.shell = true;
    if (Object.keys(this.request.env).length > 0) params.env = this.request.env;
    if (this.options.sendCwd) params.cwd = this.request.cwd;
    return params;
  }

  private markStarted(): void {
    if (this.started || this.ended) return;
    this.started = true;
    this.hooks.onStart?.({
      // The remote pid and pgid are deliberately not given: they name processes on another machine.
      pause: () => this.pause(),
      resume: () => this.resume(),
    });
  }

  private pause(): boolean {
    if (!this.started || this.remotePaused || this.stopping || this.ended) return false;
    this.remotePaused = true;
    this.watchdog.pause(performance.now());
    this.control('PAUSE');
    return true;
  }

  private resume(): boolean {
    if (!this.remotePaused || this.ended) return false;
    this.remotePaused = false;
    this.watchdog.resume(performance.now());
    this.control('RESUME');
    return true;
  }

  private control(type: 'PAUSE' | 'RESUME' | 'CANCEL'): void {
    // A refusal ("No process is running") means the process already ended; its completion tells the rest.
    this.session.request('control', { type }).catch(() => {});
  }

  private onNotification(method: string, params: Record<string, unknown>): void {
    if (this.ended) return;
    switch (method) {
      case 'process.started':
        // A malformed one proves nothing ran; the first output line still marks the start.
        if (startedParamsSchema.safeParse(params).success) this.markStarted();
        return;
      case 'process.output':
        this.onOutput(params);
        return;
      case 'process.completed': {
        const parsed = completedParamsSchema.safeParse(params);
        this.onCompleted(parsed.success ? parsed.data : {});
        return;
      }
      case 'process.progress': {
        const parsed = progressParamsSchema.safeParse(params);
        if (parsed.success) {
          this.watchdog.progress(parsed.data.kind, performance.now() - parsed.data.since_progress_ms);
        }
        return;
      }
      case 'process.error': {
        const parsed = processErrorParamsSchema.safeParse(params);
        const text =
          parsed.success && parsed.data.error !== undefined ? String(parsed.data.error) : 'unknown';
        this.stop('crashed', `the executor at ${this.session.url} reported an error: ${text}`);
        return;
      }
      default:
        return;
    }
  }

  private onOutput(params: Record<string, unknown>): void {
    const output = readOutputParams(params);
    if (output === undefined) return;
    const { type, data } = output;
    const timedOut = STREAM_TIMED_OUT.exec(data);
    if (timedOut !== null) {
      this.stop(
        'stall',
        `the executor at ${this.session.url} reported "${data.trim()}": its own silence timer fired after ` +
          `${timedOut[1]}s without output and it stopped reading; treated as a stall`,
      );
      return;
    }
    this.markStarted();
    this.write(type, data);
  }

  private onBinary(frame: Buffer): void {
    if (this.ended) return;
    const output = readBinaryOutput(frame);
    if (output === undefined) {
      this.session.malformed ??= '(a binary frame that names no output stream)';
      return;
    }
    this.markStarted();
    this.write(output.type, output.bytes);
  }

  private write(stream: 'stdout' | 'stderr', data: string | Uint8Array): void {
    if (this.sink.write(stream, data) || this.held.holding) return;
    // The log on disk is behind: stop reading the socket rather than queueing output in memory. The server
    // then stops reading the process's output too, which is not the process's silence.
    this.held.hold(performance.now());
    this.session.pauseReading();
    void this.sink.drained().then(() => {
      const now = performance.now();
      this.watchdog.forgive(this.held.release(now), now);
      this.session.resumeReading();
    });
  }

  private onCompleted(params: CompletedParams): void {
    const { exitCode, signal } = exitOf(params.exit_code);
    if (this.stopping) {
      this.finish(this.stopping.termination, exitCode, signal, this.stopping.detail);
      return;
    }
    const termination = REASON_TERMINATION[params.reason ?? 'exit'] ?? 'exit';
    const detail =
      termination === 'exit'
        ? undefined
        : `the executor at ${this.session.url} ended it (${params.reason}): ${params.error ?? 'no detail'}`;
    this.finish(termination, exitCode, signal, detail);
  }

  private onClose(code: number, reason: string): void {
    if (this.ended) return;
    if (this.stopping) {
      this.finish(this.stopping.termination, null, null, this.stopping.detail);
      return;
    }
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    this.finish(
      'crashed',
      null,
      null,
      `the connection to the executor at ${this.session.url} dropped after ${seconds}s ` +
        `(close code ${code}${reason ? `: ${reason}` : ''}) before the process completed`,
    );
  }

  /** Ends the remote process and waits a bounded time for its completion. */
  private stop(termination: Termination, detail: string): void {
    if (this.stopping || this.ended) return;
    this.stopping = { termination, detail };
    if (this.remotePaused) this.watchdog.resume(performance.now());
    this.control('CANCEL');
    this.graceTimer = setTimeout(() => {
      this.finish(
        termination,
        null,
        null,
        `${detail}; no process.completed within ${this.options.completionGraceMs} ms of CANCEL`,
      );
    }, this.options.completionGraceMs);
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.lastTick - this.options.tickMs;
    this.lastTick = now;
    const held = this.held.take(now);
    if (late > LAG_TOLERANCE_MS || held > 0) this.watchdog.forgive(Math.max(late, held), now);
    if (!this.stopping) {
      const verdict = this.watchdog.check(now);
      if (verdict.action === 'kill')
        this.stop(verdict.termination, `${verdict.detail} (on ${this.session.url})`);
    }
    if (now - this.lastStatus >= 1000) {
      this.lastStatus = now;
      this.hooks.onStatus?.(this.watchdog.status(now));
    }
  }

  private finish(
    termination: Termination,
    exitCode: number | null,
    signal: string | null,
    detail?: string,
  ): void {
    if (this.ended) return;
    const now = performance.now();
    this.watchdog.stop(now);
    clearInterval(this.tickTimer);
    clearTimeout(this.graceTimer);
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.ended = {
      termination,
      exitCode,
      signal,
      ...(detail !== undefined ? { detail } : {}),
      startedAt: this.startedAt,
      endedAt: Date.now(),
      durationMs: Math.max(0, Math.round(now - this.startMono - this.watchdog.pausedMs(now))),
      longestSilenceMs: Math.round(this.watchdog.longestSilenceMs(now)),
      longestQuietMs: Math.round(this.watchdog.longestQuietMs(now)),
      extensions: this.watchdog.extensions,
    };
    this.session.close();
    this.resolveEnd(this.ended);
  }
}

/** The protocol's exit code: negative means killed by that signal number. */
export function exitOf(code: number | null | undefined): { exitCode: number | null; signal: string | null } {
  if (code === null || code === undefined) return { exitCode: null, signal: null };
  if (code >= 0) return { exitCode: code, signal: null };
  const name = Object.entries(constants.signals).find(([, number]) => number === -code)?.[0];
  return { exitCode: null, signal: name ?? `signal ${-code}` };
}
