import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_CHUNK } from '../../src/protocol/messages.js';
import { LineChunker } from '../../src/server/line-chunker.js';

interface Sent {
  data: string;
  index: number | null;
  total: number | null;
}

function collect(heldChars?: number): { chunker: LineChunker; sent: Sent[] } {
  const sent: Sent[] = [];
  const chunker = new LineChunker((data, index, total) => sent.push({ data, index, total }), heldChars);
  return { chunker, sent };
}

/** Reassembles payloads the way a client following the protocol page would. */
function reassemble(sent: Sent[]): string[] {
  const lines: string[] = [];
  let current = '';
  for (const item of sent) {
    current += item.data;
    if (item.index === null || item.total === item.index + 1) {
      lines.push(current);
      current = '';
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

describe('LineChunker', () => {
  it('sends a short line as one payload with its newline and no chunk numbers', () => {
    const { chunker, sent } = collect();
    chunker.piece('hello', true);
    expect(sent).toEqual([{ data: 'hello\n', index: null, total: null }]);
  });

  it('numbers the chunks of a line over 65,536 characters and says how many there are', () => {
    const { chunker, sent } = collect();
    const line = 'x'.repeat(MAX_OUTPUT_CHUNK * 2 + 10);
    chunker.piece(line.slice(0, MAX_OUTPUT_CHUNK), false);
    chunker.piece(line.slice(MAX_OUTPUT_CHUNK, 2 * MAX_OUTPUT_CHUNK), false);
    chunker.piece(line.slice(2 * MAX_OUTPUT_CHUNK), true);
    expect(sent.map((s) => [s.data.length, s.index, s.total])).toEqual([
      [MAX_OUTPUT_CHUNK, 0, 3],
      [MAX_OUTPUT_CHUNK, 1, 3],
      [11, 2, 3],
    ]);
    expect(sent.every((s) => s.data.length <= MAX_OUTPUT_CHUNK)).toBe(true);
  });

  it('streams an endless line in bounded memory and closes it with the total on its last chunk', () => {
    const { chunker, sent } = collect(4 * MAX_OUTPUT_CHUNK);
    for (let i = 0; i < 40; i += 1) chunker.piece('y'.repeat(MAX_OUTPUT_CHUNK), false);
    expect(sent.length).toBeGreaterThan(30);
    expect(sent.every((s) => s.total === null)).toBe(true);
    chunker.piece('end', true);
    const last = sent.at(-1)!;
    expect(last.total).toBe(last.index! + 1);
    expect(reassemble(sent)).toEqual([`${'y'.repeat(40 * MAX_OUTPUT_CHUNK)}end\n`]);
  });

  it('sends a last line without a newline as it is when the stream ends', () => {
    const { chunker, sent } = collect();
    chunker.piece('no newline', false);
    expect(sent).toEqual([]);
    chunker.flush();
    expect(sent).toEqual([{ data: 'no newline', index: null, total: null }]);
  });

  it('never loses or reorders text, whatever the pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 300 }), fc.boolean()), { maxLength: 40 }),
        (pieces) => {
          const { chunker, sent } = collect(100);
          for (const [text, terminated] of pieces) chunker.piece(text, terminated);
          chunker.flush();
          const expected = pieces.map(([text, terminated]) => (terminated ? `${text}\n` : text)).join('');
          expect(sent.map((s) => s.data).join('')).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
