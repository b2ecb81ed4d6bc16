import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseLine, REPEAT_MEMORY, RepeatMemory } from '../../../src/exec/output/repeated-output.js';

describe('normaliseLine', () => {
  it.each([
    ['spinner frames', ['⠋ Waiting for the model', '⠙ Waiting for the model', '⠹ Waiting for the model']],
    ['ASCII spinner frames', ['[|] working', '[/] working', '[-] working', '[\\] working']],
    ['a counter', ['waiting... (3s)', 'waiting... (14s)', 'waiting.... (27s)']],
    ['a progress bar', ['[=====>      ] 41% 1.2MB/s', '[======>     ] 42% 1.3MB/s']],
    ['a `\\r` redraw', ['\r 10% done\r 11% done', '\r 12% done']],
    ['colours', ['\x1b[33mwaiting\x1b[0m', 'waiting']],
    [
      'timestamps and ids',
      [
        '{"type":"ping","at":"2026-12-02T10:00:00.000Z","uuid":"6dda8a59-90a5-440a-a28c-58a18322be97"}',
        '{"type":"ping","at":"2026-12-02T10:00:05.250Z","uuid":"221c2d76-0ca0-4c71-84fb-e75e77f627f9"}',
      ],
    ],
  ])('gives one form for %s', (_, lines) => {
    const forms = new Set(lines.map(normaliseLine));
    expect(forms.size).toBe(1);
  });

  it('keeps lines that say different things apart', () => {
    expect(normaliseLine('compiling parser.ts')).not.toBe(normaliseLine('compiling lexer.ts'));
    expect(normaliseLine('test a passed')).not.toBe(normaliseLine('test b failed'));
  });

  it('ignores differences in numbers only, for any numbers', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.stringMatching(/^[a-z ]{0,20}$/), (a, b, text) => {
        expect(normaliseLine(`${text} ${a} items`)).toBe(normaliseLine(`${text} ${b} items`));
      }),
      { numRuns: 50 },
    );
  });
});

describe('RepeatMemory', () => {
  it('finds a line new once, and a repeat while it is remembered', () => {
    const memory = new RepeatMemory();
    expect(memory.isNew('waiting for lock (1s)')).toBe(true);
    expect(memory.isNew('waiting for lock (2s)')).toBe(false);
    expect(memory.isNew('got the lock')).toBe(true);
    expect(memory.isNew('')).toBe(false);
    expect(memory.isNew('   ')).toBe(false);
  });

  it('judges chunks without newlines as they come: dots and redraws are repeats after the first', () => {
    const memory = new RepeatMemory();
    expect(memory.chunkIsNew('Installing')).toBe(true);
    expect(memory.chunkIsNew('.')).toBe(true);
    expect(memory.chunkIsNew('.')).toBe(false);
    expect(memory.chunkIsNew('..')).toBe(false);
    expect(memory.chunkIsNew('\r[==>   ] 12%')).toBe(true);
    expect(memory.chunkIsNew('\r[===>  ] 13%')).toBe(false);
    expect(memory.chunkIsNew('\r[===>  ] 13%\ndone\n')).toBe(true);
  });

  it('forgets the least recently seen line beyond its capacity, and never holds more', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 300 }), (lines) => {
        const memory = new RepeatMemory(8);
        const recent: string[] = [];
        for (const line of lines) {
          const expected = !recent.includes(line);
          expect(memory.isNew(line)).toBe(expected);
          const at = recent.indexOf(line);
          if (at >= 0) recent.splice(at, 1);
          recent.push(line);
          if (recent.length > 8) recent.shift();
        }
      }),
    );
    expect(REPEAT_MEMORY).toBeGreaterThanOrEqual(16);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6000 }), (text) => {
        const memory = new RepeatMemory();
        memory.chunkIsNew(text);
        expect(typeof memory.isNew(text)).toBe('boolean');
      }),
      { numRuns: 50 },
    );
  });
});
