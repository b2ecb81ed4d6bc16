import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, configSchema } from '../../src/config.js';
import { openHistoryStore } from '../../src/history/open-store.js';
import { RedisHistoryStore } from '../../src/history/redis-store.js';
import { SqliteHistoryStore } from '../../src/history/sqlite-store.js';
import type { HistoryStore, RunRecord } from '../../src/history/types.js';
import { classify } from '../../src/timeouts/classify.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import type { PlanInput } from '../../src/timeouts/types.js';
import { freePort, startRedisServer } from '../../test/helpers/redis-server.js';
import { quantile } from '../common/stats.js';
import { tempDir } from './tasks.js';

/**
 * How long a task start waits on history: planner.plan (classify, read every class level, predict) over
 * a store holding `classes` task classes of `runsPerClass` runs each, on SQLite, on Redis, and with Redis
 * down or hung. The promise under test: a task start never waits more than 300 ms on history.
 */

export interface LatencyRow {
  store: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Plans that took longer than the 300 ms task-start budget. */
  over300: number;
  /** How long opening the store took (what a run pays once at its start). */
  openMs: number;
}

export interface HistoryResult {
  classes: number;
  runsPerClass: number;
  populateSqliteSeconds: number;
  populateRedisSeconds: number;
  rows: LatencyRow[];
}

const WORDS = [
  'parser',
  'scheduler',
  'cache',
  'router',
  'auth',
  'billing',
  'search',
  'upload',
  'queue',
  'metrics',
];

/** Distinct commands across tools and kinds, so every class level holds realistic keys. */
export function benchCommands(count: number): PlanInput[] {
  return Array.from({ length: count }, (_, i): PlanInput => {
    const word = `${WORDS[i % WORDS.length]}${String.fromCharCode(97 + ((i / 10) % 26))}${Math.floor(i / 260)}`;
    const base = { shell: false, cwd: '/work/app', timeout: {} };
    switch (i % 6) {
      case 0:
        return {
          ...base,
          agent: 'claude',
          argv: ['claude', '-p', `Fix the ${word} module`, '--output-format', 'stream-json', '--verbose'],
        };
      case 1:
        return { ...base, agent: 'codex', argv: ['codex', 'exec', '--json', `Document the ${word} service`] };
      case 2:
        return { ...base, agent: 'gemini', argv: ['gemini', '-p', `Review ${word}`, '-o', 'stream-json'] };
      case 3:
        return { ...base, agent: 'none', argv: ['npm', 'test', '--', '--grep', word] };
      case 4:
        return { ...base, agent: 'none', argv: ['cargo', 'build', '-p', word] };
      default:
        return { ...base, agent: 'none', argv: ['pytest', `tests/test_${word}.py`] };
    }
  });
}

function recordFor(c: number, r: number, classes: number, runsPerClass: number): RunRecord {
  return {
    runId: `bench-${c}-${r}`,
    durationMs: 30_000 + ((c * 7919 + r * 104_729) % 600_000),
    longestSilenceMs: 5_000 + ((c * 31 + r * 17) % 60_000),
    outcome: r % 50 === 49 ? 'failed' : 'success',
    at: Date.now() - ((runsPerClass - r) * classes - c) * 1000,
  };
}

/**
 * Every class gets `runsPerClass` runs under its own (fingerprint) key; the last round is recorded under
 * every level, which fills the shared levels (template, tool + verb, tool, kind) with the newest runs, up
 * to their own cap, without writing each of the 256 rounds five times over.
 */
function* writes(keys: string[][], runsPerClass: number): Generator<[string[], RunRecord]> {
  for (let r = 0; r < runsPerClass; r++) {
    for (let c = 0; c < keys.length; c++) {
      yield [r === runsPerClass - 1 ? keys[c]! : [keys[c]![0]!], recordFor(c, r, keys.length, runsPerClass)];
    }
  }
}

interface HasDatabase {
  db?: { transaction(fn: () => void): () => void };
}

/**
 * Setup only: record() runs its SQLite transaction synchronously, so wrapping many calls in one outer
 * transaction (they become savepoints) fills 256,000 runs in seconds instead of a minute of commits.
 * The rows are written by the store's own statements; without the handle it falls back to plain calls.
 */
async function populateSqlite(
  store: SqliteHistoryStore,
  keys: string[][],
  runsPerClass: number,
): Promise<number> {
  const t0 = performance.now();
  const db = (store as unknown as HasDatabase).db;
  const pending: Promise<void>[] = [];
  if (db !== undefined && typeof db.transaction === 'function') {
    db.transaction(() => {
      for (const [k, record] of writes(keys, runsPerClass)) pending.push(store.record(k, record));
    })();
  } else {
    for (const [k, record] of writes(keys, runsPerClass)) await store.record(k, record);
  }
  await Promise.all(pending);
  return (performance.now() - t0) / 1000;
}

