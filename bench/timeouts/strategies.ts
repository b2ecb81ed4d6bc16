import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config.js';
import type { ExecResult } from '../../src/exec/types.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { provenanceOf, runRecordOf } from '../../src/history/run-record.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { HistoryStore } from '../../src/history/types.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import type { LimitSource, PlanInput, TimeoutPlan, TimeoutPlanner } from '../../src/timeouts/types.js';
import { OutageStore } from '../../test/helpers/outage-store.js';
import type { ReplayResult, Signals } from './replay.js';
import type { SimRun } from './workload.js';

/**
 * The strategies compared on the same runs. Each keeps its own history, because what a strategy learns
 * depends on what it killed. Baselines that learn remember successful runs only, per simulated task, which
 * is what the schemes they stand for do (Jenkins uses successful builds; the old scheme recorded successes).
 */
export interface Strategy {
  readonly id: string;
  readonly label: string;
  readonly signals: Signals;
  /**
   * How output counts: `product` by the watchdog's progress rules (ours); `plain` every line and event, as
   * in the schemes the baselines stand for (a CI "no output" limit resets on any byte).
   */
  readonly progress: 'plain' | 'product';
  /** Extra fixed no-output limits, or what-if variants: reported apart and never used for the targets. */
  readonly role?: 'sweep' | 'diagnostic';
  plan(run: SimRun): Promise<TimeoutPlan>;
  learn(run: SimRun, plan: TimeoutPlan, result: ReplayResult): Promise<void>;
  /** Records finished runs of other tasks (the demo suite's) into this strategy's history before run `atIndex`. */
  seed?(tasks: readonly PlanInput[], atIndex: number, durationsMs: readonly number[]): Promise<void>;
  /** Under a failing store: how its plans compared with a healthy store's. */
  readonly failure?: FailureStats;
  close?(): Promise<void>;
}

const NONE = Number.POSITIVE_INFINITY;
const MIN = 60_000;

function source(detail: string): LimitSource {
  return { origin: 'config-default', detail };
}

/** A plan without soft extension: the baselines have no such thing. */
export function fixedPlan(maxMs: number, stallMs: number, detail: string): TimeoutPlan {
  return {
    maxMs,
    stallMs: Math.min(stallMs, maxMs),
    maxSource: source(detail),
    stallSource: source(detail),
    extension: { times: 0, byMs: 0 },
  };
}

function fixed(id: string, label: string, maxMs: number, stallMs: number, sweep = false): Strategy {
  const plan = fixedPlan(maxMs, stallMs, label);
  return {
    id,
    label,
    signals: 'output',
    progress: 'plain',
    ...(sweep ? { role: 'sweep' as const } : {}),
    plan: async () => plan,
    learn: async () => {},
  };
}

/** A fixed limit on output silence and nothing else (Jenkins "No Activity", most CI "no output" limits). */
export function noOutput(seconds: number, sweep = false): Strategy {
  return fixed(`no-output-${seconds}s`, `fixed no-output ${seconds}s`, NONE, seconds * 1000, sweep);
}

/** Successful durations per task, newest last, bounded. */
class Successes {
  private readonly byClass = new Map<number, number[]>();
  constructor(private readonly keep: number) {}

  add(cls: number, ms: number): void {
    let list = this.byClass.get(cls);
    if (list === undefined) {
      list = [];
      this.byClass.set(cls, list);
    }
    list.push(ms);
    if (list.length > this.keep) list.shift();
  }

  last(cls: number, n: number): number[] {
    return (this.byClass.get(cls) ?? []).slice(-n);
  }
}

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** A max limit computed from the last `n` successful durations of the task, or a default without any. */
function learnedMax(
  id: string,
  label: string,
  n: number,
  defaultMs: number,
  limit: (recent: number[]) => number,
): Strategy {
  const history = new Successes(n);
  return {
    id,
    label,
    signals: 'output',
    progress: 'plain',
    plan: async (run) => {
      const recent = history.last(run.cls, n);
      return fixedPlan(recent.length === 0 ? defaultMs : limit(recent), NONE, label);
    },
    learn: async (run, _plan, result) => {
      if (result.end === 'finished' && run.hang === undefined) history.add(run.cls, result.atMs);
    },
  };
}

