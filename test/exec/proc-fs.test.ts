import { describe, expect, it } from 'vitest';
import { parseStat, procSupported, readStat } from '../../src/exec/proc-fs.js';

describe('parseStat', () => {
  it('reads the fields after a command name containing spaces and parentheses', () => {
    const line =
      '4242 (my (odd) name) S 17 4242 4242 0 -1 4194304 100 0 0 0 7 3 2 1 20 0 1 0 98765 3133440 361 0';
    expect(parseStat(4242, line)).toEqual({
      pid: 4242,
      ppid: 17,
      pgid: 4242,
      state: 'S',
      cpuTicks: 13,
      startTicks: 98765,
    });
  });

  it('rejects a truncated line', () => {
    expect(parseStat(1, '1 (x) S 0 1')).toBeUndefined();
  });
});

describe.runIf(procSupported())('readStat', () => {
  it('describes this very process', () => {
    const stat = readStat(process.pid);
    expect(stat).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(stat?.state).toMatch(/^[RS]$/);
  });

  it('returns undefined for a process that does not exist', () => {
    expect(readStat(2 ** 22 + 1)).toBeUndefined();
  });
});
