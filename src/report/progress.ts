import cliProgress from 'cli-progress';
import type { ExecResult, LiveStatus } from '../exec/types.js';
import type { AttemptResult, RunReport } from '../run/types.js';
import type { TaskSpec } from '../suite/types.js';
import type { ChalkInstance } from './colors.js';
import { describeEnd, describeWarning } from './describe.js';
import {
  formatDuration,
  formatPercent,
  hardWrap,
  padEnd,
  taskLabel,
  truncate,
  visibleWidth,
  wordWrap,
} from './format.js';
import type { AttemptStart, Reporter, RunStartInfo } from './types.js';

/** A terminal-like output: process.stderr, or any Writable with isTTY and columns (tests). */
export interface TerminalStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface ProgressReporterOptions {
  colors: ChalkInstance;
  /** Default process.stderr, so stdout stays clean for piping. */
  stream?: TerminalStream;
  /** Redraws per second. */
  fps?: number;
  /** At most this many task lines; the rest are counted in one line. Default: what fits the terminal, up to 20. */
  maxTaskLines?: number;
  now?: () => number;
}

interface Running {
  label: string;
  beganAt: number;
  limits: AttemptStart['limits'];
  status?: LiveStatus;
  statusAt: number;
}

type Bar = ReturnType<cliProgress.MultiBar['create']>;

const SHOW_CURSOR_AND_WRAP = '\u001b[?25h\u001b[?7h';
const CLEAR_LINE = '\u001b[2K';
const BAR_WIDTH = 20;
// Between two status events a task's clocks are extrapolated, but not further than this: a paused or
// silent executor must not make the times run away.
const EXTRAPOLATE_LIMIT_MS = 2000;

function bar(ratio: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(ratio * width)));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * Live multi-line progress for a terminal: an overall bar, then one line per running task with its clocks
 * against its limits, so a user sees which task is about to be killed and why. Events worth keeping
 * (failures, retries, warnings) are printed above the bars and stay in the scrollback.
 */
export class ProgressReporter implements Reporter {
  readonly name = 'progress';
  private readonly stream: TerminalStream;
  private readonly c: ChalkInstance;
  private readonly now: () => number;
  private multibar: cliProgress.MultiBar | undefined;
  private readonly taskBars: Bar[] = [];
  private readonly running = new Map<string, Running>();
  private stopped = false;
  private total = 0;
  private done = 0;
  private passed = 0;
  private notPassed = 0;
  private cancelled = 0;
  private target = 1;
  private readonly restoreOnExit = (): void => {
    if (this.multibar?.isActive === true) this.stream.write(SHOW_CURSOR_AND_WRAP);
  };

  constructor(private readonly options: ProgressReporterOptions) {
    this.stream = options.stream ?? process.stderr;
    this.c = options.colors;
    this.now = options.now ?? Date.now;
  }

  onBegin(info: RunStartInfo): void {
    this.total = info.tasks.length;
    this.target = info.target;
    this.multibar = new cliProgress.MultiBar({
      stream: this.stream,
      format: (_options, params, payload: { render: (width: number) => string }) =>
        payload.render(params.maxWidth),
      fps: this.options.fps ?? 10,
      hideCursor: true,
      linewrap: false,
      // Log lines above the bars shift them down; unchanged bars must be redrawn at their new place.
      forceRedraw: true,
      clearOnComplete: false,
    });
    // cli-progress cuts a frame to the terminal width by string length once wrapping is back on (its final
    // frame), counting escape bytes: the cut lands inside a colour code and hides the success rate. Our
    // lines are already cut by visible width, so they go out whole.
    const terminal = (this.multibar as unknown as { terminal?: { write(s: string, raw?: boolean): void } })
      .terminal;
    if (terminal !== undefined) terminal.write = (text: string) => void this.stream.write(text);
    // Our own Ctrl-C handling ends the run through onEnd; this only covers a hard process.exit.
    process.once('exit', this.restoreOnExit);
    this.multibar.create(1, 0, { render: (width: number) => this.overallLine(width) });
    if (info.containment !== undefined) this.print(this.c.dim(`containment: ${info.containment}`));
  }

