// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { describe, expect, it } from 'vitest';
import { lex, wordText } from '../../src/command/lex.js';

const words = (line: string, references = false) =>
  lex(line, { references }).tokens.flatMap((t) => (t.type === 'word' ? [wordText(t)] : []));

describe('lex', () => {
  it('folds a descriptor into its redirection and knows when a file name follows', () => {
    const { tokens } = lex('npm test 2>&1 >out.log');
    expect(tokens.map((t) => (t.type === 'word' ? wordText(t) : t))).toEqual([
      'npm',
      'test',
      { type: 'redirect', op: '>&', at: 10, target: false },
      { type: 'redirect', op: '>', at: 14, target: true },
      'out.log',
    ]);
  });

  it('keeps substitutions and parameters as written, in their quoting', () => {
    const word = lex('claude -p "$(cat p.md) for $USER"').tokens[2]!;
    expect(word.type === 'word' && word.parts.map((p) => [p.type, p.text])).toEqual([
      ['text', ''],
      ['substitution', '$(cat p.md)'],
      ['text', ' for '],
      ['parameter', '$USER'],
    ]);
  });

  it('reads suite references inside single quotes too, and $${ as a literal', () => {
    const word = lex("run '${A:-x y}' $${B}", { references: true }).tokens[1]!;
    expect(word.type === 'word' && word.parts.map((p) => p.type)).toEqual(['text', 'reference']);
    expect(words("run '${A:-x y}' $${B}", true)).toEqual(['run', '${A:-x y}', '${B}']);
  });

  it('says where the first problem is and reads on to the end', () => {
    expect(lex('echo "open').problem).toEqual({ kind: 'unterminated-double', at: 5 });
    expect(lex("echo 'a' 'b").problem).toEqual({ kind: 'unterminated-single', at: 9 });
    expect(lex('echo \\').problem).toEqual({ kind: 'lone-backslash', at: 5 });
    expect(lex('echo ${A', { references: true }).problem).toEqual({ kind: 'unclosed-reference', at: 5 });
    expect(words('claude -p "unfinished')).toEqual(['claude', '-p', 'unfinished']);
  });

  it('treats # as a comment only at the start of a word', () => {
    expect(words('echo a#b # note')).toEqual(['echo', 'a#b']);
  });
});
