/**
 * Splits a shell command line into simple commands and words, the way a POSIX shell would before
 * expansion: quotes removed, operators (`&&`, `||`, `;`, `|`, `&`, newlines, parentheses) separate
 * commands, redirections and comments dropped. `$(…)` and backticks stay inside their word unexpanded.
 * It never throws: an unterminated quote simply runs to the end of the line.
 */
export function splitShellLine(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let dropNextWord = false;
  let i = 0;
  const n = line.length;

  const endWord = (): void => {
    if (!inWord) return;
    if (dropNextWord) dropNextWord = false;
    else words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    dropNextWord = false;
    if (words.length > 0) commands.push(words);
    words = [];
  };
  /** Index just past the parenthesis that closes the one at `open`, or the end of the line. */
  const skipBalanced = (open: number): number => {
    let depth = 0;
    for (let j = open; j < n; j++) {
      const ch = line[j];
      if (ch === '\\') j++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return j + 1;
    }
    return n;
  };
  const startRedirection = (): void => {
    // A word made only of digits right before `>` or `<` is a file descriptor, not an argument.
    if (inWord && /^\d+$/.test(word)) {
      word = '';
      inWord = false;
    } else endWord();
    while (i < n && (line[i] === '>' || line[i] === '<' || line[i] === '|' || line[i] === '&')) {
      const wasAmp = line[i] === '&' && i > 0 && (line[i - 1] === '>' || line[i - 1] === '<');
      i++;
      if (wasAmp) {
        // `>&2`, `<&-`: duplicating a descriptor takes no file name.
        while (i < n && /[0-9-]/.test(line[i]!)) i++;
        return;
      }
    }
    dropNextWord = true;
  };

  while (i < n) {
    const c = line[i]!;
    if (c === "'") {
      inWord = true;
      const end = line.indexOf("'", i + 1);
      word += end < 0 ? line.slice(i + 1) : line.slice(i + 1, end);
      i = end < 0 ? n : end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < n && line[i] !== '"') {
        const next = line[i + 1];
        if (line[i] === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') word += next;
          i += 2;
        } else {
          word += line[i];
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      inWord = true;
      const next = line[i + 1];
      if (next !== undefined && next !== '\n') word += next;
      i += 2;
    } else if (c === '$' && line[i + 1] === '(') {
      inWord = true;
      const end = skipBalanced(i + 1);
      word += line.slice(i, end);
      i = end;
    } else if (c === '`') {
      inWord = true;
      const end = line.indexOf('`', i + 1);
      word += end < 0 ? line.slice(i) : line.slice(i, end + 1);
      i = end < 0 ? n : end + 1;
    } else if (c === '#' && !inWord) {
      const end = line.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '>' || c === '<' || (c === '&' && line[i + 1] === '>')) {
      startRedirection();
    } else if (c === ';' || c === '&' || c === '|' || c === '\n' || c === '(' || c === ')') {
      endCommand();
      i++;
      while (i < n && (line[i] === c || (c === '|' && line[i] === '&'))) i++;
    } else {
      inWord = true;
      word += c;
      i++;
    }
  }
  endCommand();
  return commands;
}

/** Quotes a word for display so that a reader could paste it back into a shell. */
export function quoteWord(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
