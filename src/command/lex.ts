/**
 * The one tokenizer for command lines. It reads a line the way a POSIX shell does before expansion
 * (words, quotes, backslashes, operators, redirections, comments) and says what it saw, with positions;
 * it never refuses anything. Each edge decides what it accepts: the shell-line reader keeps simple
 * commands, the suite and the server refuse what only a shell would understand.
 */

/** How a piece of a word was written. */
export type Quoting = 'none' | 'single' | 'double' | 'escaped';

export type WordPart =
  /** Literal text after quote removal. */
  | { type: 'text'; text: string; quoting: Quoting; at: number }
  /** `${NAME…}` in suite syntax (only with `references`), as written. */
  | { type: 'reference'; text: string; quoted: boolean; at: number }
  /** `$(…)` or a backquoted command, as written. */
  | { type: 'substitution'; text: string; quoted: boolean; at: number }
  /** `$NAME`, `${…}`, `$?` and friends in shell syntax, as written. */
  | { type: 'parameter'; text: string; quoted: boolean; at: number };

export interface WordToken {
  type: 'word';
  parts: WordPart[];
  /** Index of the word's first character in the line. */
  at: number;
}

export type Token =
  | WordToken
  /** `&&`, `||`, `;`, `;;`, `|`, `|&`, `&`, `(`, `)` or a newline. */
  | { type: 'operator'; op: string; at: number }
  /** `>`, `>>`, `<`, `<<`, `&>`, `>&`, … with a leading descriptor number folded in; `target` false for `>&2`. */
  | { type: 'redirect'; op: string; at: number; target: boolean }
  /** A `#` comment up to the end of its line. */
  | { type: 'comment'; at: number };

export type LexProblem =
  | 'unterminated-single'
  | 'unterminated-double'
  | 'lone-backslash'
  | 'unclosed-reference';

export interface Lexed {
  tokens: Token[];
  /** The first thing a shell would reject; lexing went on to the end of the line regardless. */
  problem?: { kind: LexProblem; at: number };
}

export interface LexOptions {
  /** Read `${…}` as suite references (also inside single quotes) and `$${` as a literal `${`. */
  references?: boolean;
  /** Characters that separate words; a shell uses space and tab (and this reader adds CR by default). */
  blanks?: string;
}

