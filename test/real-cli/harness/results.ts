import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export interface HistoryRun {
  durationMs: number;
  outcome: string;
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
