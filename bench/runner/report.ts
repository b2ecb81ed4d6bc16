import { type BarChart, stackedCharts } from '../common/svg.js';
import { fixed, formatTable } from '../common/table.js';
import type { HistoryResult } from './history.js';
import type { LaunchRow } from './launch.js';
import type { OverheadRow } from './overhead.js';
import type { ScaleResult } from './scale.js';

/** Terminal tables and the SVG of the runner-cost benchmark. */

export interface ThroughputRow {
  path: string;
  baseline: boolean;
  seconds: number;
  mbPerS: number;
  /** Share of the output that reached the runner; absent for the baseline, which keeps none. */
  deliveredPct?: number;
  ratio: number;
  runnerPeakRssMB?: number;
  serverPeakRssMB?: number;
  runnerCpuSeconds?: number;
  serverCpuSeconds?: number;
}

export interface Check {
  /** The measure, as the runner-cost table names it. */
  measure: string;
  target: string;
  pass: boolean;
  /** The measured value, set against its same-run baseline where there is one. */
  detail: string;
}

export function overheadTable(rows: readonly OverheadRow[]): string {
  return formatTable(
    ['concurrency', 'tasks', 'execa ms/task', 'cc-stress ms/task', 'ratio', 'added ms/task'],
    rows.map((r) => [
      String(r.concurrency),
      String(r.tasks),
      fixed(r.directMsPerTask, 2),
      fixed(r.oursMsPerTask, 2),
      `${fixed(r.ratio, 2)}x`,
      fixed(r.addedMsPerTask, 2),
    ]),
  );
}

export function throughputTable(rows: readonly ThroughputRow[]): string {
  const mb = (v: number | undefined): string => (v === undefined ? '-' : `${fixed(v, 0)} MB`);
  return formatTable(
    [
      'path',
      'seconds',
      'MB/s',
      'delivered',
      'time ratio',
      'runner peak RSS',
      'server peak RSS',
      'runner CPU',
      'server CPU',
    ],
    rows.map((r) => [
      r.path,
      fixed(r.seconds, 2),
      fixed(r.mbPerS, 0),
      r.deliveredPct === undefined ? '-' : `${fixed(r.deliveredPct, 1)}%`,
      `${fixed(r.ratio, 2)}x`,
      mb(r.runnerPeakRssMB),
      mb(r.serverPeakRssMB),
      r.runnerCpuSeconds === undefined ? '-' : `${fixed(r.runnerCpuSeconds, 2)} s`,
      r.serverCpuSeconds === undefined ? '-' : `${fixed(r.serverCpuSeconds, 2)} s`,
    ]),
  );
}

export function scaleTable(s: ScaleResult): string {
  return formatTable(
    ['measure', 'value'],
    [
      ['tasks running at once', String(s.tasks)],
      ['steady window', `${fixed(s.windowSeconds, 1)} s`],
      ['runner peak RSS', `${fixed(s.peakRssMB, 0)} MB`],
      ['time until all were running', `${fixed(s.startupSeconds, 1)} s`],
      [
        'event-loop delay while starting, p99 / max',
        `${fixed(s.startupDelayP99Ms, 1)} / ${fixed(s.startupDelayMaxMs, 1)} ms`,
      ],
      ['an idle Node process meanwhile, max delay', `${fixed(s.idleStartupDelayMaxMs, 1)} ms`],
      [
        'event-loop delay p99 / max',
        `${fixed(s.eventLoopDelayP99Ms, 1)} / ${fixed(s.eventLoopDelayMaxMs, 1)} ms`,
      ],
      ['runner CPU (% of a core)', `${fixed(s.runnerCpuPct, 1)}%`],
      ['runner CPU per 50 tasks', `${fixed(s.runnerCpuPctPer50, 2)}%`],
      ['watch loop CPU (% of a core)', `${fixed(s.watchLoopCpuPct, 1)}%`],
      ['watch loop CPU per 50 tasks', `${fixed(s.watchLoopCpuPctPer50, 2)}%`],
      ['watch loop ticks, mean tick', `${s.ticks}, ${fixed(s.meanTickMs, 1)} ms`],
    ],
  );
}

export function launchTable(rows: readonly LaunchRow[]): string {
  return formatTable(
    ['history', 'launches', 'median ms', 'max ms'],
    rows.map((r) => [r.history, String(r.runs), fixed(r.medianMs, 0), fixed(r.maxMs, 0)]),
  );
}

export function historyTable(h: HistoryResult): string {
  const base = h.rows[0]?.p50Ms ?? 1;
  return formatTable(
    ['history store', 'plans', 'p50 ms', 'p99 ms', 'max ms', '> 300 ms', 'p50 vs sqlite', 'open ms'],
    h.rows.map((r) => [
      r.store,
      String(r.samples),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.maxMs, 1),
      String(r.over300),
      `${fixed(r.p50Ms / base, 2)}x`,
      fixed(r.openMs, 0),
    ]),
  );
}

export function checkLines(checks: readonly Check[]): string {
  return formatTable(
    ['measure', 'measured', 'target', ''],
    checks.map((c) => [c.measure, c.detail, c.target, c.pass ? 'PASS' : 'FAIL']),
  );
}

export function runnerChart(
  overhead: readonly OverheadRow[],
  throughput: readonly ThroughputRow[],
  history: HistoryResult,
  subtitle: string,
): string {
  const ratios: BarChart = {
    title: 'cc-stress runner cost, relative to doing without it (same run, same machine)',
    subtitle,
    rows: [
      ...overhead.map((r) => `${r.tasks} x true, concurrency ${r.concurrency}`),
      ...throughput.filter((r) => !r.baseline).map((r) => `output flood: ${r.path}`),
    ],
    panels: [
      {
        title: 'time ratio (x)',
        values: [
          ...overhead.map((r) => r.ratio),
          ...throughput.filter((r) => !r.baseline).map((r) => r.ratio),
        ],
        format: (v) => `${v.toFixed(2)}x`,
      },
    ],
  };
  const latency: BarChart = {
    title: `Task start: planner.plan latency, ${history.classes} classes x ${history.runsPerClass} runs`,
    rows: history.rows.map((r) => r.store),
    panels: [
      { title: 'p50 (ms)', values: history.rows.map((r) => r.p50Ms), format: (v) => v.toFixed(2) },
      { title: 'p99 (ms)', values: history.rows.map((r) => r.p99Ms), format: (v) => v.toFixed(1) },
      {
        title: 'max (ms, budget 300)',
        values: history.rows.map((r) => r.maxMs),
        format: (v) => v.toFixed(0),
      },
    ],
  };
  return stackedCharts([ratios, latency]);
}
