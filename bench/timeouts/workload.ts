import type { AgentKind } from '../../src/suite/types.js';
import type { PlanInput } from '../../src/timeouts/types.js';
import type { ReadFailure } from '../../test/helpers/outage-store.js';
import { createRng, type Rng } from '../common/rng.js';
import {
  EVENT_RETRY,
  EVENT_TOOL_END,
  EVENT_TOOL_START,
  type Tail,
  type Timeline,
  TimelineBuilder,
  WORKING_IO_BYTES_PER_S,
} from './timeline.js';

/** An idle Node event loop's wake-ups: about 8 bytes of I/O a second. */
export const IDLE_IO_BYTES_PER_S = 8;

/**
 * The simulated workload: task classes with their durations, their progress signals over time, rare
 * legitimate silences, a step change, and hung runs of several kinds. Every draw comes from a seeded
 * generator, so a seed names one exact sequence of runs. Which classes, rates and hang kinds a replay
 * uses is its family's choice (families.ts); the defaults here are the original workload.
 */

export const HANG_KINDS = [
  'dead',
  'before-output',
  'busy-loop',
  'output-loop',
  'spinner',
  'keep-alive',
  'net-wait',
  'decay',
] as const;
export type HangKind = (typeof HANG_KINDS)[number];

/** The hang kinds of the original workload. */
export const BASE_HANG_KINDS: readonly HangKind[] = ['dead', 'before-output', 'busy-loop', 'output-loop'];

/** How long a class's runs take when they are not log-normal(medianS, sigma). */
export type Durations =
  | { type: 'pareto'; minS: number; shape: number; capS: number }
  | { type: 'bimodal'; slowShare: number; slowMedianS: number; slowSigma: number };

type Shape = 'agent' | 'build' | 'test';

export interface ClassSpec {
  id: string;
  shape: Shape;
  agent: AgentKind;
  /** Median and log-sigma of the active time (silent phases of agents come on top). */
  medianS: number;
  sigma: number;
  /** Relative frequency among the classes that exist at that point. */
  weight: number;
  /** Fraction of the run sequence before which the class does not exist yet (cold start mid-way). */
  appearsAt: number;
  /** Agent phase mix: streaming, short tool, long silent shell tool. */
  phases?: { stream: number; shortTool: number; longTool: number };
  durations?: Durations;
  /**
   * Prompt variants: when set, each run draws one, its command comes from it, and its active time is
   * scaled by the variant's factor (a 5000-word story takes longer than a 300-word one).
   */
  variants?: { count: number; scale(variant: number): number };
  /** The command; may vary from run to run (same template, different fingerprint). */
  argv(rng: Rng, variant?: number): string[];
}

const claudeArgs = ['--output-format', 'stream-json', '--verbose'];

export const CLASSES: readonly ClassSpec[] = [
  {
    id: 'agent-explain',
    shape: 'agent',
    agent: 'claude',
    medianS: 40,
    sigma: 0.5,
    weight: 0.2,
    appearsAt: 0,
    phases: { stream: 0.75, shortTool: 0.25, longTool: 0 },
    argv: () => ['claude', '-p', 'Explain what a process group is in one paragraph', ...claudeArgs],
  },
  {
    id: 'agent-code',
    shape: 'agent',
    agent: 'claude',
    medianS: 240,
    sigma: 0.7,
    weight: 0.25,
    appearsAt: 0,
    phases: { stream: 0.5, shortTool: 0.3, longTool: 0.2 },
    argv: (rng) => [
      'claude',
      '-p',
      `Implement a REST API server with ${3 + Math.floor(rng.next() * 7)} endpoints and unit tests`,
      ...claudeArgs,
    ],
  },
  {
    id: 'agent-essay',
    shape: 'agent',
    agent: 'codex',
    medianS: 540,
    sigma: 0.6,
    weight: 0.1,
    appearsAt: 0,
    phases: { stream: 0.85, shortTool: 0.1, longTool: 0.05 },
    argv: () => [
      'codex',
      'exec',
      '--json',
      'Write a comprehensive 5000 word design document for a job scheduler',
    ],
  },
  {
    id: 'agent-review',
    shape: 'agent',
    agent: 'gemini',
    medianS: 180,
    sigma: 0.8,
    weight: 0.15,
    appearsAt: 0.35,
    phases: { stream: 0.55, shortTool: 0.35, longTool: 0.1 },
    argv: () => [
      'gemini',
      '-p',
      'Review this repository and list the 10 riskiest functions',
      '-o',
      'stream-json',
    ],
  },
  {
    id: 'build',
    shape: 'build',
    agent: 'none',
    medianS: 150,
    sigma: 0.25,
    weight: 0.15,
    appearsAt: 0,
    argv: () => ['cargo', 'build', '--release'],
  },
  {
    id: 'test',
    shape: 'test',
    agent: 'none',
    medianS: 45,
    sigma: 0.2,
    weight: 0.15,
    appearsAt: 0,
    argv: () => ['npm', 'test'],
  },
];

