import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/history/types.js';
import { parseSuite } from '../../../src/suite/index.js';
import { classify } from '../../../src/timeouts/index.js';
import { CC_STRESS_BIN } from './paths.js';

/** The parts of report.json the real-CLI tests read (docs/report-format.md). */
export interface ReportAttempt {
  reason: string;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  startedAt: string;
  endedAt: string;
  longestSilenceMs: number;
  messages: string[];
  logPath: string;
  limits: { maxMs: number; stallMs: number };
}
export interface ReportTask {
  id: string;
  reason: string;
  attempts: ReportAttempt[];
}
export interface Report {
  interrupted: boolean;
  verdict: string;
  tasks: ReportTask[];
}

export function readReport(workDir: string, out = 'reports'): Report {
  return JSON.parse(readFileSync(join(workDir, out, 'report.json'), 'utf8')) as Report;
}

/** The last attempt of a task, which must exist. */
export function lastAttempt(report: Report, id: string): ReportAttempt {
  const attempt = report.tasks.find((task) => task.id === id)?.attempts.at(-1);
  if (attempt === undefined) throw new Error(`task ${id} has no attempt in the report`);
  return attempt;
}

/** The CLI's JSON lines in the attempt's log, in order (the log prefixes lines with their stream). */
export function jsonLines(attempt: ReportAttempt): Record<string, unknown>[] {
  return readFileSync(attempt.logPath, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"');
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** The agent's final `result` line in the attempt's log, if it printed one. */
export function resultLine(attempt: ReportAttempt): Record<string, unknown> | undefined {
  const lines = readFileSync(attempt.logPath, 'utf8').split('\n');
  for (const line of lines.reverse()) {
    // The log prefixes lines with their stream; the JSON starts at the first brace.
    const start = line.indexOf('{"');
    if (start < 0) continue;
    try {
      const parsed = JSON.parse(line.slice(start)) as Record<string, unknown>;
      if (parsed.type === 'result') return parsed;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/** A run as `cc-stress history show --json` prints it: the product's own record. */
export type HistoryRun = RunRecord;

/**
 * The verb-level class key the product files a suite task's runs under, from the product's own classifier
 * (keys carry its version prefix), so that the tests never hand-build a key.
 */
export function verbClassKey(suiteFile: string, taskId: string): string {
  const suite = parseSuite(readFileSync(suiteFile, 'utf8'), suiteFile, {
    env: { ...process.env, CC_REAL_CLI_HOMES: process.env.CC_REAL_CLI_HOMES ?? '/tmp' },
  });
  const task = suite.tasks.find((t) => t.id === taskId);
  if (task === undefined) throw new Error(`task ${taskId} is not in ${suiteFile}`);
  const key = classify(task).levels.find((level) => level.level === 'verb')?.key;
  if (key === undefined) throw new Error(`task ${taskId} has no verb-level class`);
  return key;
}

/** What the run taught the history for one class, read the way a user would: `cc-stress history show`. */
export function historyRuns(workDir: string, classKey: string): HistoryRun[] {
  const text = execFileSync(
    process.execPath,
    [CC_STRESS_BIN, 'history', 'show', classKey, '--json', '--limit', '500'],
    {
      env: historyEnv(workDir),
      encoding: 'utf8',
    },
  );
  return (JSON.parse(text) as { runs: HistoryRun[] }).runs;
}

function historyEnv(workDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CC_STRESS_HISTORY: join(workDir, 'history.db') };
  delete env.CC_STRESS_REDIS_URL;
  delete env.CC_STRESS_CONFIG;
  return env;
}