async function populateRedis(store: HistoryStore, keys: string[][], runsPerClass: number): Promise<number> {
  const t0 = performance.now();
  let pending: Promise<void>[] = [];
  for (const [k, record] of writes(keys, runsPerClass)) {
    pending.push(store.record(k, record));
    if (pending.length >= 256) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  return (performance.now() - t0) / 1000;
}

async function latency(
  name: string,
  store: HistoryStore,
  config: Config,
  tasks: PlanInput[],
  samples: number,
  openMs: number,
): Promise<LatencyRow> {
  const planner = new LearnedTimeoutPlanner({ store, config });
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const task = tasks[(i * 7_919) % tasks.length]!;
    const t0 = performance.now();
    await planner.plan(task);
    times.push(performance.now() - t0);
  }
  return {
    store: name,
    samples,
    p50Ms: quantile(times, 0.5)!,
    p99Ms: quantile(times, 0.99)!,
    maxMs: Math.max(...times),
    over300: times.filter((t) => t > 300).length,
    openMs,
  };
}

async function timed<T>(open: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await open();
  return { value, ms: performance.now() - t0 };
}

export async function measureHistory(
  classes: number,
  runsPerClass: number,
  samples: number,
): Promise<HistoryResult> {
  const config = configSchema.parse({});
  const dir = tempDir('history');
  const dbPath = join(dir, 'history.db');
  const tasks = benchCommands(classes);
  const keys = tasks.map((t) => classify(t, config.classifier.rules).levels.map((l) => l.key));
  const redis = await startRedisServer();
  const quiet = (): void => {};
  const redisOptions = {
    keyPrefix: config.history.keyPrefix,
    maxRunsPerClass: runsPerClass,
    ttlDays: config.history.ttlDays,
    commandTimeoutMs: config.history.commandTimeoutMs,
  };
  const historyConfig = { ...config.history, maxRunsPerClass: runsPerClass };
  try {
    const rows: LatencyRow[] = [];
    const sqlite = await timed(() => SqliteHistoryStore.open(dbPath, { maxRunsPerClass: runsPerClass }));
    const populateSqliteSeconds = await populateSqlite(sqlite.value, keys, runsPerClass);
    rows.push(await latency('sqlite', sqlite.value, config, tasks, samples, sqlite.ms));
    await sqlite.value.close();

    // Filling is setup, with hundreds of writes in flight: it gets a patient client of its own.
    const filler = await RedisHistoryStore.open(redis.url, { ...redisOptions, commandTimeoutMs: 30_000 });
    const populateRedisSeconds = await populateRedis(filler, keys, runsPerClass);
    await filler.close();
    const remote = await timed(() => RedisHistoryStore.open(redis.url, redisOptions));
    rows.push(await latency('redis', remote.value, config, tasks, samples, remote.ms));
    await remote.value.close();

    // What `cc-stress run` opens with a Redis URL: Redis, with the SQLite file behind it. Its start wait
    // is spent before measuring (the first call waits it out), and Redis joined, as it does in the
    // background: the reads measured go to Redis, not to the embedded store alone.
    const open = (url: string) =>
      timed(async () => {
        const store = await openHistoryStore({
          historyPath: dbPath,
          redisUrl: url,
          config: historyConfig,
          onWarning: quiet,
          startWaitMs: 100,
        });
        await store.classes(1);
        return store;
      });
    const both = await open(redis.url);
    const joinBy = Date.now() + 5000;
    while ((both.value as { status?(): { breaker: string } }).status?.().breaker !== 'closed') {
      if (Date.now() > joinBy) throw new Error('history: Redis did not join the fallback store within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    rows.push(await latency('redis + sqlite fallback', both.value, config, tasks, samples, both.ms));

    // Hung: connections stay open but nothing answers (SIGSTOP), the worst case for a task start.
    redis.pause();
    rows.push(await latency('redis hung (SIGSTOP)', both.value, config, tasks, samples, 0));
    redis.resume();
    await both.value.close();

    const down = await open(`redis://127.0.0.1:${await freePort()}`);
    rows.push(await latency('redis down (nothing listening)', down.value, config, tasks, samples, down.ms));
    await down.value.close();
    return { classes, runsPerClass, populateSqliteSeconds, populateRedisSeconds, rows };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