/** The class whose runs get twice as slow halfway through (a model got slower). */
export const STEP_CLASS = 'agent-code';
export const STEP_FACTOR = 2;

export interface WorkloadRates {
  /** Share of runs that hang (spread evenly over the four kinds). */
  hang: number;
  /** Share of agent runs with one silent thinking phase of 60–120 s (I/O continues). */
  thinking: number;
  /** Share of agent runs with one silence of 400–900 s during which only I/O advances. */
  longIoSilence: number;
  /** Share of agent runs that wait out API retries, printing a heartbeat line every 10–40 s. */
  retries: number;
  /** Whether waits (API retry backoff) show as an idle event loop rather than as working I/O. */
  idleWaits?: boolean;
}

export const DEFAULT_RATES: WorkloadRates = {
  hang: 0.03,
  thinking: 0.1,
  longIoSilence: 0.015,
  retries: 0.03,
};

/** Whether the history store answers this run's lookups: yes, with an error, or not in time. */
export type StoreState = ReadFailure;

/** What a replay is made of; the original workload is one of these (families.ts lists them all). */
export interface WorkloadSpec {
  classes: readonly ClassSpec[];
  rates: WorkloadRates;
  hangKinds: readonly HangKind[];
  /** The class whose runs get STEP_FACTOR times slower halfway through, if any. */
  stepClass?: string;
  /** Stretches of the replay during which history lookups fail. */
  storeFailure?: { share: number; minRuns: number; maxRuns: number };
}

export const BASE_WORKLOAD: WorkloadSpec = {
  classes: CLASSES,
  rates: DEFAULT_RATES,
  hangKinds: BASE_HANG_KINDS,
  stepClass: STEP_CLASS,
};

export interface SimRun {
  /** 0-based position in the whole sequence. */
  index: number;
  cls: number;
  /** 1-based position among the runs of its class. */
  ordinal: number;
  task: PlanInput;
  /** After the step change (only ever true for the step class). */
  afterStep: boolean;
  hang?: HangKind;
  store: StoreState;
  /** When the hang began (0 for runs that hang before any output). */
  onsetMs: number;
  /** How long the run takes (hung runs: how long it would have taken). */
  durationMs: number;
  timeline: Timeline;
}

export interface Workload {
  readonly total: number;
  next(): SimRun | undefined;
}