/**
 * RFC 6298 retransmission timeout on log durations: SRTT += (x - SRTT)/8, RTTVAR += (|SRTT - x| - RTTVAR)/4,
 * limit = exp(SRTT + 4 RTTVAR). Karn's rule (no sample from a run that was cut off) and exponential backoff
 * (the limit doubles after each kill until a run succeeds) as in the RFC. The RFC's RTTVAR = R/2 start has
 * no meaning on a log scale; 0.5 (about ±65%) stands in for it.
 */
function rfc6298(defaultMs: number): Strategy {
  const state = new Map<number, { srtt: number; rttvar: number; backoff: number }>();
  const label = 'RFC 6298 (log, mean + 4 dev)';
  return {
    id: 'rfc6298',
    label,
    signals: 'output',
    progress: 'plain',
    plan: async (run) => {
      const s = state.get(run.cls);
      const base = s === undefined ? defaultMs : Math.exp(s.srtt + 4 * s.rttvar);
      return fixedPlan(base * (s?.backoff ?? 1), NONE, label);
    },
    learn: async (run, _plan, result) => {
      const s = state.get(run.cls);
      if (result.end === 'max') {
        if (s !== undefined) s.backoff *= 2;
        return;
      }
      if (result.end !== 'finished' || run.hang !== undefined) return;
      const x = Math.log(Math.max(1, result.atMs));
      if (s === undefined) {
        state.set(run.cls, { srtt: x, rttvar: 0.5, backoff: 1 });
        return;
      }
      s.rttvar += (Math.abs(s.srtt - x) - s.rttvar) / 4;
      s.srtt += (x - s.srtt) / 8;
      s.backoff = 1;
    },
  };
}

function execResultOf(result: ReplayResult): ExecResult {
  const termination = result.end === 'finished' ? 'exit' : result.end === 'job' ? 'cancelled' : result.end;
  return {
    termination,
    exitCode: result.end === 'finished' ? 0 : null,
    signal: result.end === 'finished' ? null : 'SIGTERM',
    startedAt: 0,
    endedAt: result.atMs,
    durationMs: result.atMs,
    longestSilenceMs: result.longestSilenceMs,
    longestQuietMs: result.longestQuietMs,
    stdoutBytes: 0,
    stderrBytes: 0,
    outputHead: '',
    outputTail: '',
    logPath: '',
    failures: [],
    retryLater: false,
    extensions: result.extensions,
  };
}

export type StoreKind = 'memory' | 'sqlite';

/** Virtual epoch of the first run; records are one second apart so that history order is run order. */
const EPOCH = Date.UTC(2026, 0, 1);

/** How a planner is made over a store; the benchmark's is the shipped LearnedTimeoutPlanner. */
export type PlannerFactory = (input: {
  store: HistoryStore;
  config: Config;
  now: () => number;
  lookupTimeoutMs: number;
}) => TimeoutPlanner;

export const shippedPlanner: PlannerFactory = (input) => new LearnedTimeoutPlanner(input);

/**
 * How long the planner waits for a lookup that does not answer. Shorter than the shipped 300 ms only so
 * that thousands of timed-out lookups replay in seconds; what the planner does after the wait is the same.
 */
export const BENCH_LOOKUP_TIMEOUT_MS = 5;

/** Plans made while the store failed, set against the plan a healthy store gives at the same moment. */
export interface FailureStats {
  /** Plans made while lookups failed. */
  plans: number;
  /** Of those, plans with a max (extensions included) or stall limit below the healthy plan's. */
  tighter: number;
  /** Tighter plans per class index. */
  byClass: Record<number, number>;
  /** A few tighter plans, for people: class, healthy and failed limits. */
  examples: string[];
}

/** The max limit with every extension a progressing run may get. */
export function effectiveMaxMs(plan: TimeoutPlan): number {
  return plan.maxMs + plan.extension.times * plan.extension.byMs;
}

/** Whether a plan made under store failure is tighter than the healthy one (1 ms of rounding allowed). */
export function tighterThan(failed: TimeoutPlan, healthy: TimeoutPlan): boolean {
  return (
    failed.maxMs < healthy.maxMs - 1 ||
    effectiveMaxMs(failed) < effectiveMaxMs(healthy) - 1 ||
    failed.stallMs < healthy.stallMs - 1
  );
}

