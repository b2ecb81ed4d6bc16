import { join } from 'node:path';
import type { DurationStats, RunReport } from '../run/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { statsOf } from './stats-table.js';
import type { Reporter } from './types.js';

export const CSV_REPORT_FILE = 'stats.csv';

const HEADER = [
  'scope',
  'name',
  'category',
  'tasks',
  'passed',
  'success_rate',
  'attempts',
  'p50_ms',
  'p95_ms',
  'max_ms',
] as const;

/**
 * One RFC 4180 field. A field that a spreadsheet would run as a formula (=, +, -, @ first) is quoted and
 * prefixed with an apostrophe, since task names come from suite authors and category from classifiers.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(scope: string, name: string, category: string, s: DurationStats): string {
  return [
    scope,
    name,
    category,
    s.tasks,
    s.passed,
    Number(s.successRate.toFixed(6)),
    s.attempts,
    s.p50Ms,
    s.p95Ms,
    s.maxMs,
  ]
    .map(csvField)
    .join(',');
}

/** The run's statistics as CSV: one row for the run, one per category, one per task (repeats together). */
export function statsCsv(report: RunReport): string {
  const stats = statsOf(report);
  const lines = [
    HEADER.join(','),
    row('run', report.suite.name, '', stats.all),
    ...stats.categories.map((c) => row('category', c.category, c.category, c)),
    ...stats.tasks.map((t) => row('task', t.task, t.category ?? '', t)),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

export interface CsvReporterOptions {
  outDir: string;
  fileName?: string;
}

export class CsvReporter implements Reporter {
  readonly name = 'csv';
  readonly path: string;

  constructor(options: CsvReporterOptions) {
    this.path = join(options.outDir, options.fileName ?? CSV_REPORT_FILE);
  }

  async onEnd(report: RunReport): Promise<void> {
    await writeFileAtomic(this.path, statsCsv(report));
  }
}
