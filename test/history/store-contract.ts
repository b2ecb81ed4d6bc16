import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryStore, RunOutcome, RunRecord } from '../../src/history/types.js';

/** Behaviour every HistoryStore must show; each store's test file runs it against a real instance. */

export interface ContractStoreOptions {
  maxRunsPerClass: number;
  maxClasses?: number;
}

export type OpenStore = (options: ContractStoreOptions) => Promise<HistoryStore>;

const T0 = 1_700_000_000_000;

export function run(runId: string, at: number, outcome: RunOutcome = 'success'): RunRecord {
  return { runId, durationMs: 1000 + (at % 1000), longestSilenceMs: at % 97, outcome, at };
}

export const hostileClassKeys = [
  '*',
  '?',
  '[a-z]*',
  'line one\nline two\r\n',
  '\u0000nul',
  "'; DROP TABLE runs; --",
  '{hash-tag}',
  'cc-stress:h:00000000000000000000000000000000:runs',
  '../../etc/passwd',
  'emoji 🚀 and ümlauts',
  ' ',
  'x'.repeat(10 * 1024),
];

export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`${name}: the HistoryStore contract`, () => {
    const opened: HistoryStore[] = [];
    const store = async (options: ContractStoreOptions): Promise<HistoryStore> => {
      const created = await open(options);
      opened.push(created);
      return created;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('keeps only the newest maxRunsPerClass runs of a class, newest first, whatever the arrival order', async () => {
      const s = await store({ maxRunsPerClass: 8 });
      const order = [5, 17, 0, 12, 19, 3, 8, 14, 1, 11, 16, 6, 2, 18, 9, 13, 4, 15, 7, 10];
      for (const i of order) await s.record(['claude -p'], run(`r${i}`, T0 + i));
      const recent = await s.recent('claude -p');
      expect(recent.map((r) => r.runId)).toEqual(['r19', 'r18', 'r17', 'r16', 'r15', 'r14', 'r13', 'r12']);
      expect(recent[0]).toEqual(run('r19', T0 + 19));
      expect((await s.recent('claude -p', 3)).map((r) => r.runId)).toEqual(['r19', 'r18', 'r17']);
      expect(await s.recent('claude -p', 0)).toEqual([]);
      expect(await s.recent('never seen')).toEqual([]);
    });

    it('keeps where each run came from, and leaves older runs without it as they were', async () => {
      const s = await store({ maxRunsPerClass: 8 });
      const real = { ...run('real', T0 + 2), program: 'claude', simulated: false };
      const demo = { ...run('demo', T0 + 1), program: 'fake-agent', simulated: true };
      const old = run('old', T0);
      await s.record(['v2/verb:claude -p'], real);
      await s.record(['v2/verb:claude -p'], demo);
      await s.record(['v2/verb:claude -p'], old);
      expect(await s.recent('v2/verb:claude -p')).toEqual([real, demo, old]);
    });

    it('keeps the limit a cut-off met, and records without one read back without one', async () => {
      const s = await store({ maxRunsPerClass: 8 });
      const cut: RunRecord = { ...run('cut', T0 + 2, 'killed-max'), limitMs: 900_000 };
      const old = run('old', T0 + 1, 'killed-stall');
      await s.record(['npm test'], cut);
      await s.record(['npm test'], old);
      const recent = await s.recent('npm test');
      expect(recent).toEqual([cut, old]);
      expect('limitMs' in recent[1]!).toBe(false);
    });

    it('keeps a run’s longest quiet stretch, and reads older records back without one', async () => {
      const s = await store({ maxRunsPerClass: 8 });
      const busy: RunRecord = { ...run('busy', T0 + 2), longestQuietMs: 1_234_000 };
      const old = run('old', T0 + 1);
      await s.record(['cargo build'], busy);
      await s.record(['cargo build'], old);
      const recent = await s.recent('cargo build');
      expect(recent).toEqual([busy, old]);
      expect('longestQuietMs' in recent[1]!).toBe(false);
    });

    it('stores a run once per class however often it is recorded (replay is harmless)', async () => {
      const s = await store({ maxRunsPerClass: 16 });
      const record = run('same-run', T0 + 1, 'killed-max');
      await s.record(['exact', 'exact', 'template'], record);
      await s.record(['exact', 'template', 'kind'], record);
      await Promise.all([s.record(['exact'], record), s.record(['exact'], record)]);
      expect(await s.recent('exact')).toEqual([record]);
      expect(await s.recent('template')).toEqual([record]);
      expect(await s.recent('kind')).toEqual([record]);
      const classes = await s.classes();
      expect(classes.map((c) => [c.classKey, c.runs]).sort()).toEqual([
        ['exact', 1],
        ['kind', 1],
        ['template', 1],
      ]);
    });

    it('lists classes by last use; an old replayed run does not make a class look older', async () => {
      const s = await store({ maxRunsPerClass: 16 });
      await s.record(['a'], run('a1', T0 + 10));
      await s.record(['b'], run('b1', T0 + 20));
      await s.record(['a'], run('a2', T0 + 30));
      await s.record(['b'], run('b0', T0 + 5));
      expect(await s.classes()).toEqual([
        { classKey: 'a', runs: 2, lastAt: T0 + 30 },
        { classKey: 'b', runs: 2, lastAt: T0 + 20 },
      ]);
      expect(await s.classes(1)).toEqual([{ classKey: 'a', runs: 2, lastAt: T0 + 30 }]);
    });

    it('prunes classes last used before a time and keeps the rest', async () => {
      const s = await store({ maxRunsPerClass: 16 });
      await s.record(['old', 'shared'], run('o1', T0 + 1));
      await s.record(['older'], run('o0', T0));
      await s.record(['new', 'shared'], run('n1', T0 + 100));
      expect(await s.prune(T0 + 50)).toBe(2);
      expect(await s.recent('old')).toEqual([]);
      expect(await s.recent('older')).toEqual([]);
      expect((await s.recent('shared')).map((r) => r.runId)).toEqual(['n1', 'o1']);
      expect((await s.classes()).map((c) => c.classKey).sort()).toEqual(['new', 'shared']);
      expect(await s.prune(T0 + 50)).toBe(0);
    });

    it('evicts the least recently used classes beyond its class limit', async () => {
      const s = await store({ maxRunsPerClass: 8, maxClasses: 5 });
      for (let i = 0; i < 8; i += 1) await s.record([`class ${i}`], run(`r${i}`, T0 + i));
      const classes = await s.classes();
      expect(classes.map((c) => c.classKey)).toEqual(['class 7', 'class 6', 'class 5', 'class 4', 'class 3']);
      expect(await s.recent('class 0')).toEqual([]);
      expect(await s.recent('class 7')).toHaveLength(1);
    });

    it('treats hostile class keys as plain text', async () => {
      const s = await store({ maxRunsPerClass: 8 });
      for (const [i, key] of hostileClassKeys.entries()) await s.record([key], run(`h${i}`, T0 + i));
      for (const [i, key] of hostileClassKeys.entries()) {
        expect((await s.recent(key)).map((r) => r.runId)).toEqual([`h${i}`]);
      }
      const listed = (await s.classes()).map((c) => c.classKey);
      expect(listed.sort()).toEqual([...hostileClassKeys].sort());
      expect(await s.recent('*x')).toEqual([]);
    });
  });
}
