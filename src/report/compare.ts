import type { DurationStats, RunReport } from '../run/types.js';
import type { ChalkInstance } from './colors.js';
import { formatPercent, oneLine, padEnd, padStart } from './format.js';
import { markdownCell } from './markdown.js';
import { durationText, statsOf } from './stats-table.js';

export type Scope = 'run' | 'category' | 'task';

export interface Change {
  scope: Scope;
  name: string;
  /** Absent when the task or category is only in the other report. */
  base?: DurationStats;
  head?: DurationStats;
  /** head − base success rate (−0.05 is five percentage points worse); absent unless in both. */
  successDelta?: number;
  /** head / base, absent unless both have durations and base is above 0. */
  p50Ratio?: number;
  p95Ratio?: number;
}

export interface Comparison {
  base: { suite: string; startedAt: string };
  head: { suite: string; startedAt: string };
  changes: Change[];
}

function change(scope: Scope, name: string, base?: DurationStats, head?: DurationStats): Change {
  const ratio = (a: number | null | undefined, b: number | null | undefined): number | undefined =>
    a !== null && a !== undefined && b !== null && b !== undefined && a > 0 ? b / a : undefined;
  const result: Change = { scope, name };
  if (base !== undefined) result.base = base;
  if (head !== undefined) result.head = head;
  if (base !== undefined && head !== undefined) result.successDelta = head.successRate - base.successRate;
  const p50 = ratio(base?.p50Ms, head?.p50Ms);
  const p95 = ratio(base?.p95Ms, head?.p95Ms);
  if (p50 !== undefined) result.p50Ratio = p50;
  if (p95 !== undefined) result.p95Ratio = p95;
  return result;
}

function pairs<T extends DurationStats>(
  base: readonly T[],
  head: readonly T[],
  key: (row: T) => string,
): Array<[string, T | undefined, T | undefined]> {
  const baseBy = new Map(base.map((row) => [key(row), row]));
  const headBy = new Map(head.map((row) => [key(row), row]));
  const names = [...new Set([...baseBy.keys(), ...headBy.keys()])];
  return names.map((name) => [name, baseBy.get(name), headBy.get(name)]);
}

/** Success rate and p50/p95 of the run, each category and each task, base against head. */
export function compareReports(base: RunReport, head: RunReport): Comparison {
  const b = statsOf(base);
  const h = statsOf(head);
  return {
    base: { suite: base.suite.name, startedAt: base.startedAt },
    head: { suite: head.suite.name, startedAt: head.startedAt },
    changes: [
      change('run', 'all', b.all, h.all),
      ...pairs(b.categories, h.categories, (r) => r.category).map(([n, x, y]) => change('category', n, x, y)),
      ...pairs(b.tasks, h.tasks, (r) => r.task).map(([n, x, y]) => change('task', n, x, y)),
    ],
  };
}

export interface Gate {
  /** Largest allowed drop of a success rate, 0..1 (0.05 = five percentage points). */
  maxRegression?: number;
  /** Largest allowed p95 growth, as a factor (1.5 = 50% slower). */
  maxSlowdown?: number;
}

/**
 * What breaks the gate. Only the run and its categories are gated: a single task has too few runs for its
 * success rate or p95 to say much on its own, so tasks are shown but not gated.
 */
export function regressions(comparison: Comparison, gate: Gate): string[] {
  const found: string[] = [];
  for (const c of comparison.changes) {
    if (c.scope === 'task') continue;
    const label = c.scope === 'run' ? 'the run' : `category ${oneLine(c.name, 60)}`;
    if (
      gate.maxRegression !== undefined &&
      c.successDelta !== undefined &&
      -c.successDelta > gate.maxRegression + 1e-9
    ) {
      found.push(
        `${label}: success rate ${formatPercent(c.base!.successRate)} → ${formatPercent(c.head!.successRate)} ` +
          `(${points(c.successDelta)}, more than --max-regression ${gate.maxRegression})`,
      );
    }
    if (gate.maxSlowdown !== undefined && c.p95Ratio !== undefined && c.p95Ratio > gate.maxSlowdown) {
      found.push(
        `${label}: p95 ${durationText(c.base!.p95Ms)} → ${durationText(c.head!.p95Ms)} ` +
          `(x${c.p95Ratio.toFixed(2)}, more than --max-slowdown ${gate.maxSlowdown})`,
      );
    }
  }
  return found;
}

