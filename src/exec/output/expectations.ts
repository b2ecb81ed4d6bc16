import { isDeepStrictEqual } from 'node:util';
import type { AgentKind, Expectations, StreamExpectations } from '../../suite/types.js';
import { compileUserPattern, type UserPattern } from '../../text/user-pattern.js';
import type { ExpectationTracker } from '../agents/types.js';
import type { AgentEvent } from '../types.js';

type Finished = Extract<AgentEvent, { type: 'finished' }>;
type Stream = 'stdout' | 'stderr';

const MAX_SHOWN = 80;

/** Values quoted in a failure message, cut so one message stays one readable line. */
function show(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/**
 * What one stream still owes and what it has broken so far. Only the patterns are kept, never the lines,
 * so memory is bounded by the suite, not by the output.
 */
class StreamJudge {
  private readonly missing: Set<string>;
  private readonly unmatched = new Map<string, UserPattern>();
  private readonly invalid: string[] = [];
  private readonly forbiddenSeen = new Map<string, number>();
  private lineNumber = 0;

  constructor(
    private readonly stream: Stream,
    private readonly rules: StreamExpectations,
  ) {
    this.missing = new Set(rules.contains);
    for (const source of rules.matches) {
      try {
        this.unmatched.set(source, compileUserPattern(source));
      } catch (error) {
        this.invalid.push(
          `${stream} pattern /${source}/ is not a valid regular expression (${(error as Error).message})`,
        );
      }
    }
  }

  onLine(line: string): void {
    this.lineNumber += 1;
    for (const wanted of this.missing) if (line.includes(wanted)) this.missing.delete(wanted);
    for (const [source, regex] of this.unmatched) if (regex.test(line)) this.unmatched.delete(source);
    for (const forbidden of this.rules.notContains) {
      if (!this.forbiddenSeen.has(forbidden) && line.includes(forbidden)) {
        this.forbiddenSeen.set(forbidden, this.lineNumber);
      }
    }
  }

  failures(): string[] {
    const failures = [...this.invalid];
    for (const wanted of this.missing) failures.push(`${this.stream} never contained ${show(wanted)}`);
    for (const source of this.unmatched.keys()) failures.push(`${this.stream} never matched /${source}/`);
    for (const [forbidden, line] of this.forbiddenSeen) {
      failures.push(`${this.stream} contained ${show(forbidden)} (first on line ${line})`);
    }
    return failures;
  }
}

function exitCodeFailure(exitCode: number | null, accepted: number[]): string | undefined {
  if (accepted.length === 0 || (exitCode !== null && accepted.includes(exitCode))) return undefined;
  const expected = accepted.length === 1 ? String(accepted[0]) : `one of ${accepted.join(', ')}`;
  const actual = exitCode === null ? 'no exit code (the process was killed)' : `exit code ${exitCode}`;
  return `${actual}, expected ${expected}`;
}

/** What the APIs' "come back later" statuses mean, so a storm reads as one and not as a broken task. */
const RETRY_LATER_WORDS: Record<number, string> = {
  429: 'rate limited',
  503: 'overloaded',
  529: 'overloaded',
};

/** Codex and Gemini bury the API status in prose, if they print it at all; their adapters dig it out. */
function statusPrefix(finished: Finished): string {
  const status = finished.status;
  if (status === undefined || status === null) return finished.retryLater ? 'retry later: ' : '';
  const words = RETRY_LATER_WORDS[status];
  if (finished.retryLater && words !== undefined) return `${words} (API status ${status}), retry later: `;
  return `API status ${status}: `;
}

/** Why the agent's own success rule said no, in the words of its final event. */
function agentFailure(agent: AgentKind, finished: Finished): string {
  const raw = finished.raw;
  if (agent === 'claude') {
    const details = [`subtype ${show(raw.subtype)}`];
    const status = raw.api_error_status;
    if (status !== undefined && status !== null) details.push(`api_error_status ${show(status)}`);
    const words = typeof status === 'number' ? RETRY_LATER_WORDS[status] : undefined;
    const prefix = words === undefined ? '' : `${words} (API status ${status}), retry later: `;
    return `${prefix}result.is_error was ${show(raw.is_error)}, expected false (${details.join(', ')})`;
  }
  if (agent === 'codex') {
    const error = raw.error as { message?: unknown } | undefined;
    const message = typeof error?.message === 'string' ? `: ${show(error.message)}` : '';
    return `${statusPrefix(finished)}the agent's turn failed (${show(raw.type)}), expected turn.completed${message}`;
  }
  const error = raw.error as { message?: unknown } | undefined;
  const message = typeof error?.message === 'string' ? ` (${show(error.message)})` : '';
  return `${statusPrefix(finished)}result.status was ${show(raw.status)}, expected "success"${message}`;
}

function resultFailures(
  agent: AgentKind,
  wanted: Record<string, unknown> | null,
  finished: Finished | undefined,
) {
  if (agent === 'none') return [];
  if (wanted !== null && Object.keys(wanted).length === 0) return [];
  if (finished === undefined) return ['no final result event (the agent ended without a result line)'];
  if (wanted === null) return finished.ok ? [] : [agentFailure(agent, finished)];
  const failures: string[] = [];
  for (const [key, expected] of Object.entries(wanted)) {
    const actual = finished.raw[key];
    if (!isDeepStrictEqual(actual, expected)) {
      failures.push(`result.${key} was ${show(actual)}, expected ${show(expected)}`);
    }
  }
  return failures;
}

/** Whether any rule looks at lines (contains, notContains, matches); the others need only bytes and the end. */
export function expectsLines(expect: Expectations): boolean {
  return [expect.stdout, expect.stderr].some(
    (rules) => rules.contains.length + rules.notContains.length + rules.matches.length > 0,
  );
}

/** Judges output while it streams; `verdict` adds the checks that need the end (exit code, size, result). */
export function createExpectationTracker(expect: Expectations, agent: AgentKind): ExpectationTracker {
  const judges = {
    stdout: new StreamJudge('stdout', expect.stdout),
    stderr: new StreamJudge('stderr', expect.stderr),
  };
  return {
    onLine(stream, line) {
      judges[stream].onLine(line);
    },
    verdict({ exitCode, totalBytes, finished }) {
      const failures = [...judges.stdout.failures(), ...judges.stderr.failures()];
      if (totalBytes < expect.minOutputBytes) {
        failures.push(`output was ${totalBytes} bytes, expected at least ${expect.minOutputBytes}`);
      }
      // The agent's own verdict first: it says why (an API status, a turn limit), the exit code only that.
      failures.unshift(...resultFailures(agent, expect.result, finished));
      const exit = exitCodeFailure(exitCode, expect.exitCode);
      if (exit !== undefined) failures.push(exit);
      return failures;
    },
  };
}
