import { describe, expect, it } from 'vitest';
import { familyById } from '../../bench/timeouts/families.js';
import {
  CPU_TICK_MS,
  EVENT_KEEP_ALIVE,
  HEARTBEAT,
  LINE,
  SAMPLE,
  SAMPLE_MS,
  SPINNER_FRAMES,
  type TailEvent,
  TailEvents,
  type Timeline,
} from '../../bench/timeouts/timeline.js';
import { createWorkload, type HangKind, type SimRun } from '../../bench/timeouts/workload.js';

const HOUR = 3_600_000;

/** The first hung run of the family's one hang kind, optionally of an agent class or not. */
function firstHang(familyId: string, agent?: boolean): SimRun {
  const family = familyById(familyId)!;
  const workload = createWorkload(5, 6000, family);
  for (let run = workload.next(); run !== undefined; run = workload.next()) {
    if (run.hang === undefined) continue;
    const shape = family.classes[run.cls]!.shape;
    if (agent === undefined || (shape === 'agent') === agent) return run;
  }
  throw new Error(`no hang in ${familyId}`);
}

/** What the hung run does during its first hour after the onset. */
function tailHour(tl: Timeline): TailEvent[] {
  const tail = new TailEvents(tl.hang!.tail, tl.hang!.onsetMs, true);
  const events: TailEvent[] = [];
  while (tail.peek() <= tl.hang!.onsetMs + HOUR) events.push(tail.take());
  return events;
}

const lines = (events: TailEvent[]) => events.filter((e) => e.kind === LINE);
const samples = (events: TailEvent[]) => events.filter((e) => e.kind === SAMPLE);
const cpuShare = (events: TailEvent[]) => samples(events).reduce((a, e) => a + e.cpuMs, 0) / HOUR;
const ioPerS = (events: TailEvent[]) => samples(events).reduce((a, e) => a + e.ioBytes, 0) / (HOUR / 1000);

describe('hang kinds show the progress pattern they stand for', () => {
  it('every hang family hangs only in its own kind, at about its hang rate', () => {
    const cases: [string, HangKind][] = [
      ['hang-silent', 'before-output'],
      ['hang-spinner', 'spinner'],
      ['hang-keep-alive', 'keep-alive'],
      ['hang-net-wait', 'net-wait'],
      ['hang-decay', 'decay'],
    ];
    for (const [id, kind] of cases) {
      const workload = createWorkload(9, 2000, familyById(id)!);
      const kinds = new Map<string, number>();
      for (let run = workload.next(); run !== undefined; run = workload.next()) {
        if (run.hang !== undefined) kinds.set(run.hang, (kinds.get(run.hang) ?? 0) + 1);
      }
      expect([...kinds.keys()]).toEqual([kind]);
      expect(kinds.get(kind)! / 2000).toBeGreaterThan(0.015);
      expect(kinds.get(kind)! / 2000).toBeLessThan(0.045);
    }
  });

  it('silent from the start: not one event, ever', () => {
    const run = firstHang('hang-silent');
    expect(run.onsetMs).toBe(0);
    expect(run.timeline.at.length).toBe(0);
    expect(tailHour(run.timeline)).toEqual([]);
  });

  it('spinner: a few-byte frame every 5 s cycling through the spinner, CPU only in stray ticks', () => {
    const run = firstHang('hang-spinner');
    expect(run.onsetMs).toBeGreaterThan(0);
    const events = tailHour(run.timeline);
    const shown = lines(events);
    expect(shown.length).toBe(HOUR / 5000);
    expect(shown.every((e) => e.frame > 1 && e.aux <= 4)).toBe(true);
    expect(new Set(shown.map((e) => e.frame)).size).toBe(SPINNER_FRAMES);
    expect(samples(events).every((e) => e.cpuMs % CPU_TICK_MS === 0 && e.ioBytes === 0)).toBe(true);
    expect(cpuShare(events)).toBeLessThan(0.005);
  });

  it('keep-alive: an agent sends only keep-alive events; another tool repeats one line', () => {
    const agent = tailHour(firstHang('hang-keep-alive', true).timeline);
    const beats = agent.filter((e) => e.kind === HEARTBEAT);
    expect(beats.length).toBe(HOUR / 15_000);
    expect(beats.every((e) => e.aux === EVENT_KEEP_ALIVE)).toBe(true);
    expect(lines(agent)).toEqual([]);

    const other = tailHour(firstHang('hang-keep-alive', false).timeline);
    expect(lines(other).length).toBe(HOUR / 15_000);
    expect(new Set(lines(other).map((e) => e.frame))).toEqual(new Set([1]));
    expect(other.some((e) => e.kind === HEARTBEAT)).toBe(false);
  });

  it('network wait: after a normal start, ~8 bytes of I/O a second and a CPU tick every ~10 s, no output', () => {
    const run = firstHang('hang-net-wait');
    expect(run.timeline.at.length).toBeGreaterThan(0);
    const events = tailHour(run.timeline);
    expect(lines(events)).toEqual([]);
    expect(events.some((e) => e.kind === HEARTBEAT)).toBe(false);
    expect(ioPerS(events)).toBeCloseTo(8, 0);
    expect(samples(events).every((e) => e.ioBytes <= (8 * SAMPLE_MS) / 1000 + 1)).toBe(true);
    const ticks = samples(events).filter((e) => e.cpuMs > 0);
    expect(ticks.every((e) => e.cpuMs === CPU_TICK_MS)).toBe(true);
    expect(ticks.length).toBeGreaterThan(HOUR / 12_000);
    expect(ticks.length).toBeLessThan(HOUR / 8_000);
  });

  it('decay: new lines at ever longer gaps, each 1.3x the last, then none for the rest of the hour', () => {
    const events = tailHour(firstHang('hang-decay').timeline);
    const at = lines(events).map((e) => e.at);
    expect(lines(events).every((e) => e.frame === 0)).toBe(true);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]! / gaps[i - 1]!).toBeCloseTo(1.3, 5);
    expect(gaps[gaps.length - 1]!).toBeGreaterThan(10 * 60_000);
    expect(at.length).toBeLessThan(30);
  });

  it('busy and output loops of the original workload keep CPU busy or repeat one line every 2 s', () => {
    const workload = createWorkload(3, 3000, familyById('original')!);
    const seen = new Set<string>();
    for (let run = workload.next(); run !== undefined; run = workload.next()) {
      if (run.hang === 'busy-loop' && !seen.has('busy')) {
        seen.add('busy');
        const events = tailHour(run.timeline);
        expect(lines(events)).toEqual([]);
        expect(samples(events).every((e) => e.cpuMs === SAMPLE_MS)).toBe(true);
      }
      if (run.hang === 'output-loop' && !seen.has('loop')) {
        seen.add('loop');
        const shown = lines(tailHour(run.timeline));
        expect(shown.length).toBe(HOUR / 2000);
        expect(shown.every((e) => e.frame === 1)).toBe(true);
      }
    }
    expect(seen).toEqual(new Set(['busy', 'loop']));
  });
});
