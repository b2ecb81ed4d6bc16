import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/cli/out-dir.js';
import { logFileName } from '../../src/run/log-path.js';
import { eventually } from '../helpers/eventually.js';
import { finished, isolatedEnv, runCli, startCli, workDir, writeSuite } from './cli-support.js';

/** A suite whose one task leaves a file behind when it runs, so a test can tell that nothing ran. */
function touchSuite(dir: string): { suite: string; ran: string } {
  const ran = join(dir, 'task-ran');
  return {
    suite: writeSuite(dir, `name: touch\ntasks:\n  - id: touch\n    command: [touch, ${ran}]\n`),
    ran,
  };
}

describe('--out is checked before anything runs', () => {
  const refused: [string, (dir: string) => string, RegExp][] = [
    ['a file', (dir) => writeFile(join(dir, 'afile')), /--out .*afile: not a folder/],
    [
      'a path through a file',
      (dir) => `${writeFile(join(dir, 'afile'))}/sub`,
      /--out .*afile\/sub: .*afile is not a folder/,
    ],
    [
      'a folder that cannot be created (/proc/self/nope)',
      () => '/proc/self/nope',
      /--out \/proc\/self\/nope: cannot create the folder \(ENOENT\)/,
    ],
    [
      'a folder nobody can write in (/proc/self)',
      () => '/proc/self',
      /--out \/proc\/self: cannot write in it/,
    ],
  ];
  for (const [what, outOf, message] of refused) {
    it(`refuses ${what} with exit 2 and the path, running nothing`, async () => {
      const dir = workDir();
      const { suite, ran } = touchSuite(dir);
      const result = await runCli(['run', suite, '-o', outOf(dir)], isolatedEnv(dir));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(ran)).toBe(false);
    }, 30_000);
  }
});

describe('one run at a time per --out folder', () => {
  it('refuses a second run into the same folder, naming the pid of the first', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    const slow = writeSuite(
      dir,
      'name: slow\ntasks:\n  - id: slow\n    command: [sleep, "300"]\n',
      'slow.yaml',
    );
    const first = startCli(['run', slow, '-o', out], isolatedEnv(dir));
    const firstDone = finished(first);
    await eventually(() => existsSync(join(out, LOCK_FILE)), 'the first run holds the lock', 15_000);

    const { suite, ran } = touchSuite(dir);
    const second = await runCli(['run', suite, '-o', out], isolatedEnv(dir));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`another run (pid ${first.pid}) is writing its reports there`);
    expect(existsSync(ran)).toBe(false);

    first.kill('SIGINT');
    expect((await firstDone).code).toBe(130);
    // The first run's reports are intact and its lock is gone.
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).suite.name).toBe('slow');
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('takes over the lock of a run that died', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    mkdirSync(out);
    // The pid of a process that has exited: the lock it would have left is stale.
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(join(out, LOCK_FILE), `${dead.pid} 1\n`);
    const { suite, ran } = touchSuite(dir);
    const result = await runCli(['run', suite, '-o', out], isolatedEnv(dir));
    expect(result.code).toBe(0);
    expect(existsSync(ran)).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 30_000);
});

describe('the summary and shutdown', () => {
  it('lists only the reports that were written', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    // A folder where report.json should go: that report cannot be written.
    mkdirSync(join(out, 'report.json'), { recursive: true });
    const { suite } = touchSuite(dir);
    const result = await runCli(['run', suite, '-o', out], isolatedEnv(dir));
    const reports = result.stdout.slice(result.stdout.lastIndexOf('Reports'));
    expect(reports).toContain(join(out, 'junit.xml'));
    expect(reports).not.toContain(join(out, 'report.json'));
  }, 30_000);

  it('reports a log that cannot be opened without blocking (a FIFO) as a crash instead of hanging', async () => {
    const dir = workDir();
    const out = join(dir, 'out');
    // Opening a FIFO for writing blocks until a reader comes, which never does.
    mkdirSync(join(out, 'logs'), { recursive: true });
    execFileSync('mkfifo', [join(out, 'logs', logFileName('touch', 1))]);
    const { suite, ran } = touchSuite(dir);
    const result = await runCli(['run', suite, '-o', out], isolatedEnv(dir));
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/crashed +touch: cannot write the log file .*ENXIO/);
    expect(existsSync(ran)).toBe(false);
  }, 30_000);
});

function writeFile(path: string): string {
  writeFileSync(path, 'not a folder\n');
  return path;
}
