import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayCommand } from '../../src/run/display-command.js';

describe('displayCommand', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(displayCommand(['npm', 'test'], false)).toBe('npm test');
    expect(displayCommand(['claude', '-p', "it's done"], false)).toBe(`claude -p 'it'\\''s done'`);
    expect(displayCommand(['echo hi | wc'], true)).toBe('echo hi | wc');
  });

  it('produces a line that a POSIX shell splits back into the same argv', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 0, maxLength: 12 }).filter((s) => !s.includes('\0')),
          { minLength: 1, maxLength: 4 },
        ),
        (args) => {
          const line = displayCommand(['printf', '%s\\0', ...args], false);
          const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
          expect(out.split('\0').slice(0, -1)).toEqual(args);
        },
      ),
      { numRuns: 60 },
    );
  });
});
