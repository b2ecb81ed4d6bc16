import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/exec/output/line-splitter.js';

function collect(chunks: Uint8Array[], cap?: number): Array<[string, boolean]> {
  const lines: Array<[string, boolean]> = [];
  const splitter = new LineSplitter((line, terminated) => lines.push([line, terminated]), cap);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('LineSplitter', () => {
  it('cuts lines across chunk boundaries and drops "\\n" and "\\r\\n"', () => {
    expect(collect([bytes('one\r\ntw'), bytes('o\n\nthr'), bytes('ee')])).toEqual([
      ['one', true],
      ['two', true],
      ['', true],
      ['three', false],
    ]);
  });

  it('joins a multi-byte character split between two chunks', () => {
    const euro = bytes('€\n');
    expect(collect([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)])).toEqual([['€', true]]);
  });

  it('turns invalid UTF-8 into U+FFFD instead of failing', () => {
    expect(collect([Uint8Array.of(0x61, 0xff, 0xfe, 0x62, 0x0a, 0xe2, 0x82)])).toEqual([
      ['a\uFFFD\uFFFDb', true],
      ['\uFFFD', false],
    ]);
  });

  it('passes an endless line on in pieces no longer than the cap, never splitting a surrogate pair', () => {
    const lines = collect([bytes(`${'a'.repeat(7)}😀${'b'.repeat(20)}`)], 8);
    expect(lines.every(([line]) => line.length <= 8)).toBe(true);
    expect(lines.map(([line]) => line).join('')).toBe(`${'a'.repeat(7)}😀${'b'.repeat(20)}`);
    expect(lines.some(([line]) => /[\uD800-\uDBFF]$/.test(line))).toBe(false);
    expect(lines.every(([, terminated]) => !terminated)).toBe(true);
  });

  it('rebuilds exactly the decoded stream from lines and pieces, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', ' ', 'z') }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          const all = bytes(text);
          const points = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let start = 0;
          for (const point of points) {
            chunks.push(all.subarray(start, point));
            start = point;
          }
          chunks.push(all.subarray(start));
          const rebuilt = collect(chunks, 5)
            .map(([line, terminated]) => (terminated ? `${line}\n` : line))
            .join('');
          expect(rebuilt).toBe(text);
        },
      ),
    );
  });
});
