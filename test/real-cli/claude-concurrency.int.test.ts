import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readReport, resultLine } from './harness/results.js';
import { loggedRequests, runInNamespace } from './harness/run-in-namespace.js';

const SUITE = fileURLToPath(new URL('./suites/claude-eight.yaml', import.meta.url));

describe('eight real claude CLIs at once', () => {
  it('runs all eight side by side, each passing on its own success line', async () => {
    const run = runInNamespace({
      apis: ['anthropic'],
      args: ['run', SUITE, '--out', 'reports', '--reporter', 'json'],
    });
    await run.ready;
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    const report = readReport(run.workDir);
    const attempts = report.tasks.map((task) => task.attempts.at(-1)!);
    expect(attempts.map((a) => a.reason)).toEqual(Array(8).fill('passed'));
    for (const a of attempts) expect(resultLine(a)).toMatchObject({ type: 'result', is_error: false });
    // They really overlapped: every one started before the first one ended.
    const firstEnd = Math.min(...attempts.map((a) => Date.parse(a.endedAt)));
    expect(attempts.every((a) => Date.parse(a.startedAt) < firstEnd)).toBe(true);
    expect(loggedRequests(run.workDir).filter((r) => r.scenario === 'normal')).toHaveLength(8);
  });
});
