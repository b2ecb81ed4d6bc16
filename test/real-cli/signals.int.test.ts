import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
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
 * Stopping the runner while two real CLIs sit in a silent 90 s shell tool: whatever way the runner ends, no
 * CLI and no tool process of theirs may be left running. Gemini CLI's first process ignores SIGTERM and
 * SIGINT, so only a kill of the whole process group ends it.
 */
const CASES = [
  {
    clis: 'claude',
    apis: ['anthropic'],
    suite: 'claude-signals.yaml',
    // The tool's own node process (the shell that started it says setTimeout too).
    isTool: (line: string) => /^node -e .*setTimeout/.test(line),
    expectToolCalls: (notes: (string | undefined)[]) =>
      expect(notes.filter((note) => note?.startsWith('Bash tool'))).toHaveLength(2),
  },
  {
    clis: 'codex and gemini',
    apis: ['openai', 'gemini'],
    suite: 'codex-gemini-signals.yaml',
    isTool: (line: string) => /^sleep 90 ?$/.test(line),
    expectToolCalls: (notes: (string | undefined)[]) =>
      expect(notes).toEqual(
        expect.arrayContaining(['exec_command, silent 90000 ms', 'run_shell_command, silent 90000 ms']),
      ),
  },
] as const satisfies readonly {
  clis: string;
  apis: readonly string[];
  suite: string;
  isTool(line: string): boolean;
  expectToolCalls(notes: (string | undefined)[]): void;
}[];

let current: NamespacedRun | undefined;

afterEach(() => {
  // Hygiene only, after the assertions: never leave a test's processes on the machine.
  if (current !== undefined) killRun(current);
  current = undefined;
});

describe.each(CASES)('stopping the runner during real $clis runs', (setup) => {
  /** Starts the suite and waits until both CLIs are inside their silent tool. */
  async function startTwoToolRuns(): Promise<{ run: NamespacedRun; runnerPid: number }> {
    const run = runInNamespace({
      apis: [...setup.apis],
      args: [
        'run',
        fileURLToPath(new URL(`./suites/${setup.suite}`, import.meta.url)),
        '--out',
        'reports',
        '--reporter',
        'json',
      ],
    });
    current = run;
    const { runnerPid } = await run.ready;
    // Every 100 ms: each look reads all of /proc while the CLIs start.
    await eventually(
      () => realCliProcesses(run.workDir).filter((pid) => setup.isTool(cmdline(pid))).length >= 2,
      'both CLIs to start their silent tool',
      120_000,
      100,
    );
    setup.expectToolCalls(loggedRequests(run.workDir).map((r) => r.note));
    return { run, runnerPid };
  }

  it('Ctrl-C (SIGINT) ends the run as interrupted and leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startTwoToolRuns();
    process.kill(runnerPid, 'SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).not.toBe(0);
    const report = readReport(run.workDir);
    expect(report.interrupted).toBe(true);
    expect(report.tasks.map((task) => task.reason)).toEqual(['cancelled', 'cancelled']);
    await eventually(
      () => realCliProcesses(run.workDir).length === 0,
      'the CLIs and their tools to end',
      15_000,
      100,
    );
  });

  it('SIGKILL of the runner leaves no CLI process behind', async () => {
    const { run, runnerPid } = await startTwoToolRuns();
    process.kill(runnerPid, 'SIGKILL');
    const done = await run.done;
    expect(done.code).toBe(128 + 9);
    await eventually(
      () => realCliProcesses(run.workDir).length === 0,
      'the CLIs and their tools to end',
      30_000,
      100,
    );
  });
});
