import { describe, expect, it } from 'vitest';
import { ORIGINAL } from '../../bench/timeouts/families.js';
import { computeMetrics } from '../../bench/timeouts/metrics.js';
import { runFamilyBench } from '../../bench/timeouts/run.js';
import type { Outcome, SimResult } from '../../bench/timeouts/simulate.js';
import { fixedRival } from '../../bench/timeouts/targets.js';
import { CLASSES, STEP_CLASS } from '../../bench/timeouts/workload.js';

const MIN = 60_000;
const step = CLASSES.findIndex((c) => c.id === STEP_CLASS);

function outcome(partial: Partial<Outcome>): Outcome {
  return {
    cls: 0,
    ordinal: 1,
    afterStep: false,
    onsetMs: 0,
    durationMs: MIN,
    end: 'finished',
    atMs: MIN,
    maxMs: 30 * MIN,
    effectiveMaxMs: 30 * MIN,
    stallMs: 5 * MIN,
    ...partial,
  };
}

function sim(rows: Outcome[]): SimResult {
  return {
    family: ORIGINAL,
    strategies: [{ id: 'x', label: 'x', signals: 'full' }],
    outcomes: [rows],
    elapsedMs: 0,
    planMs: 0,
    plans: 0,
  };
}

describe('timeout benchmark metrics', () => {
  it('counts legitimate kills, hang detection from the onset, waste and cold start', () => {
    const rows = [
      ...Array.from({ length: 98 }, (_, i) => outcome({ ordinal: i + 1, atMs: MIN, durationMs: MIN })),
      outcome({ ordinal: 99, end: 'stall', atMs: 2 * MIN, durationMs: 10 * MIN }),
      outcome({ ordinal: 100, hang: 'dead', onsetMs: MIN, end: 'stall', atMs: 6 * MIN }),
      outcome({ ordinal: 101, hang: 'output-loop', onsetMs: MIN, end: 'job', atMs: 360 * MIN }),
    ];
    const [m] = computeMetrics(sim(rows), 0.01);
    expect(m!.legit).toMatchObject({ runs: 99, killed: 1, byStall: 1, byMax: 0 });
    expect(m!.legit.killedPct).toBeCloseTo(100 / 99);
    expect(m!.hangs).toMatchObject({ runs: 2, caught: 1, p50Ms: 5 * MIN, p95Ms: 359 * MIN });
    expect(m!.hangs.kinds.find((k) => k.kind === 'dead')).toMatchObject({ runs: 1, p95Ms: 5 * MIN });
    expect(m!.wasted.legitHours).toBeCloseTo(2 / 60);
    expect(m!.wasted.hangHours).toBeCloseTo((5 + 359) / 60);
    expect(m!.coldStart.map((c) => [c.window, c.runs, c.killed])).toEqual([
      [1, 1, 0],
      [10, 10, 0],
      [100, 99, 1],
    ]);
  });

  it('says how many runs after the step change pass before the max limit covers the new p99', () => {
    const after = Array.from({ length: 120 }, (_, i) =>
      outcome({
        cls: step,
        afterStep: true,
        ordinal: i + 1,
        durationMs: 2 * MIN,
        atMs: 2 * MIN,
        // Extensions cover the new p99 from run 7, the plain limit only from run 20.
        effectiveMaxMs: i < 7 ? MIN : 3 * MIN,
        maxMs: i < 20 ? MIN : 3 * MIN,
        ...(i < 3 ? { end: 'max' as const, atMs: MIN } : {}),
      }),
    );
    const [m] = computeMetrics(sim(after), 0.01);
    expect(m!.step).toMatchObject({
      runsAfterStep: 120,
      runsToRecover: 7,
      killedInFirst100: 3,
      newP99Ms: 2 * MIN,
    });
  });

  it('compares with the shortest fixed no-output limit that kills no more legitimate runs', async () => {
    const result = await runFamilyBench({ runs: 300, seed: 7, store: 'memory' });
    const ours = result.strategies.find((m) => m.id === 'ours-full')!;
    const rival = fixedRival(ours, result.strategies)!;
    expect(rival.legit.killedPct).toBeLessThanOrEqual(ours.legit.killedPct);
    const shorter = result.strategies.filter(
      (m) =>
        m.id.startsWith('no-output-') &&
        Number.parseInt(m.id.slice(10), 10) < Number.parseInt(rival.id.slice(10), 10),
    );
    for (const m of shorter) expect(m.legit.killedPct).toBeGreaterThan(ours.legit.killedPct);
  });
});
