import type { AgentKind, Expectations } from '../suite/types.js';
import { createAgentAdapter } from './agents/index.js';
import type { AgentAdapter, ExpectationTracker } from './agents/types.js';
import { createExpectationTracker, expectsLines } from './expectations.js';
import { LineAlignedBytes } from './line-aligned.js';
import { LineSplitter } from './line-splitter.js';
import { LogFile } from './log-file.js';
import { OutputWindow } from './output-window.js';
import type { AgentEvent, ExecHooks, ExecRequest } from './types.js';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputSinkOptions {
  logPath: string;
  headBytes: number;
  tailBytes: number;
  agent: AgentKind;
  expect: Expectations;
  /** `terminated` is false for a piece of a longer line and for a last line without a newline. */
  onOutput?(stream: OutputStream, line: string, terminated: boolean): void;
  onAgentEvent?(event: AgentEvent): void;
  /** Any bytes on a stream, and every agent event: what the watchdog counts as output progress. */
  onProgress?(kind: OutputStream | 'agent-event'): void;
}

/** What the output said, once the streams ended. */
export interface OutputOutcome {
  stdoutBytes: number;
  stderrBytes: number;
  outputHead: string;
  outputTail: string;
  failures: string[];
  finalEvent?: Record<string, unknown>;
  retryLater: boolean;
  /** Problems that did not stop the task but lost something (log write error, a hook that threw). */
  problems: string[];
}

/**
 * Everything that happens to a task's output, for any executor (local processes or a remote session):
 * UTF-8 decoding, lines, the full log on disk, a bounded head and tail in memory, byte counts, the agent
 * adapter, the expectation tracker and the hooks. Memory stays bounded whatever the task prints.
 */
export class OutputSink {
  private readonly splitters: Record<OutputStream, LineSplitter>;
  private readonly aligners: Record<OutputStream, LineAlignedBytes> = {
    stdout: new LineAlignedBytes(),
    stderr: new LineAlignedBytes(),
  };
  private readonly window: OutputWindow;
  private readonly adapter: AgentAdapter;
  private readonly tracker: ExpectationTracker;
  private readonly bytes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private readonly problems: string[] = [];
  private hookFailed = false;
  /** Whether the log kept up with the chunk being written. */
  private keepGoing = true;
  private finished = false;
  /**
   * Whether anything reads the output as text. A plain command whose lines nobody looks at (no agent
   * parser, no line expectations, no output hook) skips decoding and splitting: the log, the head/tail
   * window and the byte counts take raw bytes, which is most of the runner's cost on a fast producer.
   */
  private readonly wantsLines: boolean;

  private constructor(
    private readonly options: OutputSinkOptions,
    private readonly log: LogFile,
  ) {
    this.window = new OutputWindow(options.headBytes, options.tailBytes);
    this.adapter = createAgentAdapter(options.agent);
    this.tracker = createExpectationTracker(options.expect, options.agent);
    this.wantsLines =
      options.agent !== 'none' || options.onOutput !== undefined || expectsLines(options.expect);
    this.splitters = {
      stdout: new LineSplitter((line, terminated) => this.line('stdout', line, terminated)),
      stderr: new LineSplitter((line, terminated) => this.line('stderr', line, terminated)),
    };
  }

  /** Opens the log file (creating its folder); rejects with a one-line message when that fails. */
  static async open(options: OutputSinkOptions): Promise<OutputSink> {
    return new OutputSink(options, await LogFile.open(options.logPath));
  }

  /** The sink of one task attempt, as every executor opens it: the request's log, adapter and hooks. */
  static forTask(
    request: ExecRequest,
    window: { headBytes: number; tailBytes: number },
    hooks: ExecHooks,
    onProgress: (kind: OutputStream | 'agent-event') => void,
  ): Promise<OutputSink> {
    return OutputSink.open({
      logPath: request.logPath,
      headBytes: window.headBytes,
      tailBytes: window.tailBytes,
      agent: request.agent,
      expect: request.expect,
      // Called through `hooks` so that hooks written as methods keep their `this`.
      ...(hooks.onOutput
        ? { onOutput: (stream, line, terminated) => hooks.onOutput?.(stream, line, terminated) }
        : {}),
      ...(hooks.onAgentEvent ? { onAgentEvent: (event) => hooks.onAgentEvent?.(event) } : {}),
      onProgress,
    });
  }

  get logPath(): string {
    return this.log.path;
  }

  /**
   * Takes a chunk of one stream. Returns false when the log on disk is behind: the caller should stop
   * reading until drained() resolves, so a fast producer cannot fill the runner's memory.
   */
  write(stream: OutputStream, chunk: Uint8Array | string): boolean {
    if (this.finished) return true;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return true;
    this.bytes[stream] += bytes.length;
    this.call(() => this.options.onProgress?.(stream));
    if (this.wantsLines) this.splitters[stream].push(bytes);
    this.keepGoing = true;
    this.aligners[stream].push(bytes, this.recordRun);
    return this.keepGoing;
  }

  drained(): Promise<void> {
    return this.log.drained();
  }

  /** Ends both streams, closes the log and judges the output against the expectations. */
  async finish(exitCode: number | null): Promise<OutputOutcome> {
    if (!this.finished) {
      if (this.wantsLines) {
        this.splitters.stdout.end();
        this.splitters.stderr.end();
      }
      this.aligners.stdout.flush(this.recordRun);
      this.aligners.stderr.flush(this.recordRun);
      this.finished = true;
    }
    const logError = await this.log.close();
    if (logError) this.problems.push(`the log ${this.log.path} is incomplete: ${logError.message}`);
    const finished = this.adapter.finished();
    const totalBytes = this.bytes.stdout + this.bytes.stderr;
    return {
      stdoutBytes: this.bytes.stdout,
      stderrBytes: this.bytes.stderr,
      outputHead: this.window.headText(),
      outputTail: this.window.tailText(),
      failures: this.tracker.verdict({ exitCode, totalBytes, finished }),
      ...(finished ? { finalEvent: finished.raw } : {}),
      retryLater: finished?.retryLater ?? false,
      problems: this.problems,
    };
  }

  private line(stream: OutputStream, line: string, terminated: boolean): void {
    this.tracker.onLine(stream, line);
    const events = this.adapter.onLine(stream, line);
    this.call(() => this.options.onOutput?.(stream, line, terminated));
    for (const event of events) {
      this.call(() => this.options.onAgentEvent?.(event));
      this.call(() => this.options.onProgress?.('agent-event'));
    }
  }

  /** Raw bytes, whole lines at a time, to the log and to the head/tail window: both show what the task wrote. */
  private readonly recordRun = (run: Uint8Array): void => {
    this.window.push(run);
    if (!this.log.write(run)) this.keepGoing = false;
  };

  /** A reporter's bug must not kill or misjudge the task; it is reported once with the result instead. */
  private call(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      if (this.hookFailed) return;
      this.hookFailed = true;
      this.problems.push(`a hook threw (later errors not shown): ${(error as Error).message}`);
    }
  }
}
