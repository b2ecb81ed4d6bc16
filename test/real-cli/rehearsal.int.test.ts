import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finished } from '../helpers/child-output.js';
import { inNewNetworkNamespace } from './harness/netns.js';
import { REAL_CLI_DIR, TSX_LOADER } from './harness/paths.js';
import { type Report, resultLine } from './harness/results.js';
import { newWorkDir } from './harness/run-in-namespace.js';

/** The offline rehearsal of the unified suite (`npm run rehearse`), on its simple tasks to keep CI short. */
describe('npm run rehearse', () => {
  it('runs the unified tasks on the real claude against the fake API and writes the reports', async () => {
    const dir = newWorkDir();
    const { file, args } = inNewNetworkNamespace([
      process.execPath,
      '--import',
      TSX_LOADER,
      join(REAL_CLI_DIR, 'harness', 'rehearse.ts'),
      '--grep',
      '^simple-',
      '--reporter',
      'json,junit',
    ]);
    const child = spawn(file, args, {
      cwd: dir,
      env: { ...process.env, CC_STRESS_REHEARSAL_DIR: join(dir, 'rehearsal') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = await finished(child);
    expect(done.code, done.stderr).toBe(0);
    const report = JSON.parse(
      readFileSync(join(dir, 'reports', 'rehearsal', 'report.json'), 'utf8'),
    ) as Report;
    expect(report.tasks.map((task) => task.id)).toEqual([
      'simple-arithmetic',
      'simple-capital',
      'simple-haiku',
      'simple-json',
    ]);
    for (const task of report.tasks) {
      expect(task.reason).toBe('passed');
      expect(resultLine(task.attempts.at(-1)!)).toMatchObject({ is_error: false });
    }
    expect(existsSync(join(dir, 'reports', 'rehearsal', 'junit.xml'))).toBe(true);
    // Its history is its own, never the user's.
    expect(existsSync(join(dir, 'rehearsal', 'history.db'))).toBe(true);
  });
});
