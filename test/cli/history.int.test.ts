import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/index.js';
import { freePort, startRedisServer } from '../helpers/redis-server.js';
import { isolatedEnv, runCli, workDir, writeSuite } from './cli-support.js';

const suiteText = `
name: learn
defaults: { concurrency: 4 }
tasks:
  - id: work
    repeat: 4
    shell: true
    command: 'sleep 0.2; echo done'
`;

/** A config that learns from a handful of runs, so the test stays short. */
function fastLearningConfig(dir: string): string {
  return writeSuite(dir, 'predictor:\n  minSamples: 3\n  floorSeconds: 0.1\n', 'config.yaml');
}

describe('history across runs', () => {
  it('learns limits from earlier runs and explains them', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const config = fastLearningConfig(dir);
    const env = isolatedEnv(dir);
    const first = await runCli(['run', suite, '--config', config, '--out', join(dir, 'one')], env);
    expect(first.code, first.stderr).toBe(0);
    const cold = readReport(join(dir, 'one', 'report.json'));
    expect(cold.tasks[0]?.attempts[0]?.limits.max.origin).toBe('prior');

    const second = await runCli(['run', suite, '--config', config, '--out', join(dir, 'two')], env);
    expect(second.code, second.stderr).toBe(0);
    const warm = readReport(join(dir, 'two', 'report.json'));
    const limits = warm.tasks[0]!.attempts[0]!.limits;
    expect(limits.max.origin).toBe('learned');
    // Learned from ~0.2 s runs: far below the 15-minute prior for unknown commands.
    expect(limits.maxMs).toBeLessThan(60_000);

    const explained = await runCli(
      ['explain-timeout', 'sleep 0.2; echo done', '--shell', '--json', '--config', config],
      { ...env, CC_STRESS_CONFIG: config },
      dir,
    );
    expect(explained.code, explained.stderr).toBe(0);
    const explanation = JSON.parse(explained.stdout) as Record<string, unknown>;
    expect(JSON.stringify(explanation)).toContain('learned');

    const list = await runCli(['history', 'list', '--json'], env);
    expect(list.code).toBe(0);
    const classes = JSON.parse(list.stdout) as { runs: number }[];
    expect(classes.some((c) => c.runs >= 8)).toBe(true);

    const exported = join(dir, 'history.jsonl');
    expect((await runCli(['history', 'export', exported], env)).code).toBe(0);
    const other = workDir();
    const imported = await runCli(['history', 'import', exported], isolatedEnv(other));
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported \d+ run/);
  }, 60_000);

  it('goes on with the embedded store, with one warning, when Redis is unreachable', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const port = await freePort();
    const env = isolatedEnv(dir, { CC_STRESS_REDIS_URL: `redis://127.0.0.1:${port}` });
    const result = await runCli(['run', suite, '--out', join(dir, 'out'), '--reporter', 'line,json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/unreachable/g)?.length).toBe(1);
    // Nothing was lost: the runs are in the embedded store.
    const list = await runCli(['history', 'list', '--json'], isolatedEnv(dir));
    const classes = JSON.parse(list.stdout) as { runs: number }[];
    expect(Math.max(...classes.map((c) => c.runs))).toBe(4);
  }, 60_000);

  it('shares history through Redis when one is configured', async () => {
    const redis = await startRedisServer();
    try {
      const one = workDir();
      const two = workDir();
      const suite = writeSuite(one, suiteText);
      const config = fastLearningConfig(one);
      const first = await runCli(
        ['run', suite, '--config', config, '--out', join(one, 'out')],
        isolatedEnv(one, { CC_STRESS_REDIS_URL: redis.url }),
      );
      expect(first.code, first.stderr).toBe(0);
      // A second runner with its own empty SQLite file sees the first runner's runs through Redis.
      const list = await runCli(
        ['history', 'list', '--json'],
        isolatedEnv(two, { CC_STRESS_REDIS_URL: redis.url }),
      );
      expect(list.code, list.stderr).toBe(0);
      const classes = JSON.parse(list.stdout) as { runs: number }[];
      expect(Math.max(...classes.map((c) => c.runs))).toBe(4);
      // A run there waits only briefly for Redis at its start, yet its very first task already plans from
      // the shared runs.
      const second = await runCli(
        ['run', suite, '--config', config, '--out', join(two, 'out'), '--concurrency', '1'],
        isolatedEnv(two, { CC_STRESS_REDIS_URL: redis.url }),
      );
      expect(second.code, second.stderr).toBe(0);
      const report = readReport(join(two, 'out', 'report.json'));
      expect(report.tasks.map((task) => task.attempts[0]?.limits.max.origin)).toEqual(
        Array(4).fill('learned'),
      );
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('marks classes an older classifier recorded, which no task reads any more', async () => {
    const dir = workDir();
    const env = isolatedEnv(dir);
    const lines = [
      {
        classKey: 'kind:llm-agent',
        runId: 'old',
        durationMs: 5000,
        longestSilenceMs: 10,
        outcome: 'success',
        at: 1,
      },
      {
        classKey: 'v2/kind:llm-agent',
        runId: 'new',
        durationMs: 5000,
        longestSilenceMs: 10,
        outcome: 'success',
        at: 2,
      },
    ];
    const file = writeSuite(dir, lines.map((l) => JSON.stringify(l)).join('\n'), 'old.jsonl');
    expect((await runCli(['history', 'import', file], env)).code).toBe(0);
    const list = await runCli(['history', 'list'], env);
    expect(list.stdout).toMatch(/ kind:llm-agent {2}\(older classifier, not read\)/);
    expect(list.stdout).not.toMatch(/v2\/kind:llm-agent {2}\(older/);
    expect(list.stdout).toContain('1 class(es) were recorded by an older classifier');
  });
});
