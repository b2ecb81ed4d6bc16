// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCommand, parseCommand, quoteArg, splitCommand } from '../../src/suite/command.js';

const anyText = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc
    .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 100 })
    .map((points) => String.fromCodePoint(...points)),
);

describe('splitCommand', () => {
  it.each([
    ['claude -p hello', ['claude', '-p', 'hello']],
    ['  a\tb \n c  ', ['a', 'b', 'c']],
    [`claude -p "fix the bug in 'main.ts'"`, ['claude', '-p', "fix the bug in 'main.ts'"]],
    [`echo 'it''s' "a\\"b" c\\ d`, ['echo', 'its', 'a"b', 'c d']],
    [`echo "keep \\n and \\$ and \\\\"`, ['echo', 'keep \\n and $ and \\']],
    [`echo '' ""`, ['echo', '', '']],
    ['echo a\\\nb \\\n', ['echo', 'ab']],
    ['echo --flag=value x=y a#b', ['echo', '--flag=value', 'x=y', 'a#b']],
    ['echo ${PROMPT:-two words} ${A}', ['echo', '${PROMPT:-two words}', '${A}']],
    ['echo "${X:-a b}"c', ['echo', '${X:-a b}c']],
    ['echo $${literal text} $HOME', ['echo', '${literal', 'text}', '$HOME']],
    ['echo \'$${HOME}\' "$${x}"', ['echo', '${HOME}', '${x}']],
    ['echo \'${A:-x y}\' "${B}"', ['echo', '${A:-x y}', '${B}']],
    ['echo "a | b" \'c && d\' e\\;f', ['echo', 'a | b', 'c && d', 'e;f']],
    ['echo what? *.txt', ['echo', 'what?', '*.txt']],
  ])('splits %j', (line, argv) => {
    expect(splitCommand(line)).toEqual({ ok: true, argv });
  });

  it.each([
    ['cat x | wc', 'the shell operator "|"'],
    ['make && make test', 'the shell operator "&&"'],
    ['a || b', 'the shell operator "||"'],
    ['a; b', 'the shell operator ";"'],
    ['echo hi > out.txt', 'the shell operator ">"'],
    ['echo hi 2>&1', 'the shell operator ">&"'],
    ['sort < in', 'the shell operator "<"'],
    ['sleep 10 &', 'the shell operator "&"'],
    ['(cd x)', 'the shell operator "("'],
    ['echo $(date)', 'command substitution "$("'],
    ['echo "$(date)"', 'command substitution "$("'],
    ['echo `date`', 'command substitution "`"'],
    ['echo hi # note', '"#" comment'],
  ])('refuses %j, asking for shell: true', (line, what) => {
    const result = splitCommand(line);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(what);
    expect(result.reason).toContain('set shell: true or give the command as an argv list');
  });

  it.each([
    ['echo "open', 'unterminated double quote'],
    ["echo 'open", 'unterminated single quote'],
    ['echo \\', 'lone backslash'],
    ['   ', 'is empty'],
    ['', 'is empty'],
    ['ls ~/x', '"~", which only a shell expands; write ${HOME} instead'],
    ['FOO=1 claude -p hi', 'the assignment "FOO=..."'],
    ['A="x y" claude', 'the assignment "A=..."'],
    ['echo ${A', 'has a "${" without its closing "}"; write $${ for a literal ${'],
    ["echo '${A:-x' y}", 'has a "${" without its closing "}"'],
  ])('explains %j', (line, reason) => {
    const result = splitCommand(line);
    expect(result.ok ? result.argv : result.reason).toContain(reason);
  });

  it('never throws on arbitrary text: it splits or explains', () => {
    fc.assert(
      fc.property(anyText, (line) => {
        const result = splitCommand(line);
        if (result.ok) {
          expect(result.argv.length).toBeGreaterThan(0);
        } else {
          expect(result.reason.length).toBeGreaterThan(0);
          expect(result.reason).not.toContain('\n');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on text made of shell syntax', () => {
    const piece = fc.constantFrom(
      'a',
      ' ',
      "'",
      '"',
      '\\',
      '$',
      '{',
      '}',
      '${',
      '$${',
      '|',
      '&',
      ';',
      '#',
      '~',
      '=',
      ':-',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const result = splitCommand(pieces.join(''));
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('gives back any arguments formatCommand quoted', () => {
    const arg = fc.string({ unit: 'grapheme', maxLength: 20 });
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(splitCommand(formatCommand(argv))).toEqual({ ok: true, argv });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseCommand', () => {
  it('marks which references are quoted, since only unquoted ones are split into several arguments', () => {
    expect(parseCommand(`run \${FLAGS} "\${PROMPT}" '\${X}'x \${A}-\${B}`)).toEqual({
      ok: true,
      words: [
        [{ text: 'run' }],
        [{ reference: '${FLAGS}', quoted: false }],
        [{ text: '' }, { reference: '${PROMPT}', quoted: true }],
        [{ text: '' }, { reference: '${X}', quoted: true }, { text: 'x' }],
        [{ reference: '${A}', quoted: false }, { text: '-' }, { reference: '${B}', quoted: false }],
      ],
    });
  });
});

describe('quoteArg', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteArg('--model=sonnet')).toBe('--model=sonnet');
    expect(quoteArg('two words')).toBe("'two words'");
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteArg('')).toBe("''");
    expect(quoteArg('${HOME}')).toBe("'$${HOME}'");
  });
});
