import { quantile } from '../timeouts/stats.js';
import { runSuite, type SchedulerOptions } from './scheduler.js';
import type { RunReport } from './types.js';

export interface RampStep {
  /** 1-based position in the ramp. */
  step: number;
  concurrency: number;
}

export interface RampStepResult extends RampStep {
  tasks: number;
  /** Tasks that ran (not cancelled). */
  ran: number;
  passed: number;
  /** As the gate computes it for this step. */
  successRate: number;
  /** Nearest-rank p95 of the durations of the attempts that ran; undefined when none ran. */
  p95Ms: number | undefined;
  verdict: RunReport['verdict'];
  interrupted: boolean;
  /** Wall time of the whole step. */
  durationMs: number;
  /** Where this step's reports went. */
  outDir: string;
}

export interface RampOptions {
  concurrencies: readonly number[];
  /** Stops the ramp after the current step (Ctrl-C); the step itself reacts through its own signal. */
  signal?: AbortSignal;
  /** The scheduler options of one step; its `concurrency` is the step's. */
  stepOptions(step: RampStep): SchedulerOptions | Promise<SchedulerOptions>;
  onStepEnd?(result: RampStepResult, report: RunReport): void | Promise<void>;
}

/**
 * Runs the same tasks at each concurrency in turn, so users see where their setup starts to fail. Each step
 * is a whole `runSuite` of its own (own reports, shared history and planner); the ramp stops early only
 * when interrupted.
 */
export async function runRamp(options: RampOptions): Promise<RampStepResult[]> {
  const results: RampStepResult[] = [];
  for (const [i, concurrency] of options.concurrencies.entries()) {
    if (options.signal?.aborted) break;
    const step = { step: i + 1, concurrency };
    const schedulerOptions = await options.stepOptions(step);
    const report = await runSuite({ ...schedulerOptions, concurrency });
    const result = stepResult(step, report, schedulerOptions.outDir);
    results.push(result);
    await options.onStepEnd?.(result, report);
    if (report.interrupted) break;
  }
  return results;
}

export function stepResult(step: RampStep, report: RunReport, outDir: string): RampStepResult {
  const ran = report.tasks.filter((task) => task.reason !== 'cancelled');
  const durations = ran
    .flatMap((task) => task.attempts.filter((a) => a.reason !== 'cancelled').map((a) => a.durationMs))
    .sort((a, b) => a - b);
  return {
    ...step,
    tasks: report.tasks.length,
    ran: ran.length,
    passed: report.totals.passed,
    successRate: report.successRate,
    p95Ms: quantile(durations, 0.95),
    verdict: report.verdict,
    interrupted: report.interrupted,
    durationMs: report.durationMs,
    outDir,
  };
}

/**
 * The exit verdict of a ramp is the last step's: the ramp is there to find where things break, so earlier
 * (lighter) steps passing says nothing about the load asked for last.
 */
export function rampVerdict(results: readonly RampStepResult[]): RunReport['verdict'] {
  return results[results.length - 1]?.verdict ?? 'fail';
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/** One line per finished step, printed as the ramp goes. */
export function formatRampStep(r: RampStepResult, steps: number): string {
  return (
    `ramp step ${r.step} of ${steps} (concurrency ${r.concurrency}): ${r.passed} of ${r.tasks} passed, ` +
    `success ${(r.successRate * 100).toFixed(1)}%, p95 ${seconds(r.p95Ms)}, took ${seconds(r.durationMs)}`
  );
}

/** A plain table, one row per step, for the end of a ramp. */
export function formatRampTable(results: readonly RampStepResult[]): string {
  const header = ['step', 'concurrency', 'tasks', 'passed', 'success', 'p95', 'time', 'verdict'];
  const rows = results.map((r) => [
    String(r.step),
    String(r.concurrency),
    String(r.tasks),
    String(r.passed),
    `${(r.successRate * 100).toFixed(1)}%`,
    seconds(r.p95Ms),
    seconds(r.durationMs),
    r.interrupted ? 'interrupted' : r.verdict.toUpperCase(),
  ]);
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c]!))).join('  ');
  return ['Ramp', ...[header, ...rows].map((cells) => `  ${line(cells)}`)].join('\n');
}
