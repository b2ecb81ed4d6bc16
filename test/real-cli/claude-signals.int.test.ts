import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './harness/poll.js';
import { readReport } from './harness/results.js';
import {
  cmdline,
  killRun,
  loggedRequests,
  type NamespacedRun,
  realCliProcesses,
  runInNamespace,
} from './harness/run-in-namespace.js';

/**
 * Stopping the runner while two real claude CLIs sit in a silent 90 s shell tool: whatever way the
 * runner ends, no CLI and no tool process of theirs may be left running.
 */

const SUITE = fileURLToPath(new URL('./suites/claude-signals.yaml', import.meta.url));
let current: NamespacedRun | undefined;

afterEach(() => {
  // Hygiene only, after the assertions: never leave a test's processes on the machine.
  if (current !== undefined) killRun(current);
  current = undefined;
});

/** Starts the suite and waits until both CLIs are inside their silent tool. */
async function startTwoToolRuns(): Promise<{ run: NamespacedRun; runnerPid: number }> {
  const run = runInNamespace({
    apis: ['anthropic'],
    args: ['run', SUITE, '--out', 'reports', '--reporter', 'json'],
  });
  current = run;
  const { runnerPid } = await run.ready;
  await waitFor('both CLIs to start their silent tool', 90_000, () => {
    // The tool's own node process (the shell that started it says setTimeout too).
    const tools = realCliProcesses(run.workDir).filter((pid) => /^node -e .*setTimeout/.test(cmdline(pid)));
    return tools.length >= 2 ? tools : undefined;
  });
  expect(loggedRequests(run.workDir).filter((r) => r.note?.startsWith('Bash tool'))).toHaveLength(2);
  // Two CLIs, each with a shell and the tool's process under it.
  expect(realCliProcesses(run.workDir).length).toBeGreaterThanOrEqual(4);
  return { run, runnerPid };
}

describe('stopping the runner during real claude runs', () => {
  it('Ctrl-C (SIGINT) ends the run as interrupted and leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startTwoToolRuns();
    process.kill(runnerPid, 'SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).not.toBe(0);
    const report = readReport(run.workDir);
    expect(report.interrupted).toBe(true);
    expect(report.tasks.map((task) => task.reason)).toEqual(['cancelled', 'cancelled']);
    await waitFor('the CLIs and their tools to end', 15_000, () =>
      realCliProcesses(run.workDir).length === 0 ? true : undefined,
    );
  });

  it('SIGKILL of the runner leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startTwoToolRuns();
    process.kill(runnerPid, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(128 + 9);
    await waitFor('the CLIs and their tools to end', 30_000, () =>
      realCliProcesses(run.workDir).length === 0 ? true : undefined,
    );
  });
});
