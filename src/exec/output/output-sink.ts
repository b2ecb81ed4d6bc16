import type { AgentKind, Expectations } from '../../suite/types.js';
import { createAgentAdapter } from '../agents/index.js';
import type { AgentAdapter, ExpectationTracker } from '../agents/types.js';
import type { AgentEvent, ExecHooks, ExecRequest, OutputFlow } from '../types.js';
import type { ProgressDetail } from '../watchdog/watchdog.js';
import { createExpectationTracker, expectsLines } from './expectations.js';
import { LineAlignedBytes } from './line-aligned.js';
import { LineSplitter } from './line-splitter.js';
import { LogFile } from './log-file.js';
import { OutputWindow } from './output-window.js';
import { RepeatMemory } from './repeated-output.js';

export type OutputStream = 'stdout' | 'stderr';

/** Where the task's whole output goes: a log file the sink writes, or one the task wrote itself (SpooledLog). */
export interface TaskLog {
  readonly path: string;
  /** Whole lines of one stream; false when the caller should wait for drained() before writing more. */
  write(bytes: Uint8Array, stream: OutputStream): boolean;
  drained(): Promise<void>;
  /** Finishes the log; returns the first error that left it incomplete. */
  close(): Promise<Error | undefined>;
}

/** Where the output's signs of progress go: a task's watchdog. */
export interface ProgressListener {
  progress(kind: OutputStream | 'agent-event', detail: ProgressDetail): void;
  /** How many of the agent's tool calls are open after an event, and the name of the latest one. */
  tools?(open: number, name: string | undefined): void;
}

/** Bytes of a chunk that are decoded to judge whether it is new: its start and its end. */
const JUDGED_BYTES = 1024;
/**
 * After a chunk was judged new, later chunks of that stream are not judged for this long: they could only
 * move the last real progress by less than this, and a fast writer costs ten judgements a second, not one
 * per chunk.
 */
export const JUDGE_AGAIN_MS = 100;

export interface OutputSinkOptions {
  logPath: string;
  headBytes: number;
  tailBytes: number;
  agent: AgentKind;
  expect: Expectations;
  /** `terminated` is false for a piece of a longer line and for a last line without a newline. */
  onOutput?(stream: OutputStream, line: string, terminated: boolean): void;
  /** Each chunk as written, for a consumer of raw bytes (a binary socket). */
  onChunk?(stream: OutputStream, bytes: Uint8Array): void;
  /** Whether the consumer of onOutput or onChunk can take more now, and when it can again. */
  outputFlow?: OutputFlow;
  onAgentEvent?(event: AgentEvent): void;
  /** Output and agent events as signs of progress, each judged for how much it says. */
  progress?: ProgressListener;
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
  /** Recent lines of both streams, to tell new output from repeats. */
  private readonly memory = new RepeatMemory();
  /** An agent's stdout is judged line by line through its events; anything else chunk by chunk. */
  private readonly eventStream: OutputStream | undefined;
  private openTools = 0;
  private readonly judgedNewAt: Record<OutputStream, number> = { stdout: -Infinity, stderr: -Infinity };
  private readonly problems: string[] = [];
  private hookFailed = false;
  /** Whether the log kept up with the chunk being written. */
  private keepGoing = true;
  /** Whether the output hooks' consumer was full since the last drained(). */
  private hookBehind = false;
  private finished = false;
  /**
   * Whether anything reads the output as text. A plain command whose lines nobody looks at (no agent
   * parser, no line expectations, no output hook) skips decoding and splitting: the log, the head/tail
   * window and the byte counts take raw bytes, which is most of the runner's cost on a fast producer.
   */
  private readonly wantsLines: boolean;

  private constructor(
    private readonly options: OutputSinkOptions,
    private readonly log: TaskLog,
  ) {
    this.window = new OutputWindow(options.headBytes, options.tailBytes);
    this.adapter = createAgentAdapter(options.agent);
    this.tracker = createExpectationTracker(options.expect, options.agent);
    this.eventStream = options.agent === 'none' ? undefined : 'stdout';
    this.wantsLines =
      options.agent !== 'none' || options.onOutput !== undefined || expectsLines(options.expect);
    this.splitters = {
      stdout: new LineSplitter((line, terminated) => this.line('stdout', line, terminated)),
      stderr: new LineSplitter((line, terminated) => this.line('stderr', line, terminated)),
    };
  }

