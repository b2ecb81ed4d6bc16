import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/history/errors.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { exportHistory, importHistory } from '../../src/history/transfer.js';
import type { HistoryStore } from '../../src/history/types.js';
import { hostileClassKeys, run } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-transfer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportText(store: HistoryStore): Promise<{ text: string; count: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const count = await exportHistory(store, out);
  out.end();
  return { text: Buffer.concat(chunks).toString('utf8'), count };
}

async function snapshot(store: HistoryStore): Promise<unknown> {
  // Classes last used at the same moment may come in any order.
  const classes = (await store.classes()).sort((a, b) => (a.classKey < b.classKey ? -1 : 1));
  return Promise.all(classes.map(async (c) => ({ ...c, runs: await store.recent(c.classKey) })));
}

describe('history export and import (JSON lines)', () => {
  it('round-trips every class and run, hostile class keys included, from SQLite into another store', async () => {
    const source = SqliteHistoryStore.open(join(dir, 'source.db'), { maxRunsPerClass: 32 });
    for (let i = 0; i < 40; i += 1) {
      await source.record(
        ['claude -p', `claude -p template ${i % 3}`],
        run(`r${i}`, 1_700_000_000_000 + i, i % 7 === 0 ? 'killed-max' : 'success'),
      );
    }
    for (const [i, key] of hostileClassKeys.entries())
      await source.record([key], run(`h${i}`, 1_600_000_000_000 + i));
    const { text, count } = await exportText(source);
    const lines = text.trimEnd().split('\n');
    expect(count).toBe(lines.length);
    expect(new Set(lines.map((line) => JSON.parse(line).classKey)).size).toBe(4 + hostileClassKeys.length);
    expect(JSON.parse(lines[0]!)).toMatchObject(run('r39', 1_700_000_000_039));

    const file = join(dir, 'backup.jsonl');
    writeFileSync(file, text);
    const target = new MemoryHistoryStore({ maxRunsPerClass: 32 });
    expect(await importHistory(target, createReadStream(file), file)).toBe(count);
    expect(await snapshot(target)).toEqual(await snapshot(source));
    await source.close();
  });

  it('imports the same file twice without duplicating a run', async () => {
    const lines = [0, 1, 2].map((i) => JSON.stringify({ classKey: 'npm test', ...run(`r${i}`, i + 1) }));
    const store = SqliteHistoryStore.open(join(dir, 'twice.db'), { maxRunsPerClass: 32 });
    await importHistory(store, lines, 'a.jsonl');
    await importHistory(store, lines, 'a.jsonl');
    expect((await store.recent('npm test')).map((r) => r.runId)).toEqual(['r2', 'r1', 'r0']);
    await store.close();
  });

  it('rejects a bad line with its line number and field, after importing the lines before it', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 32 });
    const lines = [
      JSON.stringify({ classKey: 'k', ...run('ok', 1) }),
      '',
      JSON.stringify({ classKey: 'k', ...run('bad', 2), outcome: 'exploded' }),
    ];
    const failure = importHistory(store, lines, 'backup.jsonl');
    await expect(failure).rejects.toBeInstanceOf(HistoryError);
    await expect(failure).rejects.toThrow(/^backup\.jsonl:3: outcome: /);
    expect((await store.recent('k')).map((r) => r.runId)).toEqual(['ok']);

    await expect(importHistory(store, ['{"classKey": "k",'], 'x.jsonl')).rejects.toThrow(
      /^x\.jsonl:1: not valid JSON/,
    );
    const negative = JSON.stringify({ classKey: 'k', ...run('neg', 3), durationMs: -5 });
    await expect(importHistory(store, [negative], 'x.jsonl')).rejects.toThrow(/^x\.jsonl:1: durationMs: /);
    await expect(importHistory(store, [JSON.stringify(run('nokey', 4))], 'x.jsonl')).rejects.toThrow(
      /^x\.jsonl:1: classKey: /,
    );
  });
});
