import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { RunOutcome, RunRecord } from '../../src/history/types.js';
import { levelWeight, roundRobin, selectShard, shardCutoff, splitShards } from '../../src/run/shard.js';
import type { TaskSpec } from '../../src/suite/types.js';
import { classify } from '../../src/timeouts/classify.js';
import { spec } from '../report/fixtures.js';

function task(id: string, argv: string[] = ['sleep', '1']): TaskSpec {
  return spec(id, { name: id, argv, cwd: '/work' });
}

const DAY = 24 * 3600 * 1000;
const NOW = Date.UTC(2025, 5, 10, 14, 30);
const YESTERDAY = shardCutoff(NOW) - 6 * 3600 * 1000;

let runs = 0;
function run(durationMs: number, at: number, outcome: RunOutcome = 'success'): RunRecord {
  runs++;
  return { runId: `r${runs}`, durationMs, longestSilenceMs: 0, outcome, at };
}

const ids = (shard: readonly TaskSpec[]) => shard.map((t) => t.id);

/** Task lists with unique ids, as an expanded suite has, and optional weights for some of them. */
const suites = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 60 }).chain((names) =>
  fc.record({
    tasks: fc.constant(names.map((name) => task(name))),
    weights: fc.array(fc.option(fc.integer({ min: 1, max: 2 ** 30 })), {
      minLength: names.length,
      maxLength: names.length,
    }),
    total: fc.integer({ min: 1, max: 12 }),
  }),
);

