import { computeStats } from '../run/stats.js';
import type { DurationStats, RunReport, RunStats } from '../run/types.js';
import type { ChalkInstance } from './colors.js';
import { formatDuration, formatPercent, oneLine, padEnd, padStart } from './format.js';

/** Tasks listed by p95 in the summary; the rest are in report.json and the CSV export. */
const TASK_ROWS = 10;

/** The report's stats, or computed from its tasks for a report written before they existed. */
export function statsOf(report: RunReport): RunStats {
  return report.stats ?? computeStats(report.tasks, report.interrupted);
}

export function durationText(ms: number | null): string {
  return ms === null ? '-' : formatDuration(ms);
}

/** Task rows worth a look first: highest p95, then highest max, then by name. */
export function slowestTasks(stats: RunStats, limit: number): RunStats['tasks'] {
  return [...stats.tasks]
    .filter((t) => t.attempts > 0)
    .sort(
      (a, b) =>
        (b.p95Ms ?? 0) - (a.p95Ms ?? 0) || (b.maxMs ?? 0) - (a.maxMs ?? 0) || a.task.localeCompare(b.task),
    )
    .slice(0, limit);
}

/** "Durations" section of the terminal summary: p50/p95/max per category, then the slowest tasks. */
export function durationLines(report: RunReport, c: ChalkInstance): string[] {
  const stats = statsOf(report);
  if (stats.all.attempts === 0) return [];
  const rows: Array<[string, DurationStats]> = stats.categories.map((row) => [
    oneLine(row.category, 30),
    row,
  ]);
  if (rows.length > 1) rows.push(['all', stats.all]);
  const tasks = slowestTasks(stats, TASK_ROWS);
  const width = Math.max('category'.length, ...rows.map(([name]) => name.length));
  const taskWidth = Math.max('task'.length, ...tasks.map((t) => Math.min(50, oneLine(t.task, 50).length)));
  const line = (name: string, w: number, s: DurationStats): string =>
    `  ${padEnd(name, w)}  ${padStart(formatPercent(s.successRate), 7)}  ${padStart(String(s.attempts), 8)}` +
    `  ${padStart(durationText(s.p50Ms), 7)}  ${padStart(durationText(s.p95Ms), 7)}  ${padStart(durationText(s.maxMs), 7)}`;
  const header = (first: string, w: number): string =>
    c.bold(
      `  ${padEnd(first, w)}  ${padStart('success', 7)}  ${padStart('attempts', 8)}  ${padStart('p50', 7)}` +
        `  ${padStart('p95', 7)}  ${padStart('max', 7)}`,
    );
  const lines = [c.bold('Durations (every attempt that ended)'), header('category', width)];
  lines.push(...rows.map(([name, row]) => line(name, width, row)));
  if (stats.tasks.length > 1) {
    lines.push('', header('task', taskWidth));
    lines.push(...tasks.map((t) => line(oneLine(t.task, 50), taskWidth, t)));
    if (stats.tasks.length > tasks.length) {
      lines.push(
        c.dim(`  … ${stats.tasks.length - tasks.length} more task(s) in report.json and --reporter csv`),
      );
    }
  }
  return lines;
}
