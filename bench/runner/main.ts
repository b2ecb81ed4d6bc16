import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../common/args.js';
import { DEFAULT_OUT, machine, writeOutputs } from '../common/output.js';
import { median } from '../common/stats.js';
import type { HistoryResult } from './history.js';
import type { OverheadRow } from './overhead.js';
import { cpuSeconds, peakRssMB, runScenario, startServe } from './processes.js';
import {
  type Check,
  checkLines,
  historyTable,
  overheadTable,
  runnerChart,
  scaleTable,
  type ThroughputRow,
  throughputTable,
} from './report.js';
import type { ScaleResult } from './scale.js';
import { type ThroughputRun, throughputBaseline } from './throughput.js';

/** `npm run bench:runner [-- --quick] [--out DIR]`: what running through cc-stress costs. */

interface Sizes {
  overheadTasks: number;
  outputBytes: number;
  throughputRounds: number;
  scaleTasks: number;
  scaleSeconds: number;
  historyClasses: number;
  historySamples: number;
}

const FULL: Sizes = {
  overheadTasks: 500,
  outputBytes: 200_000_000,
  throughputRounds: 2,
  scaleTasks: 500,
  scaleSeconds: 20,
  historyClasses: 1000,
  historySamples: 1000,
};

const QUICK: Sizes = {
  overheadTasks: 50,
  outputBytes: 20_000_000,
  throughputRounds: 1,
  scaleTasks: 200,
  scaleSeconds: 5,
  historyClasses: 100,
  historySamples: 300,
};

const TASK_START_BUDGET_MS = 300;
const WATCH_CPU_PER_50_PCT = 1;

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

async function throughput(sizes: Sizes): Promise<ThroughputRow[]> {
  const logDir = mkdtempSync(join(tmpdir(), 'cc-stress-bench-serve-'));
  const serve = await startServe(logDir);
  const base: number[] = [];
  const local: ThroughputRun[] = [];
  const remote: ThroughputRun[] = [];
  let serverPeak: number | undefined;
  const serverCpu: number[] = [];
  try {
    // Rounds alternate so that a burst of load on the machine hits every path alike.
    for (let round = 0; round < sizes.throughputRounds; round++) {
      base.push(await throughputBaseline(sizes.outputBytes));
      local.push(await runScenario<ThroughputRun>('throughput', { bytes: sizes.outputBytes }));
      const before = cpuSeconds(serve.pid) ?? 0;
      remote.push(
        await runScenario<ThroughputRun>('throughput', { bytes: sizes.outputBytes, url: serve.url }),
      );
      serverCpu.push((cpuSeconds(serve.pid) ?? 0) - before);
    }
  } finally {
    serverPeak = peakRssMB(serve.pid);
    await serve.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
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
  return [
    {
      path: 'sh > /dev/null (baseline)',
      baseline: true,
      seconds: baseS,
      mbPerS: mb / baseS,
      ratio: 1,
    },
    row('cc-stress run, local', local),
    row('cc-stress run via cc-stress serve', remote, { peakMB: serverPeak, cpu: serverCpu }),
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['out']);
  const sizes = args.quick ? QUICK : FULL;
  const out = args.values.get('out') ?? DEFAULT_OUT;
  copyLuaScripts();

  log(`runner: per-task overhead, ${sizes.overheadTasks} x true at concurrency 1 and 4`);
  const overhead = await runScenario<OverheadRow[]>('overhead', {
    tasks: sizes.overheadTasks,
    concurrencies: [1, 4],
  });
  log(`runner: output throughput, ${sizes.outputBytes / 1e6} MB x ${sizes.throughputRounds} round(s)`);
  const flood = await throughput(sizes);
  log(
    `runner: ${sizes.scaleTasks} concurrent tasks printing a line a second, ${sizes.scaleSeconds} s measured`,
  );
  const scale = await runScenario<ScaleResult>('scale', {
    tasks: sizes.scaleTasks,
    seconds: sizes.scaleSeconds,
  });
  log(`runner: history lookups, ${sizes.historyClasses} classes x 256 runs`);
  const history = await runScenario<HistoryResult>('history', {
    classes: sizes.historyClasses,
    runsPerClass: 256,
    samples: sizes.historySamples,
  });

  const slowest = history.rows.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  const checks: Check[] = [
    {
      target: `task start (planner.plan) < ${TASK_START_BUDGET_MS} ms with every history store`,
      pass: history.rows.every((r) => r.maxMs < TASK_START_BUDGET_MS),
      detail: `slowest plan: ${slowest.maxMs.toFixed(0)} ms (${slowest.store})`,
    },
    {
      target: `watch loop CPU < ${WATCH_CPU_PER_50_PCT}% of a core per 50 tasks`,
      pass: scale.watchLoopCpuPctPer50 < WATCH_CPU_PER_50_PCT,
      detail:
        `${scale.watchLoopCpuPctPer50.toFixed(2)}% per 50 tasks at ${scale.tasks} tasks ` +
        `(the whole runner process: ${scale.runnerCpuPctPer50.toFixed(2)}% per 50 tasks)`,
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
    [`Scale: ${scale.tasks} tasks at once, each printing a line a second`, scaleTable(scale)],
    [
      `History: planner.plan latency, ${history.classes} classes x ${history.runsPerClass} runs (filled in ${history.populateSqliteSeconds.toFixed(1)} s SQLite, ${history.populateRedisSeconds.toFixed(1)} s Redis)`,
      historyTable(history),
    ],
    ['Targets', checkLines(checks)],
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
      scale,
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
