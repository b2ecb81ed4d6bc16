import { describe, expect, it } from 'vitest';
import { formatDuration, hardWrap, oneLine, stripAnsi } from '../../src/report/format.js';

describe('formatDuration', () => {
  it('is short and precise where it matters', () => {
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(7_380_000)).toBe('2h03m');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});

describe('oneLine', () => {
  it('turns task text into one printable line', () => {
    expect(oneLine('a\r\nb\nc\u001b[2J\u0007d\te')).toBe('a | b | cd e');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
  });
});

describe('hardWrap', () => {
  it('breaks at the visible width, not counting colour codes', () => {
    const coloured = '\u001b[31mabcdef\u001b[39mgh';
    const pieces = hardWrap(coloured, 3);
    expect(pieces.map(stripAnsi)).toEqual(['abc', 'def', 'gh']);
    expect(pieces.join('')).toBe(coloured);
  });

  it('does not split a character made of two code units', () => {
    expect(hardWrap('🙂🙂🙂', 2)).toEqual(['🙂🙂', '🙂']);
  });
});
