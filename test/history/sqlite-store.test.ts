import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/history/errors.js';
import { SCHEMA_VERSION } from '../../src/history/sqlite-schema.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import { describeStoreContract, run } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-sqlite-'));
let files = 0;
function freshPath(): string {
  files += 1;
  return join(dir, `nested/folder-${files}`, 'history.db');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('SqliteHistoryStore', async (options) => SqliteHistoryStore.open(freshPath(), options));

function openError(path: string): string {
  try {
    SqliteHistoryStore.open(path, { maxRunsPerClass: 8 }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(HistoryError);
    return (error as Error).message;
  }
  throw new Error(`opening ${path} did not fail`);
}

describe('SqliteHistoryStore', () => {
  it('answers from memory exactly what the file holds, whatever two runners sharing it write', async () => {
    const step = fc.record({
      writer: fc.constantFrom(0, 1),
      keys: fc.subarray(['a', 'b', 'c'], { minLength: 1 }),
      at: fc.integer({ min: 0, max: 50 }),
      id: fc.integer({ min: 0, max: 40 }),
      read: fc.constantFrom('a', 'b', 'c'),
      limit: fc.integer({ min: 1, max: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 40 }),
        fc.constantFrom(2, 3, 8),
        async (steps, maxClasses) => {
          const path = freshPath();
          const options = { maxRunsPerClass: 6, maxClasses };
          const runners = [SqliteHistoryStore.open(path, options), SqliteHistoryStore.open(path, options)];
          try {
            for (const s of steps) {
              await runners[s.writer]!.record(s.keys, run(`r${s.id}`, s.at));
              const fresh = SqliteHistoryStore.open(path, options);
              const truth = await fresh.recent(s.read, s.limit);
              await fresh.close();
              for (const runner of runners) expect(await runner.recent(s.read, s.limit)).toEqual(truth);
            }
          } finally {
            for (const runner of runners) await runner.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers a replay of a run the cached window no longer shows as the file does: ignored', async () => {
    const store = SqliteHistoryStore.open(freshPath(), { maxRunsPerClass: 6 });
    await store.record(['b'], run('r37', 0));
    await store.record(['b'], run('r4', 0));
    // Same time, so the file orders by run id: r4 first, and a window of one holds only r4.
    expect(await store.recent('b', 1)).toEqual([run('r4', 0)]);
    await store.record(['b'], run('r37', 1));
    expect(await store.recent('b', 1)).toEqual([run('r4', 0)]);
    expect(await store.recent('b')).toEqual([run('r4', 0), run('r37', 0)]);
    await store.close();
  });

  it('creates its folder and keeps history across reopening', async () => {
    const path = freshPath();
    const first = SqliteHistoryStore.open(path, { maxRunsPerClass: 8 });
    await first.record(['npm test'], run('r1', 1));
    await first.close();
    const second = SqliteHistoryStore.open(path, { maxRunsPerClass: 8 });
    expect(await second.recent('npm test')).toEqual([run('r1', 1)]);
    await second.close();
  });

  it('uses WAL, a busy timeout and a versioned schema', async () => {
    const path = freshPath();
    await SqliteHistoryStore.open(path, { maxRunsPerClass: 8 }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('bounds the file: a class never holds more than maxRunsPerClass rows, however many runs arrive', async () => {
    const path = freshPath();
    const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 16 });
    for (let i = 0; i < 500; i += 1) await store.record(['a', 'b', `c${i % 4}`], run(`r${i}`, i));
    await store.close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number };
    expect(rows.n).toBe(16 * 6);
    db.close();
  });

  it('never puts a class key into SQL text', async () => {
    const store = SqliteHistoryStore.open(freshPath(), { maxRunsPerClass: 8 });
    const evil = "x'); DELETE FROM runs; --";
    await store.record(['victim'], run('v', 1));
    await store.record([evil], run('e', 2));
    expect(await store.recent('victim')).toHaveLength(1);
    expect(await store.recent(evil)).toHaveLength(1);
    await store.close();
  });

  it('moves a file that is not a database aside, says so once, and starts a fresh one', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not a database\n'.repeat(200));
    const warnings: string[] = [];
    const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 8, onWarning: (m) => warnings.push(m) });
    await store.record(['npm test'], run('after', 1));
    expect(await store.recent('npm test')).toEqual([run('after', 1)]);
    await store.close();
    expect(warnings).toHaveLength(1);
    const aside = /moved it to (\S+) and started a fresh one/.exec(warnings[0]!)?.[1];
    expect(aside).toBeDefined();
    expect(readFileSync(aside!, 'utf8')).toContain('this is not a database');
  });

  it('moves a file with damaged pages aside at open instead of failing every record', async () => {
    const path = freshPath();
    const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 256 });
    for (let i = 0; i < 300; i += 1) await store.record(['npm test'], run(`r${i}`, i));
    await store.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, 4096 * 2);
    closeSync(fd);
    const warnings: string[] = [];
    const reopened = SqliteHistoryStore.open(path, {
      maxRunsPerClass: 256,
      onWarning: (m) => warnings.push(m),
    });
    await reopened.record(['npm test'], run('fresh', 1));
    expect(await reopened.recent('npm test')).toEqual([run('fresh', 1)]);
    await reopened.close();
    expect(warnings).toEqual([
      expect.stringMatching(/history file .* was damaged .*moved it to .*\.damaged-/),
    ]);
  });

  it('refuses a path whose folder does not exist when it may not create folders', () => {
    const path = join(dir, 'no-such-folder', 'deeper', 'history.db');
    expect(() => SqliteHistoryStore.open(path, { maxRunsPerClass: 8, createFolder: false })).toThrow(
      /the folder of the history file .*no-such-folder\/deeper\/history\.db does not exist/,
    );
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });

  it('refuses a SQLite database that is not a history file rather than writing into it', () => {
    const path = join(dir, 'someone-elses.db');
    const db = new Database(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)');
    db.close();
    expect(openError(path)).toMatch(/not a cc-stress history file/);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: 'invoices' },
    ]);
    check.close();
  });

  it('refuses a history file from a newer schema instead of guessing', async () => {
    const path = freshPath();
    await SqliteHistoryStore.open(path, { maxRunsPerClass: 8 }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(openError(path)).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}.*upgrade cc-stress`));
  });

  it('upgrades a file written by the first schema in place, keeping its runs', async () => {
    const path = join(dir, 'schema-1.db');
    // The first schema as it shipped, frozen here: files like this exist on users' machines.
    const old = new Database(path);
    old.exec(`
      CREATE TABLE classes (id INTEGER PRIMARY KEY, class_key TEXT NOT NULL UNIQUE, last_at INTEGER NOT NULL);
      CREATE INDEX classes_by_last_use ON classes (last_at);
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL, at INTEGER NOT NULL, duration_ms REAL NOT NULL,
        longest_silence_ms REAL NOT NULL, outcome TEXT NOT NULL, UNIQUE (class_id, run_id));
      CREATE INDEX runs_by_class_time ON runs (class_id, at, run_id);
      INSERT INTO classes (id, class_key, last_at) VALUES (1, 'npm test', 7);
      INSERT INTO runs (class_id, run_id, at, duration_ms, longest_silence_ms, outcome)
        VALUES (1, 'old-run', 7, 1007, 7, 'success');
    `);
    old.pragma('application_id = 1667462004');
    old.pragma('user_version = 1');
    old.close();

    const store = SqliteHistoryStore.open(path, { maxRunsPerClass: 8 });
    expect(await store.recent('npm test')).toEqual([run('old-run', 7)]);
    expect(store.pendingFor('somewhere', 10).count()).toBe(0);
    // Runs recorded after the migration keep their provenance next to the old ones.
    const withProvenance = {
      ...run('new-run', 9),
      program: 'npm',
      simulated: false,
      longestQuietMs: 400,
    };
    await store.record(['npm test'], withProvenance);
    expect(await store.recent('npm test')).toEqual([withProvenance, run('old-run', 7)]);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('explains a path whose folder cannot be created', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const path = join(blocker, 'history.db');
    const message = openError(path);
    expect(message).toContain(path);
    expect(message).toMatch(/cannot open the history file/);
  });

  it('reports use after close clearly', async () => {
    const store = SqliteHistoryStore.open(freshPath(), { maxRunsPerClass: 8 });
    await store.close();
    await expect(store.recent('x')).rejects.toThrow(/already closed/);
  });
});