export interface OursOptions {
  /** Presume no cut-off a hang (`predictor.presumedHangRate: 0`): the what-if variant. */
  whatIf?: boolean;
  /** Replay each run's store state (`SimRun.store`) and compare with a healthy store's plan. */
  failingStore?: boolean;
  /** On a healthy store, every this many runs ask again with lookups failing and compare (0: never). */
  probeEvery?: number;
  planner?: PlannerFactory;
  /** Class names, for the examples of tighter plans. */
  classNames?: readonly string[];
}

function limitText(plan: TimeoutPlan): string {
  const s = (ms: number): string => `${Math.round(ms / 1000)}s`;
  return `max ${s(plan.maxMs)} (+${plan.extension.times}x${s(plan.extension.byMs)}), stall ${s(plan.stallMs)}`;
}

/**
 * Our planner over a real history store, recording each run as the scheduler does. The what-if variant
 * presumes no cut-off a hang, to measure what that setting buys. Under a failing store the same planner
 * code also plans over the healthy store, and every plan made during a failure is compared with it.
 */
export function ours(
  signals: Signals,
  shipped: Config,
  storeKind: StoreKind,
  options: OursOptions = {},
): Strategy {
  const whatIf = options.whatIf ?? false;
  const config: Config = whatIf
    ? { ...shipped, predictor: { ...shipped.predictor, presumedHangRate: 0 } }
    : shipped;
  let dir: string | undefined;
  let store: HistoryStore;
  if (storeKind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'cc-stress-bench-'));
    store = SqliteHistoryStore.open(join(dir, 'history.db'), {
      maxRunsPerClass: config.history.maxRunsPerClass,
    });
  } else store = new MemoryHistoryStore({ maxRunsPerClass: config.history.maxRunsPerClass });
  let clock = EPOCH;
  const now = (): number => clock;
  const factory = options.planner ?? shippedPlanner;
  const lookupTimeoutMs = BENCH_LOOKUP_TIMEOUT_MS;
  const failing = new OutageStore(store);
  const planner = factory({ store: failing, config, now, lookupTimeoutMs });
  // Only a replay whose store fails for stretches needs a second planner to say what healthy would be.
  const healthy = options.failingStore ? factory({ store, config, now, lookupTimeoutMs }) : undefined;
  const failure: FailureStats = { plans: 0, tighter: 0, byClass: {}, examples: [] };
  let seeded = 0;
  const compare = (run: SimRun, failed: TimeoutPlan, good: TimeoutPlan, what: string): void => {
    failure.plans++;
    if (!tighterThan(failed, good)) return;
    failure.tighter++;
    failure.byClass[run.cls] = (failure.byClass[run.cls] ?? 0) + 1;
    if (failure.examples.length < 5) {
      const name = options.classNames?.[run.cls] ?? String(run.cls);
      failure.examples.push(
        `${name}, run ${run.index} (${what}): healthy ${limitText(good)}; failed ${limitText(failed)}`,
      );
    }
  };
  const id = `${signals === 'full' ? 'ours-full' : 'ours-output'}${whatIf ? '-every-cutoff' : ''}`;
  const label = `${signals === 'full' ? 'ours, full signals' : 'ours, output only'}${whatIf ? ', every cut-off counted' : ''}`;
  const record = async (
    task: PlanInput,
    plan: TimeoutPlan,
    raw: ExecResult,
    runId: string,
    at: number,
  ): Promise<void> => {
    const keys = plan.classKeys;
    // As the runner records: the limit a cut-off met, and where the run came from.
    const rec = runRecordOf(raw, runId, plan, provenanceOf(task));
    if (rec === undefined || keys === undefined) return;
    const stored = { ...rec, at };
    await store.record(keys, stored);
    // As the runner does: the planner hears of every run recorded, whatever state the store's reads are in.
    planner.observe?.(keys, stored);
    healthy?.observe?.(keys, stored);
  };
  return {
    id,
    label,
    signals,
    progress: 'product',
    ...(whatIf ? { role: 'diagnostic' as const } : {}),
    ...(options.failingStore || (options.probeEvery ?? 0) > 0 ? { failure } : {}),
    plan: async (run) => {
      clock = EPOCH + run.index * 1000;
      if (run.store === 'ok' || healthy === undefined) {
        const plan = await planner.plan(run.task);
        const probe = options.probeEvery ?? 0;
        if (probe > 0 && run.index % probe === probe - 1) {
          // A lookup failure now, asked of the same planner right after a healthy plan: it must not tighten.
          failing.state = Math.floor(run.index / probe) % 2 === 0 ? 'error' : 'timeout';
          const failed = await planner.plan(run.task);
          failing.state = 'ok';
          compare(run, failed, plan, 'probe');
        }
        return plan;
      }
      // The healthy plan first, so that nothing the failing planner does can change it.
      const good = await healthy.plan(run.task);
      failing.state = run.store;
      const plan = await planner.plan(run.task);
      failing.state = 'ok';
      compare(run, plan, good, run.store);
      return plan;
    },
    learn: async (run, plan, result) => {
      // Virtual time: the run ends at its index's tick, whatever the simulated clock said.
      await record(run.task, plan, execResultOf(result), `${id}-${run.index}`, EPOCH + run.index * 1000);
    },
    seed: async (tasks, atIndex, durationsMs) => {
      clock = EPOCH + atIndex * 1000;
      for (let i = 0; i < tasks.length; i++) {
        const plan = await planner.plan(tasks[i]!);
        const ms = durationsMs[i]!;
        const raw = execResultOf({
          end: 'finished',
          atMs: ms,
          longestSilenceMs: Math.min(ms, 1000),
          longestQuietMs: Math.min(ms, 1000),
          extensions: 0,
        });
        seeded++;
        await record(tasks[i]!, plan, raw, `${id}-seed-${seeded}`, clock - tasks.length + i);
      }
    },
    close: async () => {
      await store.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Extra fixed no-output limits, to find the one that kills as few legitimate runs as ours. */
export const SWEEP_SECONDS = [120, 300, 900, 1200, 1800, 3600] as const;

export interface StrategyOptions {
  /** The learned baselines and the what-if variant too (the original workload only). */
  baselines: boolean;
  failingStore?: boolean;
  probeEvery?: number;
  planner?: PlannerFactory;
  classNames?: readonly string[];
}

export function createStrategies(
  config: Config,
  storeKind: StoreKind,
  options: StrategyOptions = { baselines: true },
): Strategy[] {
  const mine = {
    ...(options.failingStore ? { failingStore: true } : {}),
    ...(options.probeEvery ? { probeEvery: options.probeEvery } : {}),
    ...(options.planner ? { planner: options.planner } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  };
  if (!options.baselines) {
    return [
      noOutput(180),
      noOutput(600),
      ours('output', config, storeKind, mine),
      ours('full', config, storeKind, mine),
      ...SWEEP_SECONDS.map((s) => noOutput(s, true)),
    ];
  }
  return [
    fixed('fixed-60s-300s', 'fixed 60s stall + 300s max', 300_000, 60_000),
    noOutput(180),
    noOutput(600),
    fixed('fixed-30m', 'fixed 30m max', 30 * MIN, NONE),
    learnedMax('mean-x3', 'mean of history x3', 100, 30 * MIN, (r) => 3 * meanOf(r)),
    learnedMax('max10-x2', 'max of last 10 x2', 10, 30 * MIN, (r) => 2 * Math.max(...r)),
    learnedMax('jenkins-elastic', 'Jenkins Elastic 250% of last 3', 3, 60 * MIN, (r) => 2.5 * meanOf(r)),
    // Jenkins' Executor.isLikelyStuck: 10x the estimate, or 24 h when there is no estimate yet.
    learnedMax('jenkins-stuck', 'Jenkins Likely Stuck 10x', 3, 24 * 60 * MIN, (r) => 10 * meanOf(r)),
    rfc6298(30 * MIN),
    ours('output', config, storeKind, mine),
    ours('full', config, storeKind, mine),
    ours('full', config, storeKind, { ...mine, whatIf: true }),
    ...SWEEP_SECONDS.map((s) => noOutput(s, true)),
  ];
}
