import { statSync } from 'node:fs';
import type { AttemptResult, EndReason, RunReport, TaskResult } from '../run/types.js';
import type { ChalkInstance } from './colors.js';
import { reasonColor, verdictWord } from './describe.js';
import { formatDuration, formatPercent, oneLine, padEnd, padStart, taskLabel, truncate } from './format.js';
import type { TextStream } from './line.js';
import { durationLines } from './stats-table.js';
import type { Reporter } from './types.js';

export interface SummaryOptions {
  colors: ChalkInstance;
  /** Report files of this run, listed at the end. */
  files?: readonly string[];
  /** Warnings of the run, repeated at the end because live output scrolls them away. */
  warnings?: readonly string[];
}

const COUNT_COLUMNS: ReadonlyArray<{ title: string; reason: EndReason | 'flaky' | 'total' }> = [
  { title: 'total', reason: 'total' },
  { title: 'passed', reason: 'passed' },
  { title: 'failed', reason: 'failed' },
  { title: 'timed-out', reason: 'timed-out' },
  { title: 'stalled', reason: 'stalled' },
  { title: 'crashed', reason: 'crashed' },
  { title: 'cancelled', reason: 'cancelled' },
  { title: 'flaky', reason: 'flaky' },
];
const NO_CATEGORY = '(none)';
const LIST_LIMIT = 10;
const SLOWEST = 5;

type Row = Record<(typeof COUNT_COLUMNS)[number]['reason'], number>;

function emptyRow(): Row {
  return { total: 0, passed: 0, failed: 0, 'timed-out': 0, stalled: 0, crashed: 0, cancelled: 0, flaky: 0 };
}

function countsTable(tasks: readonly TaskResult[], c: ChalkInstance): string[] {
  const rows = new Map<string, Row>();
  const all = emptyRow();
  for (const task of tasks) {
    const key = task.category === undefined ? NO_CATEGORY : oneLine(task.category, 30);
    const row = rows.get(key) ?? emptyRow();
    rows.set(key, row);
    for (const target of [row, all]) {
      target.total++;
      target[task.reason]++;
      if (task.flaky) target.flaky++;
    }
  }
  const names = [...rows.keys()].sort((a, b) =>
    a === NO_CATEGORY ? 1 : b === NO_CATEGORY ? -1 : a.localeCompare(b),
  );
  if (names.length > 1) names.push('all');
  const rowOf = (name: string): Row => (name === 'all' ? all : rows.get(name)!);
  const nameWidth = Math.max('category'.length, ...names.map((n) => n.length));

  const cell = (column: (typeof COUNT_COLUMNS)[number], value: number): string => {
    const text = padStart(String(value), column.title.length);
    if (value === 0 || column.reason === 'total') return value === 0 ? c.dim(text) : text;
    if (column.reason === 'flaky') return c.yellow(text);
    return reasonColor(column.reason, c)(text);
  };
  const header = `  ${padEnd('category', nameWidth)}  ${COUNT_COLUMNS.map((col) => col.title).join('  ')}`;
  const body = names.map((name) => {
    const label = name === 'all' ? c.bold(padEnd(name, nameWidth)) : padEnd(name, nameWidth);
    return `  ${label}  ${COUNT_COLUMNS.map((col) => cell(col, rowOf(name)[col.reason])).join('  ')}`;
  });
  return [c.bold(header), ...body];
}

function longestAttempt(task: TaskResult): AttemptResult | undefined {
  let longest: AttemptResult | undefined;
  for (const attempt of task.attempts) {
    if (longest === undefined || attempt.durationMs > longest.durationMs) longest = attempt;
  }
  return longest;
}

function slowestLines(tasks: readonly TaskResult[]): string[] {
  const ranked = tasks
    .map((task) => ({ task, attempt: longestAttempt(task) }))
    .filter((entry): entry is { task: TaskResult; attempt: AttemptResult } => entry.attempt !== undefined)
    .sort((a, b) => b.attempt.durationMs - a.attempt.durationMs)
    .slice(0, SLOWEST);
  return ranked.map(({ task, attempt }, index) => {
    // A killed attempt's time includes the grace period after the kill, so a share of the limit would read
    // as "232% of max"; it says how it ended instead.
    const killed = attempt.reason === 'timed-out' || attempt.reason === 'stalled';
    const share = killed
      ? ` (${attempt.reason})`
      : attempt.limits.maxMs > 0
        ? ` (${Math.round((attempt.durationMs / attempt.limits.maxMs) * 100)}%)`
        : '';
    const attempts =
      task.attempts.length > 1 ? `, attempt ${attempt.attempt} of ${task.attempts.length}` : '';
    return (
      `  ${index + 1}. ${padStart(formatDuration(attempt.durationMs), 7)} of max ` +
      `${padEnd(formatDuration(attempt.limits.maxMs) + share, 14)} ${taskLabel(task)}${attempts}`
    );
  });
}

