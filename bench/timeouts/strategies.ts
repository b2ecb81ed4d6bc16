import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config.js';
import type { ExecResult } from '../../src/exec/types.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { HistoryStore } from '../../src/history/types.js';
import { runRecordOf } from '../../src/run/outcome.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import type { LimitSource, TimeoutPlan } from '../../src/timeouts/types.js';
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
  /** Extra fixed no-output limits, or what-if variants: reported apart and never used for the targets. */
  readonly role?: 'sweep' | 'diagnostic';
  plan(run: SimRun): Promise<TimeoutPlan>;
  learn(run: SimRun, plan: TimeoutPlan, result: ReplayResult): Promise<void>;
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

/**
 * Our planner over a real history store, recording each run as the scheduler does. The what-if variant
 * presumes no cut-off a hang (`predictor.presumedHangRate: 0`), to measure what that setting buys.
 */
function ours(signals: Signals, shipped: Config, storeKind: StoreKind, whatIf = false): Strategy {
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
  const planner = new LearnedTimeoutPlanner({ store, config, now: () => clock });
  const id = `${signals === 'full' ? 'ours-full' : 'ours-output'}${whatIf ? '-every-cutoff' : ''}`;
  const label = `${signals === 'full' ? 'ours, full signals' : 'ours, output only'}${whatIf ? ', every cut-off counted' : ''}`;
  return {
    id,
    label,
    signals,
    ...(whatIf ? { role: 'diagnostic' as const } : {}),
    plan: async (run) => {
      clock = EPOCH + run.index * 1000;
      return planner.plan(run.task);
    },
    learn: async (run, plan, result) => {
      const raw = execResultOf(result);
      const record = runRecordOf(raw, `${id}-${run.index}`, plan);
      if (record === undefined || plan.classKeys === undefined) return;
      // Virtual time: the run ends at its index's tick, whatever the simulated clock said.
      await store.record(plan.classKeys, { ...record, at: EPOCH + run.index * 1000 });
    },
    close: async () => {
      await store.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Extra fixed no-output limits, to find the one that kills as few legitimate runs as ours. */
export const SWEEP_SECONDS = [120, 300, 900, 1200, 1800, 3600] as const;

export function createStrategies(config: Config, storeKind: StoreKind): Strategy[] {
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
    ours('output', config, storeKind),
    ours('full', config, storeKind),
    ours('full', config, storeKind, true),
    ...SWEEP_SECONDS.map((s) => noOutput(s, true)),
  ];
}