  onTaskBegin(start: AttemptStart): void {
    this.running.set(keyOf(start.task, start.attempt), {
      label: taskLabel(start.task),
      beganAt: this.now(),
      limits: start.limits,
      statusAt: this.now(),
    });
    this.fitTaskBars();
  }

  onTaskStatus(task: TaskSpec, attempt: number, status: LiveStatus): void {
    const row = this.running.get(keyOf(task, attempt));
    if (row === undefined) return;
    row.status = status;
    row.statusAt = this.now();
  }

  onTaskEnd(task: TaskSpec, result: AttemptResult, _raw: ExecResult, willRetry: boolean): void {
    this.running.delete(keyOf(task, result.attempt));
    if (!willRetry) {
      this.done++;
      if (result.reason === 'passed') this.passed++;
      else if (result.reason === 'cancelled') this.cancelled++;
      else this.notPassed++;
    }
    if (result.reason !== 'passed' && result.reason !== 'cancelled') {
      this.print(describeEnd(task, result, willRetry, this.c));
    }
    this.fitTaskBars();
  }

  onWarning(message: string): void {
    this.print(describeWarning(message, this.c));
  }

  onEnd(_report: RunReport): void {
    this.stop();
  }

  /** Restores the terminal (cursor, line wrapping) and leaves the final overall line in place. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.restoreOnExit);
    const multibar = this.multibar;
    if (multibar === undefined) return;
    this.running.clear();
    for (const taskBar of this.taskBars.splice(0)) multibar.remove(taskBar);
    multibar.update(); // flushes log lines still waiting for the next frame
    multibar.stop();
  }

  private print(line: string): void {
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const multibar = this.multibar;
    if (multibar === undefined || this.stopped) {
      this.stream.write(`${line}\n`);
      return;
    }
    // Wrapping is off while bars are drawn, so long lines are broken here; each piece clears the old bar
    // text it is written over.
    for (const piece of wordWrap(line, width)) multibar.log(`${CLEAR_LINE}${piece}\n`);
  }

  private maxTaskLines(): number {
    if (this.options.maxTaskLines !== undefined) return Math.max(1, this.options.maxTaskLines);
    const rows = this.stream.rows ?? 24;
    return Math.max(1, Math.min(20, rows - 4));
  }

  /** Keeps one bar per visible task line (plus one "and N more" line); bars render by position. */
  private fitTaskBars(): void {
    const multibar = this.multibar;
    if (multibar === undefined || this.stopped) return;
    const limit = this.maxTaskLines();
    const wanted = this.running.size <= limit ? this.running.size : limit + 1;
    while (this.taskBars.length < wanted) {
      const position = this.taskBars.length;
      this.taskBars.push(
        multibar.create(1, 0, { render: (width: number) => this.taskLine(position, width) }),
      );
    }
    while (this.taskBars.length > wanted) multibar.remove(this.taskBars.pop()!);
  }

  /**
   * The overall line, in the widest form that fits: the success rate against the target matters most, so
   * the bar, the counts' words and the running count give way first (it stays visible down to ~40 columns).
   */
  private overallLine(width: number): string {
    const c = this.c;
    const judged = this.done - this.cancelled;
    const rate = judged > 0 ? this.passed / judged : undefined;
    const ratio = this.total > 0 ? this.done / this.total : 0;
    const rateValue = rate === undefined ? '-' : (rate >= this.target ? c.green : c.red)(formatPercent(rate));
    const failed = this.notPassed > 0 ? c.red : (text: string) => text;
    const cancelled = this.cancelled > 0 ? [c.gray(`cancelled ${this.cancelled}`)] : [];
    const forms = [
      [
        `${c.bold('overall')} ${c.cyan(bar(ratio, BAR_WIDTH))} ${this.done}/${this.total}`,
        c.green(`passed ${this.passed}`),
        failed(`failed ${this.notPassed}`),
        ...cancelled,
        `running ${this.running.size}`,
        `success ${rateValue} (target ${formatPercent(this.target)})`,
      ],
      [
        `${c.cyan(bar(ratio, 10))} ${this.done}/${this.total}`,
        c.green(`✓${this.passed}`),
        failed(`✗${this.notPassed}`),
        `success ${rateValue} (target ${formatPercent(this.target)})`,
      ],
      [`${this.done}/${this.total}`, `success ${rateValue} ≥ ${formatPercent(this.target)}?`],
    ];
    for (const parts of forms) {
      const line = parts.join('  ');
      if (visibleWidth(line) <= width - 1) return line;
    }
    return fitWidth(forms.at(-1)!.join(' '), width);
  }