describe('splitShards', () => {
  it('covers the suite exactly once for any tasks, weights and shard count', () => {
    fc.assert(
      fc.property(suites, ({ tasks, weights, total }) => {
        const known = new Map<TaskSpec, number>();
        tasks.forEach((t, i) => {
          const w = weights[i];
          if (w !== null && w !== undefined) known.set(t, w);
        });
        const shards = splitShards(tasks, total, known);
        expect(shards).toHaveLength(total);
        const all = shards.flat();
        expect(all).toHaveLength(tasks.length);
        expect(new Set(all).size).toBe(tasks.length);
        expect(new Set(all)).toEqual(new Set(tasks));
        // Each shard keeps suite order, so its report reads like the suite.
        for (const shard of shards) {
          const positions = shard.map((t) => tasks.indexOf(t));
          expect(positions).toEqual([...positions].sort((a, b) => a - b));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives every shard the same split from the same input, whatever the order of the weight map', () => {
    fc.assert(
      fc.property(suites, ({ tasks, weights, total }) => {
        const entries = tasks.flatMap((t, i) => (weights[i] ? [[t, weights[i]] as const] : []));
        const a = splitShards(tasks, total, new Map(entries));
        const b = splitShards(tasks, total, new Map([...entries].reverse()));
        expect(a.map(ids)).toEqual(b.map(ids));
      }),
      { numRuns: 300 },
    );
  });

  it('balances by weight: no shard exceeds the average load by more than one task', () => {
    fc.assert(
      fc.property(suites, ({ tasks, weights, total }) => {
        const complete = new Map(tasks.map((t, i) => [t, weights[i] ?? 1000]));
        const loads = splitShards(tasks, total, complete).map((s) =>
          s.reduce((sum, t) => sum + complete.get(t)!, 0),
        );
        const sum = [...complete.values()].reduce((a, b) => a + b, 0);
        const heaviest = Math.max(0, ...complete.values());
        // The greedy bound: the last task placed on the fullest shard went to the lightest one.
        for (const load of loads) expect(load).toBeLessThanOrEqual(sum / total + heaviest);
      }),
      { numRuns: 300 },
    );
  });

  it('puts one long task alone and spreads the short ones over the other shards', () => {
    const tasks = ['a', 'b', 'c', 'd', 'e', 'f', 'long'].map((id) => task(id));
    const weights = new Map(tasks.map((t) => [t, t.id === 'long' ? 600_000 : 10_000]));
    const shards = splitShards(tasks, 2, weights);
    expect(shards.map(ids)).toEqual([['long'], ['a', 'b', 'c', 'd', 'e', 'f']]);
  });

  it('falls back to round-robin in suite order without weights', () => {
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((id) => task(id));
    expect(splitShards(tasks, 2, new Map()).map(ids)).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
    expect(roundRobin([1, 2, 3], 5)).toEqual([[1], [2], [3], [], []]);
  });
});

describe('levelWeight', () => {
  const cutoff = shardCutoff(NOW);

  it('uses only runs before the start of the UTC day, at most the newest 20', () => {
    expect(cutoff).toBe(Date.UTC(2025, 5, 10));
    const old = Array.from({ length: 20 }, (_, i) => run(4000, cutoff - 1000 - i));
    const older = Array.from({ length: 50 }, (_, i) => run(900_000, cutoff - DAY - i));
    const today = Array.from({ length: 30 }, (_, i) => run(60_000_000, cutoff + i));
    expect(levelWeight([...today, ...old, ...older], cutoff)).toBe(4096);
  });

  it('needs 3 usable runs and ignores rate-limited ones', () => {
    expect(levelWeight([run(1000, YESTERDAY), run(1000, YESTERDAY)], cutoff)).toBeUndefined();
    expect(
      levelWeight(
        [run(1000, YESTERDAY), run(1000, YESTERDAY), run(5, YESTERDAY, 'retry-later'), run(1000, NOW)],
        cutoff,
      ),
    ).toBeUndefined();
    expect(
      levelWeight([run(1000, YESTERDAY), run(1000, YESTERDAY), run(2000, YESTERDAY, 'killed-max')], cutoff),
    ).toBe(1024);
  });

  it('rounds to a power of two, so a slightly different set of runs rarely changes a weight', () => {
    const base = [run(5000, YESTERDAY), run(5200, YESTERDAY), run(4900, YESTERDAY)];
    expect(levelWeight(base, cutoff)).toBe(4096);
    expect(levelWeight([...base, run(5600, YESTERDAY)], cutoff)).toBe(4096);
  });
});

describe('selectShard with history', () => {
  const suite = [
    task('agent-long', ['claude', '-p', 'refactor the parser']),
    ...Array.from({ length: 6 }, (_, i) => task(`unit-${i}`, ['npm', 'test', '--', `case${i}`])),
    task('build', ['make', 'all']),
    task('new-task', ['some-new-tool', 'run']),
  ];

  async function seeded(): Promise<MemoryHistoryStore> {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    for (const t of suite) {
      const keys = classify(t).levels.map((l) => l.key);
      const ms =
        t.id === 'agent-long' ? 600_000 : t.id === 'build' ? 120_000 : t.id === 'new-task' ? 0 : 20_000;
      if (ms === 0) continue;
      for (let i = 0; i < 5; i++) await store.record(keys, run(ms, YESTERDAY - i * 1000));
    }
    return store;
  }

  it('balances by history and says so', async () => {
    const store = await seeded();
    const shards = await Promise.all(
      [1, 2, 3].map((index) => selectShard(suite, { index, total: 3 }, store, { now: NOW })),
    );
    expect(shards.map((s) => s.method)).toEqual(['history', 'history', 'history']);
    expect(shards.map((s) => ids(s.tasks))).toEqual([
      ['agent-long'],
      ['build'],
      ['unit-0', 'unit-1', 'unit-2', 'unit-3', 'unit-4', 'unit-5', 'new-task'],
    ]);
    // new-task has no history of its own and weighs the median of the others.
    expect(shards[0]!.weighed).toBe(suite.length - 1);
  });

  it('fingerprints the whole split: the same in every shard, different when the split differs', async () => {
    const store = await seeded();
    const shards = await Promise.all(
      [1, 2, 3].map((index) => selectShard(suite, { index, total: 3 }, store, { now: NOW })),
    );
    expect(new Set(shards.map((s) => s.split)).size).toBe(1);
    expect(shards[0]!.split).toMatch(/^[0-9a-f]{16}$/);
    const roundRobin = await selectShard(suite, { index: 1, total: 3 }, undefined, { now: NOW });
    expect(ids(roundRobin.tasks)).not.toEqual(ids(shards[0]!.tasks));
    expect(roundRobin.split).not.toBe(shards[0]!.split);
  });

  it('computes the same split while other shards record runs of today, slower or faster', async () => {
    const store = await seeded();
    const before = await selectShard(suite, { index: 2, total: 3 }, store, { now: NOW });
    for (const t of suite) {
      const keys = classify(t).levels.map((l) => l.key);
      for (let i = 0; i < 40; i++) {
        await store.record(keys, run(t.id === 'agent-long' ? 1000 : 9_000_000, shardCutoff(NOW) + i));
      }
    }
    const after = await selectShard(suite, { index: 2, total: 3 }, store, { now: NOW + 3600_000 });
    expect(ids(after.tasks)).toEqual(ids(before.tasks));
    expect(after.split).toBe(before.split);
  });

  it('falls back to round-robin without history or with --no-history', async () => {
    const empty = new MemoryHistoryStore({ maxRunsPerClass: 256 });
    const withEmpty = await selectShard(suite, { index: 1, total: 4 }, empty, { now: NOW });
    const without = await selectShard(suite, { index: 1, total: 4 }, undefined, { now: NOW });
    expect(withEmpty.method).toBe('round-robin');
    expect(ids(withEmpty.tasks)).toEqual(['agent-long', 'unit-3', 'new-task']);
    expect(ids(without.tasks)).toEqual(ids(withEmpty.tasks));
  });

  it('treats a store that cannot be read as having no history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-stress-shard-'));
    const closed = SqliteHistoryStore.open(join(dir, 'history.db'), { maxRunsPerClass: 256 });
    await closed.close();
    await expect(closed.recent('kind:other')).rejects.toThrow();
    const selection = await selectShard(suite, { index: 1, total: 2 }, closed, { now: NOW });
    expect(selection.method).toBe('round-robin');
    rmSync(dir, { recursive: true, force: true });
  });
});
