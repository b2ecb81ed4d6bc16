/**
 * What a simulated run shows a watchdog over time: output lines, agent events, and periodic samples of the
 * process group's CPU and I/O, the three kinds of progress signal the real watchdog sees. Lines carry their
 * size and whether they repeat a frame (a spinner, a keep-alive), agent events whether they show work, and
 * samples the bytes of I/O, because what counts as progress depends on each of these.
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

/** I/O of a working process when a segment just says "I/O goes on": a socket read, a transcript write. */
export const WORKING_IO_BYTES_PER_S = 2048;

/** The kernel accounts CPU time in 10 ms ticks: a nearly idle process shows 0 or 10 ms, never 0.4 ms. */
export const CPU_TICK_MS = 10;

/** Bytes of an ordinary output line. */
export const LINE_BYTES = 80;

/** What an agent event shows: work (tokens, a tool call or result), a keep-alive, or an API retry notice. */
export const EVENT_KEEP_ALIVE = 0;
export const EVENT_WORK = 1;
export const EVENT_RETRY = 2;
/** A tool call starts (`tool_use`) or ends (`tool_result`). */
export const EVENT_TOOL_START = 3;
export const EVENT_TOOL_END = 4;
export type AgentEventSort =
  | typeof EVENT_KEEP_ALIVE
  | typeof EVENT_WORK
  | typeof EVENT_RETRY
  | typeof EVENT_TOOL_START
  | typeof EVENT_TOOL_END;

/** Frame ids above 0 mark lines that repeat: a loop repeats frame 1, a spinner cycles through SPINNER_FRAMES ids from 2. */
export const SPINNER_FRAMES = 10;

export interface LineOptions {
  bytes?: number;
  /** 0: new content; n > 0: the n-th frame of something repeated. */
  frame?: number;
}

/** What a hung run keeps doing forever after the hang begins. */
export interface Tail {
  /** A line this often (0: never). */
  lineEveryMs: number;
  /** Each gap between tail lines is this many times the one before (output decaying to nothing); default 1. */
  lineGrowth?: number;
  /** Tail lines repeat: 'same' one line (a retry or keep-alive line), 'spinner' cycling frames; default new text. */
  repeat?: 'same' | 'spinner';
  lineBytes?: number;
  /** An agent keep-alive event this often (0 or absent: never). */
  keepAliveEveryMs?: number;
  /** Share of one core used (0..1), accounted in CPU_TICK_MS ticks. */
  cpuShare: number;
  /** Bytes of I/O per second: 0 none, a few for an idle event loop's wake-ups. */
  ioBytesPerS: number;
  /** Whether that I/O moves real data in big calls (a download), rather than wake-ups of a few bytes. */
  ioUseful?: boolean;
}

export interface Timeline {
  /** Event times in ms since the start, ascending, integers. */
  at: Float64Array;
  kind: Uint8Array;
  /** Lines: bytes. Agent events: their AgentEventSort. */
  aux: Float64Array;
  /** Lines: 0 for new content, else the id of the repeated frame. */
  frame: Uint16Array;
  /** For samples: CPU ms used since the previous sample. */
  cpuMs: Float64Array;
  /** For samples: I/O bytes since the previous sample. */
  ioBytes: Float64Array;
  /** For samples: the part of those bytes moved in calls bigger than a wake-up's (real data). */
  usefulIoBytes: Float64Array;
  /** Whether stdout is an agent's event stream (a CLI whose events are parsed), rather than plain output. */
  agentEvents?: boolean;
  /**
   * When the number of live processes changes (a tool the agent runs as a process of its own starts or
   * ends), ascending, and the count from then on; one process before the first. A hung run is back to
   * its one process at the onset: what hangs is the task itself, not a tool it started.
   */
  procAt: Float64Array;
  procCount: Uint8Array;
  /** When the run exits on its own; +Infinity for a hung run. */
  endMs: number;
  /** For hung runs: when the hang began (the finite events stop there) and what follows forever. */
  hang?: { onsetMs: number; tail: Tail };
}

interface RawEvent {
  at: number;
  kind: EventKind;
  aux: number;
  frame: number;
  cpuMs: number;
  ioBytes: number;
  usefulIoBytes: number;
}