  /**
   * With `log`, output goes to that log; otherwise the sink opens (creating its folder) and writes the log
   * file itself, and rejects with a one-line message when that fails.
   */
  static async open(options: OutputSinkOptions, log?: TaskLog): Promise<OutputSink> {
    return new OutputSink(options, log ?? (await LogFile.open(options.logPath)));
  }

  /** The sink of one task attempt, as every executor opens it: the request's log, adapter and hooks. */
  static forTask(
    request: ExecRequest,
    window: { headBytes: number; tailBytes: number },
    hooks: ExecHooks,
    progress: ProgressListener,
    log?: TaskLog,
  ): Promise<OutputSink> {
    return OutputSink.open(
      {
        logPath: request.logPath,
        headBytes: window.headBytes,
        tailBytes: window.tailBytes,
        agent: request.agent,
        expect: request.expect,
        // Called through `hooks` so that hooks written as methods keep their `this`.
        ...(hooks.onOutput
          ? { onOutput: (stream, line, terminated) => hooks.onOutput?.(stream, line, terminated) }
          : {}),
        ...(hooks.onChunk ? { onChunk: (stream, bytes) => hooks.onChunk?.(stream, bytes) } : {}),
        ...(hooks.outputFlow ? { outputFlow: hooks.outputFlow } : {}),
        ...(hooks.onAgentEvent ? { onAgentEvent: (event) => hooks.onAgentEvent?.(event) } : {}),
        progress,
      },
      log,
    );
  }

  get logPath(): string {
    return this.log.path;
  }

  /** Bytes received on both streams so far. */
  get outputBytes(): number {
    return this.bytes.stdout + this.bytes.stderr;
  }

