import { describe, expect, it } from 'vitest';
import { replay, TICK_MS } from '../../bench/timeouts/replay.js';
import { fixedPlan } from '../../bench/timeouts/strategies.js';
import {
  EVENT_TOOL_END,
  EVENT_TOOL_START,
  SAMPLE,
  SAMPLE_MS,
  TimelineBuilder,
  WORKING_IO_BYTES_PER_S,
} from '../../bench/timeouts/timeline.js';
import { DEFAULT_PROGRESS_RULES } from '../../src/exec/watchdog/progress-rules.js';
import type { TimeoutPlan } from '../../src/timeouts/types.js';

const S = 1000;
const NONE = Number.POSITIVE_INFINITY;
const JOB = 6 * 3600 * S;

/** An agent-like run: a line every 2 s, then `silence` ms with only I/O, then lines again until `end`. */
function silentRun(silence: number, end: number) {
  const b = new TimelineBuilder();
  for (let t = 1000; t < 60 * S; t += 2000) b.line(t);
  b.activity(0, 60 * S, 0.05, true);
  b.activity(60 * S, 60 * S + silence, 0.004, true);
  for (let t = 60 * S + silence; t < end; t += 2000) b.line(t);
  b.activity(60 * S + silence, end, 0.05, true);
  b.line(end);
  return b.build(end);
}

function withExtension(plan: TimeoutPlan, times: number, byMs: number): TimeoutPlan {
  return { ...plan, extension: { times, byMs } };
}