const OPERATOR_CHARS = new Set([';', '&', '|', '(', ')', '\n']);
/** Runs of characters that mean nothing special where they stand, taken in one step. */
const PLAIN_RUN = /[^\s\\'"$`<>&;|()#]+/y;
const DOUBLE_QUOTED_RUN = /[^"\\$`]+/y;
const SINGLE_QUOTED_RUN = /[^'$]+/y;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

/** The index just after the `}` closing the `${` at `start` (nested references included), or -1. */
function referenceEnd(line: string, start: number, limit: number): number {
  let depth = 0;
  let i = start;
  while (i < limit) {
    if (line.startsWith('$${', i)) i += 3;
    else if (line.startsWith('${', i)) {
      depth += 1;
      i += 2;
    } else if (line[i] === '}') {
      depth -= 1;
      i += 1;
      if (depth === 0) return i;
    } else i += 1;
  }
  return -1;
}

/** Index just past the parenthesis that closes the one at `open`, or the end of the line. */
function balancedEnd(line: string, open: number): number {
  let depth = 0;
  for (let j = open; j < line.length; j++) {
    const ch = line[j];
    if (ch === '\\') j++;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return j + 1;
  }
  return line.length;
}

/** Index just past a `${…}` parameter (shell syntax), or the end of the line. */
function braceEnd(line: string, open: number): number {
  const end = line.indexOf('}', open);
  return end < 0 ? line.length : end + 1;
}

export function lex(line: string, options: LexOptions = {}): Lexed {
  const references = options.references === true;
  const blanks = options.blanks ?? ' \t\r';
  const tokens: Token[] = [];
  let problem: Lexed['problem'];
  let word: WordToken | undefined;
  let i = 0;
  const n = line.length;

  const note = (kind: LexProblem, at: number): void => {
    problem ??= { kind, at };
  };
  const startWord = (): WordToken => {
    word ??= { type: 'word', parts: [], at: i };
    return word;
  };
  const text = (value: string, quoting: Quoting, at: number): void => {
    const parts = startWord().parts;
    const last = parts.at(-1);
    // Adjacent literal text written the same way is one part, so positions stay meaningful.
    if (
      last?.type === 'text' &&
      last.quoting === quoting &&
      quoting !== 'escaped' &&
      last.at + last.text.length === at
    )
      last.text += value;
    else parts.push({ type: 'text', text: value, quoting, at });
  };
  const endWord = (): void => {
    if (word !== undefined) tokens.push(word);
    word = undefined;
  };
  /**
   * A `$` construct at i, ending by `limit`: adds it to the word and returns the next index, or -1 when
   * the `$` is plain text.
   */
  const dollar = (quoting: 'none' | 'single' | 'double', limit: number): number => {
    const quoted = quoting !== 'none';
    // After a first problem the suite refuses the line anyway; reading on for references would be quadratic.
    if (references && problem === undefined) {
      if (line.startsWith('$${', i) && i + 3 <= limit) {
        text('${', quoting, i);
        return i + 3;
      }
      if (line.startsWith('${', i)) {
        const end = referenceEnd(line, i, limit);
        if (end < 0) {
          note('unclosed-reference', i);
          return -1;
        }
        startWord().parts.push({ type: 'reference', text: line.slice(i, end), quoted, at: i });
        return end;
      }
    }
    if (quoting === 'single') return -1;
    const next = line[i + 1] ?? '';
    let end = -1;
    let type: 'substitution' | 'parameter' = 'parameter';
    if (next === '(') {
      end = balancedEnd(line, i + 1);
      type = 'substitution';
    } else if (references) return -1;
    else if (next === '{') end = braceEnd(line, i + 1);
    else if (NAME_START.test(next)) {
      end = i + 2;
      while (end < n && NAME_CHAR.test(line[end]!)) end++;
    } else if (SPECIAL_PARAMETER.test(next) && next !== '') end = i + 2;
    if (end < 0) return -1;
    startWord().parts.push({ type, text: line.slice(i, end), quoted, at: i });
    return end;
  };
  const backquote = (quoted: boolean): number => {
    const close = line.indexOf('`', i + 1);
    const end = close < 0 ? n : close + 1;
    startWord().parts.push({ type: 'substitution', text: line.slice(i, end), quoted, at: i });
    return end;
  };

  while (i < n) {
    const c = line[i]!;
    if (blanks.includes(c)) {
      endWord();
      i++;
    } else if (c === '\\' && line[i + 1] === '\n') {
      // A backslash-newline joins lines.
      i += 2;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      const limit = close < 0 ? n : close;
      if (close < 0) note('unterminated-single', i);
      text('', 'single', i + 1);
      i++;
      while (i < limit) {
        const next = line[i] === '$' ? dollar('single', limit) : -1;
        if (next >= 0) i = next;
        else {
          SINGLE_QUOTED_RUN.lastIndex = i + 1;
          const run = line.slice(
            i,
            Math.min(limit, SINGLE_QUOTED_RUN.exec(line) === null ? i + 1 : SINGLE_QUOTED_RUN.lastIndex),
          );
          text(run, 'single', i);
          i += run.length;
        }
      }
      i = limit + 1;
    } else if (c === '"') {
      const open = i;
      text('', 'double', i + 1);
      i++;
      while (i < n && line[i] !== '"') {
        const d = line[i]!;
        const after = line[i + 1];
        if (d === '\\' && after !== undefined && '"\\$`\n'.includes(after)) {
          if (after !== '\n') text(after, 'double', i + 1);
          i += 2;
        } else if (d === '$') {
          const next = dollar('double', n);
          if (next >= 0) i = next;
          else {
            text(d, 'double', i);
            i++;
          }
        } else if (d === '`') i = backquote(true);
        else {
          DOUBLE_QUOTED_RUN.lastIndex = i;
          const run = DOUBLE_QUOTED_RUN.exec(line)?.[0] ?? d;
          text(run, 'double', i);
          i += run.length;
        }
      }
      if (i >= n) note('unterminated-double', open);
      i++;
    } else if (c === '\\') {
      if (i + 1 >= n) {
        note('lone-backslash', i);
        startWord();
        i++;
      } else {
        text(line[i + 1]!, 'escaped', i + 1);
        i += 2;
      }
    } else if (c === '$') {
      const next = dollar('none', n);
      if (next >= 0) i = next;
      else {
        text(c, 'none', i);
        i++;
      }
    } else if (c === '`') {
      i = backquote(false);
    } else if (c === '#' && word === undefined) {
      tokens.push({ type: 'comment', at: i });
      const end = line.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '>' || c === '<' || (c === '&' && line[i + 1] === '>')) {
      i = redirect();
    } else if (OPERATOR_CHARS.has(c)) {
      endWord();
      const at = i;
      let op = c;
      i++;
      if ((c === '&' || c === '|' || c === ';') && line[i] === c) {
        op += c;
        i++;
      } else if (c === '|' && line[i] === '&') {
        op = '|&';
        i++;
      }
      tokens.push({ type: 'operator', op, at });
    } else {
      PLAIN_RUN.lastIndex = i;
      const run = PLAIN_RUN.exec(line)?.[0] ?? c;
      text(run, 'none', i);
      i += run.length;
    }
  }
  endWord();
  return problem === undefined ? { tokens } : { tokens, problem };

  /** Reads a redirection at i; a word of digits written right before it is its descriptor. */
  function redirect(): number {
    const current = word as WordToken | undefined;
    const onlyPart = current?.parts.length === 1 ? current.parts[0] : undefined;
    const at = i;
    if (onlyPart?.type === 'text' && onlyPart.quoting === 'none' && /^\d+$/.test(onlyPart.text))
      word = undefined;
    else endWord();
    let j = i;
    while (j < n && (line[j] === '>' || line[j] === '<' || line[j] === '|' || line[j] === '&')) {
      const duplicates = line[j] === '&' && j > i && (line[j - 1] === '>' || line[j - 1] === '<');
      j++;
      if (duplicates && j < n && /[0-9-]/.test(line[j]!)) {
        // `>&2`, `<&-`: duplicating a descriptor takes no file name.
        while (j < n && /[0-9-]/.test(line[j]!)) j++;
        tokens.push({ type: 'redirect', op: line.slice(i, j).replace(/[0-9-]+$/, ''), at, target: false });
        return j;
      }
    }
    tokens.push({ type: 'redirect', op: line.slice(i, j), at, target: true });
    return j;
  }
}

/** A word's text after quote removal; references, substitutions and parameters stay as written. */
export function wordText(word: WordToken): string {
  if (word.parts.length === 1) return word.parts[0]!.text;
  return word.parts.map((part) => part.text).join('');
}
