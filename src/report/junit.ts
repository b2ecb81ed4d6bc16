import { join } from 'node:path';
import type { AttemptResult, RunReport, TaskResult } from '../run/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { exitText, sourceText } from './describe.js';
import { formatDuration, truncate } from './format.js';
import type { Reporter } from './types.js';
import { attributes, element } from './xml.js';

export const JUNIT_REPORT_FILE = 'junit.xml';

const MESSAGE_LIMIT = 1000;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
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
 * An earlier attempt in the Maven Surefire rerun vocabulary, which Jenkins reads: flaky* when the task
 * passed in the end, rerun* when it never did. Surefire's schema wants the evidence in a <stackTrace> child
 * and the attempt's output in <system-out>, not as bare text.
 */
function rerunElement(task: TaskResult, attempt: AttemptResult, indent: string): string {
  const tag = `${task.reason === 'passed' ? 'flaky' : 'rerun'}${isError(attempt) ? 'Error' : 'Failure'}`;
  const children = [`${indent}  ${element('stackTrace', {}, detailOf(attempt, task.attempts.length))}`];
  if (attempt.outputTail !== '') children.push(`${indent}  ${element('system-out', {}, attempt.outputTail)}`);
  return [
    `${indent}<${tag}${attributes({ type: attempt.reason, message: messageOf(attempt) })}>`,
    ...children,
    `${indent}</${tag}>`,
  ].join('\n');
}

function systemOut(task: TaskResult, suiteFile: string): string {
  const lines = [`name: ${task.name}`];
  if (task.line !== undefined) lines.push(`source: ${suiteFile}:${task.line}`);
  if (task.complexity !== undefined) lines.push(`complexity: ${task.complexity}`);
  const last = task.attempts.at(-1);
  if (last === undefined) {
    lines.push('never started: the run was interrupted or stopped by --bail');
    return lines.join('\n');
  }
  for (const a of task.attempts) {
    const exit = exitText(a);
    const first = a.reason === 'passed' ? undefined : a.messages.find((m) => m.trim() !== '');
    lines.push(
      `attempt ${a.attempt} of ${task.attempts.length}: ${a.reason} after ${formatDuration(a.durationMs)}` +
        (exit !== undefined ? ` (${exit})` : '') +
        (first !== undefined ? `: ${truncate(first, MESSAGE_LIMIT)}` : ''),
    );
  }
  if (task.flaky)
    lines.push(
      `flaky: passed on attempt ${last.attempt} after ${task.attempts.length - 1} failed attempt(s)`,
    );
  if (last.logPath !== '') lines.push(`log: ${last.logPath}`);
  if (last.outputTail !== '') lines.push('--- output tail ---', last.outputTail);
  return lines.join('\n');
}

/**
 * One testcase, named by the task id so that renaming a task keeps its history in CI views (the human name
 * is the first line of <system-out>). Children come in the order Surefire's schema requires (failure,
 * rerunFailure, flakyFailure, skipped, error, rerunError, flakyError, system-out); Jenkins' junit-10.xsd
 * accepts any order but no <properties> here.
 */
function testcase(task: TaskResult, suite: RunReport['suite']): string[] {
  const indent = '      ';
  const last = task.attempts.at(-1);
  const earlier = task.attempts.slice(0, -1).filter((a) => a.reason !== 'passed' && a.reason !== 'cancelled');
  const main =
    last !== undefined && task.reason !== 'passed' && task.reason !== 'cancelled'
      ? `${indent}${element(isError(last) ? 'error' : 'failure', { type: task.reason, message: messageOf(last) }, detailOf(last, task.attempts.length))}`
      : undefined;
  const reruns = (errors: boolean): string[] =>
    earlier.filter((a) => isError(a) === errors).map((a) => rerunElement(task, a, indent));

  const out = [
    `    <testcase${attributes({ classname: task.category ?? suite.name, name: task.id, time: seconds(task.durationMs) })}>`,
  ];
  if (main !== undefined && last !== undefined && !isError(last)) out.push(main);
  out.push(...reruns(false));
  if (task.reason === 'cancelled') out.push(`${indent}${element('skipped', { message: 'cancelled' })}`);
  if (main !== undefined && last !== undefined && isError(last)) out.push(main);
  out.push(...reruns(true));
  out.push(`${indent}${element('system-out', {}, systemOut(task, suite.file))}`);
  out.push('    </testcase>');
  return out;
}

/**
 * The run as JUnit XML: one testsuite for the suite, one testcase per task. Valid against the Jenkins xUnit
 * plugin's junit-10.xsd (whole file) and Maven Surefire's report schema (the testsuite element); both are
 * vendored under test/fixtures/junit-schemas/ and checked with xmllint.
 */
export function junitXml(report: RunReport): string {
  const { totals } = report;
  const counts = {
    tests: totals.total,
    failures: totals.failed,
    errors: totals.timedOut + totals.stalled + totals.crashed,
  };
  const time = seconds(report.durationMs);
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
    // junit-10.xsd allows no `skipped` on <testsuites>; the testsuite carries it.
    `<testsuites${attributes({ name: report.suite.name, ...counts, time })}>`,
    `  <testsuite${attributes({ name: report.suite.name, ...counts, skipped: totals.cancelled, time, timestamp: report.startedAt })}>`,
    '    <properties>',
    ...suiteProps.map(([name, value]) => `      ${element('property', { name, value })}`),
    '    </properties>',
    ...report.tasks.flatMap((task) => testcase(task, report.suite)),
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
