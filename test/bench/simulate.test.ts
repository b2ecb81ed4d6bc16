import { describe, expect, it } from 'vitest';
import { runFamilyBench } from '../../bench/timeouts/run.js';
import { BASE_HANG_KINDS, createWorkload } from '../../bench/timeouts/workload.js';

describe('timeout benchmark simulation', () => {
  it('draws the same runs from the same seed, with hangs of every kind', () => {
    const a = createWorkload(11, 1200);
    const b = createWorkload(11, 1200);
    const kinds = new Set<string>();
    for (let run = a.next(); run !== undefined; run = a.next()) {
      const twin = b.next()!;
      expect(twin.durationMs).toBe(run.durationMs);
      expect(twin.task.argv).toEqual(run.task.argv);
      expect(twin.timeline.at).toEqual(run.timeline.at);
      if (run.hang !== undefined) kinds.add(run.hang);
    }
    expect([...kinds].sort()).toEqual([...BASE_HANG_KINDS].sort());
  });

  it('replays one sequence through every strategy and checks the targets', async () => {
    const result = await runFamilyBench({ runs: 400, seed: 3, store: 'memory' });
    const ids = result.strategies.map((m) => m.id);
    for (const id of [
      'fixed-60s-300s',
      'no-output-180s',
      'no-output-600s',
      'fixed-30m',
      'mean-x3',
      'max10-x2',
      'jenkins-elastic',
      'jenkins-stuck',
      'rfc6298',
      'ours-output',
      'ours-full',
    ]) {
      expect(ids).toContain(id);
    }
    for (const m of result.strategies) {
      expect(m.legit.runs + m.hangs.runs).toBe(400);
      expect(m.classes.reduce((n, c) => n + c.runs, 0)).toBe(m.legit.runs);
    }
    const byId = new Map(result.strategies.map((m) => [m.id, m]));
    // The old fixed limits kill far more legitimate agent runs than a generous silence limit.
    expect(byId.get('fixed-60s-300s')!.legit.killedPct).toBeGreaterThan(
      byId.get('no-output-600s')!.legit.killedPct,
    );
    expect(result.planner.plans).toBe(400 * 3);
    expect(result.targets).toHaveLength(8);
    expect(result.targets.every((t) => typeof t.pass === 'boolean' && t.detail !== '')).toBe(true);
  });
});
