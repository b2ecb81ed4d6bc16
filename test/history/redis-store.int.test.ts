import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryError } from '../../src/history/errors.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { classHash } from '../../src/history/redis-keys.js';
import { RedisHistoryStore, type RedisStoreOptions } from '../../src/history/redis-store.js';
import { exportLines, importHistory } from '../../src/history/transfer.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { removeFixtureTree, runWritersTogether } from './child-process.js';
import { describeStoreContract, hostileClassKeys, run } from './store-contract.js';

let server: RedisServer;
let inspector: Redis;
let prefixes = 0;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  server = await startRedisServer();
  inspector = new Redis(server.url);
});

afterAll(async () => {
  removeFixtureTree();
  inspector?.disconnect();
  await server?.stop();
});

function options(overrides: Partial<RedisStoreOptions> = {}): RedisStoreOptions {
  prefixes += 1;
  return { keyPrefix: `t${prefixes}`, maxRunsPerClass: 8, ttlDays: 30, commandTimeoutMs: 2000, ...overrides };
}

/** Every key under a prefix; SCAN with a pattern is fine here, in a test, on our own prefix. */
async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await inspector.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describeStoreContract('RedisHistoryStore', async (contract) =>
  RedisHistoryStore.open(server.url, options(contract)),
);

