import { describe, expect, it } from 'vitest';
import { MAX_OUTPUT_CHUNK } from '../../src/protocol/messages.js';
import { OutputBatch } from '../../src/server/output-batch.js';

describe('OutputBatch', () => {
  it('joins whole lines of one stream and counts them', () => {
    const batch = new OutputBatch();
    expect(batch.take()).toBeUndefined();
    batch.add('stdout', 'a\n');
    expect(batch.fits('stdout', 'b\n')).toBe(true);
    batch.add('stdout', 'b\n');
    expect(batch.take()).toEqual({ stream: 'stdout', data: 'a\nb\n', lines: 2 });
    expect(batch.empty).toBe(true);
  });

  it('takes no line of the other stream, so the order across streams survives', () => {
    const batch = new OutputBatch();
    batch.add('stdout', 'out\n');
    expect(batch.fits('stderr', 'err\n')).toBe(false);
    batch.take();
    expect(batch.fits('stderr', 'err\n')).toBe(true);
  });

  it('never grows past the chunk size of the protocol', () => {
    const batch = new OutputBatch();
    const line = `${'x'.repeat(79)}\n`;
    let lines = 0;
    while (batch.fits('stdout', line)) {
      batch.add('stdout', line);
      lines += 1;
    }
    const taken = batch.take()!;
    expect(taken.lines).toBe(lines);
    expect(taken.data.length).toBeLessThanOrEqual(MAX_OUTPUT_CHUNK);
    expect(taken.data.length + line.length).toBeGreaterThan(MAX_OUTPUT_CHUNK);
  });
});
