import { closeSync, existsSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const SUITE = ['name: faults', 'tasks:', '  - id: a', '    command: echo hi'].join('\n');

async function classesIn(path: string): Promise<number> {
  const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 8, createFolder: false });
  try {
    return (await store.classes()).length;
  } finally {
    await store.close();
  }
}

describe('history faults through the CLI', () => {
  it('refuses a history path in a folder that does not exist, and creates no folder', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, SUITE);
    const missing = join(dir, 'nonexistent', 'dir', 'h.db');
    const result = await runCli(
      ['run', suite, '--out', join(dir, 'out')],
      isolatedEnv(dir, { CC_STRESS_HISTORY: missing }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the folder of the history file ${missing} does not exist`);
    expect(existsSync(join(dir, 'nonexistent'))).toBe(false);
  });

  it('moves a damaged history file aside with one warning and records the run in a fresh one', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, SUITE);
    const history = join(dir, 'history.db');
    const env = isolatedEnv(dir, { CC_STRESS_HISTORY: history });
    expect((await runCli(['run', suite, '--out', join(dir, 'out1')], env)).code).toBe(0);
    const fd = openSync(history, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0x5a), 0, 4096 * 4, 4096 * 2);
    closeSync(fd);

    const result = await runCli(['run', suite, '--out', join(dir, 'out2'), '--repeat', '3'], env);
    expect(result.code).toBe(0);
    const output = result.stderr + result.stdout;
    // One warning (shown live and again in the summary), not one per task.
    expect(new Set(output.match(/was damaged.*moved it to \S+/g))).toHaveProperty('size', 1);
    expect(output).not.toMatch(/could not record/);
    expect(readdirSync(dir).some((name) => name.startsWith('history.db.damaged-'))).toBe(true);
    expect(await classesIn(history)).toBeGreaterThan(0);
  });

  it.each([
    ['redis://127.0.0.1:6379/abc', /CC_STRESS_REDIS_URL: "\/abc" is not a database number/],
    ['redis://127.0.0.1:6379/99999', /CC_STRESS_REDIS_URL: "\/99999" is not a database number/],
  ])('refuses CC_STRESS_REDIS_URL=%s as a config error, without a stack trace', async (url, message) => {
    const dir = workDir();
    const suite = writeSuite(dir, SUITE);
    const result = await runCli(
      ['run', suite, '--out', join(dir, 'out')],
      isolatedEnv(dir, { CC_STRESS_REDIS_URL: url }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
