import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileUserPattern, MATCHED_PREFIX_CHARS, patternProblem } from '../../src/text/user-pattern.js';

describe('user patterns run in linear time', () => {
  it('answers a catastrophic-backtracking pattern on a long line instead of freezing', () => {
    // Native RegExp would need ~2^10000 steps here; the test would never return.
    const pattern = compileUserPattern('^(a+)+$');
    expect(pattern.test(`${'a'.repeat(10_000)}b`)).toBe(false);
    expect(pattern.test('a'.repeat(10_000))).toBe(true);
  });

  it('refuses look-around and back-references with a reason a user can act on', () => {
    expect(patternProblem('(a)\\1')).toMatch(/back-references are not supported/);
    expect(patternProblem('foo(?=bar)')).toMatch(/look-around/);
    expect(patternProblem('(unclosed')).toMatch(/missing closing \)/);
    expect(patternProblem('^ok \\d+ files?$')).toBeNull();
  });

  it('matches only the first 64 KiB of a line', () => {
    const line = `${'x'.repeat(MATCHED_PREFIX_CHARS)}needle`;
    expect(compileUserPattern('needle').test(line)).toBe(false);
    expect(compileUserPattern('^x+').test(line)).toBe(true);
  });

  it('ignores case only when asked', () => {
    expect(compileUserPattern('claude').test('CLAUDE -p')).toBe(false);
    expect(compileUserPattern('claude', { ignoreCase: true }).test('CLAUDE -p')).toBe(true);
  });

  it('agrees with JavaScript regular expressions on the syntax both share', () => {
    const atom = fc.constantFrom('a', 'b', '.', '\\d', '[ab]', '[^a]', 'x');
    const quantifier = fc.constantFrom('', '*', '+', '?', '{1,2}');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
    const regex = fc
      .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([start, pieces, end]) => `${start ? '^' : ''}${pieces.join('')}${end ? '$' : ''}`);
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'x', '1', ' '), maxLength: 12 });
    fc.assert(
      fc.property(regex, text, (source, line) => {
        expect(compileUserPattern(source).test(line)).toBe(new RegExp(source).test(line));
      }),
    );
  });
});