  private taskLine(position: number, width: number): string {
    const limit = this.maxTaskLines();
    const rows = [...this.running.values()];
    if (position >= limit) return this.c.dim(`  … and ${rows.length - limit} more running`);
    const row = rows[position];
    if (row === undefined) return '';
    const now = this.now();
    const { clocks, share } = this.clocksOf(row, now);
    // Every row is laid out for the widest clocks on screen, so the label column, and the bars after it,
    // stay in line when one task's clock is a character longer than another's.
    const widest = Math.max(...rows.slice(0, limit).map((r) => visibleWidth(this.clocksOf(r, now).clocks)));
    let barWidth = BAR_WIDTH;
    let room = width - 1 - (barWidth + 1 + widest) - 4;
    // The bar narrows before it goes, so narrow terminals keep it.
    if (room < 8) {
      barWidth = BAR_WIDTH / 2;
      room = width - 1 - (barWidth + 1 + widest) - 4;
    }
    if (room < 8) return fitWidth(`  ${row.label}  ${clocks}`, width);
    const right = `${this.c.cyan(bar(share, barWidth))} ${clocks}`;
    // One label column for every row, so the bars line up.
    const column = Math.min(room, 40, Math.max(12, ...rows.map((r) => visibleWidth(r.label))));
    return fitWidth(`  ${padEnd(truncate(row.label, column), column)}  ${right}`, width);
  }

  /** A running task's clocks (elapsed and idle against its limits, coloured near them) and its bar share. */
  private clocksOf(row: Running, now: number): { clocks: string; share: number } {
    const c = this.c;
    let elapsed: number;
    let idle: number;
    let maxMs = row.limits.maxMs;
    let stallMs = row.limits.stallMs;
    if (row.status === undefined) {
      elapsed = now - row.beganAt;
      idle = elapsed;
    } else {
      const drift = Math.min(EXTRAPOLATE_LIMIT_MS, Math.max(0, now - row.statusAt));
      elapsed = row.status.elapsedMs + drift;
      idle = row.status.sinceProgressMs + drift;
      maxMs = row.status.maxMs;
      stallMs = row.status.stallMs;
    }
    const elapsedRatio = maxMs > 0 ? elapsed / maxMs : 0;
    const idleRatio = stallMs > 0 ? idle / stallMs : 0;
    const warn = (ratio: number, high: number): ((text: string) => string) =>
      ratio >= 0.9 ? c.red : ratio >= high ? c.yellow : (text: string) => text;
    const clocks =
      `${warn(elapsedRatio, 0.75)(`${formatDuration(elapsed)}/${formatDuration(maxMs)}`)}  ` +
      `idle ${warn(idleRatio, 0.5)(`${formatDuration(idle)}/${formatDuration(stallMs)}`)}`;
    return { clocks, share: timeShare(elapsed, maxMs) };
  }
}

/**
 * How far a task is towards its max limit, on a log scale: limits are often 100 times the typical run (a
 * 30-minute limit on a 20-second task), and a linear bar would stay empty for the whole run. The clocks
 * beside it give the exact times; the colours warn on the linear share.
 */
export function timeShare(elapsedMs: number, maxMs: number): number {
  if (!(maxMs > 0)) return 0;
  return Math.min(1, Math.log1p(Math.max(0, elapsedMs) / 1000) / Math.log1p(maxMs / 1000));
}

function keyOf(task: TaskSpec, attempt: number): string {
  return `${task.id}\u0000${attempt}`;
}

/** Cuts a line to the terminal width (colour codes do not count), leaving the last column free. */
function fitWidth(line: string, width: number): string {
  const [first = ''] = hardWrap(line, Math.max(1, width - 1));
  if (first === line) return line;
  // A cut may leave a colour open; reset it so it does not bleed into the next line.
  return first.includes('\u001b[') ? `${first}\u001b[0m` : first;
}
