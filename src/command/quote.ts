/**
 * The one POSIX quoting: a word comes back from any POSIX shell, and from every reader in this program,
 * exactly as it went in.
 */

/** Characters no POSIX shell treats specially anywhere in a word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Wraps a word in single quotes, whatever it holds. */
export function singleQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes a word only when a shell would otherwise read it differently. */
export function quoteWord(word: string): string {
  return PLAIN.test(word) ? word : singleQuote(word);
}

/**
 * One line a shell splits back into `argv`. A first word shaped like `NAME=value` is quoted too, since a
 * shell would take it for an assignment rather than the program.
 */
export function quoteArgv(argv: readonly string[]): string {
  return argv
    .map((word, i) => (i === 0 && ASSIGNMENT.test(word) ? singleQuote(word) : quoteWord(word)))
    .join(' ');
}
