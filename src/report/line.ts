import type { ExecResult } from '../exec/types.js';
import type { AttemptResult, AttemptStart, Reporter, RunReport, RunStartInfo } from '../run/types.js';
import type { TaskSpec } from '../suite/types.js';
import type { ChalkInstance } from './colors.js';
import { describeEnd, describeStart, describeWarning, verdictWord } from './describe.js';
import { formatDuration, formatPercent, oneLine } from './format.js';

export interface TextStream {
  write(chunk: string): unknown;
}

export interface LineReporterOptions {
  stream: TextStream;
  colors: ChalkInstance;
}

/**
 * One plain line per event, for CI logs and pipes: nothing is redrawn, so every line stays readable in a
 * log file, and nothing from a task can inject cursor control codes.
 */
export class LineReporter implements Reporter {
  readonly name = 'line';
  private total = 0;
  private done = 0;

  constructor(private readonly options: LineReporterOptions) {}

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
    this.print(`${this.counter()} ${describeStart(start, this.options.colors)}`);
  }

  onTaskEnd(task: TaskSpec, result: AttemptResult, _raw: ExecResult, willRetry: boolean): void {
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