/** Collects lines and activity segments, then turns them into a sorted event list. */
export class TimelineBuilder {
  private readonly lines: number[] = [];
  private readonly beats: number[] = [];
  /** Contiguous activity segments: start, end, cpu share, I/O bytes per second, 1 when that I/O is useful. */
  private readonly segments: number[] = [];
  /** Processes of the task's own besides its main one: start, end. */
  private readonly children: number[] = [];

  line(atMs: number, options: LineOptions = {}): void {
    this.lines.push(Math.round(atMs), options.bytes ?? LINE_BYTES, options.frame ?? 0);
  }

  /** An agent event of the given sort (work unless said otherwise). */
  heartbeat(atMs: number, sort: AgentEventSort = EVENT_WORK): void {
    this.beats.push(Math.round(atMs), sort);
  }

  /**
   * `io`: true for a working process's I/O (real data), false for none, or the bytes per second of an
   * idle process's wake-ups and polls (calls of a few bytes).
   */
  activity(startMs: number, endMs: number, cpuShare: number, io: boolean | number): void {
    const bps = io === true ? WORKING_IO_BYTES_PER_S : io === false ? 0 : io;
    if (endMs > startMs) this.segments.push(startMs, endMs, cpuShare, bps, io === true ? 1 : 0);
  }

  /** A process of the task's own (a tool the agent runs) lives from `startMs` to `endMs`. */
  child(startMs: number, endMs: number): void {
    if (endMs > startMs) this.children.push(Math.round(startMs), Math.round(endMs));
  }

  /** The timeline of a run that exits at `endMs`, or of a hung one cut at `hang.onsetMs`. */
  build(endMs: number, hang?: { onsetMs: number; tail: Tail }): Timeline {
    const cut = hang === undefined ? endMs : Math.min(endMs, hang.onsetMs);
    const events: RawEvent[] = [];
    const l = this.lines;
    for (let i = 0; i < l.length; i += 3) {
      if (l[i]! < cut)
        events.push({
          at: l[i]!,
          kind: LINE,
          aux: l[i + 1]!,
          frame: l[i + 2]!,
          cpuMs: 0,
          ioBytes: 0,
          usefulIoBytes: 0,
        });
    }
    const b = this.beats;
    for (let i = 0; i < b.length; i += 2) {
      if (b[i]! < cut)
        events.push({
          at: b[i]!,
          kind: HEARTBEAT,
          aux: b[i + 1]!,
          frame: 0,
          cpuMs: 0,
          ioBytes: 0,
          usefulIoBytes: 0,
        });
    }
    this.samples(cut, events);
    events.sort((a, c) => a.at - c.at || a.kind - c.kind);
    const n = events.length;
    const changes: [number, number][] = [];
    const c = this.children;
    for (let i = 0; i < c.length; i += 2) {
      if (c[i]! >= cut) continue;
      changes.push([c[i]!, 1], [Math.min(c[i + 1]!, cut), -1]);
    }
    changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const procAt: number[] = [];
    const procCount: number[] = [];
    let live = 1;
    for (const [at, delta] of changes) {
      live += delta;
      if (procAt.length > 0 && procAt[procAt.length - 1] === at) procCount[procCount.length - 1] = live;
      else {
        procAt.push(at);
        procCount.push(live);
      }
    }
    const timeline: Timeline = {
      at: new Float64Array(n),
      kind: new Uint8Array(n),
      aux: new Float64Array(n),
      frame: new Uint16Array(n),
      cpuMs: new Float64Array(n),
      ioBytes: new Float64Array(n),
      usefulIoBytes: new Float64Array(n),
      procAt: new Float64Array(procAt),
      procCount: new Uint8Array(procCount),
      endMs: hang === undefined ? Math.round(endMs) : Number.POSITIVE_INFINITY,
      ...(hang === undefined ? {} : { hang: { onsetMs: Math.round(cut), tail: hang.tail } }),
    };
    events.forEach((e, i) => {
      timeline.at[i] = e.at;
      timeline.kind[i] = e.kind;
      timeline.aux[i] = e.aux;
      timeline.frame[i] = e.frame;
      timeline.cpuMs[i] = e.cpuMs;
      timeline.ioBytes[i] = e.ioBytes;
      timeline.usefulIoBytes[i] = e.usefulIoBytes;
    });
    return timeline;
  }

