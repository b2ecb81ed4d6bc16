import { lex, wordText } from './lex.js';

/**
 * Splits a shell command line into simple commands and words, the way a POSIX shell would before
 * expansion: quotes removed, operators (`&&`, `||`, `;`, `|`, `&`, newlines, parentheses) separate
 * commands, redirections and comments dropped. `$(…)` and backticks stay inside their word unexpanded.
 * It never throws: an unterminated quote simply runs to the end of the line.
 */
export function splitShellLine(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let dropNextWord = false;
  const endCommand = (): void => {
    if (words.length > 0) commands.push(words);
    words = [];
    dropNextWord = false;
  };
  for (const token of lex(line).tokens) {
    if (token.type === 'word') {
      if (dropNextWord) dropNextWord = false;
      else words.push(wordText(token));
    } else if (token.type === 'redirect') dropNextWord = token.target;
    else if (token.type === 'operator') endCommand();
  }
  endCommand();
  return commands;
}
