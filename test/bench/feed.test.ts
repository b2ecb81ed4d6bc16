import { describe, expect, it } from 'vitest';
import { familyById } from '../../bench/timeouts/families.js';
import { lineText } from '../../bench/timeouts/feed.js';
import { replay, TICK_MS } from '../../bench/timeouts/replay.js';
import { fixedPlan } from '../../bench/timeouts/strategies.js';
import { SAMPLE_MS } from '../../bench/timeouts/timeline.js';
import { createWorkload, type SimRun } from '../../bench/timeouts/workload.js';
import { normaliseLine } from '../../src/exec/output/repeated-output.js';
import { DEFAULT_PROGRESS_RULES } from '../../src/exec/watchdog/progress-rules.js';

const MIN = 60_000;
const JOB = 6 * 60 * MIN;
const plan = fixedPlan(4 * 60 * MIN, 10 * MIN, 'test');

function firstHang(familyId: string, agentEvents: boolean): SimRun {
  const workload = createWorkload(5, 6000, familyById(familyId)!);
  for (let run = workload.next(); run !== undefined; run = workload.next()) {
    if (run.hang !== undefined && (run.timeline.agentEvents ?? false) === agentEvents) return run;
  }
  throw new Error(`no hang in ${familyId}`);
}

describe('simulated signals through the real progress rules', () => {
  it('new lines differ in words, so the product never reads them as one line with other numbers', () => {
    const seen = new Set<string>();
    for (let at = 1000; at < 1000 + 200 * 1500; at += 1500) seen.add(normaliseLine(lineText(at, 80, 0)));
    expect(seen.size).toBeGreaterThan(190);
    expect(normaliseLine(lineText(3000, 4, 2))).toBe(normaliseLine(lineText(8000, 4, 7)));
  });

  // Weak signals keep a task alive for at most their allowance after its last real progress, so the stall
  // limit fires at most (allowance + stall limit) after the hang began.
  const bound = (allowanceMs: number): number => allowanceMs + plan.stallMs + SAMPLE_MS + TICK_MS;

  it('a spinner hang is stall-killed once its repeats stop counting', () => {
    const run = firstHang('hang-spinner', false);
    const result = replay(plan, run.timeline, 'full', JOB);
    expect(result.end).toBe('stall');
    // Its first frame, 5 s after the onset, is new output; the repeats after it count for repeatMs.
    expect(result.atMs - run.onsetMs).toBeLessThanOrEqual(bound(DEFAULT_PROGRESS_RULES.repeatMs) + 5000);
  });

  it('a fixed no-output baseline counts any output, as the CI limits it stands for, and never ends a spinner', () => {
    const run = firstHang('hang-spinner', false);
    const output = fixedPlan(Number.POSITIVE_INFINITY, 10 * MIN, 'test');
    expect(replay(output, run.timeline, 'output', JOB, 'plain')).toMatchObject({ end: 'job', atMs: JOB });
    expect(replay(output, run.timeline, 'output', JOB, 'product').end).toBe('stall');
  });

  it("an agent's keep-alives stop counting after the keep-alive allowance", () => {
    const run = firstHang('hang-keep-alive', true);
    const result = replay(plan, run.timeline, 'full', JOB);
    expect(result.end).toBe('stall');
    expect(result.atMs - run.onsetMs).toBeLessThanOrEqual(bound(DEFAULT_PROGRESS_RULES.keepAliveMs));
  });

  it("an idle event loop's wake-ups and stray CPU ticks never count", () => {
    const run = firstHang('hang-net-wait', true);
    const result = replay(plan, run.timeline, 'full', JOB);
    expect(result.end).toBe('stall');
    // An open tool call may hold the clock for the keep-alive allowance, nothing else.
    expect(result.atMs - run.onsetMs).toBeLessThanOrEqual(bound(DEFAULT_PROGRESS_RULES.keepAliveMs));
  });

  it('legitimate agent runs that wait out API retries as an idle loop still finish under a 5 min stall', () => {
    const workload = createWorkload(8, 1500, familyById('hang-net-wait')!);
    const strict = fixedPlan(4 * 60 * MIN, 5 * MIN, 'test');
    let agents = 0;
    for (let run = workload.next(); run !== undefined; run = workload.next()) {
      if (run.hang !== undefined || !run.timeline.agentEvents) continue;
      agents++;
      expect(replay(strict, run.timeline, 'full', JOB).end).toBe('finished');
    }
    expect(agents).toBeGreaterThan(800);
  });
});
