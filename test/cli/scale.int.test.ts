import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { liveMarked, newMark } from '../exec/support/local-tasks.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const TASKS = 300;
const STALL_SECONDS = 4;

describe('300 tasks at once on a small machine', () => {
  it('runs them all to a pass: the runner’s own load causes no stall kill', async () => {
    const dir = workDir();
    const mark = newMark();
    // Each task prints a line a second for 5 s: healthy, but silent for a second at a time, so a watchdog
    // that blamed tasks for its own late polling would kill some of them at a 4 s stall limit. Spawning
    // alone takes 25-35 ms a process on a loaded 2-core VM, so the last tasks start seconds after the
    // first and the runner is busy throughout; the test checks outcomes, not latency.
    const suite = writeSuite(
      dir,
      `
name: scale
defaults: { concurrency: ${TASKS}, target: 1, env: { CC_TEST_MARK: ${mark} } }
tasks:
  - id: tick
    repeat: ${TASKS}
    command: [sh, -c, 'for i in 1 2 3 4 5; do echo $i; sleep 1; done']
    timeout: { max: 120, stall: ${STALL_SECONDS} }
    expect: { stdout: { contains: "5" } }
`,
    );
    const out = join(dir, 'out');
    const started = Date.now();
    const result = await runCli(
      ['run', suite, '--out', out, '--reporter', 'line,json,junit'],
      isolatedEnv(dir),
    );
    const wallMs = Date.now() - started;

    const report = readReport(join(out, 'report.json'));
    const notPassed = report.tasks.filter((t) => t.reason !== 'passed');
    expect(
      notPassed.map((t) => `${t.id}: ${t.reason} ${t.attempts[0]?.messages.join(' ')}`),
      `exit ${result.code}, ${wallMs} ms`,
    ).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.totals).toMatchObject({ total: TASKS, passed: TASKS, stalled: 0, timedOut: 0 });

    const attempts = report.tasks.map((t) => t.attempts[0]!);
    // The scheduler ran them at once, not in slots: starts are spread one per event-loop turn (so the loop
    // never stalls), yet no start waited for a task to end. How many fit into the first task's 5 s depends
    // on how fast this machine spawns (25-200 ms a process): a scheduler with a few slots would fit 8.
    const firstEnd = Math.min(...attempts.map((a) => Date.parse(a.endedAt)));
    const startedBeforeFirstEnd = attempts.filter((a) => Date.parse(a.startedAt) < firstEnd).length;
    expect(startedBeforeFirstEnd, `${startedBeforeFirstEnd} started before the first ended`).toBeGreaterThan(
      24,
    );
    expect(attempts.every((a) => a.outputTail === '1\n2\n3\n4\n5\n')).toBe(true);
    // Hundreds of listeners on the run's stop signal are expected; Node must not call them a leak.
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
    expect(liveMarked(mark)).toEqual([]);
  }, 90_000);
});