export function createWorkload(seed: number, total: number, spec: WorkloadSpec = BASE_WORKLOAD): Workload {
  const rng = createRng(seed);
  const { classes, rates, hangKinds } = spec;
  const ordinals = classes.map(() => 0);
  const stepAt = Math.floor(total / 2);
  const store = storeStates(createRng(seed).fork(-1), total, spec.storeFailure);
  let index = 0;
  return {
    total,
    next(): SimRun | undefined {
      if (index >= total) return undefined;
      const i = index++;
      const cls = pickClass(classes, rng, i / total);
      const c = classes[cls]!;
      ordinals[cls]! += 1;
      // Each run draws from its own stream so that adding a draw to one run never shifts the others.
      const runRng = rng.fork(i);
      const variantRng = runRng.fork(1);
      const variant = c.variants === undefined ? undefined : Math.floor(variantRng.next() * c.variants.count);
      const afterStep = c.id === spec.stepClass && i >= stepAt;
      const activeMs =
        1000 *
        activeSeconds(c, runRng, variantRng) *
        (variant === undefined ? 1 : c.variants!.scale(variant)) *
        (afterStep ? STEP_FACTOR : 1);
      const hang = runRng.chance(rates.hang)
        ? hangKinds[Math.floor(runRng.next() * hangKinds.length)]
        : undefined;
      const builder = new TimelineBuilder();
      const durationMs = Math.round(fillTimeline(builder, c, activeMs, rates, runRng));
      let onsetMs = 0;
      let timeline: Timeline;
      if (hang === undefined) timeline = builder.build(durationMs);
      else {
        onsetMs = hang === 'before-output' ? 0 : Math.round(durationMs * runRng.uniform(0.1, 0.9));
        timeline = builder.build(hang === 'before-output' ? 0 : durationMs, {
          onsetMs,
          tail: tailOf(hang, c),
        });
      }
      // A CLI whose events are parsed shows its output as events; any other prints plain output.
      if (c.agent !== 'none') timeline.agentEvents = true;
      return {
        index: i,
        cls,
        ordinal: ordinals[cls]!,
        task: {
          argv: c.argv(runRng, variant),
          shell: false,
          cwd: '/work/app',
          timeout: {},
          agent: c.agent,
        },
        afterStep,
        ...(hang === undefined ? {} : { hang }),
        store: store[i]!,
        onsetMs,
        durationMs,
        timeline,
      };
    },
  };
}

/** Heavy tails and second modes draw from their own stream, so log-normal classes keep their sequence. */
function activeSeconds(c: ClassSpec, rng: Rng, extra: Rng): number {
  const base = rng.logNormal(c.medianS, c.sigma);
  const d = c.durations;
  if (d === undefined) return base;
  if (d.type === 'pareto') return Math.min(d.capS, d.minS * (1 - extra.next()) ** (-1 / d.shape));
  return extra.chance(d.slowShare) ? extra.logNormal(d.slowMedianS, d.slowSigma) : base;
}

/** Per run, whether lookups answer; failures come in stretches, half of them errors, half timeouts. */
export function storeStates(rng: Rng, total: number, failure: WorkloadSpec['storeFailure']): StoreState[] {
  const states: StoreState[] = new Array(total).fill('ok');
  if (failure === undefined || failure.share <= 0) return states;
  const mean = (failure.minRuns + failure.maxRuns) / 2;
  // Healthy gaps are drawn so that failing stretches cover about `share` of the runs.
  const gap = (mean * (1 - failure.share)) / failure.share;
  let at = Math.floor(rng.uniform(0, 2 * gap));
  let timeout = false;
  while (at < total) {
    const len = Math.round(rng.uniform(failure.minRuns, failure.maxRuns));
    for (let i = at; i < Math.min(total, at + len); i++) states[i] = timeout ? 'timeout' : 'error';
    timeout = !timeout;
    at += len + Math.max(1, Math.round(rng.uniform(0.5 * gap, 1.5 * gap)));
  }
  return states;
}

/**
 * What a hung run keeps doing after the hang begins. The last four are hangs that look alive: a spinner
 * or keep-alive that never says anything new, an idle event loop waiting on a dead stream (a few bytes
 * of I/O a second and a CPU tick now and then), and output that thins out to nothing.
 */
