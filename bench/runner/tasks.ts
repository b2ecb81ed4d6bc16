import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Executor } from '../../src/exec/types.js';
import type { HistoryStore } from '../../src/history/types.js';
import type { Reporter } from '../../src/report/types.js';
import { runSuite } from '../../src/run/scheduler.js';
import type { RunReport } from '../../src/run/types.js';
import { defaultExpectations } from '../../src/suite/expect.js';
import type { Suite, TaskSpec } from '../../src/suite/types.js';
import type { TimeoutPlanner } from '../../src/timeouts/types.js';

/** Suites built in code, run through the real scheduler exactly as `cc-stress run` drives them. */

export function taskSpec(id: string, argv: string[], shell = false): TaskSpec {
  return {
    id,
    baseId: id,
    name: id,
    argv,
    shell,
    cwd: process.cwd(),
    env: {},
    agent: 'none',
    retries: 0,
    timeout: {},
    expect: defaultExpectations(),
    repeatIndex: 1,
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cc-stress-bench-${prefix}-`));
}

export interface SuiteRun {
  tasks: TaskSpec[];
  concurrency: number;
  planner: TimeoutPlanner;
  executor: Executor;
  history?: HistoryStore;
  outDir: string;
  reporter?: Reporter;
}

export async function runTasks(run: SuiteRun): Promise<RunReport> {
  const suite: Suite = {
    name: 'bench',
    file: join(run.outDir, 'bench.yaml'),
    defaults: { concurrency: run.concurrency, retries: 0, target: 0 },
    tasks: run.tasks,
  };
  return runSuite({
    suite,
    tasks: run.tasks,
    concurrency: run.concurrency,
    target: 0,
    outDir: run.outDir,
    planner: run.planner,
    executors: [run.executor],
    reporter: run.reporter ?? {},
    ...(run.history !== undefined ? { history: run.history } : {}),
    version: 'bench',
  });
}

/** Fails loudly when a benchmark's tasks did not all pass: a figure from failed runs means nothing. */
export function assertAllPassed(report: RunReport, what: string): void {
  const failed = report.tasks.filter((t) => t.reason !== 'passed');
  if (failed.length > 0) {
    const first = failed[0]!;
    const why = first.attempts[0]?.messages.join('; ') ?? first.reason;
    throw new Error(`${what}: ${failed.length} of ${report.tasks.length} tasks did not pass (first: ${why})`);
  }
}
