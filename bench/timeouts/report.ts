import { barChart } from '../common/svg.js';
import { duration, fixed, formatTable, pct } from '../common/table.js';
import type { StrategyMetrics } from './metrics.js';
import { fixedRival, type TargetCheck } from './targets.js';

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

function classIds(metrics: readonly StrategyMetrics[]): string[] {
  return metrics[0]?.classes.map((c) => c.id) ?? [];
}

export function classTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...classIds(metrics)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => `${pct(c.killedPct)}`)]),
  );
}

export function warmClassTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...classIds(metrics)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => `${pct(c.warmPct)}`)]),
  );
}

export function classHangTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...classIds(metrics)],
    metrics.map((m) => [name(m), ...m.classes.map((c) => duration(c.hangP95Ms))]),
  );
}

export function hangKindTable(metrics: readonly StrategyMetrics[]): string {
  return formatTable(
    ['strategy', ...(metrics[0]?.hangs.kinds.map((k) => `${k.kind} p50 / p95`) ?? [])],
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
        m.step === undefined ? '-' : runs(m.step.runsToRecover),
        m.step === undefined ? '-' : runs(m.step.runsToRelearn),
        m.step === undefined ? '-' : String(m.step.killedInFirst100),
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

/** The figures a family is judged on, for our strategies and the fixed limit each is compared with. */
export function familyTable(metrics: readonly StrategyMetrics[]): string {
  const mine = metrics.filter((m) => m.id === 'ours-full' || m.id === 'ours-output');
  const rivals = new Set<StrategyMetrics>();
  for (const m of mine) {
    const rival = fixedRival(m, metrics);
    if (rival !== undefined) rivals.add(rival);
  }
  const rows = [...mine, ...rivals];
  return formatTable(
    [
      'strategy',
      'legit killed',
      'worst warm class',
      'hang p50 / p95',
      'killed of first 10 per class',
      'caught',
      ...(metrics[0]?.hangs.kinds.map((k) => `${k.kind} p95`) ?? []),
      'tighter when store fails',
    ],
    rows.map((m) => {
      const worst = worstWarmClass(m);
      return [
        rivals.has(m) && !mine.includes(m) ? `${m.label} (rival)` : m.label,
        pct(m.legit.killedPct),
        worst === undefined ? '-' : `${worst.id} ${pct(worst.warmPct)}`,
        hangCell(m.hangs.p50Ms, m.hangs.p95Ms),
        `${m.coldStart[1]?.killed ?? 0}/${m.coldStart[1]?.runs ?? 0}`,
        `${m.hangs.caught}/${m.hangs.runs}`,
        ...m.hangs.kinds.map((k) => duration(k.p95Ms)),
        m.failure === undefined ? '-' : `${m.failure.tighter}/${m.failure.plans}`,
      ];
    }),
  );
}

export function worstWarmClass(m: StrategyMetrics): StrategyMetrics['classes'][number] | undefined {
  return [...m.classes].filter((c) => c.warmRuns > 0).sort((a, b) => b.warmPct - a.warmPct)[0];
}

const TARGET_COLUMNS = ['legit <= 1%', 'warm class <= alpha', 'hang p95 2x', 'no tighter on failure'];

/** One row per family: each target PASS or FAIL with its figure, for one of our strategies. */
export function targetMatrix(
  families: readonly { family: { id: string }; strategies: StrategyMetrics[]; targets: TargetCheck[] }[],
  strategy: string,
): string {
  return formatTable(
    ['family', ...TARGET_COLUMNS],
    families.map((f) => {
      const m = f.strategies.find((x) => x.id === strategy);
      const checks = f.targets.filter((t) => t.strategy === strategy);
      if (m === undefined || checks.length < 4) return [f.family.id, '-', '-', '-', '-'];
      const worst = worstWarmClass(m);
      const rival = fixedRival(m, f.strategies);
      const speedUp =
        m.hangs.p95Ms && rival?.hangs.p95Ms ? `${(rival.hangs.p95Ms / m.hangs.p95Ms).toFixed(2)}x` : '-';
      const figures = [
        pct(m.legit.killedPct),
        worst === undefined ? '-' : `${pct(worst.warmPct)} ${worst.id}`,
        `${speedUp} (${duration(m.hangs.p95Ms)} vs ${rival?.id.slice(10) ?? '-'})`,
        m.failure === undefined ? '-' : `${m.failure.tighter}/${m.failure.plans}`,
      ];
      return [f.family.id, ...checks.map((c, i) => `${c.pass ? 'PASS' : 'FAIL'} ${figures[i]}`)];
    }),
  );
}

/** One bar per family for ours with full signals; families that miss a target are highlighted. */
export function familyChart(
  families: readonly { family: { id: string }; strategies: StrategyMetrics[]; targets: TargetCheck[] }[],
  subtitle: string,
): string {
  const mine = families.map((f) => f.strategies.find((m) => m.id === 'ours-full'));
  return barChart({
    title: 'Learned limits on every workload family (failing families highlighted)',
    subtitle,
    rows: families.map((f) => f.family.id),
    highlight: families.map((f) => f.targets.some((t) => t.strategy === 'ours-full' && !t.pass)),
    panels: [
      {
        title: 'legitimate runs killed (%)',
        values: mine.map((m) => m?.legit.killedPct),
        format: (v) => pct(v),
      },
      {
        title: 'worst warm class killed (%)',
        values: mine.map((m) => (m === undefined ? undefined : worstWarmClass(m)?.warmPct)),
        format: (v) => pct(v),
      },
      {
        title: 'hang p95 speed-up over the fixed rival (x)',
        values: families.map((f, i) => {
          const m = mine[i];
          const rival = m === undefined ? undefined : fixedRival(m, f.strategies);
          return m?.hangs.p95Ms && rival?.hangs.p95Ms ? rival.hangs.p95Ms / m.hangs.p95Ms : undefined;
        }),
        format: (v) => `${v.toFixed(2)}x`,
      },
    ],
  });
}