export function tailOf(kind: HangKind, c: Pick<ClassSpec, 'shape' | 'agent'>): Tail {
  switch (kind) {
    case 'dead':
    case 'before-output':
      // Blocked on a lock or a dead socket (or stuck before printing anything): no CPU, no I/O, no output.
      return { lineEveryMs: 0, cpuShare: 0, ioBytesPerS: 0 };
    case 'busy-loop':
      // Spinning: CPU looks like progress forever, so only a max limit can end it.
      return { lineEveryMs: 0, cpuShare: 1, ioBytesPerS: 0 };
    case 'output-loop':
      // Printing the same retry line forever.
      return {
        lineEveryMs: 2000,
        repeat: 'same',
        cpuShare: 0.05,
        ioBytesPerS: WORKING_IO_BYTES_PER_S,
        ioUseful: true,
      };
    case 'spinner':
      // A spinner frame (a few bytes with a carriage return) every 5 s, and the timer's CPU tick.
      return { lineEveryMs: 5000, repeat: 'spinner', lineBytes: 4, cpuShare: 0.002, ioBytesPerS: 0 };
    case 'keep-alive':
      // An agent's stream keeps sending keep-alive events; other tools print the same "waiting" line.
      return c.shape === 'agent' && c.agent !== 'none'
        ? { lineEveryMs: 0, keepAliveEveryMs: 15_000, cpuShare: 0.001, ioBytesPerS: 16 }
        : { lineEveryMs: 15_000, repeat: 'same', lineBytes: 40, cpuShare: 0.001, ioBytesPerS: 0 };
    case 'net-wait':
      // Waiting on a dead API stream: event-loop wake-ups write ~8 bytes a second, a CPU tick every ~10 s.
      return { lineEveryMs: 0, cpuShare: 0.001, ioBytesPerS: IDLE_IO_BYTES_PER_S };
    case 'decay':
      // Output slows down, each gap 1.3 times the last, until there is effectively none.
      return { lineEveryMs: 2000, lineGrowth: 1.3, cpuShare: 0.001, ioBytesPerS: 0 };
  }
}

function pickClass(classes: readonly ClassSpec[], rng: Rng, position: number): number {
  let total = 0;
  for (const spec of classes) if (spec.appearsAt <= position) total += spec.weight;
  let r = rng.next() * total;
  for (let i = 0; i < classes.length; i++) {
    const spec = classes[i]!;
    if (spec.appearsAt > position) continue;
    r -= spec.weight;
    if (r < 0) return i;
  }
  return 0;
}

/** Writes the run's phases into the builder; returns when the run exits. */
function fillTimeline(
  b: TimelineBuilder,
  spec: ClassSpec,
  activeMs: number,
  rates: WorkloadRates,
  rng: Rng,
): number {
  switch (spec.shape) {
    case 'agent':
      return fillAgent(b, spec, activeMs, rates, rng);
    case 'build':
      return fillBuild(b, activeMs, rng);
    case 'test':
      return fillTest(b, activeMs, rng);
  }
}

/** Lines at random gaps (uniform in [minMs, maxMs]) over [from, to). */
function linesBetween(
  b: TimelineBuilder,
  from: number,
  to: number,
  minMs: number,
  maxMs: number,
  rng: Rng,
): void {
  for (let t = from + rng.uniform(minMs, maxMs); t < to; t += rng.uniform(minMs, maxMs)) b.line(t);
}

interface Special {
  /** Active time after which it happens. */
  afterMs: number;
  run(b: TimelineBuilder, t: number): number;
}

/** No output, next to no CPU, but I/O goes on; returns when it ends. */
function quiet(b: TimelineBuilder, t: number, len: number): number {
  b.activity(t, t + len, 0.004, true);
  return t + len;
}

function agentSpecials(activeMs: number, rates: WorkloadRates, rng: Rng): Special[] {
  const specials: Special[] = [];
  const when = (): number => activeMs * rng.uniform(0.1, 0.9);
  if (rng.chance(rates.thinking)) {
    const len = rng.uniform(60_000, 120_000);
    // The model thinks: nothing is printed, but the socket is read and the transcript written.
    specials.push({ afterMs: when(), run: (b, t) => quiet(b, t, len) });
  }
  if (rng.chance(rates.longIoSilence)) {
    const len = rng.uniform(400_000, 900_000);
    specials.push({ afterMs: when(), run: (b, t) => quiet(b, t, len) });
  }
  if (rng.chance(rates.retries)) {
    const len = rng.uniform(60_000, 180_000);
    specials.push({
      afterMs: when(),
      run: (b, t) => {
        // Each api_retry line is a heartbeat; between them the CLI sleeps out its backoff.
        for (let at = t + rng.uniform(10_000, 40_000); at < t + len; at += rng.uniform(10_000, 40_000)) {
          b.heartbeat(at, EVENT_RETRY);
        }
        // Sleeping out a backoff is an idle event loop: a few bytes of I/O a second, unless the family
        // keeps the original workload's coarser picture of it.
        b.activity(t, t + len, 0.003, rates.idleWaits ? IDLE_IO_BYTES_PER_S : true);
        return t + len;
      },
    });
  }
  return specials.sort((a, c) => a.afterMs - c.afterMs);
}

