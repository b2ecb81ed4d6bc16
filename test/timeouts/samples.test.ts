import { describe, expect, it } from 'vitest';
import type { RunOutcome, RunRecord } from '../../src/history/types.js';
import { samplesOf } from '../../src/timeouts/samples.js';

let n = 0;
function record(
  outcome: RunOutcome,
  durationS: number,
  silenceS: number,
  quietS?: number,
  limitS?: number,
): RunRecord {
  n += 1;
  return {
    runId: `r${n}`,
    durationMs: durationS * 1000,
    longestSilenceMs: silenceS * 1000,
    ...(quietS === undefined ? {} : { longestQuietMs: quietS * 1000 }),
    ...(limitS === undefined ? {} : { limitMs: limitS * 1000 }),
    outcome,
    at: 1_000_000 - n,
  };
}

describe('quiet stretches as samples', () => {
  it('counts finished runs’ quiet stretches and skips records written before they were kept', () => {
    const set = samplesOf(
      [record('success', 100, 5, 40), record('failed', 80, 3), record('success', 60, 2, 20)],
      'quiet',
      100,
    );
    expect([...set.finite]).toEqual([20_000, 40_000]);
    expect(set.censored).toHaveLength(0);
    expect(set.droppedInvalid).toBe(0);
  });

  it('counts a stall kill as cut off at the quiet stretch it reached, and a max kill not at all', () => {
    const set = samplesOf(
      [record('killed-stall', 1900, 2, 1800, 600), record('killed-max', 9000, 4, 8000, 7200)],
      'quiet',
      100,
    );
    expect([...set.censored]).toEqual([1_800_000]);
    expect(set.finite).toHaveLength(0);
  });

  it('does not count a kill by the quiet limit as a cut-off silence: its silences never reached the stall limit', () => {
    const byQuiet = record('killed-stall', 1900, 2, 1800, 600);
    const byStall = record('killed-stall', 700, 600, 600, 600);
    const set = samplesOf([byQuiet, byStall], 'silence', 100);
    expect([...set.censored]).toEqual([600_000]);
  });
});
