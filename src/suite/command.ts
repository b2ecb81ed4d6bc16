// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
/**
 * Splits a command string into arguments the way sh splits words (whitespace, '...', "...", backslash),
 * without running a shell. Anything only a shell would act on (pipes, redirections, `&&`, `;`, `$(...)`,
 * backticks, `~`, `VAR=value cmd`) is refused rather than passed on literally, so a command never means
 * something other than what it looks like.
 *
 * `${NAME}` references are found here and expanded later, per argument, as sh expands `$NAME`: inside quotes
 * a value stays one argument; outside quotes it is split on whitespace (so `${FLAGS}` can hold several flags
 * and an empty `${EXTRA:-}` adds none). A value is never parsed again, so it cannot add quotes or operators.
 * Unlike sh, references are expanded inside single quotes too; `$${` is a literal `${` everywhere.
 */

export type SplitResult = { ok: true; argv: string[] } | { ok: false; reason: string };

/** Part of one argument: final text, or a reference to expand (and, when unquoted, to split). */
export type CommandPart = { text: string } | { reference: string; quoted: boolean };

export type ParsedCommand = { ok: true; words: CommandPart[][] } | { ok: false; reason: string };

const OPERATORS = ['&&', '||', ';;', '>>', '<<', '>&', '<&', '|&', '|', '&', ';', '<', '>', '(', ')'];
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

class Refusal extends Error {}

function needShell(what: string): Refusal {
  return new Refusal(`${what}, which needs a shell; set shell: true or give the command as an argv list`);
}

/** Parses a command string into arguments made of text and references; never throws. */
export function parseCommand(line: string): ParsedCommand {
  try {
    const { words } = tokenize(line, true);
    if (words.length === 0) return { ok: false, reason: 'is empty; give a program to run' };
    return { ok: true, words };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Splits a command string into argv, references left as written (`${NAME}`); never throws. */
export function splitCommand(line: string): SplitResult {
  const parsed = parseCommand(line);
  return parsed.ok ? { ok: true, argv: parsed.words.map(wordText) } : parsed;
}

/** The words of a shell command line before its first operator; used only to recognise the program. */
export function leadingWords(line: string): string[] {
  return tokenize(line, false).words.map(wordText);
}

function wordText(word: CommandPart[]): string {
  return word.map((part) => ('text' in part ? part.text : part.reference)).join('');
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so that splitCommand gives it back unchanged (a literal `${` is written `$${`). */
export function quoteArg(arg: string): string {
  return PLAIN.test(arg) ? arg : singleQuote(arg);
}

function singleQuote(arg: string): string {
  // A function replacer, because "$$" in a replacement string means one "$".
  return `'${arg.replaceAll('${', () => '$${').replaceAll("'", `'\\''`)}'`;
}

/** A readable command line in suite syntax (sh quoting, `$${` for a literal `${`); splitCommand gives argv back. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((arg, i) => (i === 0 && ASSIGNMENT.test(arg) ? singleQuote(arg) : quoteArg(arg))).join(' ');
}

/** Strict: refuse shell syntax. Lenient: stop at it and return the words before it. */
function tokenize(line: string, strict: boolean): { words: CommandPart[][] } {
  const words: CommandPart[][] = [];
  let word: CommandPart[] | undefined;
  let wordStart = 0;
  let i = 0;

  const text = (value: string): void => {
    const last = word!.at(-1);
    if (last !== undefined && 'text' in last) last.text += value;
    else word!.push({ text: value });
  };
  const endWord = (): void => {
    if (word === undefined) return;
    if (strict && words.length === 0) {
      const assignment = ASSIGNMENT.exec(line.slice(wordStart))?.[0];
      if (assignment !== undefined) {
        throw new Refusal(
          `starts with the assignment "${assignment}...", which only a shell understands; put variables under env:, or set shell: true`,
        );
      }
    }
    words.push(word);
    word = undefined;
  };
  const stop = (refusal: Refusal): { words: CommandPart[][] } => {
    if (strict) throw refusal;
    if (word !== undefined && word.length > 0) words.push(word);
    return { words };
  };
  /**
   * `$${` or `${...}` at i, ending by `limit`: adds it to the word and returns the next index; -1 when
   * there is none at i.
   */
  const dollar = (quoted: boolean, limit = line.length): number => {
    if (line.startsWith('$${', i) && i + 3 <= limit) {
      text('${');
      return i + 3;
    }
    if (!line.startsWith('${', i)) return -1;
    const end = referenceEnd(line, i);
    if (end < 0 || end > limit)
      throw new Refusal('has a "${" without its closing "}"; write $${ for a literal ${');
    word!.push({ reference: line.slice(i, end), quoted });
    return end;
  };

  try {
    while (i < line.length) {
      const c = line[i]!;
      if (WHITESPACE.has(c)) {
        endWord();
        i += 1;
        continue;
      }
      // Backslash-newline joins lines, as in sh.
      if (c === '\\' && line[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (word === undefined && c === '#') return stop(needShell('contains a "#" comment'));
      if (word === undefined && c === '~') {
        return stop(
          new Refusal(
            'starts an argument with "~", which only a shell expands; write ${HOME} instead, or set shell: true',
          ),
        );
      }
      if (line.startsWith('$(', i) || c === '`') {
        return stop(needShell(`contains the command substitution "${c === '`' ? '`' : '$('}"`));
      }
      const operator = OPERATORS.find((op) => line.startsWith(op, i));
      if (operator !== undefined) return stop(needShell(`contains the shell operator "${operator}"`));
      if (word === undefined) {
        word = [];
        wordStart = i;
      }
      if (c === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) return stop(new Refusal('has an unterminated single quote'));
        text('');
        i += 1;
        while (i < close) {
          const next = dollar(true, close);
          if (next >= 0) {
            i = next;
          } else {
            text(line[i]!);
            i += 1;
          }
        }
        i = close + 1;
      } else if (c === '"') {
        text('');
        i += 1;
        for (;;) {
          if (i >= line.length) return stop(new Refusal('has an unterminated double quote'));
          const d = line[i]!;
          if (d === '"') break;
          const next = dollar(true);
          if (next >= 0) {
            i = next;
          } else if (line.startsWith('$(', i) || d === '`') {
            return stop(needShell(`contains the command substitution "${d === '`' ? '`' : '$('}"`));
          } else if (d === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
            if (line[i + 1] !== '\n') text(line[i + 1]!);
            i += 2;
          } else {
            text(d);
            i += 1;
          }
        }
        i += 1;
      } else if (c === '\\') {
        if (i + 1 >= line.length) return stop(new Refusal('ends with a lone backslash'));
        text(line[i + 1]!);
        i += 2;
      } else {
        const next = dollar(false);
        if (next >= 0) {
          i = next;
        } else {
          text(c);
          i += 1;
        }
      }
    }
  } catch (error) {
    if (error instanceof Refusal) return stop(error);
    throw error;
  }
  endWord();
  return { words };
}

/** The index just after the `}` closing the `${` at `start` (nested references included), or -1. */
function referenceEnd(line: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < line.length) {
    if (line.startsWith('$${', i)) {
      i += 3;
    } else if (line.startsWith('${', i)) {
      depth += 1;
      i += 2;
    } else if (line[i] === '}') {
      depth -= 1;
      i += 1;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return -1;
}
