import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../common/args.js';
import { DEFAULT_OUT, machine, writeOutputs } from '../common/output.js';
import { median } from '../common/stats.js';
import type { HistoryResult } from './history.js';
import { measureLaunch } from './launch.js';
import type { OverheadRow } from './overhead.js';
import { cpuSeconds, peakRssMB, runScenario, startServe } from './processes.js';
import { settleProfile } from './profile.js';
import {
  type Check,
  checkLines,
  historyTable,
  launchTable,
  overheadTable,
  runnerChart,
  scaleTable,
  type ThroughputRow,
  throughputTable,
} from './report.js';
import type { ScaleResult } from './scale.js';
import { type ThroughputRun, throughputBaseline, throughputFileBaseline } from './throughput.js';

/**
 * `npm run bench:runner [-- --quick] [--out DIR]`: what running through cc-stress costs, each measure of
 * the runner-cost targets with PASS/FAIL. `--profile` instead runs the overhead and throughput cases
 * under `node --cpu-prof` and writes the profiles and their hot spots to DIR/profiles.
 */

interface Sizes {
  overheadTasks: number;
  outputBytes: number;
  throughputRounds: number;
  scaleTasks: number;
  scaleSeconds: number;
  burstTasks: number;
  launchRuns: number;
  historyClasses: number;
  historySamples: number;
}

const FULL: Sizes = {
  overheadTasks: 500,
  outputBytes: 200_000_000,
  throughputRounds: 2,
  scaleTasks: 500,
  scaleSeconds: 20,
  burstTasks: 300,
  launchRuns: 5,
  historyClasses: 1000,
  historySamples: 1000,
};

const QUICK: Sizes = {
  overheadTasks: 50,
  outputBytes: 20_000_000,
  throughputRounds: 1,
  scaleTasks: 500,
  scaleSeconds: 3,
  burstTasks: 300,
  launchRuns: 2,
  historyClasses: 50,
  historySamples: 200,
};

const TASK_START_BUDGET_MS = 300;
const WATCH_CPU_PER_50_PCT = 1;
/** The runner-cost targets (issue table): overhead over execa, throughput shares, loop delay, memory. */
const OVERHEAD_ADDED_MS = 1;
const OVERHEAD_RATIO = 1.2;
const LOCAL_SHARE = 0.5;
const SERVE_SHARE = 0.25;
const START_DELAY_MS = 100;
const FIRST_TASK_MS = 300;
const PEAK_RSS_MB = 300;

/**
 * The Redis store reads its Lua scripts from src/history/lua relative to its compiled file; tsc copies no
 * assets, so the copy under dist-bench/ needs them next to it (copied every time, so never stale).
 */
function copyLuaScripts(): void {
  const target = fileURLToPath(new URL('../../src/history/lua/', import.meta.url));
  const source = fileURLToPath(new URL('../../../src/history/lua/', import.meta.url));
  cpSync(source, target, { recursive: true });
}

const t0 = performance.now();

function log(line: string): void {
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
}

/** Node flags for a profiled process, and the name its profile gets afterwards. */
interface Profiling {
  dir: string;
  nodeArgs: string[];
}

function profiling(out: string): Profiling {
  const dir = join(out, 'profiles');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.cpuprofile')) rmSync(join(dir, f));
  return { dir, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] };
}

async function throughput(sizes: Sizes, prof?: Profiling): Promise<ThroughputRow[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'cc-stress-bench-serve-'));
  const nodeArgs = prof?.nodeArgs ?? [];
  const serve = await startServe(logDir, nodeArgs);
  const base: number[] = [];
  const toFile: number[] = [];
  const local: ThroughputRun[] = [];
  const remote: ThroughputRun[] = [];
  let serverPeak: number | undefined;
  const serverCpu: number[] = [];
  try {
    // Rounds alternate so that a burst of load on the machine hits every path alike.
    for (let round = 0; round < sizes.throughputRounds; round++) {
      base.push(await throughputBaseline(sizes.outputBytes));
      toFile.push(await throughputFileBaseline(sizes.outputBytes));
      local.push(await runScenario<ThroughputRun>('throughput', { bytes: sizes.outputBytes }, nodeArgs));
      if (prof !== undefined) settle(prof, 'throughput-local', 'output throughput, local (runner process)');
      const before = cpuSeconds(serve.pid) ?? 0;
      remote.push(
        await runScenario<ThroughputRun>(
          'throughput',
          { bytes: sizes.outputBytes, url: serve.url },
          nodeArgs,
        ),
      );
      if (prof !== undefined) {
        settle(prof, 'throughput-serve-client', 'output throughput via serve (runner process)');
      }
      serverCpu.push((cpuSeconds(serve.pid) ?? 0) - before);
    }
  } finally {
    serverPeak = peakRssMB(serve.pid);
    await serve.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
  if (prof !== undefined)
    settle(prof, 'throughput-serve-server', 'output throughput via serve (cc-stress serve)');
  const mb = sizes.outputBytes / 1e6;
  const baseS = median(base)!;
  const row = (
    path: string,
    runs: ThroughputRun[],
    server?: { peakMB?: number; cpu: number[] },
  ): ThroughputRow => {
    const seconds = median(runs.map((r) => r.seconds))!;
    return {
      path,
      baseline: false,
      seconds,
      mbPerS: mb / seconds,
      deliveredPct: (100 * median(runs.map((r) => r.deliveredBytes))!) / sizes.outputBytes,
      ratio: seconds / baseS,
      runnerPeakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
      ...(server?.peakMB !== undefined ? { serverPeakRssMB: server.peakMB } : {}),
      ...(server !== undefined ? { serverCpuSeconds: median(server.cpu)! } : {}),
      runnerCpuSeconds: median(runs.map((r) => r.cpuSeconds))!,
    };
  };
  const fileS = median(toFile)!;
  return [
    {
      path: 'sh > /dev/null (baseline)',
      baseline: true,
      seconds: baseS,
      mbPerS: mb / baseS,
      ratio: 1,
    },
    {
      path: 'sh > a file (what keeping the log costs)',
      baseline: true,
      seconds: fileS,
      mbPerS: mb / fileS,
      ratio: fileS / baseS,
    },
    row('cc-stress run, local', local),
    row('cc-stress run via cc-stress serve', remote, { peakMB: serverPeak, cpu: serverCpu }),
  ];
}

