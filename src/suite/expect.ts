import { patternProblem } from '../text/user-pattern.js';
import type { FieldPath } from './errors.js';
import type { RawExpect, RawStream } from './schema.js';
import type { Expectations, StreamExpectations } from './types.js';

/** Expands `${...}` in one string written at `path`; throws SuiteError pointing at it. */
export type Expander = (path: FieldPath, raw: string) => string;
/** Throws SuiteError pointing at `path`. */
export type Reject = (path: FieldPath, reason: string) => never;

/** What a task without an `expect` block gets (exit code 0, nothing asked of its output), with overrides. */
export function defaultExpectations(overrides: Partial<Expectations> = {}): Expectations {
  const none = (): StreamExpectations => ({ contains: [], notContains: [], matches: [] });
  return { exitCode: [0], stdout: none(), stderr: none(), minOutputBytes: 0, result: null, ...overrides };
}

/** The expectations of one task: defaults applied, strings expanded, every pattern known to compile. */
export function buildExpectations(
  raw: RawExpect | undefined,
  path: FieldPath,
  expand: Expander,
  reject: Reject,
): Expectations {
  const exitCode = raw?.exit_code;
  return {
    exitCode: exitCode === undefined ? [0] : typeof exitCode === 'number' ? [exitCode] : [...exitCode],
    stdout: buildStream(raw?.stdout, [...path, 'stdout'], expand, reject),
    stderr: buildStream(raw?.stderr, [...path, 'stderr'], expand, reject),
    minOutputBytes: raw?.min_output_bytes ?? 0,
    result: raw?.result ?? null,
  };
}

function buildStream(
  raw: RawStream | undefined,
  path: FieldPath,
  expand: Expander,
  reject: Reject,
): StreamExpectations {
  const list = (key: keyof RawStream): string[] => {
    const value = raw?.[key];
    if (value === undefined) return [];
    if (typeof value === 'string') return [expand([...path, key], value)];
    return value.map((item, i) => expand([...path, key, i], item));
  };
  const matches = list('matches');
  matches.forEach((pattern, i) => {
    const problem = patternProblem(pattern);
    if (problem !== null) {
      const at = typeof raw?.matches === 'string' ? [...path, 'matches'] : [...path, 'matches', i];
      reject(at, `is not a valid regular expression (${problem})`);
    }
  });
  return { contains: list('contains'), notContains: list('not_contains'), matches };
}
