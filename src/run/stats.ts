import { quantile } from '../timeouts/stats.js';
import { computeTotals, successRate } from './totals.js';
import type { DurationStats, RunStats, TaskResult } from './types.js';

const NO_CATEGORY = '(none)';

/** The task as written in the suite: a repeat suffix (`#3`) removed; ids cannot contain `#` otherwise. */
export function taskKey(id: string): string {
  return id.replace(/#\d+$/, '');
}

export function durationStats(tasks: readonly TaskResult[], interrupted: boolean): DurationStats {
  const totals = computeTotals(tasks);
  const durations = tasks
    .flatMap((task) => task.attempts)
    .filter((attempt) => attempt.reason !== 'cancelled')
    .map((attempt) => attempt.durationMs)
    .sort((a, b) => a - b);
  return {
    tasks: totals.total,
    passed: totals.passed,
    successRate: successRate(totals, interrupted),
    attempts: durations.length,
    p50Ms: quantile(durations, 0.5) ?? null,
    p95Ms: quantile(durations, 0.95) ?? null,
    maxMs: durations.at(-1) ?? null,
  };
}

function groupBy(tasks: readonly TaskResult[], key: (task: TaskResult) => string): Map<string, TaskResult[]> {
  const groups = new Map<string, TaskResult[]>();
  for (const task of tasks) {
    const name = key(task);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [task]);
    else group.push(task);
  }
  return groups;
}

/**
 * Success rate and p50/p95/max attempt durations for the run, each category and each task. Every attempt
 * that ended counts, failed ones too: a task that keeps timing out should show it in its p95.
 */
export function computeStats(tasks: readonly TaskResult[], interrupted: boolean): RunStats {
  const categories = [...groupBy(tasks, (t) => t.category ?? NO_CATEGORY)]
    .sort(([a], [b]) => (a === NO_CATEGORY ? 1 : b === NO_CATEGORY ? -1 : a.localeCompare(b)))
    .map(([category, group]) => ({ category, ...durationStats(group, interrupted) }));
  const perTask = [...groupBy(tasks, (t) => taskKey(t.id))].map(([task, group]) => {
    const category = group[0]?.category;
    return { task, ...(category !== undefined ? { category } : {}), ...durationStats(group, interrupted) };
  });
  return { all: durationStats(tasks, interrupted), categories, tasks: perTask };
}
