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
 * Stopping the runner while a real codex and a real gemini sit in a silent 90 s shell command: whatever way
 * the runner ends, no CLI and no command of theirs may be left running. Gemini CLI's first process ignores
 * SIGTERM and SIGINT, so only a kill of the whole process group ends it.
 */

const SUITE = fileURLToPath(new URL('./suites/codex-gemini-signals.yaml', import.meta.url));
let current: NamespacedRun | undefined;

afterEach(() => {
  // Hygiene only, after the assertions: never leave a test's processes on the machine.
  if (current !== undefined) killRun(current);
  current = undefined;
});

/** Starts the suite and waits until both CLIs run their silent command. */
async function startBothInTheirTool(): Promise<{ run: NamespacedRun; runnerPid: number }> {
  const run = runInNamespace({
    apis: ['openai', 'gemini'],
    args: ['run', SUITE, '--out', 'reports', '--reporter', 'json'],
  });
  current = run;
  const { runnerPid } = await run.ready;
  await waitFor('both CLIs to start their silent command', 120_000, () => {
    const sleeps = realCliProcesses(run.workDir).filter((pid) => /^sleep 90 ?$/.test(cmdline(pid)));
    return sleeps.length >= 2 ? sleeps : undefined;
  });
  const notes = loggedRequests(run.workDir).map((r) => r.note);
  expect(notes).toContain('exec_command, silent 90000 ms');
  expect(notes).toContain('run_shell_command, silent 90000 ms');
  return { run, runnerPid };
}

describe('stopping the runner during real codex and gemini runs', () => {
  it('Ctrl-C (SIGINT) ends the run as interrupted and leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startBothInTheirTool();
    process.kill(runnerPid, 'SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).not.toBe(0);
    const report = readReport(run.workDir);
    expect(report.interrupted).toBe(true);
    expect(report.tasks.map((task) => task.reason)).toEqual(['cancelled', 'cancelled']);
    await waitFor('the CLIs and their commands to end', 15_000, () =>
      realCliProcesses(run.workDir).length === 0 ? true : undefined,
    );
  });

  it('SIGKILL of the runner leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startBothInTheirTool();
    process.kill(runnerPid, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(128 + 9);
    await waitFor('the CLIs and their commands to end', 30_000, () =>
      realCliProcesses(run.workDir).length === 0 ? true : undefined,
    );
  });
});
