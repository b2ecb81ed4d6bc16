import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { procSupported } from '../../../src/exec/process/proc-fs.js';
import { TaskGuardian } from '../../../src/exec/process/task-guardian.js';
import { builtModule } from '../../helpers/built.js';
import { eventually } from '../../helpers/eventually.js';
import { liveMarked, liveWithArgument, newMark, scratchDir } from '../support/local-tasks.js';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const driver = `
import { LocalExecutor } from ${JSON.stringify(builtModule('exec/local/local-executor.ts'))};
const [dir, mark] = process.argv.slice(2);
const executor = new LocalExecutor({ graceMs: 300, headBytes: 1024, tailBytes: 1024, pollMs: 100 });
const none = { contains: [], notContains: [], matches: [] };
const script = "sh -c 'trap \\"\\" TERM; while :; do sleep 1; done' & (setsid sleep 60 &); echo up; sleep 60";
executor.run({
  taskId: 't', attempt: 1, argv: [script], shell: true, cwd: dir, env: { CC_TEST_MARK: mark }, agent: 'none',
  expect: { exitCode: [0], stdout: none, stderr: none, minOutputBytes: 0, result: null },
  plan: { maxMs: 600000, stallMs: 600000, maxSource: { origin: 'suite', detail: '' }, stallSource: { origin: 'suite', detail: '' }, extension: { times: 0, byMs: 0 } },
  logPath: dir + '/task.log',
}, { onOutput: (_stream, line) => { if (line === 'up') console.log('running'); } });
`;

describe.runIf(procSupported())('when the runner dies', () => {
  it('takes its tasks with it, even when it is killed with SIGKILL', async () => {
    const mark = newMark();
    const script = join(dir, 'runner-death-driver.mjs');
    writeFileSync(script, driver);
    const runner = spawn(process.execPath, [script, dir, mark], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      runner.stdout.on('data', (data: Buffer) => data.toString().includes('running') && resolve());
      runner.once('exit', () => reject(new Error('the runner exited before its task ran')));
    });
    // The shell, its SIGTERM-ignoring child and that child's sleep, the setsid daemon, the main sleep.
    await eventually(() => liveMarked(mark).length >= 4, 'four processes of the task up');

    runner.kill('SIGKILL');
    await eventually(() => liveMarked(mark).length === 0, 'every process of the task gone');
  });

  it('lets its guardian go at once when it ends normally, not after the grace period', async () => {
    const token = newMark();
    const guardian = TaskGuardian.start(token, 30_000);
    expect(guardian).toBeDefined();
    await eventually(() => liveWithArgument(token).length === 1, 'the guardian running');
    guardian?.close();
    // Nothing registered and nothing tagged: it has nothing to wait for.
    await eventually(() => liveWithArgument(token).length === 0, 'the guardian gone', 5000);
  });
});
