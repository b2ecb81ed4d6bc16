import { barChart } from '../common/svg.js';
import { duration, fixed, formatTable, pct } from '../common/table.js';
import type { StrategyMetrics } from './metrics.js';
import type { TargetCheck } from './targets.js';
import { CLASSES, HANG_KINDS } from './workload.js';

/** Terminal tables and the SVG chart of the timeout-quality benchmark. */

function name(m: StrategyMetrics): string {
  return m.role === 'diagnostic' ? `${m.label} (what-if)` : m.label;
}

function hangCell(p50: number | undefined, p95: number | undefined): string {
  return `${duration(p50)} / ${duration(p95)}`;
}

export function overviewTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    [
      'strategy',
      'signals',
      'legit killed',
      'by stall',
      'by max',
      'hang p50 / p95',
      'caught',
      'waste hangs',
      'waste killed',
    ],
    metrics.map((m) => [
      name(m),
      m.signals,
      `${pct(m.legit.killedPct)}`,
      String(m.legit.byStall),
      String(m.legit.byMax),
      hangCell(m.hangs.p50Ms, m.hangs.p95Ms),
      `${m.hangs.caught}/${m.hangs.runs}`,
      `${fixed(m.wasted.hangHours, 0)} h`,
      `${fixed(m.wasted.legitHours, 1)} h`,
    ]),
  );
}

export function classTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...CLASSES.map((c) => c.id)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => `${pct(c.killedPct)}`)]),
  );
}

export function warmClassTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...CLASSES.map((c) => c.id)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => `${pct(c.warmPct)}`)]),
  );
}

export function classHangTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...CLASSES.map((c) => c.id)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => duration(c.hangP95Ms))]),
  );
}

export function hangKindTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...HANG_KINDS.map((k) => `${k} p50 / p95`)],
    metrics.map((m) => [name(m), ...m.hangs.kinds.map((k) => hangCell(k.p50Ms, k.p95Ms))]),
  );
}

function runs(n: number | null): string {
  return n === null ? 'never' : `after ${n}`;
}

export function coldAndDriftTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    [
      'strategy',
      'killed run 1',
      'runs 1-10',
      'runs 1-100',
      'limit/p99 1-10',
      'x2: limit+ext covers p99',
      'plain limit covers p99',
      'killed 100 after',
    ],
    metrics.map((m) => {
      const [one, ten, hundred] = m.coldStart;
      return [
        name(m),
        `${one!.killed}/${one!.runs}`,
        `${ten!.killed}/${ten!.runs}`,
        `${hundred!.killed}/${hundred!.runs}`,
        `${fixed(ten!.limitToP99, 1)}x`,
        runs(m.step.runsToRecover),
        runs(m.step.runsToRelearn),
        String(m.step.killedInFirst100),
      ];
    }),
  );
}

export function sweepTable(metrics: readonly StrategyMetrics[]): string {
  const sweep = metrics
    .filter((m) => m.id.startsWith('no-output-'))
    .sort((a, b) => Number.parseInt(a.id.slice(10), 10) - Number.parseInt(b.id.slice(10), 10));
  return formatTable(
    ['fixed no-output limit', 'legit killed', 'hang p95', 'dead/before-output p95'],
    sweep.map((m) => {
      const dead = m.hangs.kinds.find((k) => k.kind === 'dead');
      return [m.id.slice(10), `${pct(m.legit.killedPct)}`, duration(m.hangs.p95Ms), duration(dead?.p95Ms)];
    }),
  );
}

export function targetLines(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.target}\n      ${c.detail}`).join('\n');
}

export function chart(metrics: readonly StrategyMetrics[], subtitle: string): string {
  const shown = metrics.filter((m) => m.role !== 'sweep');
  return barChart({
    title: 'Timeout strategies on the same simulated runs',
    subtitle,
    rows: shown.map(name),
    highlight: shown.map((m) => m.id.startsWith('ours')),
    panels: [
      {
        title: 'legitimate runs killed (%)',
        values: shown.map((m) => m.legit.killedPct),
        format: (v) => pct(v),
      },
      {
        title: 'hang detection p95 (minutes)',
        values: shown.map((m) => (m.hangs.p95Ms === undefined ? undefined : m.hangs.p95Ms / 60_000)),
        format: (v) => v.toFixed(1),
      },
    ],
  });
}
