import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { newestFirst } from '../history/records.js';
import type { HistoryStore, RunRecord } from '../history/types.js';
import type { TaskSpec } from '../suite/types.js';
import { classify } from '../timeouts/classify.js';
import { median } from '../timeouts/stats.js';

export interface ShardSpec {
  index: number;
  total: number;
}

export interface ShardOptions {
  classifierRules?: Config['classifier']['rules'];
  /** Runs read per class; the store's own cap, so that nothing a shard could use is cut off. */
  readLimit?: number;
  now?: number;
}

export interface ShardSelection {
  tasks: TaskSpec[];
  /** 'history' when weights from history balanced the split, else 'round-robin'. */
  method: 'history' | 'round-robin';
  /** Tasks whose weight came from their own class history (the others got the median weight). */
  weighed: number;
  /** Only runs that ended before this instant (epoch ms) were used. */
  cutoff: number;
  /** Fingerprint of the whole split; shards of one run must agree on it (see splitFingerprint). */
  split: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Newest runs before the cutoff that make up a weight; few, so eviction of older runs cannot reach them. */
const SAMPLE_RUNS = 20;
/** Runs before the cutoff a class level needs before its median is trusted. */
const MIN_RUNS = 3;
const DEFAULT_READ_LIMIT = 256;

/**
 * Every shard of a CI matrix must compute the same split, although the shards start at slightly different
 * times and write history while the others are still reading it. So a weight is derived only from what all
 * shards see alike:
 *
 * - only runs that ended before the start of the current UTC day count (the cutoff), so runs recorded by
 *   today's shards (and any run of today) never change a weight;
 * - of those, at most the newest 20 per class level, so the oldest runs, which a busy class evicts first,
 *   are not used;
 * - the weight is the median duration rounded to a power of two, so a small difference in the runs read
 *   (one shard's local store holding a run Redis lacks) rarely changes it.
 *
 * The one edge: shards of one run that start on both sides of midnight UTC use different cutoffs and may
 * split differently, so a task can run twice or not at all; merge-reports catches it by the split
 * fingerprints, and the workflow must be re-run. (A shard that cannot reach Redis reads only its local
 * store and may disagree too; the fallback warns about it.) Without any usable history the split is
 * round-robin in suite order, which needs no history at all.
 */
export function shardCutoff(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** The duration weight of one class level, or undefined when it has too few runs before the cutoff. */
export function levelWeight(runs: readonly RunRecord[], cutoff: number): number | undefined {
  const usable = runs
    .filter((run) => run.at < cutoff && run.outcome !== 'retry-later' && Number.isFinite(run.durationMs))
    .sort(newestFirst)
    .slice(0, SAMPLE_RUNS)
    .map((run) => run.durationMs)
    .sort((a, b) => a - b);
  if (usable.length < MIN_RUNS) return undefined;
  return powerOfTwo(median(usable)!);
}

function powerOfTwo(ms: number): number {
  return 2 ** Math.round(Math.log2(Math.max(1, ms)));
}

/**
 * Per task the weight of its most specific class level with enough runs before the cutoff. Levels are
 * read one at a time for all tasks at once, so tasks with fingerprint history never touch the levels
 * below; each key is read once. A level that cannot be read counts as having no history.
 */
export async function historyWeights(
  tasks: readonly TaskSpec[],
  history: HistoryStore,
  options: ShardOptions & { cutoff: number },
): Promise<Map<TaskSpec, number>> {
  const rules = options.classifierRules ?? [];
  const readLimit = options.readLimit ?? DEFAULT_READ_LIMIT;
  const levelsOf = new Map(tasks.map((task) => [task, classify(task, rules).levels.map((l) => l.key)]));
  const cache = new Map<string, Promise<number | undefined>>();
  const weightOf = (key: string): Promise<number | undefined> => {
    let weight = cache.get(key);
    if (weight === undefined) {
      weight = history.recent(key, readLimit).then(
        (runs) => levelWeight(runs, options.cutoff),
        () => undefined,
      );
      cache.set(key, weight);
    }
    return weight;
  };
  const weights = new Map<TaskSpec, number>();
  let open = [...tasks];
  for (let level = 0; open.length > 0; level++) {
    const reading = open.filter((task) => levelsOf.get(task)![level] !== undefined);
    if (reading.length === 0) break;
    const found = await Promise.all(reading.map((task) => weightOf(levelsOf.get(task)![level]!)));
    reading.forEach((task, i) => {
      const weight = found[i];
      if (weight !== undefined) weights.set(task, weight);
    });
    open = reading.filter((task) => !weights.has(task));
  }
  return weights;
}

/** Round-robin in suite order: stable and history-free. */
export function roundRobin<T>(items: readonly T[], total: number): T[][] {
  const shards: T[][] = Array.from({ length: total }, () => []);
  for (const [i, item] of items.entries()) shards[i % total]!.push(item);
  return shards;
}

/**
 * Greedy longest-processing-time: tasks by (weight desc, id asc) each go to the least loaded shard, the
 * lowest index on a tie. Deterministic for equal inputs; each shard keeps its tasks in suite order.
 */
export function balance(
  tasks: readonly TaskSpec[],
  weights: ReadonlyMap<TaskSpec, number>,
  total: number,
): TaskSpec[][] {
  const order = tasks
    .map((task, position) => ({ task, position, weight: weights.get(task) ?? 0 }))
    .sort(
      (a, b) =>
        b.weight - a.weight ||
        (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0) ||
        a.position - b.position,
    );
  const loads = new Array<number>(total).fill(0);
  const shardOf = new Array<number>(tasks.length);
  for (const { position, weight } of order) {
    let lightest = 0;
    for (let s = 1; s < total; s++) if (loads[s]! < loads[lightest]!) lightest = s;
    loads[lightest]! += weight;
    shardOf[position] = lightest;
  }
  const shards: TaskSpec[][] = Array.from({ length: total }, () => []);
  for (const [position, task] of tasks.entries()) shards[shardOf[position]!]!.push(task);
  return shards;
}

/**
 * Splits the tasks into `total` shards, by history weights when some task has any (tasks without history
 * get the median of the known weights), else round-robin.
 */
export function splitShards(
  tasks: readonly TaskSpec[],
  total: number,
  weights: ReadonlyMap<TaskSpec, number>,
): TaskSpec[][] {
  if (weights.size === 0) return roundRobin(tasks, total);
  const known = [...weights.values()].sort((a, b) => a - b);
  const fill = median(known)!;
  const complete = new Map(tasks.map((task) => [task, weights.get(task) ?? fill]));
  return balance(tasks, complete, total);
}

/**
 * A short hash of which task went to which shard. Each shard computes the whole split, so comparing the
 * shards' fingerprints at merge time tells whether they agreed (see shardCutoff for when they may not).
 */
export function splitFingerprint(shards: readonly (readonly TaskSpec[])[]): string {
  const ids = shards.map((tasks) => tasks.map((task) => task.id));
  return createHash('sha256').update(JSON.stringify(ids)).digest('hex').slice(0, 16);
}

/** The tasks of shard `index` of `total`; every shard computes the same split (see shardCutoff). */
export async function selectShard(
  tasks: TaskSpec[],
  shard: ShardSpec,
  history: HistoryStore | undefined,
  options: ShardOptions = {},
): Promise<ShardSelection> {
  const cutoff = shardCutoff(options.now ?? Date.now());
  const weights =
    history === undefined || shard.total === 1
      ? new Map<TaskSpec, number>()
      : await historyWeights(tasks, history, { ...options, cutoff });
  const shards = splitShards(tasks, shard.total, weights);
  return {
    tasks: shards[shard.index - 1] ?? [],
    method: weights.size > 0 ? 'history' : 'round-robin',
    weighed: weights.size,
    cutoff,
    split: splitFingerprint(shards),
  };
}
