/**
 * The protocol carries a command as one string. Our client quotes argv POSIX-style so that the same string
 * means the same argv to a shell (the existing service) and to our server, which splits it without a shell.
 */

const SAFE_WORD = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

export function quoteArg(arg: string): string {
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

/** `meta`: the line needs a shell to mean what it says; `syntax`: the line is malformed. */
export type SplitResult =
  | { ok: true; argv: string[] }
  | { ok: false; kind: 'meta' | 'syntax'; error: string };

/** Characters a shell would interpret when unquoted; without a shell they would silently mean something else. */
const UNQUOTED_META = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', '\n', '\r']);
/** Special only at the start of a word (comment, home directory). */
const WORD_START_META = new Set(['#', '~']);
const DOUBLE_QUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

function describe(char: string): string {
  return char === '\n' ? 'a newline' : char === '\r' ? 'a carriage return' : `'${char}'`;
}

/**
 * Splits a command line into argv the way a POSIX shell would for plain words and quotes, and refuses
 * anything a shell would expand or interpret (pipes, redirections, substitutions, globs, variables), so a
 * command never runs with a meaning its sender did not intend.
 */
export function splitCommandLine(line: string): SplitResult {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const refuse = (char: string, at: number): SplitResult => ({
    ok: false,
    kind: 'meta',
    error: `unquoted shell metacharacter ${describe(char)} at position ${at + 1}; quote it, or run the command with shell: true`,
  });
  while (i < line.length) {
    const char = line[i]!;
    if (char === ' ' || char === '\t') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    if (!inWord && WORD_START_META.has(char)) return refuse(char, i);
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1)
        return { ok: false, kind: 'syntax', error: `unterminated single quote at position ${i + 1}` };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (char === '"') {
      const start = i;
      i += 1;
      let closed = false;
      while (i < line.length) {
        const inner = line[i]!;
        if (inner === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (inner === '\\' && i + 1 < line.length && DOUBLE_QUOTE_ESCAPABLE.has(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        if (inner === '$' || inner === '`') {
          return {
            ok: false,
            kind: 'meta',
            error: `shell expansion ${describe(inner)} inside double quotes at position ${i + 1}; use single quotes, or run the command with shell: true`,
          };
        }
        word += inner;
        i += 1;
      }
      if (!closed)
        return { ok: false, kind: 'syntax', error: `unterminated double quote at position ${start + 1}` };
      inWord = true;
      continue;
    }
    if (char === '\\') {
      if (i + 1 >= line.length)
        return { ok: false, kind: 'syntax', error: 'the command ends with a lone backslash' };
      const next = line[i + 1]!;
      // A backslash-newline is a line continuation in a shell: it disappears.
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (UNQUOTED_META.has(char)) return refuse(char, i);
    word += char;
    inWord = true;
    i += 1;
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, kind: 'syntax', error: 'the command is empty' };
  return { ok: true, argv };
}