describe('RedisHistoryStore', () => {
  it('names keys only by a hash of the class key, never by its text', async () => {
    const opts = options();
    const store = await RedisHistoryStore.open(server.url, opts);
    for (const [i, key] of hostileClassKeys.entries()) await store.record([key], run(`h${i}`, T0 + i));
    const keys = await keysOf(opts.keyPrefix);
    const shape = new RegExp(`^${opts.keyPrefix}:(classes|h:[0-9a-f]{32}:(runs|order|meta))$`);
    for (const key of keys) expect(key).toMatch(shape);
    expect(keys).toHaveLength(1 + 3 * hostileClassKeys.length);
    expect(keys).toContain(`${opts.keyPrefix}:h:${classHash('*')}:runs`);
    await store.close();
  });

  it('sets a TTL on every key and refreshes it on each write of the class', async () => {
    const opts = options({ ttlDays: 2 });
    const store = await RedisHistoryStore.open(server.url, opts);
    await store.record(['busy', 'idle'], run('r1', T0));
    const ttl = 2 * 24 * 3600;
    for (const key of await keysOf(opts.keyPrefix)) {
      const remaining = await inspector.ttl(key);
      expect(remaining, key).toBeGreaterThan(ttl - 5);
      expect(remaining, key).toBeLessThanOrEqual(ttl);
    }
    // As if a day had passed, then only "busy" is written again.
    for (const key of await keysOf(opts.keyPrefix)) await inspector.expire(key, 3600);
    await store.record(['busy'], run('r2', T0 + 1));
    const busy = `${opts.keyPrefix}:h:${classHash('busy')}`;
    const idle = `${opts.keyPrefix}:h:${classHash('idle')}`;
    for (const suffix of ['runs', 'order', 'meta']) {
      expect(await inspector.ttl(`${busy}:${suffix}`)).toBeGreaterThan(ttl - 5);
      expect(await inspector.ttl(`${idle}:${suffix}`)).toBeLessThanOrEqual(3600);
    }
    expect(await inspector.ttl(`${opts.keyPrefix}:classes`)).toBeGreaterThan(ttl - 5);
    await store.close();
  });

  it('forgets a class whose TTL ran out, including its entry in the class list', async () => {
    const opts = options({ ttlDays: 1 / 86_400 });
    const store = await RedisHistoryStore.open(server.url, opts);
    await store.record(['short-lived'], run('r1', T0));
    await store.record(['kept'], run('r2', T0 + 1));
    await inspector.persist(`${opts.keyPrefix}:h:${classHash('kept')}:meta`);
    await inspector.persist(`${opts.keyPrefix}:h:${classHash('kept')}:order`);
    await inspector.persist(`${opts.keyPrefix}:classes`);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await store.recent('short-lived')).toEqual([]);
    expect((await store.classes()).map((c) => c.classKey)).toEqual(['kept']);
    expect(await inspector.zcard(`${opts.keyPrefix}:classes`)).toBe(1);
    await store.close();
  });

  it('records atomically: concurrent writes of one class never exceed the cap or split a run', async () => {
    const opts = options({ maxRunsPerClass: 10 });
    const store = await RedisHistoryStore.open(server.url, opts);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.record(['hot'], run(`r${i % 150}`, T0 + (i % 150)))),
    );
    const base = `${opts.keyPrefix}:h:${classHash('hot')}`;
    expect(await inspector.zcard(`${base}:order`)).toBe(10);
    expect(await inspector.hlen(`${base}:runs`)).toBe(10);
    expect((await store.recent('hot')).map((r) => r.at)).toEqual(
      Array.from({ length: 10 }, (_, i) => T0 + 149 - i),
    );
    await store.close();
  });

  it('keeps the number of keys bounded after 10,000 runs over 1,000 classes', async () => {
    const opts = options({ maxRunsPerClass: 8 });
    const store = await RedisHistoryStore.open(server.url, opts);
    const started = performance.now();
    for (let batch = 0; batch < 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => {
          const n = batch * 1000 + i;
          return store.record([`class ${n % 1000}`], run(`run ${n}`, T0 + n));
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const keys = await keysOf(opts.keyPrefix);
    expect(keys).toHaveLength(1 + 3 * 1000);
    expect(await inspector.zcard(`${opts.keyPrefix}:h:${classHash('class 7')}:order`)).toBe(8);
    expect(seconds).toBeLessThan(20);
    console.info(`10,000 runs over 1,000 classes recorded in ${seconds.toFixed(2)} s`);

    // With a class limit the least recently used classes go, data and all.
    const small = options({ maxRunsPerClass: 8, maxClasses: 100 });
    const capped = await RedisHistoryStore.open(server.url, small);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => capped.record([`c${i}`], run(`r${i}`, T0 + i))));
    expect(await keysOf(small.keyPrefix)).toHaveLength(1 + 3 * 100);
    expect((await capped.classes()).map((c) => c.classKey)).toEqual(
      Array.from({ length: 100 }, (_, i) => `c${999 - i}`),
    );
    await Promise.all([store.close(), capped.close()]);
  });

  it('loses no record when 4 processes write concurrently', async () => {
    const opts = options({ maxRunsPerClass: 2000 });
    const perWriter = 250;
    const results = await runWritersTogether(
      ['w0', 'w1', 'w2', 'w3'].map((writer) => ({
        store: 'redis',
        target: server.url,
        keyPrefix: opts.keyPrefix,
        maxRunsPerClass: opts.maxRunsPerClass,
        writer,
        count: perWriter,
        classKeys: ['claude -p', 'own {writer}'],
      })),
    );
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    const store = await RedisHistoryStore.open(server.url, opts);
    const shared = await store.recent('claude -p');
    expect(new Set(shared.map((r) => r.runId)).size).toBe(4 * perWriter);
    for (const writer of ['w0', 'w1', 'w2', 'w3']) {
      expect(await store.recent(`own ${writer}`)).toHaveLength(perWriter);
    }
    await store.close();
  });

  it('exports and imports history like any other store', async () => {
    const source = new MemoryHistoryStore({ maxRunsPerClass: 8 });
    for (let i = 0; i < 12; i += 1) await source.record(['a', `b${i % 2}`], run(`r${i}`, T0 + i));
    const lines: string[] = [];
    for await (const line of exportLines(source)) lines.push(line);
    const store = await RedisHistoryStore.open(server.url, options());
    await importHistory(store, lines, 'backup.jsonl');
    const back: string[] = [];
    for await (const line of exportLines(store)) back.push(line);
    expect(back).toEqual(lines);
    await store.close();
  });

  it('fails to open with a one-line error naming the URL when nothing listens', async () => {
    const url = `redis://:secret@127.0.0.1:${await freePort()}`;
    const attempt = RedisHistoryStore.open(url, options({ connectTimeoutMs: 500 }));
    await expect(attempt).rejects.toBeInstanceOf(HistoryError);
    const message = await attempt.catch((error: Error) => error.message);
    expect(message).toMatch(
      /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED.*\)/,
    );
    expect(message).not.toContain('secret');
  });
});
