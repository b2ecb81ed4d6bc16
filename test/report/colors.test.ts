import { describe, expect, it } from 'vitest';
import { colorLevel, createColors } from '../../src/report/colors.js';

const tty = { isTTY: true, getColorDepth: () => 8 };
const pipe = { isTTY: false };

describe('colorLevel', () => {
  it('colours a terminal', () => {
    expect(colorLevel({ color: true, stream: tty, env: {} })).toBe(2);
  });

  it('is off for --no-color, NO_COLOR and anything that is not a terminal', () => {
    expect(colorLevel({ color: false, stream: tty, env: {} })).toBe(0);
    expect(colorLevel({ color: true, stream: tty, env: { NO_COLOR: '1' } })).toBe(0);
    expect(colorLevel({ color: true, stream: pipe, env: {} })).toBe(0);
    expect(colorLevel({ color: true, stream: tty, env: { TERM: 'dumb' } })).toBe(0);
  });

  it('ignores an empty NO_COLOR, as the convention says', () => {
    expect(colorLevel({ color: true, stream: tty, env: { NO_COLOR: '' } })).toBe(2);
  });

  it('lets FORCE_COLOR colour a CI log, but never over --no-color or NO_COLOR', () => {
    expect(colorLevel({ color: true, stream: pipe, env: { FORCE_COLOR: '1' } })).toBe(1);
    expect(colorLevel({ color: true, stream: tty, env: { FORCE_COLOR: '0' } })).toBe(0);
    expect(colorLevel({ color: false, stream: pipe, env: { FORCE_COLOR: '3' } })).toBe(0);
    expect(colorLevel({ color: true, stream: pipe, env: { FORCE_COLOR: '3', NO_COLOR: 'x' } })).toBe(0);
  });
});

describe('createColors', () => {
  it('gives a chalk that writes plain text when colours are off', () => {
    expect(createColors({ color: false, stream: tty, env: {} }).red('x')).toBe('x');
    expect(createColors({ color: true, stream: tty, env: {} }).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});
