import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { finished, removeFixtureTree, runWritersTogether, spawnFixture } from './child-process.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-sqlite-procs-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeFixtureTree();
});

function writerArgs(options: Record<string, unknown>): string[] {
  return [JSON.stringify({ store: 'sqlite', ...options })];
}

describe('SqliteHistoryStore shared by several processes', () => {
  it('loses no record when 4 processes write to one new file at the same time', async () => {
    const path = join(dir, 'shared', 'history.db');
    const perWriter = 200;
    const results = await runWritersTogether(
      ['w0', 'w1', 'w2', 'w3'].map((writer) => ({
        store: 'sqlite',
        target: path,
        maxRunsPerClass: 2000,
        writer,
        count: perWriter,
        classKeys: ['claude -p', 'own {writer}'],
      })),
    );
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });

    const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 2000 });
    const shared = await store.recent('claude -p');
    expect(shared).toHaveLength(4 * perWriter);
    expect(new Set(shared.map((r) => r.runId)).size).toBe(4 * perWriter);
    for (const writer of ['w0', 'w1', 'w2', 'w3']) {
      expect(await store.recent(`own ${writer}`)).toHaveLength(perWriter);
    }
    await store.close();
  });

  it('survives a writer killed with SIGKILL mid-write: no corruption, every acknowledged run kept', async () => {
    const path = join(dir, 'crash', 'history.db');
    const maxRunsPerClass = 64;
    for (let round = 0; round < 2; round += 1) {
      const child = spawnFixture(
        'writer',
        writerArgs({
          target: path,
          maxRunsPerClass,
          writer: `crash${round}`,
          count: 0,
          classKeys: ['npm test', 'crash {writer}'],
        }),
      );
      const acknowledged: string[] = [];
      let partial = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) acknowledged.push(line.replace(/^committed /, ''));
      });
      const ended = finished(child);
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (acknowledged.length >= 200 + round * 37) {
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      child.kill('SIGKILL');
      expect((await ended).signal).toBe('SIGKILL');

      const db = new Database(path, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const store = SqliteHistoryStore.open(path, { maxRunsPerClass });
      const kept = new Set((await store.recent(`crash crash${round}`)).map((r) => r.runId));
      const newestAcknowledged = acknowledged.slice(-(maxRunsPerClass - 1));
      for (const runId of newestAcknowledged) expect(kept).toContain(runId);
      expect(kept.size).toBe(maxRunsPerClass);
      // The next run carries on with the same file.
      await store.record(['npm test'], {
        runId: `after-crash-${round}`,
        durationMs: 1,
        longestSilenceMs: 0,
        outcome: 'success',
        at: 1_800_000_000_000 + round,
      });
      expect((await store.recent('npm test', 1))[0]!.runId).toBe(`after-crash-${round}`);
      await store.close();
    }
  });
});
