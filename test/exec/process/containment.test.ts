import { describe, expect, it } from 'vitest';
import { parseInitReport } from '../../../src/exec/process/containment.js';

describe('the namespace init reports', () => {
  it('say whether the namespace was empty when the command ended', () => {
    expect(parseInitReport('x 0 0')).toEqual({ kind: 'exited', exitCode: 0, alone: true });
    expect(parseInitReport('x 7 1')).toEqual({ kind: 'exited', exitCode: 7, alone: false });
    expect(parseInitReport('k 9 0')).toEqual({ kind: 'killed', signal: 9, alone: true });
  });

  it('leave the namespace to a scan when they do not say', () => {
    expect(parseInitReport('x 0')).toEqual({ kind: 'exited', exitCode: 0, alone: false });
    expect(parseInitReport('k 15')).toEqual({ kind: 'killed', signal: 15, alone: false });
  });

  it('still tell a start from a failed start, and ignore anything else', () => {
    expect(parseInitReport('r')).toEqual({ kind: 'started' });
    expect(parseInitReport('e 2')).toEqual({ kind: 'not-started', errno: 2 });
    expect(parseInitReport('x 0 2')).toBeUndefined();
    expect(parseInitReport('hello')).toBeUndefined();
  });
});
