import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { procSupported } from '../../../src/exec/process/proc-fs.js';
import { compileSrc } from '../support/compiled-src.js';
import { liveMarked, newMark, scratchDir } from '../support/local-tasks.js';

const compiled = compileSrc('exec/local/local-executor.ts');
const dir = scratchDir();
afterAll(() => compiled.remove());

const driver = `
import { LocalExecutor } from ${JSON.stringify(join(compiled.dir, 'exec/local/local-executor.js'))};
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
    const script = join(compiled.dir, 'runner-death-driver.mjs');
    writeFileSync(script, driver);
    const runner = spawn(process.execPath, [script, dir, mark], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      runner.stdout.on('data', (data: Buffer) => data.toString().includes('running') && resolve());
      runner.once('exit', () => reject(new Error('the runner exited before its task ran')));
    });
    await sleep(200);
    // The shell, its SIGTERM-ignoring child and that child's sleep, the setsid daemon, the main sleep.
    expect(liveMarked(mark).length).toBeGreaterThanOrEqual(4);

    runner.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (liveMarked(mark).length > 0 && Date.now() < deadline) await sleep(100);
    expect(liveMarked(mark)).toEqual([]);
  });
});
