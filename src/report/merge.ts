import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { computeStats } from '../run/stats.js';
import { computeTotals, successRate, verdictOf } from '../run/totals.js';
import { REPORT_SCHEMA_VERSION, type RunReport, type TaskResult } from '../run/types.js';
import { runReportSchema } from './report-schema.js';

// One definition of the gate math for run and merge-reports: the scheduler's.
export { computeTotals, successRate, verdictOf };

/** A report file that cannot be used; the message is one line naming the file and the field. */
export class ReportReadError extends Error {
  override readonly name = 'ReportReadError';
}

/** Reports that cannot be combined into one; the message says which and why. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(top level)' : text;
}

function issueText(file: string, error: z.ZodError): string {
  const [issue] = error.issues;
  if (issue === undefined) return `${file}: not a cc-stress report`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return `${file}: ${pathText(issue.path)}: ${issue.message}${more}`;
}

/** Reads and validates a JSON report written by `cc-stress run` (format: docs/report-format.md). */
export function readReport(path: string): RunReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    throw new ReportReadError(`${path}: cannot read the report (${why})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportReadError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  // Version 1 differs only in lacking the `interrupted` verdict and the optional fields, so it reads as 2.
  if (version === 1) {
    const old = data as { interrupted?: unknown; verdict?: unknown };
    data = {
      ...old,
      schemaVersion: REPORT_SCHEMA_VERSION,
      verdict: old.interrupted === true ? 'interrupted' : old.verdict,
    };
  } else if (typeof version === 'number' && version !== REPORT_SCHEMA_VERSION) {
    throw new ReportReadError(
      `${path}: schemaVersion ${version} is not supported; this cc-stress reads versions 1 to ${REPORT_SCHEMA_VERSION}` +
        (version > REPORT_SCHEMA_VERSION ? ', upgrade cc-stress to read it' : ''),
    );
  }
  const parsed = runReportSchema.safeParse(data);
  if (!parsed.success) throw new ReportReadError(issueText(path, parsed.error));
  return parsed.data;
}

export interface MergeOptions {
  /** Names for the reports in error messages (usually their file paths); positions otherwise. */
  labels?: readonly string[];
}

/**
 * Combines the reports of the shards of one suite into the report of the whole suite, and applies the
 * success-rate gate once over all of it. A task found in several reports (a shard re-run) keeps its last
 * result, in its first position.
 */
export function mergeReports(reports: readonly RunReport[], options: MergeOptions = {}): RunReport {
  const first = reports[0];
  if (first === undefined) throw new MergeError('no reports to merge');
  const label = (index: number): string => options.labels?.[index] ?? `report ${index + 1}`;

  for (const [index, report] of reports.entries()) {
    if (report.target !== first.target) {
      throw new MergeError(
        `cannot merge reports with different targets: ${first.target} in ${label(0)}, ` +
          `${report.target} in ${label(index)}; run every shard with the same --target`,
      );
    }
    if (report.suite.name !== first.suite.name) {
      throw new MergeError(
        `cannot merge reports of different suites: "${first.suite.name}" in ${label(0)}, ` +
          `"${report.suite.name}" in ${label(index)}`,
      );
    }
  }

  const byId = new Map<string, TaskResult>();
  for (const report of reports) {
    for (const task of report.tasks) byId.set(task.id, task);
  }
  const tasks = [...byId.values()];

  const startedMs = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const endedMs = Math.max(...reports.map((r) => Date.parse(r.endedAt)));
  const interrupted = reports.some((r) => r.interrupted);
  const totals = computeTotals(tasks);
  const rate = successRate(totals, interrupted);
  const description = reports.find((r) => r.suite.description !== undefined)?.suite.description;
  // The weakest of the shards': one shard with process groups only is enough for escapes to be possible.
  const containments = new Set(reports.map((r) => r.containment));
  const containment = containments.has('process-group')
    ? 'process-group'
    : containments.size === 1
      ? first.containment
      : undefined;

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: first.tool,
    suite: {
      name: first.suite.name,
      ...(description !== undefined ? { description } : {}),
      file: first.suite.file,
    },
    startedAt: new Date(startedMs).toISOString(),
    endedAt: new Date(endedMs).toISOString(),
    durationMs: Math.max(0, endedMs - startedMs),
    interrupted,
    tasks,
    totals,
    successRate: rate,
    target: first.target,
    verdict: verdictOf(rate, first.target, interrupted),
    stats: computeStats(tasks, interrupted),
    ...(containment !== undefined ? { containment } : {}),
  };
}

/**
 * Which shards are absent from a set of shard reports (1-based), so a merge job can refuse to gate on a
 * suite that was only partly run. Undefined when the reports are not all shards of the same split.
 */
export function missingShards(reports: readonly RunReport[]): number[] | undefined {
  const shards = reports.map((r) => r.shard);
  const total = shards[0]?.total;
  if (total === undefined || shards.some((s) => s === undefined || s.total !== total)) return undefined;
  const seen = new Set(shards.map((s) => s?.index));
  const missing: number[] = [];
  for (let index = 1; index <= total; index++) if (!seen.has(index)) missing.push(index);
  return missing;
}

/**
 * The shards grouped by the split they computed; more than one group means they disagreed, so some tasks
 * ran twice and others not at all, and a merge must not gate on them. Reports without a fingerprint
 * (written before it existed) are left out.
 */
export function splitGroups(reports: readonly RunReport[]): { split: string; shards: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const report of reports) {
    const shard = report.shard;
    if (shard?.split === undefined) continue;
    groups.set(shard.split, [...(groups.get(shard.split) ?? []), shard.index]);
  }
  return [...groups].map(([split, shards]) => ({ split, shards: shards.sort((a, b) => a - b) }));
}