const profiled: string[] = [];

function settle(prof: Profiling, name: string, title: string): void {
  const text = settleProfile(prof.dir, profiled, name, title);
  profiled.push(`${name}.cpuprofile`);
  process.stdout.write(`\n${text}`);
}

async function profile(sizes: Sizes, out: string): Promise<void> {
  const prof = profiling(out);
  log(`profile: per-task overhead, ${sizes.overheadTasks} x true at concurrency 1`);
  await runScenario('overhead', { tasks: sizes.overheadTasks, concurrencies: [1] }, prof.nodeArgs);
  settle(
    prof,
    'overhead',
    `per-task overhead, ${sizes.overheadTasks} x true with execa and through cc-stress`,
  );
  log(`profile: output throughput, ${sizes.outputBytes / 1e6} MB, local and through serve`);
  await throughput({ ...sizes, throughputRounds: 1 }, prof);
  process.stdout.write(`\nwrote the profiles and their summaries to ${prof.dir}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['out'], ['profile']);
  const sizes = args.quick ? QUICK : FULL;
  const out = args.values.get('out') ?? DEFAULT_OUT;
  copyLuaScripts();
  if (args.flags.has('profile')) return profile(sizes, out);

  log(`runner: per-task overhead, ${sizes.overheadTasks} x true at concurrency 1 and 4`);
  const overhead = await runScenario<OverheadRow[]>('overhead', {
    tasks: sizes.overheadTasks,
    concurrencies: [1, 4],
  });
  log(`runner: output throughput, ${sizes.outputBytes / 1e6} MB x ${sizes.throughputRounds} round(s)`);
  const flood = await throughput(sizes);
  log(`runner: ${sizes.burstTasks} tasks started at once`);
  const burst = await runScenario<ScaleResult>('scale', { tasks: sizes.burstTasks, seconds: 1 });
  log(
    `runner: ${sizes.scaleTasks} concurrent tasks printing a line a second, ${sizes.scaleSeconds} s measured`,
  );
  const scale = await runScenario<ScaleResult>('scale', {
    tasks: sizes.scaleTasks,
    seconds: sizes.scaleSeconds,
  });
  log(`runner: launch to first task, ${sizes.launchRuns} launches per history set-up`);
  const launch = await measureLaunch(sizes.launchRuns);
  log(`runner: history lookups, ${sizes.historyClasses} classes x 256 runs`);
  const history = await runScenario<HistoryResult>('history', {
    classes: sizes.historyClasses,
    runsPerClass: 256,
    samples: sizes.historySamples,
  });

  const slowest = history.rows.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  const [baseline, toFile] = flood.filter((r) => r.baseline) as [ThroughputRow, ThroughputRow];
  const [local, served] = flood.filter((r) => !r.baseline) as [ThroughputRow, ThroughputRow];
  const share = (r: ThroughputRow): number => r.mbPerS / baseline.mbPerS;
  const slowLaunch = launch
    .filter((r) => r.history.startsWith('Redis down') || r.history.startsWith('Redis hung'))
    .reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  const checks: Check[] = [
    {
      measure: 'per-task overhead over execa',
      target: `<= +${OVERHEAD_ADDED_MS} ms, <= ${OVERHEAD_RATIO}x`,
      pass: overhead.every((r) => r.addedMsPerTask <= OVERHEAD_ADDED_MS && r.ratio <= OVERHEAD_RATIO),
      detail: overhead
        .map((r) => `c${r.concurrency}: +${r.addedMsPerTask.toFixed(2)} ms, ${r.ratio.toFixed(2)}x`)
        .join('; '),
    },
    {
      measure: 'output throughput, local',
      target: `>= ${LOCAL_SHARE * 100}% of sh > /dev/null`,
      pass: share(local) >= LOCAL_SHARE && (local.deliveredPct ?? 0) === 100,
      detail:
        `${local.mbPerS.toFixed(0)} vs ${baseline.mbPerS.toFixed(0)} MB/s (${(100 * share(local)).toFixed(0)}%; ` +
        `sh > a file: ${toFile.mbPerS.toFixed(0)} MB/s, ${(100 * share(toFile)).toFixed(0)}%)`,
    },
    {
      measure: 'output throughput, through serve',
      target: `>= ${SERVE_SHARE * 100}% of sh > /dev/null, all delivered`,
      pass: share(served) >= SERVE_SHARE && (served.deliveredPct ?? 0) === 100,
      detail:
        `${served.mbPerS.toFixed(0)} MB/s (${(100 * share(served)).toFixed(0)}%), ` +
        `${(served.deliveredPct ?? 0).toFixed(1)}% delivered`,
    },
    {
      measure: `${burst.tasks} tasks started at once`,
      target: `max event-loop delay < ${START_DELAY_MS} ms`,
      pass: burst.startupDelayMaxMs < START_DELAY_MS,
      detail:
        `max ${burst.startupDelayMaxMs.toFixed(0)} ms, p99 ${burst.startupDelayP99Ms.toFixed(0)} ms over ` +
        `${burst.startupSeconds.toFixed(1)} s (an idle Node process meanwhile: max ${burst.idleStartupDelayMaxMs.toFixed(0)} ms)`,
    },
    {
      measure: 'launch to first task, Redis down or hung',
      target: `<= ${FIRST_TASK_MS} ms`,
      pass: slowLaunch.maxMs <= FIRST_TASK_MS,
      detail:
        `max ${slowLaunch.maxMs.toFixed(0)} ms (${slowLaunch.history}); ` +
        `median ${launch.map((r) => r.medianMs.toFixed(0)).join(' / ')} ms for ` +
        `${launch.map((r) => r.history.replace(/ \(.*\)$/, '')).join(' / ')}`,
    },
    {
      measure: `${scale.tasks} tasks at once`,
      target: `peak RSS < ${PEAK_RSS_MB} MB`,
      pass: scale.peakRssMB < PEAK_RSS_MB,
      detail: `${scale.peakRssMB.toFixed(0)} MB`,
    },
    {
      measure: 'task start on history (planner.plan)',
      target: `< ${TASK_START_BUDGET_MS} ms with every store`,
      pass: history.rows.every((r) => r.maxMs < TASK_START_BUDGET_MS),
      detail: `slowest ${slowest.maxMs.toFixed(0)} ms (${slowest.store})`,
    },
    {
      measure: 'watch loop CPU',
      target: `< ${WATCH_CPU_PER_50_PCT}% of a core per 50 tasks`,
      pass: scale.watchLoopCpuPctPer50 < WATCH_CPU_PER_50_PCT,
      detail:
        `${scale.watchLoopCpuPctPer50.toFixed(2)}% at ${scale.tasks} tasks ` +
        `(whole runner ${scale.runnerCpuPctPer50.toFixed(2)}%)`,
    },
  ];

  const sections: [string, string][] = [
    [
      'Per-task overhead: `true` through cc-stress vs spawned with execa (same process, alternating rounds)',
      overheadTable(overhead),
    ],
    [
      `Output throughput: ${sizes.outputBytes / 1e6} MB of 80-byte lines (median of ${sizes.throughputRounds})`,
      throughputTable(flood),
    ],
    [`Start-up: ${burst.tasks} tasks started at once`, scaleTable(burst)],
    [`Scale: ${scale.tasks} tasks at once, each printing a line a second`, scaleTable(scale)],
    ['Launch: `cc-stress run` started to its first task running (median / max)', launchTable(launch)],
    [
      `History: planner.plan latency, ${history.classes} classes x ${history.runsPerClass} runs (filled in ${history.populateSqliteSeconds.toFixed(1)} s SQLite, ${history.populateRedisSeconds.toFixed(1)} s Redis)`,
      historyTable(history),
    ],
    [
      'Targets (load on this machine moves absolute figures; ratios are against same-run baselines)',
      checkLines(checks),
    ],
  ];
  for (const [title, body] of sections) process.stdout.write(`\n${title}\n\n${body}\n`);
  const m = machine();
  const subtitle = `${m.cpus} cores, ${m.memoryGiB} GiB, Node ${m.node}; ratios against baselines measured in the same run`;
  const files = writeOutputs(
    out,
    'runner',
    {
      benchmark: 'runner',
      quick: args.quick,
      sizes,
      machine: m,
      overhead,
      throughput: flood,
      burst,
      scale,
      launch,
      history,
      checks,
    },
    runnerChart(overhead, flood, history, subtitle),
  );
  process.stdout.write(
    `\nfinished in ${((performance.now() - t0) / 1000).toFixed(0)} s; wrote ${files.join(', ')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:runner: ${(error as Error).message}\n`);
  process.exit(1);
});