function capped<T>(items: readonly T[], render: (item: T) => string): string[] {
  const lines = items.slice(0, LIST_LIMIT).map(render);
  if (items.length > LIST_LIMIT) lines.push(`  … and ${items.length - LIST_LIMIT} more`);
  return lines;
}

/** The end-of-run summary as text; plain when the colour instance has colours off. */
export function renderSummary(report: RunReport, options: SummaryOptions): string {
  const c = options.colors;
  const { totals } = report;
  const lines: string[] = [];
  const interrupted = report.interrupted ? c.yellow(' (interrupted)') : '';
  lines.push(
    c.bold(`Summary: ${oneLine(report.suite.name, 120)}`) +
      ` (${totals.total} task(s) in ${formatDuration(report.durationMs)}` +
      `${report.containment !== undefined ? `, containment ${report.containment}` : ''})${interrupted}`,
    '',
    ...countsTable(report.tasks, c),
    '',
  );

  const counted = report.interrupted ? totals.total - totals.cancelled : totals.total;
  const verdict = verdictWord(report.verdict, c);
  const rateColor = report.verdict === 'pass' ? c.green : report.verdict === 'fail' ? c.red : c.yellow;
  lines.push(
    `  Success rate ${rateColor(formatPercent(report.successRate))} (${totals.passed} of ${counted}) ` +
      `vs target ${formatPercent(report.target)}: ${verdict}`,
  );
  if (report.interrupted && totals.cancelled > 0) {
    lines.push(c.dim(`  ${totals.cancelled} cancelled task(s) not counted: the run was interrupted`));
  }

  const flaky = report.tasks.filter((t) => t.flaky);
  if (flaky.length > 0) {
    lines.push('', c.yellow.bold(`Flaky (passed after a retry): ${flaky.length}`));
    lines.push(
      ...capped(flaky, (t) => `  ${taskLabel(t)}: ${t.attempts.map((a) => a.reason).join(', then ')}`),
    );
  }

  const notPassed = report.tasks.filter((t) => t.reason !== 'passed' && t.reason !== 'cancelled');
  if (notPassed.length > 0) {
    lines.push('', c.red.bold(`Not passed: ${notPassed.length}`));
    lines.push(
      ...capped(notPassed, (t) => {
        const message = t.attempts.at(-1)?.messages.find((m) => m.trim() !== '');
        const why = message === undefined ? '' : `: ${oneLine(message, 160)}`;
        return `  ${reasonColor(t.reason, c)(padEnd(t.reason, 9))}  ${taskLabel(t)}${why}`;
      }),
    );
  }

  const slowest = slowestLines(report.tasks);
  if (slowest.length > 0) lines.push('', c.bold('Slowest'), ...slowest);
  const durations = durationLines(report, c);
  if (durations.length > 0) lines.push('', ...durations);

  const warnings = [...new Set(options.warnings ?? [])];
  if (warnings.length > 0) {
    lines.push('', c.yellow.bold(`Warnings: ${warnings.length}`));
    lines.push(...capped(warnings, (w) => `  ${truncate(oneLine(w, 500), 500)}`));
  }

  const files = options.files ?? [];
  if (files.length > 0) lines.push('', c.bold('Reports'), ...files.map((f) => `  ${f}`));
  return `${lines.join('\n')}\n`;
}

export interface SummaryReporterOptions {
  stream: TextStream;
  colors: ChalkInstance;
  files?: readonly string[];
}

export class SummaryReporter implements Reporter {
  readonly name = 'summary';
  private readonly warnings: string[] = [];

  constructor(private readonly options: SummaryReporterOptions) {}

  onWarning(message: string): void {
    this.warnings.push(message);
  }

  onEnd(report: RunReport): void {
    this.options.stream.write(
      `\n${renderSummary(report, {
        colors: this.options.colors,
        // Only what this run wrote: a report that failed is named in a warning instead.
        files: (this.options.files ?? []).filter((file) => writtenSince(file, Date.parse(report.startedAt))),
        warnings: this.warnings,
      })}`,
    );
  }
}

function writtenSince(path: string, since: number): boolean {
  try {
    const stat = statSync(path);
    // Whole seconds: some file systems keep coarse modification times.
    return stat.isFile() && stat.mtimeMs >= Math.floor(since / 1000) * 1000;
  } catch {
    return false;
  }
}
