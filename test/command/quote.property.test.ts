import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lex } from '../../src/command/lex.js';
import { quoteArgv, quoteWord } from '../../src/command/quote.js';
import { splitShellLine } from '../../src/command/shell-line.js';
import { splitCommandLine } from '../../src/protocol/command-line.js';

const word = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 16 }),
  fc.string({ unit: fc.constantFrom(...`ab '"\\$\`|&;<>()*?[]#~={}\n\t!`), maxLength: 12 }),
);
const argv = fc.array(word, { minLength: 1, maxLength: 6 });

describe('one quoting, one tokenizer', () => {
  it('gives back any argv it quoted, to the shell-line reader and to the server alike', () => {
    fc.assert(
      fc.property(argv, (words) => {
        const line = quoteArgv(words);
        expect(splitShellLine(line)).toEqual([words]);
        expect(splitCommandLine(line)).toEqual({ ok: true, argv: words });
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes so that a real POSIX shell sees the same argv', () => {
    const noNul = fc.array(
      word.filter((w) => !w.includes('\u0000')),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(noNul, (words) => {
        const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(quoteWord).join(' ')}`], {
          encoding: 'utf8',
        });
        expect(out.split('\u0000').slice(0, -1)).toEqual(words);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws and reports tokens in the order they appear', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.boolean(), (line, references) => {
        const { tokens } = lex(line, { references });
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]!.at).toBeGreaterThan(tokens[i - 1]!.at);
      }),
    );
  });
});