function points(delta: number): string {
  const pp = delta * 100;
  return `${pp >= 0 ? '+' : ''}${pp.toFixed(1)} pp`;
}

function ratioText(ratio: number | undefined): string {
  if (ratio === undefined) return '';
  const pct = Math.round((ratio - 1) * 100);
  return `${pct >= 0 ? '+' : ''}${pct}%`;
}

/** The comparison as a table for the terminal: worse in red, better in green. */
export function renderComparison(comparison: Comparison, c: ChalkInstance): string {
  const header = ['scope', 'name', 'success', 'change', 'p50', 'change', 'p95', 'change'];
  const arrow = (a: string | undefined, b: string | undefined) => `${a ?? '-'} → ${b ?? '-'}`;
  const tint = (text: string, worse: boolean | undefined): string =>
    worse === undefined || text === '' ? text : worse ? c.red(text) : c.green(text);
  const rows = comparison.changes.map((ch) => {
    const note = ch.base === undefined ? ' (new)' : ch.head === undefined ? ' (gone)' : '';
    return [
      ch.scope,
      oneLine(ch.name, 50) + note,
      arrow(ch.base && formatPercent(ch.base.successRate), ch.head && formatPercent(ch.head.successRate)),
      tint(
        ch.successDelta === undefined ? '' : points(ch.successDelta),
        ch.successDelta === 0 ? undefined : (ch.successDelta ?? 0) < 0,
      ),
      arrow(ch.base && durationText(ch.base.p50Ms), ch.head && durationText(ch.head.p50Ms)),
      tint(
        ratioText(ch.p50Ratio),
        ch.p50Ratio === undefined
          ? undefined
          : ch.p50Ratio > 1.1
            ? true
            : ch.p50Ratio < 0.9
              ? false
              : undefined,
      ),
      arrow(ch.base && durationText(ch.base.p95Ms), ch.head && durationText(ch.head.p95Ms)),
      tint(
        ratioText(ch.p95Ratio),
        ch.p95Ratio === undefined
          ? undefined
          : ch.p95Ratio > 1.1
            ? true
            : ch.p95Ratio < 0.9
              ? false
              : undefined,
      ),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => oneLine(r[i]!, 200).length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i < 2 ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!))).join('  ')}`.trimEnd();
  const title =
    `compare: ${oneLine(comparison.base.suite, 80)} at ${comparison.base.startedAt} → ` +
    `${oneLine(comparison.head.suite, 80)} at ${comparison.head.startedAt}`;
  return [c.bold(title), '', c.bold(line(header)), ...rows.map(line)].join('\n') + '\n';
}

/** The comparison as a Markdown table, for a pull request comment or a job summary. */
export function renderComparisonMarkdown(comparison: Comparison, found: readonly string[]): string {
  const arrow = (a: string | undefined, b: string | undefined) => `${a ?? '-'} → ${b ?? '-'}`;
  const rows = comparison.changes.map((ch) => {
    const note = ch.base === undefined ? ' (new)' : ch.head === undefined ? ' (gone)' : '';
    return [
      ch.scope,
      markdownCell(ch.name, 80) + note,
      arrow(ch.base && formatPercent(ch.base.successRate), ch.head && formatPercent(ch.head.successRate)),
      ch.successDelta === undefined ? '' : points(ch.successDelta),
      arrow(ch.base && durationText(ch.base.p50Ms), ch.head && durationText(ch.head.p50Ms)),
      ratioText(ch.p50Ratio),
      arrow(ch.base && durationText(ch.base.p95Ms), ch.head && durationText(ch.head.p95Ms)),
      ratioText(ch.p95Ratio),
    ];
  });
  const lines = [
    `## cc-stress compare: ${markdownCell(comparison.head.suite, 80)} ${found.length > 0 ? '❌ regressed' : '✅ no regression'}`,
    '',
    `Base ${comparison.base.startedAt}, head ${comparison.head.startedAt}.`,
    '',
    '| scope | name | success | change | p50 | change | p95 | change |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (found.length > 0)
    lines.push('', '### Regressions', '', ...found.map((f) => `- ${markdownCell(f, 300)}`));
  return `${lines.join('\n')}\n`;
}
