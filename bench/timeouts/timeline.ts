/**
 * What a simulated run shows a watchdog over time: output lines, agent heartbeat lines, and periodic
 * samples of the process group's CPU and I/O, the three kinds of progress signal the real watchdog sees.
 */

export const LINE = 0;
export const HEARTBEAT = 1;
export const SAMPLE = 2;
export type EventKind = typeof LINE | typeof HEARTBEAT | typeof SAMPLE;

/**
 * CPU and I/O are sampled this often. The real watch loop samples every 500 ms; 2 s keeps thousands of
 * virtual hours cheap and moves when CPU or I/O counts as progress by at most 2 s, far below any limit.
 */
export const SAMPLE_MS = 2000;

/** What a hung run keeps doing forever after the hang begins. */
export interface Tail {
  /** A line this often (0: never). */
  lineEveryMs: number;
  /** Share of one core used (0..1). */
  cpuShare: number;
  io: boolean;
}

export interface Timeline {
  /** Event times in ms since the start, ascending, integers. */
  at: Float64Array;
  kind: Uint8Array;
  /** For samples: CPU ms used since the previous sample. */
  cpuMs: Float64Array;
  /** For samples: 1 when I/O counters grew since the previous sample. */
  io: Uint8Array;
  /** When the run exits on its own; +Infinity for a hung run. */
  endMs: number;
  /** For hung runs: when the hang began (the finite events stop there) and what follows forever. */
  hang?: { onsetMs: number; tail: Tail };
}

interface RawEvent {
  at: number;
  kind: EventKind;
  cpuMs: number;
  io: boolean;
}

/** Collects lines and activity segments, then turns them into a sorted event list. */
export class TimelineBuilder {
  private readonly lines: number[] = [];
  private readonly beats: number[] = [];
  /** Contiguous activity segments: start, end, cpu share, io (1/0). */
  private readonly segments: number[] = [];

  line(atMs: number): void {
    this.lines.push(Math.round(atMs));
  }

  heartbeat(atMs: number): void {
    this.beats.push(Math.round(atMs));
  }

  activity(startMs: number, endMs: number, cpuShare: number, io: boolean): void {
    if (endMs > startMs) this.segments.push(startMs, endMs, cpuShare, io ? 1 : 0);
  }

  /** The timeline of a run that exits at `endMs`, or of a hung one cut at `hang.onsetMs`. */
  build(endMs: number, hang?: { onsetMs: number; tail: Tail }): Timeline {
    const cut = hang === undefined ? endMs : Math.min(endMs, hang.onsetMs);
    const events: RawEvent[] = [];
    for (const at of this.lines) if (at < cut) events.push({ at, kind: LINE, cpuMs: 0, io: false });
    for (const at of this.beats) if (at < cut) events.push({ at, kind: HEARTBEAT, cpuMs: 0, io: false });
    this.samples(cut, events);
    events.sort((a, b) => a.at - b.at || a.kind - b.kind);
    const n = events.length;
    const timeline: Timeline = {
      at: new Float64Array(n),
      kind: new Uint8Array(n),
      cpuMs: new Float64Array(n),
      io: new Uint8Array(n),
      endMs: hang === undefined ? Math.round(endMs) : Number.POSITIVE_INFINITY,
      ...(hang === undefined ? {} : { hang: { onsetMs: Math.round(cut), tail: hang.tail } }),
    };
    events.forEach((e, i) => {
      timeline.at[i] = e.at;
      timeline.kind[i] = e.kind;
      timeline.cpuMs[i] = e.cpuMs;
      timeline.io[i] = e.io ? 1 : 0;
    });
    return timeline;
  }

  private samples(cut: number, out: RawEvent[]): void {
    const s = this.segments;
    let seg = 0;
    for (let t = SAMPLE_MS; t <= cut; t += SAMPLE_MS) {
      const from = t - SAMPLE_MS;
      let cpu = 0;
      let io = false;
      while (seg < s.length && s[seg + 1]! <= from) seg += 4;
      for (let j = seg; j < s.length && s[j]! < t; j += 4) {
        const overlap = Math.min(t, s[j + 1]!) - Math.max(from, s[j]!);
        if (overlap <= 0) continue;
        cpu += overlap * s[j + 2]!;
        if (s[j + 3] === 1) io = true;
      }
      if (cpu > 0 || io) out.push({ at: t, kind: SAMPLE, cpuMs: cpu, io });
    }
  }
}
