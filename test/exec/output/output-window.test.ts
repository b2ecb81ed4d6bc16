import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputWindow } from '../../../src/exec/output/output-window.js';

const bytes = (text: string) => Buffer.from(text);

describe('OutputWindow', () => {
  it('keeps the first and the last bytes of a stream larger than both', () => {
    const window = new OutputWindow(10, 12);
    for (let i = 0; i < 1000; i++) window.push(bytes(`line ${i}\n`));
    expect(window.headText()).toBe('line 0\nlin');
    expect(window.tailText()).toBe('98\nline 999\n');
  });

  it('keeps all of a short stream in both', () => {
    const window = new OutputWindow(100, 100);
    window.push(bytes('a\n'));
    window.push(bytes('b'));
    expect(window.headText()).toBe('a\nb');
    expect(window.tailText()).toBe('a\nb');
  });

  it('drops a character cut at either edge instead of mangling it', () => {
    // 'ab€cd€' is a b E2 82 AC c d E2 82 AC: the 4-byte head ends inside the first €, the 6-byte tail
    // starts inside it.
    const window = new OutputWindow(4, 6);
    window.push(bytes('ab€cd€'));
    expect(window.headText()).toBe('ab');
    expect(window.tailText()).toBe('cd€');
  });

  it('shows invalid UTF-8 as U+FFFD', () => {
    const window = new OutputWindow(16, 16);
    window.push(Uint8Array.of(0x6f, 0x6b, 0xff, 0x21));
    expect(window.headText()).toBe('ok\uFFFD!');
  });

  it('equals the UTF-8 prefix and suffix of the whole stream, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n') }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (pieces, headBytes, tailBytes) => {
          const window = new OutputWindow(headBytes, tailBytes);
          for (const piece of pieces) window.push(bytes(piece));
          const text = pieces.join('');
          const head = window.headText();
          const tail = window.tailText();
          expect(text.startsWith(head)).toBe(true);
          expect(text.endsWith(tail)).toBe(true);
          expect(Buffer.byteLength(head)).toBeLessThanOrEqual(headBytes);
          expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(tailBytes);
          // At most one character (4 bytes) is lost at each edge.
          expect(Buffer.byteLength(head)).toBeGreaterThan(Math.min(headBytes, Buffer.byteLength(text)) - 4);
          expect(Buffer.byteLength(tail)).toBeGreaterThan(Math.min(tailBytes, Buffer.byteLength(text)) - 4);
        },
      ),
    );
  });
});
