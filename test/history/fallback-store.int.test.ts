import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import type { FallbackHistoryStore } from '../../src/history/fallback-store.js';
import { openHistoryStore } from '../../src/history/open-store.js';
import { RedisHistoryStore } from '../../src/history/redis-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { HistoryStore } from '../../src/history/types.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { run } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-fallback-'));
const defaults = configSchema.parse({}).history;
const T0 = 1_700_000_000_000;
/** The promise every record/recent call keeps: no waiting on Redis beyond ~300 ms. */
const CALL_LIMIT_MS = 300;

const servers: RedisServer[] = [];
const stores: HistoryStore[] = [];
let files = 0;

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function server(options: { persist?: boolean; port?: number } = {}): Promise<RedisServer> {
  const started = await startRedisServer(options);
  servers.push(started);
  return started;
}

interface Runner {
  store: FallbackHistoryStore;
  keyPrefix: string;
  warnings: string[];
  historyPath: string;
  openedInMs: number;
}

async function runner(redisUrl: string, overrides: Partial<typeof defaults> = {}): Promise<Runner> {
  files += 1;
  const historyPath = join(dir, `runner-${files}`, 'history.db');
  const warnings: string[] = [];
  const config = { ...defaults, keyPrefix: `fb${files}`, ...overrides };
  const started = performance.now();
  const store = await openHistoryStore({
    historyPath,
    redisUrl,
    config,
    onWarning: (message) => warnings.push(message),
  });
  stores.push(store);
  expect(store.kind).toBe('redis+sqlite');
  return {
    store: store as FallbackHistoryStore,
    keyPrefix: config.keyPrefix,
    warnings,
    historyPath,
    openedInMs: performance.now() - started,
  };
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

async function eventually(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What Redis itself holds for a class, read by a separate client as another runner would. */
async function inRedis(url: string, keyPrefix: string, classKey: string): Promise<string[]> {
  const store = await RedisHistoryStore.open(url, { ...defaults, keyPrefix, connectTimeoutMs: 2000 });
  try {
    return (await store.recent(classKey)).map((record) => record.runId);
  } finally {
    await store.close();
  }
}

async function inSqlite(path: string, classKey: string): Promise<string[]> {
  const store = SqliteHistoryStore.open(path, { maxRunsPerClass: defaults.maxRunsPerClass });
  try {
    return (await store.recent(classKey)).map((record) => record.runId);
  } finally {
    await store.close();
  }
}

describe('FallbackHistoryStore (Redis with the embedded store behind it)', () => {
  it('keeps going when Redis is killed mid-run, warns once, and replays everything when it returns', async () => {
    const redis = await server({ persist: true });
    const r = await runner(redis.url);
    const total = 200;
    let slowest = 0;
    for (let i = 0; i < total; i += 1) {
      if (i === 60) await redis.kill('SIGKILL');
      if (i === 140) await redis.restart();
      const { ms } = await timed(() =>
        r.store.record(['claude -p', `task ${i % 5}`], run(`run-${i}`, T0 + i)),
      );
      slowest = Math.max(slowest, ms);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(slowest).toBeLessThan(CALL_LIMIT_MS);
    // The buffer drains on its own once Redis is back, without waiting for flush() or close().
    await eventually(() => r.store.status().buffered === 0, 10_000, 'buffered records replayed');
    expect(r.store.status()).toMatchObject({ breaker: 'closed', droppedFromBuffer: 0 });
    expect(r.store.status().replayed).toBeGreaterThan(0);

    const shared = await inRedis(redis.url, r.keyPrefix, 'claude -p');
    expect(new Set(shared).size).toBe(total);
    expect(await inRedis(redis.url, r.keyPrefix, 'task 3')).toHaveLength(total / 5);
    expect(new Set(await inSqlite(r.historyPath, 'claude -p')).size).toBe(total);

    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      new RegExp(
        `^Redis at ${redis.url} unreachable \\((connection lost|ECONNREFUSED|ECONNRESET)\\); using the embedded store at `,
      ),
    );
    expect(r.warnings[0]).toContain(r.historyPath);
    expect(r.warnings[0]).toContain('records will be replayed when it returns');
  });

  it.each([
    ['paused with SIGSTOP', 'sigstop'],
    ['busy in DEBUG SLEEP', 'debug-sleep'],
  ] as const)('answers every call within 300 ms while Redis is %s, then catches up', async (_label, how) => {
    const redis = await server();
    const r = await runner(redis.url);
    await r.store.record(['npm test'], run('before', T0));
    let sleeper: ReturnType<typeof spawn> | undefined;
    if (how === 'sigstop') {
      redis.pause();
    } else {
      sleeper = spawn('redis-cli', ['-p', String(redis.port), 'DEBUG', 'SLEEP', '2'], { stdio: 'ignore' });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const times: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      times.push((await timed(() => r.store.record(['npm test'], run(`during-${i}`, T0 + 1 + i)))).ms);
      const read = await timed(() => r.store.recent('npm test'));
      times.push(read.ms);
      expect(read.value[0]!.runId).toBe(`during-${i}`);
    }
    expect(Math.max(...times)).toBeLessThan(CALL_LIMIT_MS);
    expect(r.warnings).toEqual([expect.stringMatching(/unreachable \(no answer within 250 ms\)/)]);

    if (how === 'sigstop') redis.resume();
    else await new Promise((resolve) => sleeper!.once('exit', resolve));
    await eventually(
      () => r.store.status().buffered === 0 && r.store.status().breaker === 'closed',
      10_000,
      'caught up',
    );
    expect(await inRedis(redis.url, r.keyPrefix, 'npm test')).toHaveLength(11);
    expect(r.warnings).toHaveLength(1);
  });

  it('starts with one warning when nothing listens at the URL, and fills Redis once it appears', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const r = await runner(url);
    expect(r.openedInMs).toBeLessThan(1500);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      new RegExp(`^Redis at ${url} unreachable \\(ECONNREFUSED\\); using the embedded store at `),
    );
    expect(r.warnings[0]).toContain(r.historyPath);

    for (let i = 0; i < 20; i += 1) {
      const write = await timed(() => r.store.record(['cargo build'], run(`offline-${i}`, T0 + i)));
      expect(write.ms).toBeLessThan(CALL_LIMIT_MS);
    }
    expect(await r.store.recent('cargo build')).toHaveLength(20);
    expect((await r.store.classes()).map((c) => c.classKey)).toEqual(['cargo build']);

    const redis = await server({ port });
    await eventually(() => r.store.status().buffered === 0, 10_000, 'buffer replayed to the new server');
    expect(await inRedis(redis.url, r.keyPrefix, 'cargo build')).toHaveLength(20);
    expect(r.warnings).toHaveLength(1);
  });

  it('does not hang at start on a server that accepts connections but never answers', async () => {
    const redis = await server();
    redis.pause();
    const r = await runner(redis.url);
    expect(r.openedInMs).toBeLessThan(1500);
    expect(r.warnings).toHaveLength(1);
    const write = await timed(() => r.store.record(['pytest'], run('p1', T0)));
    const read = await timed(() => r.store.recent('pytest'));
    expect(Math.max(write.ms, read.ms)).toBeLessThan(CALL_LIMIT_MS);
    expect(read.value.map((record) => record.runId)).toEqual(['p1']);
    redis.resume();
    await eventually(() => r.store.status().buffered === 0, 10_000, 'replayed after resume');
    expect(await inRedis(redis.url, r.keyPrefix, 'pytest')).toEqual(['p1']);
  });

  it('bounds the replay buffer: the oldest overflow stays only in the embedded store, and close says so', async () => {
    const redis = await server();
    const r = await runner(redis.url, { bufferLimit: 5 });
    await redis.kill();
    for (let i = 0; i < 12; i += 1) await r.store.record(['go test'], run(`g${i}`, T0 + i));
    expect(r.store.status()).toMatchObject({ buffered: 5, droppedFromBuffer: 7 });
    expect(await inSqlite(r.historyPath, 'go test')).toHaveLength(12);

    await redis.restart();
    await eventually(() => r.store.status().buffered === 0, 10_000, 'buffer replayed');
    expect((await inRedis(redis.url, r.keyPrefix, 'go test')).sort()).toEqual([
      'g10',
      'g11',
      'g7',
      'g8',
      'g9',
    ]);
    await r.store.close();
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[1]).toMatch(
      /^7 history records did not reach Redis at .*; they are kept in the embedded store at /,
    );
  });

  it('closes within a bounded time when Redis never answers, keeping the records locally', async () => {
    const redis = await server();
    const r = await runner(redis.url);
    redis.pause();
    for (let i = 0; i < 3; i += 1) await r.store.record(['make'], run(`m${i}`, T0 + i));
    const { ms } = await timed(() => r.store.close());
    expect(ms).toBeLessThan(3000);
    expect(r.warnings.at(-1)).toMatch(/^3 history records did not reach Redis/);
    expect(await inSqlite(r.historyPath, 'make')).toHaveLength(3);
    redis.resume();
  });

  it('lets runners on different machines learn from each other through Redis', async () => {
    const redis = await server();
    const a = await runner(redis.url);
    const b = await runner(redis.url, { keyPrefix: a.keyPrefix });
    await a.store.record(['claude -p'], run('from-a', T0));
    await b.store.record(['claude -p'], run('from-b', T0 + 1));
    expect((await a.store.recent('claude -p')).map((record) => record.runId)).toEqual(['from-b', 'from-a']);
    expect((await b.store.classes()).map((c) => [c.classKey, c.runs])).toEqual([['claude -p', 2]]);
  });
});

describe('openHistoryStore', () => {
  it('uses memory with --no-history and the SQLite file by default', async () => {
    const disabled = await openHistoryStore({
      historyPath: join(dir, 'never', 'history.db'),
      config: defaults,
      onWarning: () => {},
      disabled: true,
    });
    expect(disabled.kind).toBe('memory');
    const local = await openHistoryStore({
      historyPath: join(dir, 'local', 'history.db'),
      config: defaults,
      onWarning: () => {},
    });
    expect(local.kind).toBe('sqlite');
    await local.record(['k'], run('r', T0));
    await local.close();
    expect(await inSqlite(join(dir, 'local', 'history.db'), 'k')).toEqual(['r']);
  });
});