function fillAgent(
  b: TimelineBuilder,
  spec: ClassSpec,
  activeMs: number,
  rates: WorkloadRates,
  rng: Rng,
): number {
  const mix = spec.phases ?? { stream: 1, shortTool: 0, longTool: 0 };
  const specials = agentSpecials(activeMs, rates, rng);
  b.activity(0, 400, 0.5, true);
  b.line(400);
  let t = 400;
  let active = 400;
  const advance = (len: number): void => {
    t += len;
    active += len;
  };
  while (active < activeMs) {
    while (specials.length > 0 && specials[0]!.afterMs <= active) t = specials.shift()!.run(b, t);
    const left = activeMs - active;
    const r = rng.next() * (mix.stream + mix.shortTool + mix.longTool);
    if (r < mix.stream) {
      // Time to first token: silent, the socket is open and waiting.
      const wait = Math.min(left, rng.uniform(1000, 12_000));
      b.activity(t, t + wait, 0.004, true);
      advance(wait);
      const len = Math.min(activeMs - active, rng.uniform(5000, 40_000));
      linesBetween(b, t, t + len, 300, 3500, rng);
      b.activity(t, t + len, 0.05, true);
      advance(len);
    } else if (r < mix.stream + mix.shortTool) {
      const len = Math.min(left, rng.uniform(1000, 15_000));
      b.line(t);
      b.activity(t, t + len, 0.3, true);
      advance(len);
      b.line(t);
    } else {
      // A long shell tool (tests, a build): task_started after ~3 s, then nothing until it ends.
      const len = Math.min(left, rng.uniform(20_000, 150_000));
      b.line(t);
      const started = t + Math.min(3000, len / 2);
      b.heartbeat(started, EVENT_TOOL_START);
      // The agent starts the tool's process once it has announced the call.
      b.child(started, t + len);
      b.activity(t, t + len, 0.8, true);
      advance(len);
      b.heartbeat(t, EVENT_TOOL_END);
    }
  }
  for (const special of specials) t = special.run(b, t);
  b.line(t);
  return t;
}

function fillBuild(b: TimelineBuilder, activeMs: number, rng: Rng): number {
  // Linking and code generation at the end are silent but busy.
  const link = rng.chance(0.4) ? Math.min(activeMs * 0.6, rng.uniform(15_000, 90_000)) : 0;
  const compile = activeMs - link;
  b.line(200);
  linesBetween(b, 200, compile, 200, 3000, rng);
  b.activity(0, compile, 0.95, true);
  b.activity(compile, activeMs, 1, true);
  b.line(activeMs);
  return activeMs;
}

function fillTest(b: TimelineBuilder, activeMs: number, rng: Rng): number {
  const slow = rng.chance(0.25) ? Math.min(activeMs * 0.7, rng.uniform(10_000, 70_000)) : 0;
  const slowAt = rng.uniform(0, activeMs - slow);
  b.line(300);
  linesBetween(b, 300, slowAt, 100, 2000, rng);
  linesBetween(b, slowAt + slow, activeMs, 100, 2000, rng);
  b.activity(0, slowAt, 0.7, true);
  b.activity(slowAt, slowAt + slow, 0.5, true);
  b.activity(slowAt + slow, activeMs, 0.7, true);
  b.line(activeMs);
  return activeMs;
}
