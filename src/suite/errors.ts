/** A path into the suite document, e.g. ['tasks', 3, 'timeout', 'stall']. */
export type FieldPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Renders a path the way users read it: `tasks[3].timeout.stall`, `tasks[0].env["A.B"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

export interface SuiteErrorInput {
  /** The suite file as the user named it. */
  file: string;
  line?: number;
  column?: number;
  /** The offending field, already formatted (see formatPath). */
  field?: string;
  /** What is wrong and what is allowed, without the location. */
  reason: string;
}

/**
 * Every problem with a suite file: unreadable file, YAML syntax, schema, variables, duplicates.
 * The message is one line, `file:line:column: field: reason`, so it reads well in a terminal and in CI logs.
 */
export class SuiteError extends Error {
  override name = 'SuiteError';
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly reason: string;

  constructor(input: SuiteErrorInput) {
    const reason = oneLine(input.reason);
    let where = input.file;
    if (input.line !== undefined) where += `:${input.line}`;
    if (input.line !== undefined && input.column !== undefined) where += `:${input.column}`;
    super(input.field === undefined ? `${where}: ${reason}` : `${where}: ${input.field}: ${reason}`);
    this.file = input.file;
    this.line = input.line;
    this.column = input.column;
    this.field = input.field;
    this.reason = reason;
  }
}

/** Beyond this many problems in one file the rest are counted, not listed. */
export const MAX_REPORTED_ERRORS = 20;

/**
 * Several problems of one file at once, so a user fixes them in one pass instead of one run per typo.
 * The message is one line per problem, in file order; the first problem's fields stay on the error.
 */
export class SuiteErrors extends SuiteError {
  override name = 'SuiteError';
  readonly problems: readonly SuiteError[];

  private constructor(problems: readonly SuiteError[]) {
    super({
      file: problems[0]!.file,
      ...(problems[0]!.line !== undefined ? { line: problems[0]!.line } : {}),
      ...(problems[0]!.column !== undefined ? { column: problems[0]!.column } : {}),
      ...(problems[0]!.field !== undefined ? { field: problems[0]!.field } : {}),
      reason: problems[0]!.reason,
    });
    this.problems = problems;
    const shown = problems.slice(0, MAX_REPORTED_ERRORS).map((problem) => problem.message);
    const hidden = problems.length - shown.length;
    this.message = [...shown, ...(hidden > 0 ? [`(${hidden} more problems not shown)`] : [])].join('\n');
  }

  /** One error for the lot (the only one when there is just one); sorted by place, duplicates dropped. */
  static of(problems: readonly SuiteError[]): SuiteError {
    const unique = new Map<string, SuiteError>();
    for (const problem of problems) if (!unique.has(problem.message)) unique.set(problem.message, problem);
    const sorted = [...unique.values()].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    return sorted.length === 1 ? sorted[0]! : new SuiteErrors(sorted);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A value as it appears in "(got ...)": short, one line, and never the whole of a big mapping. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (value instanceof Uint8Array) return 'binary data (a !!binary value)';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
