import { lex, type WordPart, wordText } from '../command/lex.js';

/**
 * The protocol carries a command as one string. Our client quotes argv POSIX-style (src/command/quote.ts)
 * so that the same string means the same argv to a shell (the existing service) and to our server, which
 * splits it here without a shell.
 */
export { quoteArgv } from '../command/quote.js';

/** `meta`: the line needs a shell to mean what it says; `syntax`: the line is malformed. */
export type SplitResult =
  | { ok: true; argv: string[] }
  | { ok: false; kind: 'meta' | 'syntax'; error: string };

/** Characters a shell would interpret when unquoted; without a shell they would silently mean something else. */
const UNQUOTED_META = /[|&;<>()$`*?[\n\r]/;
/** Special only at the start of a word (comment, home directory). */
const WORD_START_META = /^[#~]/;

function describe(char: string): string {
  return char === '\n' ? 'a newline' : char === '\r' ? 'a carriage return' : `'${char}'`;
}

const SYNTAX: Record<string, (at: number) => string> = {
  'unterminated-single': (at) => `unterminated single quote at position ${at + 1}`,
  'unterminated-double': (at) => `unterminated double quote at position ${at + 1}`,
  'lone-backslash': () => 'the command ends with a lone backslash',
};

/** The first character of a part a shell would act on: its position and what it is. */
function metaIn(
  part: WordPart,
  wordStart: boolean,
): { at: number; char: string; expansion: boolean } | undefined {
  if (part.type !== 'text') {
    // `$…` and backquotes are the only non-text parts without suite references.
    return { at: part.at, char: part.text[0]!, expansion: part.quoted };
  }
  if (part.quoting === 'double') {
    const index = part.text.search(/[$`]/);
    return index < 0 ? undefined : { at: part.at + index, char: part.text[index]!, expansion: true };
  }
  if (part.quoting !== 'none') return undefined;
  if (wordStart && WORD_START_META.test(part.text))
    return { at: part.at, char: part.text[0]!, expansion: false };
  const index = part.text.search(UNQUOTED_META);
  return index < 0 ? undefined : { at: part.at + index, char: part.text[index]!, expansion: false };
}

/**
 * Splits a command line into argv the way a POSIX shell would for plain words and quotes, and refuses
 * anything a shell would expand or interpret (pipes, redirections, substitutions, globs, variables), so a
 * command never runs with a meaning its sender did not intend.
 */
export function splitCommandLine(line: string): SplitResult {
  // Only space and tab separate words, as in a shell; a stray CR is refused below rather than dropped.
  const lexed = lex(line, { blanks: ' \t' });
  const argv: string[] = [];
  let meta: { at: number; char: string; expansion: boolean } | undefined;
  const consider = (found: { at: number; char: string; expansion: boolean } | undefined): void => {
    if (found !== undefined && (meta === undefined || found.at < meta.at)) meta = found;
  };
  for (const token of lexed.tokens) {
    if (token.type === 'word') {
      for (const [i, part] of token.parts.entries()) consider(metaIn(part, i === 0 && part.at === token.at));
      argv.push(wordText(token));
    } else {
      consider({ at: token.at, char: token.type === 'comment' ? '#' : line[token.at]!, expansion: false });
    }
  }
  const problem = lexed.problem;
  if (meta !== undefined && (problem === undefined || meta.at < problem.at)) {
    return {
      ok: false,
      kind: 'meta',
      error: meta.expansion
        ? `shell expansion ${describe(meta.char)} inside double quotes at position ${meta.at + 1}; use single quotes, or run the command with shell: true`
        : `unquoted shell metacharacter ${describe(meta.char)} at position ${meta.at + 1}; quote it, or run the command with shell: true`,
    };
  }
  if (problem !== undefined && problem.kind in SYNTAX) {
    return { ok: false, kind: 'syntax', error: SYNTAX[problem.kind]!(problem.at) };
  }
  if (argv.length === 0) return { ok: false, kind: 'syntax', error: 'the command is empty' };
  return { ok: true, argv };
}
