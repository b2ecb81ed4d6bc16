/** Which adapter turns a task's output lines into agent events (see docs/agent-clis in shared docs). */
export type AgentKind = 'claude' | 'codex' | 'gemini' | 'none';

export interface StreamExpectations {
  /** Every string must appear in some line. */
  contains: string[];
  /** No line may contain any of these strings. */
  notContains: string[];
  /** Every regular expression must match some line. */
  matches: string[];
}

export interface Expectations {
  /** Accepted exit codes; default [0]. */
  exitCode: number[];
  stdout: StreamExpectations;
  stderr: StreamExpectations;
  /** Minimum bytes on stdout + stderr. */
  minOutputBytes: number;
  /**
   * Fields the final result event of an agent CLI must have (e.g. { is_error: false }).
   * `null` means "no check"; for agent tasks the adapter's own success rule applies unless set to {}.
   */
  result: Record<string, unknown> | null;
}

/** Limits the suite author insisted on, in seconds. Given ones are fixed; missing ones are computed. */
export interface FixedLimits {
  max?: number;
  stall?: number;
}

/** One runnable task after defaults, variables, matrix and repeat expansion. */
export interface TaskSpec {
  /** Unique within the expanded suite (matrix values and repeat index included). */
  id: string;
  /** The id as written in the suite, before matrix/repeat expansion. */
  baseId: string;
  name: string;
  /** argv[0] is the program; with `shell: true` argv has one element, the shell command line. */
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  category?: string;
  complexity?: string;
  agent: AgentKind;
  retries: number;
  timeout: FixedLimits;
  expect: Expectations;
  /** 1-based repeat index (1 when the task is not repeated). */
  repeatIndex: number;
  /** Source location of the task in the suite file, for messages. */
  source?: { file: string; line: number };
}

export interface SuiteDefaults {
  concurrency: number;
  retries: number;
  target: number;
}

export interface Suite {
  name: string;
  description?: string;
  /** Absolute path of the suite file. */
  file: string;
  defaults: SuiteDefaults;
  /** `separate`: the suite learns from and records into a history file in its report folder only. */
  history?: 'shared' | 'separate';
  tasks: TaskSpec[];
}
