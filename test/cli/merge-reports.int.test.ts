import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const suiteText = `
name: sharded
defaults: { concurrency: 2, target: 0.8 }
tasks:
${Array.from({ length: 7 }, (_, i) => `  - { id: t${i}, command: "${i === 3 ? 'false' : 'true'}" }`).join('\n')}
`;

describe('sharded runs and merge-reports', () => {
  it('covers the suite exactly once across shards and gates once over the merge', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const env = isolatedEnv(dir);
    const files: string[] = [];
    for (let shard = 1; shard <= 3; shard++) {
      const out = join(dir, `shard-${shard}`);
      const result = await runCli(
        ['run', suite, '--shard', `${shard}/3`, '--out', out, '--reporter', 'json'],
        env,
      );
      expect([0, 1]).toContain(result.code);
      files.push(join(out, 'report.json'));
    }
    const ids = files.flatMap((file) => readReport(file).tasks.map((t) => t.id));
    expect(ids.sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);

    const merged = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    const result = await runCli(['merge-reports', ...files, '--json', merged, '--junit', junit], env);
    // 6 of 7 passed: 85.7% >= 80%.
    expect(result.code, result.stderr).toBe(0);
    const report = readReport(merged);
    expect(report.totals).toMatchObject({ total: 7, passed: 6, failed: 1 });
    expect(readFileSync(junit, 'utf8')).toContain('tests="7"');

    const stricter = await runCli(['merge-reports', ...files, '--target', '0.9'], env);
    expect(stricter.code).toBe(1);
  }, 60_000);

  it('refuses to gate when a shard report is missing', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const out = join(dir, 'shard-1');
    await runCli(['run', suite, '--shard', '1/2', '--out', out, '--reporter', 'json'], isolatedEnv(dir));
    const result = await runCli(['merge-reports', join(out, 'report.json')], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('shard(s) 2 of 2 have no report');
  }, 30_000);

  it('refuses to gate when the shards split the suite differently', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const files: string[] = [];
    for (let shard = 1; shard <= 2; shard++) {
      const out = join(dir, `shard-${shard}`);
      await runCli(
        ['run', suite, '--shard', `${shard}/2`, '--out', out, '--reporter', 'json'],
        isolatedEnv(dir),
      );
      files.push(join(out, 'report.json'));
    }
    const reports = files.map((file) => readReport(file));
    expect(reports[0]!.shard?.split).toMatch(/^[0-9a-f]{16}$/);
    expect(reports[1]!.shard?.split).toBe(reports[0]!.shard?.split);
    // As if shard 2 had started after midnight UTC and weighed the tasks differently.
    const other = { ...reports[1]!, shard: { index: 2, total: 2, split: '0123456789abcdef' } };
    writeFileSync(files[1]!, JSON.stringify(other));
    const result = await runCli(['merge-reports', ...files], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did not split the suite the same way');
    expect(result.stderr).toContain('shard(s) 2 split as 0123456789abcdef');
  }, 30_000);

  it('rejects a bad --shard value', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const result = await runCli(['run', suite, '--shard', '3/2'], isolatedEnv(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--shard must be INDEX/TOTAL');
  });
});