  private samples(cut: number, out: RawEvent[]): void {
    const s = this.segments;
    let seg = 0;
    for (let t = SAMPLE_MS; t <= cut; t += SAMPLE_MS) {
      const from = t - SAMPLE_MS;
      let cpu = 0;
      let io = 0;
      let useful = 0;
      while (seg < s.length && s[seg + 1]! <= from) seg += 5;
      for (let j = seg; j < s.length && s[j]! < t; j += 5) {
        const overlap = Math.min(t, s[j + 1]!) - Math.max(from, s[j]!);
        if (overlap <= 0) continue;
        cpu += overlap * s[j + 2]!;
        io += (overlap * s[j + 3]!) / 1000;
        if (s[j + 4] === 1) useful += (overlap * s[j + 3]!) / 1000;
      }
      if (cpu > 0 || io > 0)
        out.push({
          at: t,
          kind: SAMPLE,
          aux: 0,
          frame: 0,
          cpuMs: cpu,
          ioBytes: Math.round(io),
          usefulIoBytes: Math.round(useful),
        });
    }
  }
}

/** The periodic events a hung run repeats forever after its onset, in time order. */
export class TailEvents {
  private nextLine = Number.POSITIVE_INFINITY;
  private lineGap: number;
  private lineCount = 0;
  private nextBeat = Number.POSITIVE_INFINITY;
  private nextSample = Number.POSITIVE_INFINITY;
  private cpuOwed = 0;
  private ioOwed = 0;

  constructor(
    private readonly tail: Tail,
    onsetMs: number,
    /** Whether CPU and I/O samples are wanted (a watchdog that reads /proc). */
    samples: boolean,
  ) {
    this.lineGap = tail.lineEveryMs;
    if (tail.lineEveryMs > 0) this.nextLine = onsetMs + tail.lineEveryMs;
    if ((tail.keepAliveEveryMs ?? 0) > 0) this.nextBeat = onsetMs + tail.keepAliveEveryMs!;
    if (samples && (tail.cpuShare > 0 || tail.ioBytesPerS > 0))
      this.nextSample = (Math.floor(onsetMs / SAMPLE_MS) + 1) * SAMPLE_MS;
  }

  peek(): number {
    return Math.min(this.nextLine, this.nextBeat, this.nextSample);
  }

  /** The next event (its time is peek()). */
  take(): RawEvent {
    const at = this.peek();
    if (at === this.nextLine) {
      this.lineCount++;
      this.lineGap *= this.tail.lineGrowth ?? 1;
      this.nextLine += this.lineGap;
      const frame =
        this.tail.repeat === 'same'
          ? 1
          : this.tail.repeat === 'spinner'
            ? 2 + (this.lineCount % SPINNER_FRAMES)
            : 0;
      return {
        at,
        kind: LINE,
        aux: this.tail.lineBytes ?? LINE_BYTES,
        frame,
        cpuMs: 0,
        ioBytes: 0,
        usefulIoBytes: 0,
      };
    }
    if (at === this.nextBeat) {
      this.nextBeat += this.tail.keepAliveEveryMs!;
      return {
        at,
        kind: HEARTBEAT,
        aux: EVENT_KEEP_ALIVE,
        frame: 0,
        cpuMs: 0,
        ioBytes: 0,
        usefulIoBytes: 0,
      };
    }
    this.nextSample += SAMPLE_MS;
    // CPU in whole ticks and I/O in whole bytes, carried over, as /proc shows them.
    this.cpuOwed += this.tail.cpuShare * SAMPLE_MS;
    const cpuMs =
      this.tail.cpuShare >= 0.5 ? this.cpuOwed : Math.floor(this.cpuOwed / CPU_TICK_MS) * CPU_TICK_MS;
    this.cpuOwed -= cpuMs;
    this.ioOwed += (this.tail.ioBytesPerS * SAMPLE_MS) / 1000;
    const ioBytes = Math.floor(this.ioOwed);
    this.ioOwed -= ioBytes;
    const usefulIoBytes = this.tail.ioUseful ? ioBytes : 0;
    return { at, kind: SAMPLE, aux: 0, frame: 0, cpuMs, ioBytes, usefulIoBytes };
  }
}

export type TailEvent = RawEvent;
