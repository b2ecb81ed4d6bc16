import { join } from 'node:path';
import type { DurationStats, RunReport, TaskResult } from '../run/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { formatDuration, formatPercent, oneLine } from './format.js';
import { durationText, slowestTasks, statsOf } from './stats-table.js';
import type { Reporter } from './types.js';

export const MARKDOWN_REPORT_FILE = 'summary.md';

const LIST_LIMIT = 50;
const TASK_ROWS = 20;

/**
 * Text from a task or suite as one table cell: one line, no markup a renderer would act on (HTML tags,
 * pipes that end the cell, emphasis and links), so a task cannot restyle or link from the summary.
 */
export function markdownCell(text: string, maxLength = 200): string {
  return oneLine(text, maxLength)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1');
}

function verdictText(report: RunReport): string {
  return report.verdict === 'pass' ? '✅ PASS' : report.verdict === 'fail' ? '❌ FAIL' : '⚠️ INTERRUPTED';
}

/** A table whose columns from `numbers` on are right-aligned, except those listed in `text`. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numbers: number,
  text: readonly number[] = [],
): string[] {
  const align = header.map((_, i) => (i < numbers || text.includes(i) ? '---' : '---:'));
  return [
    `| ${header.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function statsCells(s: DurationStats): string[] {
  return [
    String(s.tasks),
    String(s.passed),
    formatPercent(s.successRate),
    durationText(s.p50Ms),
    durationText(s.p95Ms),
    durationText(s.maxMs),
  ];
}

function whyOf(task: TaskResult): string {
  const message = task.attempts.at(-1)?.messages.find((m) => m.trim() !== '');
  return message === undefined ? '' : markdownCell(message, 200);
}

/** The run as GitHub-flavoured Markdown: verdict, counts, per-category rates and durations, what failed. */
export function renderMarkdown(report: RunReport): string {
  const { totals } = report;
  const stats = statsOf(report);
  const counted = report.interrupted ? totals.total - totals.cancelled : totals.total;
  const lines = [
    `## cc-stress: ${markdownCell(report.suite.name, 120)} ${verdictText(report)}`,
    '',
    `Success rate **${formatPercent(report.successRate)}** (${totals.passed} of ${counted}) vs target ` +
      `${formatPercent(report.target)}, ${totals.total} task(s) in ${formatDuration(report.durationMs)}` +
      (report.shard !== undefined ? `, shard ${report.shard.index}/${report.shard.total}` : '') +
      '.',
  ];
  if (report.interrupted) {
    lines.push('', `The run was interrupted: ${totals.cancelled} task(s) did not run, and it does not pass.`);
  }
  lines.push(
    '',
    ...table(
      ['passed', 'failed', 'timed-out', 'stalled', 'crashed', 'cancelled', 'flaky'],
      [
        [
          totals.passed,
          totals.failed,
          totals.timedOut,
          totals.stalled,
          totals.crashed,
          totals.cancelled,
          totals.flaky,
        ].map(String),
      ],
      0,
    ),
    '',
    '### By category',
    '',
    ...table(
      ['category', 'tasks', 'passed', 'success', 'p50', 'p95', 'max'],
      [
        ...stats.categories.map((row) => [markdownCell(row.category, 60), ...statsCells(row)]),
        ...(stats.categories.length > 1 ? [['**all**', ...statsCells(stats.all)]] : []),
      ],
      1,
    ),
  );

  const notPassed = report.tasks.filter((t) => t.reason !== 'passed' && t.reason !== 'cancelled');
  if (notPassed.length > 0) {
    lines.push(
      '',
      `### Not passed (${notPassed.length})`,
      '',
      ...table(
        ['task', 'reason', 'attempts', 'why'],
        notPassed
          .slice(0, LIST_LIMIT)
          .map((t) => [
            `\`${markdownCell(t.id, 100).replace(/`/g, '')}\``,
            t.reason,
            String(t.attempts.length),
            whyOf(t),
          ]),
        2,
        [3],
      ),
    );
    if (notPassed.length > LIST_LIMIT)
      lines.push('', `… and ${notPassed.length - LIST_LIMIT} more in report.json.`);
  }
  const flaky = report.tasks.filter((t) => t.flaky);
  if (flaky.length > 0) {
    lines.push('', `### Flaky, passed after a retry (${flaky.length})`, '');
    for (const t of flaky.slice(0, LIST_LIMIT)) {
      lines.push(`- ${markdownCell(t.id, 100)}: ${t.attempts.map((a) => a.reason).join(', then ')}`);
    }
  }
  const slow = slowestTasks(stats, TASK_ROWS);
  if (slow.length > 0) {
    lines.push(
      '',
      '<details><summary>Durations per task (highest p95 first)</summary>',
      '',
      ...table(
        ['task', 'tasks', 'passed', 'success', 'p50', 'p95', 'max'],
        slow.map((row) => [markdownCell(row.task, 100), ...statsCells(row)]),
        1,
      ),
      '',
      '</details>',
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface MarkdownReporterOptions {
  outDir: string;
  fileName?: string;
}

/** Writes summary.md, the Markdown summary any CI can show or attach. */
export class MarkdownReporter implements Reporter {
  readonly name = 'markdown';
  readonly path: string;

  constructor(options: MarkdownReporterOptions) {
    this.path = join(options.outDir, options.fileName ?? MARKDOWN_REPORT_FILE);
  }

  async onEnd(report: RunReport): Promise<void> {
    await writeFileAtomic(this.path, renderMarkdown(report));
  }
}
