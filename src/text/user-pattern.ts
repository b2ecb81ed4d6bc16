import { RE2JS } from 're2js';

/**
 * Regular expressions written by users (expectations, classifier rules, --grep) run on RE2's linear-time
 * engine: a backtracking pattern such as `^(a+)+$` would otherwise block the event loop for minutes, and
 * with it every watchdog and signal handler. RE2 refuses what it cannot run in linear time (back-references,
 * look-around), so such a pattern is an error at load time, never a freeze at run time.
 */
export interface UserPattern {
  readonly source: string;
  test(text: string): boolean;
}

/** Lines are matched on their first 64 KiB: a 10 MB line must not cost a pattern 10 MB of work per check. */
export const MATCHED_PREFIX_CHARS = 64 * 1024;

export class PatternError extends Error {}

export function compileUserPattern(source: string, options: { ignoreCase?: boolean } = {}): UserPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new PatternError(describe(error));
  }
  return {
    source,
    test: (text) =>
      compiled
        .matcher(text.length > MATCHED_PREFIX_CHARS ? text.slice(0, MATCHED_PREFIX_CHARS) : text)
        .find(),
  };
}

/** Null when the pattern is valid, else why not, in one line. */
export function patternProblem(source: string): string | null {
  try {
    compileUserPattern(source);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function describe(error: unknown): string {
  const message = (error as Error).message.replace(/^error parsing regexp:\s*/, '').replace(/\s+/g, ' ');
  const hint = /Perl syntax|escape sequence: `\\\d/.test(message)
    ? ' (look-around and back-references are not supported: patterns run in linear time)'
    : '';
  return `${message}${hint}`;
}
