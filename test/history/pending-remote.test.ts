import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/history/errors.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { run } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-pending-'));
let files = 0;
const opened: SqliteHistoryStore[] = [];

function open(path = join(dir, `history-${++files}.db`)): SqliteHistoryStore {
  const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 64 });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'redis://127.0.0.1:6379 cc-stress';
const B = 'redis://10.0.0.2:6379 cc-stress';

describe('the replay queue in the history file', () => {
  it('hands out entries oldest first, in batches, until they are removed', () => {
    const queue = open().pendingFor(A, 100);
    for (let i = 0; i < 5; i += 1)
      expect(queue.add(['npm test', `own ${i}`], run(`r${i}`, 1000 + i))).toBe(0);
    expect(queue.count()).toBe(5);

    const first = queue.after(0, 3);
    expect(first.entries.map((entry) => entry.record.runId)).toEqual(['r0', 'r1', 'r2']);
    expect(first.entries[1]).toMatchObject({ classKeys: ['npm test', 'own 1'], record: run('r1', 1001) });
    const second = queue.after(first.lastSeq, 3);
    expect(second.entries.map((entry) => entry.record.runId)).toEqual(['r3', 'r4']);
    expect(queue.after(second.lastSeq, 3)).toEqual({ entries: [], lastSeq: second.lastSeq });

    queue.remove(first.entries.map((entry) => entry.seq));
    expect(queue.count()).toBe(2);
    expect(queue.after(0, 10).entries.map((entry) => entry.record.runId)).toEqual(['r3', 'r4']);
  });

  it('queues a run once, with its class keys once each', () => {
    const queue = open().pendingFor(A, 100);
    queue.add(['a', 'b', 'a'], run('same', 1));
    queue.add(['a', 'b'], run('same', 1));
    expect(queue.count()).toBe(1);
    expect(queue.after(0, 10).entries[0]!.classKeys).toEqual(['a', 'b']);
  });

  it('keeps at most `limit` entries in the file, dropping the oldest and saying how many', () => {
    const path = join(dir, `history-${++files}.db`);
    const queue = open(path).pendingFor(A, 5);
    let dropped = 0;
    for (let i = 0; i < 12; i += 1) dropped += queue.add(['go test'], run(`g${i}`, i));
    expect(dropped).toBe(7);
    expect(queue.after(0, 100).entries.map((entry) => entry.record.runId)).toEqual([
      'g7',
      'g8',
      'g9',
      'g10',
      'g11',
    ]);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM pending_remote').get()).toEqual({ n: 5 });
    db.close();
  });

  it('drops nothing while gaps left by replayed entries keep the count within the bound', () => {
    const queue = open().pendingFor(A, 3);
    for (const id of ['a', 'b', 'c']) queue.add(['k'], run(id, 1));
    const b = queue.after(0, 10).entries.find((entry) => entry.record.runId === 'b')!;
    queue.remove([b.seq]);
    expect(queue.add(['k'], run('d', 2))).toBe(0);
    expect(queue.add(['k'], run('e', 3))).toBe(1);
    expect(queue.after(0, 10).entries.map((entry) => entry.record.runId)).toEqual(['c', 'd', 'e']);
  });

  it('keeps the queues of different remote stores apart', () => {
    const store = open();
    const a = store.pendingFor(A, 100);
    const b = store.pendingFor(B, 100);
    a.add(['k'], run('for-a', 1));
    b.add(['k'], run('for-b', 2));
    b.add(['k'], run('for-a', 1));
    expect(a.after(0, 10).entries.map((entry) => entry.record.runId)).toEqual(['for-a']);
    expect(b.after(0, 10).entries.map((entry) => entry.record.runId)).toEqual(['for-b', 'for-a']);
    a.remove(a.after(0, 10).entries.map((entry) => entry.seq));
    expect([a.count(), b.count()]).toEqual([0, 2]);
  });

  it('never reuses a seq, so removing what one replayed cannot remove what another queued since', () => {
    const path = join(dir, `history-${++files}.db`);
    const mine = open(path).pendingFor(A, 100);
    const theirs = open(path).pendingFor(A, 100);
    mine.add(['k'], run('old', 1));
    const read = mine.after(0, 10).entries;
    // Another process replays and removes the same entry, then queues a new one.
    theirs.remove(theirs.after(0, 10).entries.map((entry) => entry.seq));
    theirs.add(['k'], run('new', 2));
    mine.remove(read.map((entry) => entry.seq));
    expect(theirs.after(0, 10).entries.map((entry) => entry.record.runId)).toEqual(['new']);
  });

  it('skips a row it cannot read without stalling the ones after it', () => {
    const path = join(dir, `history-${++files}.db`);
    const queue = open(path).pendingFor(A, 100);
    queue.add(['k'], run('before', 1));
    const db = new Database(path);
    db.prepare(
      'INSERT INTO pending_remote (target, run_id, class_keys, record) VALUES (?, \'odd\', \'["k"]\', \'{"runId":"odd","outcome":"from-the-future"}\')',
    ).run(A);
    db.close();
    queue.add(['k'], run('after', 2));
    const batch = queue.after(0, 10);
    expect(batch.entries.map((entry) => entry.record.runId)).toEqual(['before', 'after']);
    expect(queue.after(batch.lastSeq, 10).entries).toEqual([]);
    expect(queue.count()).toBe(3);
  });

  it('fails with a one-line HistoryError naming the file once the store is closed', async () => {
    const store = open();
    await store.close();
    expect(() => store.pendingFor(A, 10)).toThrow(HistoryError);
    expect(() => store.pendingFor(A, 10)).toThrow(/already closed/);
  });
});
