import { fileURLToPath } from 'node:url';
import type { LoggedRequest } from '../fake-api/server.js';
import { type Report, readReport } from './results.js';
import { loggedRequests, runInNamespace } from './run-in-namespace.js';

/** The fakes' timings are scaled by this in the scenario suites, whose stall limit is a fixed 6 s. */
export const SCENARIO_TIME_SCALE = 0.1;
export const SCENARIO_STALL_MS = 6_000;

export interface ScenarioRun {
  report: Report;
  requests: LoggedRequest[];
  workDir: string;
  done: { code: number | null; stderr: string };
  /** The suite's absolute path, for the class keys its tasks record. */
  suite: string;
}

/** Runs a scenario suite of test/real-cli/suites once, in its namespace, and reads what it left. */
export async function runScenarioSuite(suiteName: string, apis: string[]): Promise<ScenarioRun> {
  const suite = fileURLToPath(new URL(`../suites/${suiteName}`, import.meta.url));
  const run = runInNamespace({
    apis,
    args: ['run', suite, '--out', 'reports', '--reporter', 'line,json'],
    timeScale: SCENARIO_TIME_SCALE,
  });
  await run.ready;
  const done = await run.done;
  return {
    report: readReport(run.workDir),
    requests: loggedRequests(run.workDir),
    workDir: run.workDir,
    done,
    suite,
  };
}
