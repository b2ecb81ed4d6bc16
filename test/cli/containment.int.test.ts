import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containment } from '../../src/exec/process/containment.js';
import { readReport } from '../../src/report/index.js';
import { ESCAPES, escapeThen, newMarker, survivorsOf, withMarker } from '../exec/support/escapes.js';
import { eventually } from '../helpers/eventually.js';
import { finished, isolatedEnv, runCli, startCli, workDir, writeSuite } from './cli-support.js';

/** A suite with one task per escape; each prints `escaped` once its escapee runs, then does `after`. */
function escapeSuite(dir: string, markers: string[], after: string): string {
  const tasks = Object.values(ESCAPES).map((escapeCommand, i) => {
    const script = escapeThen(escapeCommand(markers[i]!), markers[i]!, after);
    return `  - id: escape-${i}\n    shell: true\n    command: ${JSON.stringify(script)}\n`;
  });
  return writeSuite(
    dir,
    `name: escapes\ndefaults:\n  concurrency: ${tasks.length}\ntasks:\n${tasks.join('')}`,
  );
}

const namespaces = containment().kind === 'pid-namespace';

describe.runIf(namespaces)('a run leaves nothing behind, whatever its tasks do', () => {
  it('fails a task that exited 0 but left a process running, and names it', async () => {
    const dir = workDir();
    const markers = Object.keys(ESCAPES).map(() => newMarker());
    const out = join(dir, 'out');
    const result = await runCli(['run', escapeSuite(dir, markers, 'exit 0'), '-o', out], isolatedEnv(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('containment pid-namespace');
    const report = readReport(join(out, 'report.json'));
    expect(report.containment).toBe('pid-namespace');
    expect(report.tasks.map((task) => task.reason)).toEqual(markers.map(() => 'failed'));
    for (const task of report.tasks) {
      expect(task.attempts[0]?.messages.join('\n')).toMatch(
        /left [1-9]\d* process(es)? behind: .*\(pid \d+\)/,
      );
    }
    // The summary is on stdout.
    expect(result.stdout).toMatch(/Not passed: 4/);
    for (const marker of markers) expect(withMarker(marker)).toEqual([]);
  }, 60_000);

  for (const [how, stop] of [
    ['Ctrl-C', 'SIGINT'],
    ['SIGTERM', 'SIGTERM'],
    ['kill -9 of the runner', 'SIGKILL'],
  ] as const) {
    it(`stops every escaped process on ${how}`, async () => {
      const dir = workDir();
      const markers = Object.keys(ESCAPES).map(() => newMarker());
      const runner = startCli(
        ['run', escapeSuite(dir, markers, 'sleep 600'), '-o', join(dir, 'out')],
        isolatedEnv(dir),
      );
      const done = finished(runner);
      await eventually(
        () => markers.every((marker) => withMarker(marker).length > 0),
        'the escapes started',
        20_000,
        50,
      );
      runner.kill(stop);
      await done;
      // After SIGKILL the guardian stops the tasks: SIGTERM, the 5 s grace period, then SIGKILL.
      for (const marker of markers) expect(await survivorsOf(marker, 15_000)).toEqual([]);
    }, 60_000);
  }
});

describe('with process groups only', () => {
  it('says so loudly and in the report', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, 'name: plain\ntasks:\n  - id: one\n    command: "true"\n');
    const out = join(dir, 'out');
    const result = await runCli(
      ['run', suite, '-o', out],
      isolatedEnv(dir, { CC_STRESS_CONTAINMENT: 'process-group' }),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/tasks are contained by process groups only .*can outlive the run/);
    expect(readReport(join(out, 'report.json')).containment).toBe('process-group');
  }, 30_000);
});
