import { appendFile } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import type { RunReport, TaskResult } from '../run/types.js';
import { sourceText } from './describe.js';
import { formatDuration, formatPercent, stripAnsi } from './format.js';
import type { TextStream } from './line.js';
import { renderMarkdown } from './markdown.js';
import type { Reporter } from './types.js';

/** GitHub shows only so many annotations per step; past this many per level one notice says how many more. */
const ANNOTATION_LIMIT = 50;

/** Escaping of a workflow command's message, as the Actions runner unescapes it. */
export function escapeData(text: string): string {
  return stripAnsi(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a workflow command's property value: the message's, plus the separators `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  file?: string;
  line?: number;
  title?: string;
}

export function workflowCommand(annotation: Annotation): string {
  const props: string[] = [];
  if (annotation.file !== undefined) props.push(`file=${escapeProperty(annotation.file)}`);
  if (annotation.line !== undefined) props.push(`line=${annotation.line}`);
  if (annotation.title !== undefined) props.push(`title=${escapeProperty(annotation.title)}`);
  const head = props.length > 0 ? `${annotation.level} ${props.join(',')}` : annotation.level;
  return `::${head}::${escapeData(annotation.message)}`;
}

/** The suite file as GitHub names files in annotations: relative to the workspace, with forward slashes. */
export function annotationPath(file: string, workspace: string): string {
  const path = isAbsolute(file) ? relative(workspace, file) : file;
  return path.split(sep).join('/');
}

function taskMessage(task: TaskResult): string {
  const last = task.attempts.at(-1);
  if (last === undefined) return `${task.name}: never started`;
  const lines = [
    `${task.name}: ${task.reason} after ${formatDuration(last.durationMs)}` +
      (task.attempts.length > 1 ? ` (attempt ${last.attempt} of ${task.attempts.length})` : ''),
    ...last.messages.slice(0, 5),
    `limits: max ${formatDuration(last.limits.maxMs)} (${sourceText(last.limits.max)}), ` +
      `stall ${formatDuration(last.limits.stallMs)} (${sourceText(last.limits.stall)})`,
  ];
  if (last.logPath !== '') lines.push(`log: ${last.logPath}`);
  return lines.join('\n');
}

/**
 * Errors for tasks that failed, timed out, stalled or crashed, warnings for flaky ones, each at the task's
 * line in the suite, and one for the gate.
 */
export function annotationsOf(report: RunReport, workspace: string): Annotation[] {
  const file = annotationPath(report.suite.file, workspace);
  const at = (task: TaskResult) => ({ file, ...(task.line !== undefined ? { line: task.line } : {}) });
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  for (const task of report.tasks) {
    if (task.reason === 'passed' && task.flaky) {
      warnings.push({
        level: 'warning',
        ...at(task),
        title: `cc-stress: flaky ${task.id}`,
        message: `${task.name}: passed on attempt ${task.attempts.length} after ${task.attempts
          .slice(0, -1)
          .map((a) => a.reason)
          .join(', then ')}`,
      });
    } else if (task.reason !== 'passed' && task.reason !== 'cancelled') {
      errors.push({
        level: 'error',
        ...at(task),
        title: `cc-stress: ${task.reason} ${task.id}`,
        message: taskMessage(task),
      });
    }
  }
  const capped = (list: Annotation[], level: AnnotationLevel): Annotation[] =>
    list.length <= ANNOTATION_LIMIT
      ? list
      : [
          ...list.slice(0, ANNOTATION_LIMIT),
          { level: 'notice', message: `${list.length - ANNOTATION_LIMIT} more ${level}(s); see the reports` },
        ];
  const rate = `success rate ${formatPercent(report.successRate)} vs target ${formatPercent(report.target)}`;
  const gate: Annotation[] =
    report.verdict === 'pass'
      ? []
      : report.verdict === 'interrupted'
        ? [
            {
              level: 'warning',
              title: 'cc-stress: interrupted',
              message: `the run was interrupted (${rate} of what finished)`,
            },
          ]
        : [{ level: 'error', title: 'cc-stress: FAIL', message: `${report.suite.name}: ${rate}` }];
  return [...gate, ...capped(errors, 'error'), ...capped(warnings, 'warning')];
}

export interface GitHubReporterOptions {
  /** Where workflow commands go; the runner reads them from standard output. */
  stream: TextStream;
  /** $GITHUB_STEP_SUMMARY: the Markdown summary is appended here when set. */
  stepSummary?: string;
  /** $GITHUB_WORKSPACE, else the working folder: annotation paths are relative to it. */
  workspace: string;
}

/** GitHub Actions output: annotations on the suite file and a Markdown job summary. */
export class GitHubReporter implements Reporter {
  readonly name = 'github';

  constructor(private readonly options: GitHubReporterOptions) {}

  async onEnd(report: RunReport): Promise<void> {
    const commands = annotationsOf(report, this.options.workspace).map(workflowCommand);
    if (commands.length > 0) this.options.stream.write(`${commands.join('\n')}\n`);
    if (this.options.stepSummary !== undefined) {
      await appendFile(this.options.stepSummary, `${renderMarkdown(report)}\n`);
    }
  }
}
