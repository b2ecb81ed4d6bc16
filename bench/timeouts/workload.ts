import type { AgentKind } from '../../src/suite/types.js';
import type { PlanInput } from '../../src/timeouts/types.js';
import { createRng, type Rng } from '../common/rng.js';
import { type Tail, type Timeline, TimelineBuilder } from './timeline.js';

/**
 * The simulated workload: several task classes with log-normal durations, their progress signals over
 * time, rare legitimate silences, a step change, and hung runs of four kinds. Every draw comes from a
 * seeded generator, so a seed names one exact sequence of runs.
 */

export const HANG_KINDS = ['dead', 'before-output', 'busy-loop', 'output-loop'] as const;
export type HangKind = (typeof HANG_KINDS)[number];

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
  /** The command; may vary from run to run (same template, different fingerprint). */
  argv(rng: Rng): string[];
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
}

export const DEFAULT_RATES: WorkloadRates = {
  hang: 0.03,
  thinking: 0.1,
  longIoSilence: 0.015,
  retries: 0.03,
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

export function createWorkload(seed: number, total: number, rates: WorkloadRates = DEFAULT_RATES): Workload {
  const rng = createRng(seed);
  const ordinals = CLASSES.map(() => 0);
  const stepAt = Math.floor(total / 2);
  let index = 0;
  return {
    total,
    next(): SimRun | undefined {
      if (index >= total) return undefined;
      const i = index++;
      const cls = pickClass(rng, i / total);
      const spec = CLASSES[cls]!;
      ordinals[cls]! += 1;
      // Each run draws from its own stream so that adding a draw to one run never shifts the others.
      const runRng = rng.fork(i);
      const afterStep = spec.id === STEP_CLASS && i >= stepAt;
      const activeMs = 1000 * runRng.logNormal(spec.medianS, spec.sigma) * (afterStep ? STEP_FACTOR : 1);
      const hang = runRng.chance(rates.hang)
        ? HANG_KINDS[Math.floor(runRng.next() * HANG_KINDS.length)]
        : undefined;
      const builder = new TimelineBuilder();
      const durationMs = Math.round(fillTimeline(builder, spec, activeMs, rates, runRng));
      let onsetMs = 0;
      let timeline: Timeline;
      if (hang === undefined) timeline = builder.build(durationMs);
      else {
        onsetMs = hang === 'before-output' ? 0 : Math.round(durationMs * runRng.uniform(0.1, 0.9));
        timeline = builder.build(hang === 'before-output' ? 0 : durationMs, { onsetMs, tail: TAILS[hang] });
      }
      return {
        index: i,
        cls,
        ordinal: ordinals[cls]!,
        task: {
          argv: spec.argv(runRng),
          shell: false,
          cwd: '/work/app',
          timeout: {},
          agent: spec.agent,
        },
        afterStep,
        ...(hang === undefined ? {} : { hang }),
        onsetMs,
        durationMs,
        timeline,
      };
    },
  };
}

const TAILS: Readonly<Record<HangKind, Tail>> = {
  // A process blocked on a lock or a dead socket: no CPU, no I/O, no output.
  dead: { lineEveryMs: 0, cpuShare: 0, io: false },
  // Stuck before printing anything (an auth prompt on a closed stdin, a lock at start-up).
  'before-output': { lineEveryMs: 0, cpuShare: 0, io: false },
  // Spinning: CPU looks like progress forever, so only a max limit can end it.
  'busy-loop': { lineEveryMs: 0, cpuShare: 1, io: false },
  // Printing the same retry line forever: output looks like progress forever too.
  'output-loop': { lineEveryMs: 2000, cpuShare: 0.05, io: true },
};

function pickClass(rng: Rng, position: number): number {
  let total = 0;
  for (const spec of CLASSES) if (spec.appearsAt <= position) total += spec.weight;
  let r = rng.next() * total;
  for (let i = 0; i < CLASSES.length; i++) {
    const spec = CLASSES[i]!;
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
          b.heartbeat(at);
        }
        b.activity(t, t + len, 0.003, true);
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
      b.heartbeat(t + Math.min(3000, len / 2));
      b.activity(t, t + len, 0.8, true);
      advance(len);
      b.heartbeat(t);
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
