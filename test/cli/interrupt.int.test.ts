import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { logFileName } from '../../src/run/log-path.js';
import { liveMarked, newMark } from '../exec/support/local-tasks.js';
import { eventually } from '../helpers/eventually.js';
import { finished, isolatedEnv, startCli, workDir, writeSuite } from './cli-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stubbornSuite(mark: string): string {
  return `
name: stubborn
defaults:
  concurrency: 3
  env: { CC_TEST_MARK: ${mark} }
tasks:
  - id: quick
    command: "true"
  - id: stubborn
    command: cc-stress-fake-agent -p x --output-format stream-json --verbose --fake-fail hang,ignore-sigterm,grandchild
  - id: sleeper
    shell: true
    command: 'sleep 300 & sleep 300; wait'
  - id: never-started-1
    command: sleep 300
  - id: never-started-2
    command: sleep 300
`;
}

/** Starts a run of the stubborn suite and resolves once its task processes are all up. */
async function startStubbornRun() {
  const dir = workDir();
  const mark = newMark();
  const suite = writeSuite(dir, stubbornSuite(mark));
  const out = join(dir, 'out');
  const child = startCli(['run', suite, '--out', out], isolatedEnv(dir));
  const done = finished(child);
  // The stubborn agent, its grandchild and the sleepers are all up.
  await eventually(() => liveMarked(mark).length >= 4, 'the four processes of the run up', 15_000);
  return { mark, out, child, done };
}

describe('interrupting a run', () => {
  it('first Ctrl-C kills every running group, keeps partial reports and exits 130', async () => {
    const { mark, out, child, done } = await startStubbornRun();
    // Wait for the agent's init line, so there is partial output to keep, however loaded the machine is.
    const log = join(out, 'logs', logFileName('stubborn', 1));
    await eventually(
      () => existsSync(log) && readFileSync(log, 'utf8').includes('"type":"system"'),
      'the stubborn task printed its first event',
      15_000,
    );
    child.kill('SIGINT');
    const result = await done;

    expect(result.code).toBe(130);
    expect(liveMarked(mark)).toEqual([]);
    expect(existsSync(join(out, 'junit.xml'))).toBe(true);
    const report = readReport(join(out, 'report.json'));
    expect(report.interrupted).toBe(true);
    const reasons = Object.fromEntries(report.tasks.map((t) => [t.id, t.reason]));
    expect(reasons.stubborn).toBe('cancelled');
    expect(reasons.sleeper).toBe('cancelled');
    expect(reasons['never-started-2']).toBe('cancelled');
    // The partial output of a killed task is kept.
    const stubborn = report.tasks.find((t) => t.id === 'stubborn')!;
    expect(stubborn.attempts[0]?.outputTail).toContain('"type":"system"');
  }, 30_000);

  it('a second Ctrl-C exits at once, still leaving no process behind', async () => {
    const { mark, child, done } = await startStubbornRun();
    await sleep(1000);
    const started = Date.now();
    child.kill('SIGINT');
    await sleep(200);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, `${result.signal} ${JSON.stringify(result.stderr)}`).toBe(130);
    // The stubborn task ignores SIGTERM for the 5 s grace period; the second Ctrl-C does not wait for it.
    expect(Date.now() - started).toBeLessThan(4000);
    await eventually(() => liveMarked(mark).length === 0, 'every process of the run gone');
  }, 30_000);

  it('SIGTERM to the runner does the same', async () => {
    const { mark, out, child, done } = await startStubbornRun();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(130);
    expect(liveMarked(mark)).toEqual([]);
    expect(readReport(join(out, 'report.json')).interrupted).toBe(true);
  }, 30_000);

  it('a runner killed with SIGKILL leaves no task process behind', async () => {
    const { mark, child, done } = await startStubbornRun();
    child.kill('SIGKILL');
    await done;
    await eventually(() => liveMarked(mark).length === 0, 'every process of the run gone', 15_000);
    expect(liveMarked(mark)).toEqual([]);
  }, 30_000);
});
