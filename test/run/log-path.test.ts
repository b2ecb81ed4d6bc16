import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logFileName, logPathFor } from '../../src/run/log-path.js';

describe('logPathFor', () => {
  it('keeps every task log inside <out>/logs whatever the task id holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 99 }), (id, attempt) => {
        const out = '/tmp/cc-stress-out';
        const path = resolve(logPathFor(out, id, attempt));
        expect(dirname(path)).toBe(join(out, 'logs'));
        expect(path).not.toMatch(/[\n\r\0]/);
      }),
      { numRuns: 500 },
    );
  });

  it('gives distinct names to ids that sanitise to the same text', () => {
    expect(logFileName('a/b', 1)).not.toBe(logFileName('a_b', 1));
    expect(logFileName('../etc/passwd', 1)).not.toContain('/');
    expect(logFileName('../etc/passwd', 1).startsWith('.')).toBe(false);
  });

  it('names the attempt so retries do not overwrite each other', () => {
    expect(logFileName('t', 1)).not.toBe(logFileName('t', 2));
  });
});
