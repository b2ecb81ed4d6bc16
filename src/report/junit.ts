import { join } from 'node:path';
import type { AttemptResult, Reporter, RunReport, TaskResult } from '../run/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { exitText, sourceText } from './describe.js';
import { formatDuration, truncate } from './format.js';
import { attributes, element, escapeText } from './xml.js';

export const JUNIT_REPORT_FILE = 'junit.xml';

const MESSAGE_LIMIT = 1000;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function caseName(task: TaskResult): string {
  return task.name === task.id || task.name === '' ? task.id : `${task.name} [${task.id}]`;
}

/** A short message for the element's attribute: the first piece of evidence, or what the reason implies. */
function messageOf(attempt: AttemptResult): string {
  const first = attempt.messages.find((m) => m.trim() !== '');
  if (first !== undefined) return truncate(first, MESSAGE_LIMIT);
  switch (attempt.reason) {
    case 'timed-out':
      return `timed out after ${formatDuration(attempt.durationMs)} (max ${formatDuration(attempt.limits.maxMs)})`;
    case 'stalled':
      return `no progress for ${formatDuration(attempt.longestSilenceMs)} (stall limit ${formatDuration(attempt.limits.stallMs)})`;
    case 'crashed':
      return 'the task could not be started or its executor failed';
    case 'failed':
      return attempt.exitCode !== null ? `exit code ${attempt.exitCode}` : 'failed';
    default:
      return attempt.reason;
  }
}

/** The element body: every message, then what a person needs to reproduce or tune the limits. */
function detailOf(attempt: AttemptResult, attempts: number): string {
  const lines = [...attempt.messages];
  const exit = exitText(attempt);
  lines.push(
    `attempt ${attempt.attempt} of ${attempts}: ${attempt.reason} after ${formatDuration(attempt.durationMs)}` +
      (exit !== undefined ? ` (${exit})` : ''),
    `limits: max ${formatDuration(attempt.limits.maxMs)} (${sourceText(attempt.limits.max)}), ` +
      `stall ${formatDuration(attempt.limits.stallMs)} (${sourceText(attempt.limits.stall)})`,
    `command: ${attempt.command}`,
  );
  if (attempt.logPath !== '') lines.push(`log: ${attempt.logPath}`);
  return lines.join('\n');
}

function isError(attempt: AttemptResult): boolean {
  return attempt.reason === 'timed-out' || attempt.reason === 'stalled' || attempt.reason === 'crashed';
}

/**
 * Earlier attempts in the Maven Surefire rerun vocabulary, which Jenkins reads: flaky* when the task
 * passed in the end, rerun* when it never did. Other consumers ignore these elements.
 */
function earlierAttempts(task: TaskResult, indent: string): string[] {
  const earlier = task.attempts.slice(0, -1).filter((a) => a.reason !== 'passed' && a.reason !== 'cancelled');
  const prefix = task.reason === 'passed' ? 'flaky' : 'rerun';
  return earlier.map(
    (a) =>
      indent +
      element(
        `${prefix}${isError(a) ? 'Error' : 'Failure'}`,
        { type: a.reason, message: messageOf(a) },
        detailOf(a, task.attempts.length),
      ),
  );
}

function systemOut(task: TaskResult): string | undefined {
  const last = task.attempts.at(-1);
  if (last === undefined) return undefined;
  const lines = task.attempts.map((a) => {
    const exit = exitText(a);
    const first = a.reason === 'passed' ? undefined : a.messages.find((m) => m.trim() !== '');
    return (
      `attempt ${a.attempt} of ${task.attempts.length}: ${a.reason} after ${formatDuration(a.durationMs)}` +
      (exit !== undefined ? ` (${exit})` : '') +
      (first !== undefined ? `: ${truncate(first, MESSAGE_LIMIT)}` : '')
    );
  });
  if (task.flaky)
    lines.push(
      `flaky: passed on attempt ${last.attempt} after ${task.attempts.length - 1} failed attempt(s)`,
    );
  if (last.logPath !== '') lines.push(`log: ${last.logPath}`);
  if (last.outputTail !== '') lines.push('--- output tail ---', last.outputTail);
  return lines.join('\n');
}

function testcase(task: TaskResult, suiteName: string): string[] {
  const indent = '      ';
  const out: string[] = [];
  const open = `    <testcase${attributes({
    classname: task.category ?? suiteName,
    name: caseName(task),
    time: seconds(task.durationMs),
  })}>`;
  out.push(open);
  const props: Array<[string, string]> = [
    ['id', task.id],
    ['reason', task.reason],
    ['attempts', String(task.attempts.length)],
  ];
  if (task.flaky) props.push(['flaky', 'true']);
  if (task.complexity !== undefined) props.push(['complexity', task.complexity]);
  out.push(`${indent}<properties>`);
  for (const [name, value] of props) out.push(`${indent}  ${element('property', { name, value })}`);
  out.push(`${indent}</properties>`);

  const last = task.attempts.at(-1);
  if (task.reason === 'cancelled') {
    out.push(`${indent}${element('skipped', { message: 'cancelled' })}`);
  } else if (last !== undefined && task.reason !== 'passed') {
    const tag = isError(last) ? 'error' : 'failure';
    out.push(
      `${indent}${element(tag, { type: task.reason, message: messageOf(last) }, detailOf(last, task.attempts.length))}`,
    );
  }
  out.push(...earlierAttempts(task, indent));
  const stdout = systemOut(task);
  if (stdout !== undefined) out.push(`${indent}<system-out>${escapeText(stdout)}</system-out>`);
  out.push('    </testcase>');
  return out;
}

/** The run as JUnit XML: one testsuite for the suite, one testcase per task. */
export function junitXml(report: RunReport): string {
  const { totals } = report;
  const counts = {
    tests: totals.total,
    failures: totals.failed,
    errors: totals.timedOut + totals.stalled + totals.crashed,
    skipped: totals.cancelled,
    time: seconds(report.durationMs),
  };
  const suiteProps: Array<[string, string]> = [
    ['target', String(report.target)],
    ['successRate', String(report.successRate)],
    ['verdict', report.verdict],
    ['interrupted', String(report.interrupted)],
    ['flaky', String(totals.flaky)],
    ['tool', `${report.tool.name} ${report.tool.version}`],
  ];
  if (report.shard !== undefined) suiteProps.push(['shard', `${report.shard.index}/${report.shard.total}`]);

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: report.suite.name, ...counts })}>`,
    `  <testsuite${attributes({ name: report.suite.name, ...counts, timestamp: report.startedAt })}>`,
    '    <properties>',
    ...suiteProps.map(([name, value]) => `      ${element('property', { name, value })}`),
    '    </properties>',
    ...report.tasks.flatMap((task) => testcase(task, report.suite.name)),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

export async function writeJUnitFile(path: string, report: RunReport): Promise<void> {
  await writeFileAtomic(path, junitXml(report));
}

export interface JUnitReporterOptions {
  outDir: string;
  fileName?: string;
}

export class JUnitReporter implements Reporter {
  readonly name = 'junit';
  readonly path: string;

  constructor(options: JUnitReporterOptions) {
    this.path = join(options.outDir, options.fileName ?? JUNIT_REPORT_FILE);
  }

  async onEnd(report: RunReport): Promise<void> {
    await writeJUnitFile(this.path, report);
  }
}