describe('replaying timelines through the real Watchdog', () => {
  it('samples CPU and I/O every SAMPLE_MS with the CPU each segment used', () => {
    const b = new TimelineBuilder();
    b.activity(0, 10 * S, 0.5, true);
    const tl = b.build(10 * S);
    const samples = [...tl.kind.keys()].filter((i) => tl.kind[i] === SAMPLE);
    expect(samples).toHaveLength((10 * S) / SAMPLE_MS);
    expect(tl.cpuMs[samples[0]!]).toBeCloseTo(0.5 * SAMPLE_MS);
    expect(tl.ioBytes[samples[0]!]).toBe((WORKING_IO_BYTES_PER_S * SAMPLE_MS) / 1000);
  });

  it('a 400 s silence with only I/O stalls an output-only watchdog but not a full-signal one', () => {
    const tl = silentRun(400 * S, 600 * S);
    const plan = fixedPlan(NONE, 300 * S, 'test');
    const output = replay(plan, tl, 'output', JOB);
    expect(output.end).toBe('stall');
    // The last line before the silence came at 59 s; the stall fires on the first tick at or after 359 s.
    expect(output.atMs).toBe(Math.ceil((59 * S + 300 * S) / TICK_MS) * TICK_MS);
    const full = replay(plan, tl, 'full', JOB);
    expect(full.end).toBe('finished');
    expect(full.atMs).toBe(600 * S);
    expect(full.longestSilenceMs).toBeLessThanOrEqual(SAMPLE_MS);
  });

  it('a busy loop shows CPU progress forever: full signals catch it only at the max limit, after extensions', () => {
    const b = new TimelineBuilder();
    for (let t = 1000; t < 30 * S; t += 2000) b.line(t);
    b.activity(0, 30 * S, 0.2, true);
    const tl = b.build(100 * S, { onsetMs: 30 * S, tail: { lineEveryMs: 0, cpuShare: 1, ioBytesPerS: 0 } });
    const plan = withExtension(fixedPlan(120 * S, 90 * S, 'test'), 2, 30 * S);
    const full = replay(plan, tl, 'full', JOB);
    expect(full).toMatchObject({ end: 'max', atMs: 180 * S, extensions: 2 });
    const output = replay(plan, tl, 'output', JOB);
    expect(output.end).toBe('stall');
    expect(output.atMs).toBe(29 * S + 90 * S);
  });

  it('an output loop repeating one line counts only for repeatMs after the last new line, then stalls', () => {
    const b = new TimelineBuilder();
    b.line(500);
    const tl = b.build(10 * S, {
      onsetMs: 5 * S,
      tail: { lineEveryMs: 2000, repeat: 'same', cpuShare: 0, ioBytesPerS: 0 },
    });
    const result = replay(fixedPlan(NONE, 180 * S, 'test'), tl, 'output', JOB);
    expect(result.end).toBe('stall');
    // The loop's first line (at 7 s) is new; its repeats count for repeatMs after it, then no more.
    const lastCounted = 7 * S + DEFAULT_PROGRESS_RULES.repeatMs;
    expect(result.atMs).toBeGreaterThan(lastCounted - 2 * S + 180 * S);
    expect(result.atMs).toBeLessThanOrEqual(lastCounted + 180 * S + TICK_MS);
  });

  it('an output loop doing real I/O looks alive to a full-signal watchdog and runs into the job timeout', () => {
    const b = new TimelineBuilder();
    b.line(500);
    const tl = b.build(10 * S, {
      onsetMs: 5 * S,
      tail: {
        lineEveryMs: 2000,
        repeat: 'same',
        cpuShare: 0.05,
        ioBytesPerS: WORKING_IO_BYTES_PER_S,
        ioUseful: true,
      },
    });
    const result = replay(fixedPlan(NONE, 180 * S, 'test'), tl, 'full', JOB);
    expect(result).toMatchObject({ end: 'job', atMs: JOB });
  });

  it('a dead process is caught by the stall limit, measured from its last sign of life', () => {
    const b = new TimelineBuilder();
    for (let t = 1000; t <= 20 * S; t += 1000) b.line(t);
    b.activity(0, 20 * S, 0.3, true);
    const tl = b.build(60 * S, { onsetMs: 20 * S, tail: { lineEveryMs: 0, cpuShare: 0, ioBytesPerS: 0 } });
    const result = replay(fixedPlan(3600 * S, 300 * S, 'test'), tl, 'full', JOB);
    expect(result.end).toBe('stall');
    expect(result.atMs).toBeGreaterThanOrEqual(320 * S);
    expect(result.atMs).toBeLessThanOrEqual(320 * S + SAMPLE_MS + TICK_MS);
  });

  it('holds the stall clock for an open tool call only while its process runs, as the watch loop sees it', () => {
    // An agent opens a shell tool at 10 s; the tool's process runs until 200 s, silent and idle.
    const agent = (hangAt?: number) => {
      const b = new TimelineBuilder();
      b.line(5 * S);
      b.heartbeat(10 * S, EVENT_TOOL_START);
      b.child(10 * S, 200 * S);
      b.heartbeat(200 * S, EVENT_TOOL_END);
      b.line(201 * S);
      const tl =
        hangAt === undefined
          ? b.build(202 * S)
          : b.build(202 * S, { onsetMs: hangAt, tail: { lineEveryMs: 0, cpuShare: 0, ioBytesPerS: 0 } });
      tl.agentEvents = true;
      return tl;
    };
    const plan = fixedPlan(NONE, 120 * S, 'test');
    // The tool runs past the stall limit: its open call keeps the task alive, with full signals.
    expect(replay(plan, agent(), 'full', JOB).end).toBe('finished');
    // The agent hangs at 60 s and its tool is gone: the call held the clock while the tool ran, no longer.
    const hung = replay(plan, agent(60 * S), 'full', JOB);
    expect(hung).toMatchObject({ end: 'stall', atMs: 180 * S });
    // Without process counts (output only) an open call is enough, up to keepAliveMs after the call.
    const blind = replay(plan, agent(60 * S), 'output', JOB);
    expect(blind).toMatchObject({
      end: 'stall',
      atMs: 10 * S + DEFAULT_PROGRESS_RULES.keepAliveMs + 120 * S,
    });
  });
});