  /**
   * Takes a chunk of one stream. Returns false when the log on disk or a consumer of the output hooks is
   * behind: the caller should stop reading until drained() resolves, so a fast producer cannot fill the
   * runner's memory.
   */
  write(stream: OutputStream, chunk: Uint8Array | string): boolean {
    if (this.finished) return true;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) return true;
    this.bytes[stream] += bytes.length;
    if (stream !== this.eventStream) this.judgeChunk(stream, bytes);
    this.keepGoing = true;
    if (this.wantsLines) this.splitters[stream].push(bytes);
    this.aligners[stream].push(bytes, this.recordRuns[stream]);
    if (this.options.onChunk !== undefined) {
      this.call(() => this.options.onChunk?.(stream, bytes));
      this.checkFlow();
    }
    return this.keepGoing;
  }

  /** Resolves once the log and the output hooks' consumer can take more. */
  async drained(): Promise<void> {
    const hookBehind = this.hookBehind;
    this.hookBehind = false;
    await Promise.all([this.log.drained(), hookBehind ? this.options.outputFlow?.drained() : undefined]);
  }

  /** Ends both streams, closes the log and judges the output against the expectations. */
  async finish(exitCode: number | null): Promise<OutputOutcome> {
    if (!this.finished) {
      if (this.wantsLines) {
        this.splitters.stdout.end();
        this.splitters.stderr.end();
      }
      this.aligners.stdout.flush(this.recordRuns.stdout);
      this.aligners.stderr.flush(this.recordRuns.stderr);
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
    this.checkFlow();
    for (const event of events) this.call(() => this.options.onAgentEvent?.(event));
    if (stream === this.eventStream) this.judgeLine(stream, line, events);
    else if (events.length > 0) this.judgeEvents(events);
  }

  /** Judged as it arrives, so that dots and `\r` redraws without a newline are judged at once. */
  private judgeChunk(stream: OutputStream, bytes: Uint8Array): void {
    const listener = this.options.progress;
    if (listener === undefined) return;
    const now = performance.now();
    if (now - this.judgedNewAt[stream] < JUDGE_AGAIN_MS) return;
    const isNew = this.memory.chunkIsNew(judgedText(bytes));
    if (isNew) this.judgedNewAt[stream] = now;
    this.call(() => listener.progress(stream, { strength: isNew ? 'real' : 'repeat' }));
  }

  /** An agent's stdout line: its events say whether it shows work; a line without events is output. */
  private judgeLine(stream: OutputStream, line: string, events: AgentEvent[]): void {
    const isNew = () => this.memory.isNew(line);
    if (events.length > 0) this.judgeEvents(events, isNew);
    else this.call(() => this.options.progress?.progress(stream, { strength: isNew() ? 'real' : 'repeat' }));
  }

  private judgeEvents(events: AgentEvent[], lineIsNew: () => boolean = () => false): void {
    const listener = this.options.progress;
    if (listener === undefined) return;
    let toolName: string | undefined;
    const before = this.openTools;
    for (const event of events) {
      if (event.type === 'tool-start') {
        this.openTools++;
        toolName = event.name;
      } else if (event.type === 'tool-end') this.openTools = Math.max(0, this.openTools - 1);
    }
    if (this.openTools !== before) this.call(() => listener.tools?.(this.openTools, toolName));
    const detail = judgeEvents(events, lineIsNew);
    if (detail !== undefined) this.call(() => listener.progress('agent-event', detail));
  }

  /** Raw bytes, whole lines at a time, to the log and to the head/tail window: both show what the task wrote. */
  private readonly recordRuns: Record<OutputStream, (run: Uint8Array) => void> = {
    stdout: (run) => this.recordRun(run, 'stdout'),
    stderr: (run) => this.recordRun(run, 'stderr'),
  };

  private recordRun(run: Uint8Array, stream: OutputStream): void {
    this.window.push(run);
    if (!this.log.write(run, stream)) this.keepGoing = false;
  }

  /** A consumer that is full holds the reading of output back until it has drained. */
  private checkFlow(): void {
    if (this.options.outputFlow?.full() === true) {
      this.hookBehind = true;
      this.keepGoing = false;
    }
  }

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

/** The start and the end of a chunk as text: enough to judge it, at a cost that does not grow with it. */
function judgedText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length <= 2 * JUDGED_BYTES) return buffer.toString('utf8');
  return `${buffer.toString('utf8', 0, JUDGED_BYTES)}\n${buffer.toString('utf8', buffer.length - JUDGED_BYTES)}`;
}

/** How events name themselves in evidence, in the CLIs' own words where they have one. */
function eventName(event: AgentEvent): string {
  switch (event.type) {
    case 'started':
      return 'init';
    case 'turn':
      return 'new turn';
    case 'tool-start':
      return event.name === undefined ? 'tool_use' : `tool_use (${event.name})`;
    case 'tool-end':
      return 'tool_result';
    case 'finished':
      return 'result';
    case 'api-error':
      return 'API error';
    default:
      return event.what;
  }
}

/**
 * What the events of one line amount to. Work (content, turns, tool calls and results, the start and the
 * end) is real progress, named by its most telling event; a heartbeat is real when its line is new and a
 * repeat otherwise; keep-alives are keep-alives. A non-fatal API error only comes with a keep-alive. Only
 * a line of heartbeats is compared with recent lines, so a stream of tokens costs no comparisons.
 */
export function judgeEvents(events: AgentEvent[], lineIsNew: () => boolean): ProgressDetail | undefined {
  let work: AgentEvent | undefined;
  let heartbeat: AgentEvent | undefined;
  let keepAlive: AgentEvent | undefined;
  for (const event of events) {
    if (event.type === 'keep-alive') keepAlive = event;
    else if (event.type === 'heartbeat') heartbeat = event;
    else if (event.type !== 'api-error' || event.fatal) work = event;
  }
  if (work !== undefined) return { strength: 'real', what: eventName(work) };
  if (heartbeat !== undefined)
    return { strength: lineIsNew() ? 'real' : 'repeat', what: eventName(heartbeat) };
  if (keepAlive !== undefined) return { strength: 'keep-alive', what: eventName(keepAlive) };
  return undefined;
}
