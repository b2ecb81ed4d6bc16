import type { ExecResult, LiveStatus } from '../exec/types.js';
import type { AttemptResult, RunReport } from '../run/types.js';
import type { TaskSpec } from '../suite/types.js';
import type { ChalkInstance } from './colors.js';
import { describeEnd, describeStart, describeWarning, verdictWord } from './describe.js';
import { formatDuration, formatPercent, oneLine, padEnd, taskLabel } from './format.js';
import type { AttemptStart, Reporter, RunStartInfo } from './types.js';

export interface TextStream {
  write(chunk: string): unknown;
}

export interface LineReporterOptions {
  stream: TextStream;
  colors: ChalkInstance;
  /** A line for each task still running after this long since its last line; 0 = none. Default 60 s. */
  heartbeatMs?: number;
  now?: () => number;
}

export const DEFAULT_HEARTBEAT_MS = 60_000;

/**
 * One plain line per event, for CI logs and pipes: nothing is redrawn, so every line stays readable in a
 * log file, and nothing from a task can inject cursor control codes.
 */
export class LineReporter implements Reporter {
  readonly name = 'line';
  private total = 0;
  private done = 0;
  /** When each running attempt last had a line of its own. */
  private readonly lastLine = new Map<string, number>();
  private readonly heartbeatMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LineReporterOptions) {
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.now = options.now ?? Date.now;
  }

  onBegin(info: RunStartInfo): void {
    this.total = info.tasks.length;
    const c = this.options.colors;
    this.print(
      `${c.bold('cc-stress')} ${oneLine(info.suite.name, 120)}: ${info.tasks.length} task(s), ` +
        `concurrency ${info.concurrency}, target ${formatPercent(info.target)}, ` +
        `${info.containment !== undefined ? `containment ${info.containment}, ` : ''}reports in ${oneLine(info.outDir, 200)}`,
    );
  }

  onTaskBegin(start: AttemptStart): void {
    this.lastLine.set(keyOf(start.task, start.attempt), this.now());
    this.print(`${this.counter()} ${describeStart(start, this.options.colors)}`);
  }

  /**
   * In a CI log a ten-minute task would otherwise print nothing between its start and its end, which reads
   * like a hung job: a heartbeat says it runs, against which limits, and what it last did.
   */
  onTaskStatus(task: TaskSpec, attempt: number, status: LiveStatus): void {
    if (this.heartbeatMs <= 0) return;
    const key = keyOf(task, attempt);
    const last = this.lastLine.get(key);
    const now = this.now();
    if (last === undefined || now - last < this.heartbeatMs) return;
    this.lastLine.set(key, now);
    const c = this.options.colors;
    const progress =
      status.lastProgress === 'none' ? 'no progress yet' : `last progress: ${status.lastProgress}`;
    this.print(
      `${this.counter()} ${c.dim(padEnd('running', 9))}  ${c.bold(taskLabel(task))} ` +
        `${formatDuration(status.elapsedMs)} of max ${formatDuration(status.maxMs)}, ` +
        `idle ${formatDuration(status.sinceProgressMs)} of stall ${formatDuration(status.stallMs)} (${progress})`,
    );
  }

  onTaskEnd(task: TaskSpec, result: AttemptResult, _raw: ExecResult, willRetry: boolean): void {
    this.lastLine.delete(keyOf(task, result.attempt));
    if (!willRetry) this.done++;
    this.print(`${this.counter()} ${describeEnd(task, result, willRetry, this.options.colors)}`);
  }

  onWarning(message: string): void {
    this.print(describeWarning(message, this.options.colors));
  }

  onEnd(report: RunReport): void {
    const c = this.options.colors;
    const { totals } = report;
    const verdict = verdictWord(report.verdict, c);
    const interrupted = report.interrupted ? ' (interrupted)' : '';
    this.print(
      `done in ${formatDuration(report.durationMs)}${interrupted}: ${totals.passed} of ${totals.total} passed, ` +
        `success rate ${formatPercent(report.successRate)} vs target ${formatPercent(report.target)}: ${verdict}`,
    );
  }

  private counter(): string {
    const width = String(this.total).length;
    return `[${String(this.done).padStart(width)}/${this.total}]`;
  }

  private print(line: string): void {
    this.options.stream.write(`${line}\n`);
  }
}

function keyOf(task: TaskSpec, attempt: number): string {
  return `${task.id}\u0000${attempt}`;
}
