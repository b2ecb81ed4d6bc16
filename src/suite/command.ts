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

import { type Lexed, type LexProblem, lex, type WordToken } from '../command/lex.js';
import { singleQuote as posixSingleQuote, quoteWord } from '../command/quote.js';

export type SplitResult = { ok: true; argv: string[] } | { ok: false; reason: string };

/** Part of one argument: final text, or a reference to expand (and, when unquoted, to split). */
export type CommandPart = { text: string } | { reference: string; quoted: boolean };

export type ParsedCommand = { ok: true; words: CommandPart[][] } | { ok: false; reason: string };

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Parses a command string into arguments made of text and references; never throws. */
export function parseCommand(line: string): ParsedCommand {
  const lexed = lex(line, { references: true });
  const refused = refusal(line, lexed);
  if (refused !== undefined) return { ok: false, reason: refused.reason };
  // Newlines separate words in a suite command, as any whitespace does.
  const words = lexed.tokens.flatMap((token) => (token.type === 'word' ? [partsOf(token)] : []));
  if (words.length === 0) return { ok: false, reason: 'is empty; give a program to run' };
  return { ok: true, words };
}

/** Splits a command string into argv, references left as written (`${NAME}`); never throws. */
export function splitCommand(line: string): SplitResult {
  const parsed = parseCommand(line);
  return parsed.ok ? { ok: true, argv: parsed.words.map(wordText) } : parsed;
}

function wordText(word: CommandPart[]): string {
  return word.map((part) => ('text' in part ? part.text : part.reference)).join('');
}

/** A literal `${` is written `$${` in suite syntax; a function replacer, since "$$" in a string means "$". */
function escapeReferences(quoted: string): string {
  return quoted.replaceAll('${', () => '$${');
}

/** Quotes one argument so that splitCommand gives it back unchanged: POSIX quoting plus `$${`. */
export function quoteArg(arg: string): string {
  return escapeReferences(quoteWord(arg));
}

function singleQuote(arg: string): string {
  return escapeReferences(posixSingleQuote(arg));
}

/** A readable command line in suite syntax (sh quoting, `$${` for a literal `${`); splitCommand gives argv back. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((arg, i) => (i === 0 && ASSIGNMENT.test(arg) ? singleQuote(arg) : quoteArg(arg))).join(' ');
}

function needShell(what: string): string {
  return `${what}, which needs a shell; set shell: true or give the command as an argv list`;
}

const PROBLEMS: Record<LexProblem, string> = {
  'unterminated-single': 'has an unterminated single quote',
  'unterminated-double': 'has an unterminated double quote',
  'lone-backslash': 'ends with a lone backslash',
  'unclosed-reference': 'has a "${" without its closing "}"; write $${ for a literal ${',
};

/** Why a line is not a plain suite command, for the first thing in it that only a shell understands. */
function refusal(line: string, lexed: Lexed): { at: number; reason: string } | undefined {
  let first: { at: number; reason: string } | undefined;
  const consider = (at: number, reason: string): void => {
    if (first === undefined || at < first.at) first = { at, reason };
  };
  if (lexed.problem !== undefined) consider(lexed.problem.at, PROBLEMS[lexed.problem.kind]);
  let firstWord = true;
  for (const token of lexed.tokens) {
    if (token.type === 'operator') {
      if (token.op !== '\n') consider(token.at, needShell(`contains the shell operator "${token.op}"`));
    } else if (token.type === 'redirect') {
      consider(token.at, needShell(`contains the shell operator "${token.op}"`));
    } else if (token.type === 'comment') {
      consider(token.at, needShell('contains a "#" comment'));
    } else {
      const head = token.parts[0];
      if (head?.type === 'text' && head.quoting === 'none' && head.text.startsWith('~')) {
        consider(
          token.at,
          'starts an argument with "~", which only a shell expands; write ${HOME} instead, or set shell: true',
        );
      }
      for (const part of token.parts) {
        if (part.type === 'substitution') {
          consider(
            part.at,
            needShell(`contains the command substitution "${part.text.startsWith('`') ? '`' : '$('}"`),
          );
        }
      }
      if (firstWord) {
        const assignment = ASSIGNMENT.exec(line.slice(token.at))?.[0];
        if (assignment !== undefined) {
          consider(
            token.at,
            `starts with the assignment "${assignment}...", which only a shell understands; put variables under env:, or set shell: true`,
          );
        }
      }
      firstWord = false;
    }
  }
  return first;
}

function partsOf(word: WordToken): CommandPart[] {
  const out: CommandPart[] = [];
  for (const part of word.parts) {
    if (part.type === 'reference') out.push({ reference: part.text, quoted: part.quoted });
    else {
      const last = out.at(-1);
      if (last !== undefined && 'text' in last) last.text += part.text;
      else out.push({ text: part.text });
    }
  }
  return out;
}
