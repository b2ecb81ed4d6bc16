import { join } from 'node:path';
import type { GitHubSettings } from '../config.js';
import { createColors } from './colors.js';
import { CSV_REPORT_FILE, CsvReporter } from './csv.js';
import { GitHubReporter } from './github.js';
import { HTML_REPORT_FILE, HtmlReporter } from './html.js';
import { JSON_REPORT_FILE, JsonReporter } from './json.js';
import { JUNIT_REPORT_FILE, JUnitReporter } from './junit.js';
import { LineReporter, type TextStream } from './line.js';
import { MARKDOWN_REPORT_FILE, MarkdownReporter } from './markdown.js';
import { Multiplexer, type MultiplexerOptions } from './multiplexer.js';
import { ProgressReporter, type TerminalStream } from './progress.js';
import { SummaryReporter } from './summary.js';
import type { Reporter } from './types.js';

export {
  type ChalkInstance,
  type ColorOptions,
  type ColorStream,
  colorLevel,
  createColors,
} from './colors.js';
export { CSV_REPORT_FILE, CsvReporter, statsCsv } from './csv.js';
export { annotationsOf, GitHubReporter, workflowCommand } from './github.js';
export { HTML_REPORT_FILE, HtmlReporter, renderHtmlReport } from './html.js';
export { JSON_REPORT_FILE, JsonReporter, serializeReport, writeReportFile } from './json.js';
export { JUNIT_REPORT_FILE, JUnitReporter, junitXml, writeJUnitFile } from './junit.js';
export { LineReporter, type TextStream } from './line.js';
export { MARKDOWN_REPORT_FILE, MarkdownReporter, renderMarkdown } from './markdown.js';
export {
  computeTotals,
  MergeError,
  type MergeOptions,
  mergeReports,
  missingShards,
  ReportReadError,
  readReport,
  splitGroups,
  successRate,
  verdictOf,
} from './merge.js';
export { createMultiplexer, Multiplexer, type MultiplexerOptions } from './multiplexer.js';
export { ProgressReporter, type TerminalStream } from './progress.js';
export { runReportSchema } from './report-schema.js';
export { renderSummary, SummaryReporter } from './summary.js';
export type { AttemptStart, Reporter, RunStartInfo } from './types.js';

export const REPORTER_NAMES = [
  'progress',
  'line',
  'json',
  'junit',
  'html',
  'summary',
  'auto',
  'github',
  'markdown',
  'csv',
] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];
export const DEFAULT_REPORTERS: readonly ReporterName[] = ['auto', 'json', 'junit', 'summary'];

export interface CreateReportersOptions {
  /** Names from REPORTER_NAMES; 'auto' is progress bars on a terminal outside CI, plain lines otherwise. */
  reporters: readonly string[];
  outDir: string;
  /** Where people-facing output goes; default process.stderr. */
  stream?: TerminalStream;
  /** False for --no-color; NO_COLOR and non-terminal streams turn colours off as well. */
  color: boolean;
  /** True under CI=true: never draw progress bars. */
  ci: boolean;
  env?: NodeJS.ProcessEnv;
  /** Where warnings go when no chosen reporter prints them. */
  warn?: MultiplexerOptions['warn'];
  /** Under GitHub Actions `auto` adds the `github` reporter; its summary file and workspace. */
  github?: GitHubSettings;
  /** Line mode: a line per running task after this long without one (default 60 s, 0 = none). */
  heartbeatMs?: number;
  /** Where the final summary and workflow commands go; default process.stdout. */
  stdout?: TextStream;
}

function isReporterName(name: string): name is ReporterName {
  return (REPORTER_NAMES as readonly string[]).includes(name);
}

/** Throws a one-line error for a name that is not a reporter, listing the ones that are. */
export function parseReporterNames(names: readonly string[]): ReporterName[] {
  const parsed: ReporterName[] = [];
  for (const raw of names.flatMap((n) => n.split(','))) {
    const name = raw.trim();
    if (name === '') continue;
    if (!isReporterName(name)) {
      throw new Error(`unknown reporter "${name}"; use one or more of: ${REPORTER_NAMES.join(', ')}`);
    }
    if (!parsed.includes(name)) parsed.push(name);
  }
  return parsed;
}

/**
 * The reporters a run asked for, behind one multiplexer. Order matters at the end of a run: the live
 * output stops first, then the files are written, then the summary lists them.
 */
export function createReporters(options: CreateReportersOptions): Reporter {
  const names = new Set(parseReporterNames(options.reporters));
  const stream = options.stream ?? process.stderr;
  const colors = createColors({ color: options.color, stream, ...(options.env ? { env: options.env } : {}) });
  const terminal = stream.isTTY === true && !options.ci;

  // Bars on a pipe or in a CI log are unreadable, so an explicit `progress` there degrades to lines.
  const wantsProgress = names.has('progress') || (names.has('auto') && terminal);
  const wantsLine =
    names.has('line') || (names.has('auto') && !terminal) || (names.has('progress') && !terminal);

  const reporters: Reporter[] = [];
  const files: string[] = [];
  if (wantsProgress && terminal) reporters.push(new ProgressReporter({ stream, colors }));
  if (wantsLine) {
    reporters.push(
      new LineReporter({
        stream,
        colors,
        ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      }),
    );
  }
  if (names.has('json')) {
    reporters.push(new JsonReporter({ outDir: options.outDir }));
    files.push(join(options.outDir, JSON_REPORT_FILE));
  }
  if (names.has('junit')) {
    reporters.push(new JUnitReporter({ outDir: options.outDir }));
    files.push(join(options.outDir, JUNIT_REPORT_FILE));
  }
  if (names.has('html')) {
    reporters.push(new HtmlReporter({ outDir: options.outDir }));
    files.push(join(options.outDir, HTML_REPORT_FILE));
  }
  if (names.has('markdown')) {
    reporters.push(new MarkdownReporter({ outDir: options.outDir }));
    files.push(join(options.outDir, MARKDOWN_REPORT_FILE));
  }
  if (names.has('csv')) {
    reporters.push(new CsvReporter({ outDir: options.outDir }));
    files.push(join(options.outDir, CSV_REPORT_FILE));
  }
  if (names.has('github') || (names.has('auto') && options.github?.actions === true)) {
    const stepSummary = options.github?.stepSummary;
    reporters.push(
      new GitHubReporter({
        stream: options.stdout ?? process.stdout,
        ...(stepSummary !== undefined ? { stepSummary } : {}),
        workspace: options.github?.workspace ?? process.cwd(),
      }),
    );
  }
  if (names.has('summary')) {
    // The summary is the run's result, so it goes to stdout (`cc-stress run … > log` keeps it); progress
    // and events stay on stderr. Its colours follow stdout, which may be a file while stderr is a terminal.
    const out = options.stdout ?? process.stdout;
    const outColors = createColors({
      color: options.color,
      stream: out as TerminalStream,
      ...(options.env ? { env: options.env } : {}),
    });
    reporters.push(new SummaryReporter({ stream: out, colors: outColors, files }));
  }
  return new Multiplexer(reporters, options.warn ? { warn: options.warn } : {});
}
