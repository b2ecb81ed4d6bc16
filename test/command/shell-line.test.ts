import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteWord } from '../../src/command/quote.js';
import { splitShellLine } from '../../src/command/shell-line.js';

describe('splitShellLine', () => {
  it('removes quotes the way a shell does', () => {
    expect(splitShellLine(`claude -p "say \\"hi\\"" --model 'opus 4'`)).toEqual([
      ['claude', '-p', 'say "hi"', '--model', 'opus 4'],
    ]);
    expect(splitShellLine('echo a\\ b')).toEqual([['echo', 'a b']]);
  });

  it('splits on operators and keeps each simple command', () => {
    expect(splitShellLine('cd app && npm ci || exit 1; npm test | tee log & wait')).toEqual([
      ['cd', 'app'],
      ['npm', 'ci'],
      ['exit', '1'],
      ['npm', 'test'],
      ['tee', 'log'],
      ['wait'],
    ]);
  });

  it('drops redirections and comments', () => {
    expect(splitShellLine('npm test > out.log 2>&1 # run tests')).toEqual([['npm', 'test']]);
    expect(splitShellLine('cmd &>all.log <in.txt')).toEqual([['cmd']]);
  });

  it('keeps command substitutions inside their word', () => {
    expect(splitShellLine('claude -p "$(cat prompt.md)" && echo `date`')).toEqual([
      ['claude', '-p', '$(cat prompt.md)'],
      ['echo', '`date`'],
    ]);
  });

  it('survives unterminated quotes', () => {
    expect(splitShellLine(`claude -p "unfinished`)).toEqual([['claude', '-p', 'unfinished']]);
  });

  it('never throws and never yields empty commands', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        for (const command of splitShellLine(text)) expect(command.length).toBeGreaterThan(0);
      }),
    );
  });

  it('round-trips quoted words', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 12 }).filter((w) => !w.includes('\u0000')),
          { minLength: 1, maxLength: 6 },
        ),
        (words) => {
          expect(splitShellLine(words.map(quoteWord).join(' '))).toEqual([words]);
        },
      ),
    );
  });
});
