import { describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { shardCutoff } from '../../src/run/shard.js';
import { loadSuite } from '../../src/suite/index.js';
import { classify } from '../../src/timeouts/classify.js';
import { isolatedEnv, runCli, workDir, writeSuite } from '../cli/cli-support.js';

const suiteText = `
name: balanced
tasks:
  - { id: slow-build, command: make release }
  - { id: mid-test, command: npm test }
${Array.from({ length: 8 }, (_, i) => `  - { id: quick-${i}, command: "echo ${i}" }`).join('\n')}
`;

const SECONDS: Record<string, number> = { 'slow-build': 600, 'mid-test': 300 };

/** Writes `runs` runs per task, ending at `at`, under every class key the runner would use. */
async function seed(historyPath: string, suitePath: string, at: number, scale = 1): Promise<void> {
  const store = SqliteHistoryStore.open(historyPath, { maxRunsPerClass: 256 });
  try {
    for (const task of loadSuite(suitePath).tasks) {
      const keys = classify(task).levels.map((l) => l.key);
      const ms = (SECONDS[task.id] ?? 20) * 1000 * scale;
      for (let i = 0; i < 5; i++) {
        await store.record(keys, {
          runId: `${task.id}-${at}-${i}`,
          durationMs: ms,
          longestSilenceMs: 0,
          outcome: 'success',
          at: at - i,
        });
      }
    }
  } finally {
    await store.close();
  }
}

async function listShards(suite: string, env: NodeJS.ProcessEnv, total: number): Promise<string[][]> {
  const results = await Promise.all(
    Array.from({ length: total }, (_, i) =>
      runCli(['run', suite, '--list', '--shard', `${i + 1}/${total}`], env),
    ),
  );
  return results.map((result) => {
    expect(result.code, result.stderr).toBe(0);
    return result.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => line.split('\t')[0]!);
  });
}

describe('--shard balanced by history', () => {
  it('splits by the durations of earlier days, the same in every shard while today’s runs come in', async () => {
    const dir = workDir();
    const suite = writeSuite(dir, suiteText);
    const env = isolatedEnv(dir);
    const historyPath = env.CC_STRESS_HISTORY!;

    // Without history: round-robin in suite order.
    const cold = await listShards(suite, env, 3);
    expect(cold[0]).toEqual(['slow-build', 'quick-1', 'quick-4', 'quick-7']);

    await seed(historyPath, suite, shardCutoff(Date.now()) - 3600_000);
    const warm = await listShards(suite, env, 3);
    expect(warm).toEqual([['slow-build'], ['mid-test'], Array.from({ length: 8 }, (_, i) => `quick-${i}`)]);

    // Other shards recording today's runs, with wildly different durations, change nothing.
    await seed(historyPath, suite, Date.now(), 1 / 1000);
    expect(await listShards(suite, env, 3)).toEqual(warm);
  }, 60_000);
});
