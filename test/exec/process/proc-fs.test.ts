import { describe, expect, it } from 'vitest';
import { parseIo, parseStat, procSupported, readStat } from '../../../src/exec/process/proc-fs.js';

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

describe('parseIo', () => {
  it('adds bytes and calls of reads and writes', () => {
    const text =
      'rchar: 1000\nwchar: 24\nsyscr: 10\nsyscw: 3\nread_bytes: 0\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n';
    expect(parseIo(text)).toEqual({ bytes: 1024, calls: 13 });
  });

  it('rejects a file without the byte counters', () => {
    expect(parseIo('syscr: 1\nsyscw: 1\n')).toBeUndefined();
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
