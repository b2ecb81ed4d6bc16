import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteArgv, splitCommandLine } from '../../src/protocol/command-line.js';

describe('quoteArgv / splitCommandLine', () => {
  it('splits what it quoted back into the same argv, whatever the arguments hold', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (argv) => {
        const split = splitCommandLine(quoteArgv(argv));
        expect(split).toEqual({ ok: true, argv });
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes so that a real shell sees the same argv (the existing service runs commands in a shell)', () => {
    const argv = ['printf', '%s|', 'a b', "it's", '$HOME', '`id`', '*', '', 'é\n2'];
    const out = execFileSync('/bin/sh', ['-c', quoteArgv(argv)], { encoding: 'utf8' });
    expect(out).toBe("a b|it's|$HOME|`id`|*||é\n2|");
  });

  it('reads the quoting people write by hand', () => {
    expect(splitCommandLine(`claude -p "what is 2+2?" --output-format stream-json`)).toEqual({
      ok: true,
      argv: ['claude', '-p', 'what is 2+2?', '--output-format', 'stream-json'],
    });
    expect(splitCommandLine(`echo "say \\"hi\\"" 'a\\b' c\\ d`)).toEqual({
      ok: true,
      argv: ['echo', 'say "hi"', 'a\\b', 'c d'],
    });
  });

  it.each([
    ['echo hi | sh', "'|'"],
    ['echo hi; rm -rf x', "';'"],
    ['echo $(id)', "'$'"],
    ['echo `id`', "'`'"],
    ['cat < /etc/passwd', "'<'"],
    ['echo hi > out', "'>'"],
    ['ls *', "'*'"],
    ['echo "$HOME"', "'$'"],
    ['echo hi && id', "'&'"],
    ['echo a\nid', 'a newline'],
    ['cat ~/.ssh/id_rsa', "'~'"],
  ])('refuses %j, which only a shell would understand', (line, what) => {
    const split = splitCommandLine(line);
    expect(split.ok).toBe(false);
    if (!split.ok) {
      expect(split.kind).toBe('meta');
      expect(split.error).toContain(what);
    }
  });

  it('accepts the same characters when they are quoted', () => {
    expect(splitCommandLine(`echo 'a|b;c$(d)*' "x&y"`)).toEqual({
      ok: true,
      argv: ['echo', 'a|b;c$(d)*', 'x&y'],
    });
  });

  it('reports malformed lines as syntax errors', () => {
    for (const line of ['echo "open', "echo 'open", '   ', 'echo \\']) {
      const split = splitCommandLine(line);
      expect(split.ok === false && split.kind === 'syntax').toBe(true);
    }
  });
});
