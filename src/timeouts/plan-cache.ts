import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The last limits each class was planned with from a full read of its history, so that a task whose
 * history cannot be read (store slow, down or damaged) still gets at least what its class had last time.
 * Bounded: the most recently planned `size` classes, in memory for the run and, when given a path, in a
 * small JSON file beside the history file, so that it also serves the next run. The file lives on this
 * machine even when history is shared through Redis, which is exactly when the remote store may be gone.
 *
 * A cache, never a source of truth: a missing, unreadable or damaged file is an empty cache, and a failed
 * write is forgotten (the next one tries again).
 */

export interface LastPlan {
  maxMs: number;
  stallMs: number;
  /** Epoch ms of the plan. */
  at: number;
  /** Each soft extension's length, when it was more than the usual share of the max limit. */
  extensionByMs?: number;
}

const FILE_VERSION = 1;

/** [classKey, maxMs, stallMs, at]: every plan has these, and a widened one its extensionByMs after them. */
const planFields = [
  z.string().min(1).max(1024),
  z.number().finite().positive(),
  z.number().finite().positive(),
  z.number().finite().min(0),
] as const;

const fileSchema = z.object({
  version: z.literal(FILE_VERSION),
  /** [classKey, maxMs, stallMs, at, extensionByMs?], oldest first. */
  plans: z.array(z.union([z.tuple([...planFields]), z.tuple([...planFields, z.number().finite().min(0)])])),
});

export interface PlanCacheOptions {
  /** Classes kept; the least recently planned go first. */
  size: number;
  /** JSON file that carries the cache across runs; memory only when absent. */
  path?: string;
  /** Shortest time between two writes of the file; flush() writes at once. */
  writeEveryMs?: number;
  now?: () => number;
}

/** The file beside a history file that holds its last plans. */
export function planCachePathFor(historyPath: string): string {
  return `${historyPath}.last-plans.json`;
}

export class PlanCache {
  private readonly plans = new Map<string, LastPlan>();
  private readonly size: number;
  private readonly path: string | undefined;
  private readonly writeEveryMs: number;
  private readonly now: () => number;
  private loaded = false;
  private dirty = false;
  private lastWrite = Number.NEGATIVE_INFINITY;

  constructor(options: PlanCacheOptions) {
    this.size = Math.max(1, Math.floor(options.size));
    this.path = options.path;
    this.writeEveryMs = options.writeEveryMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get(classKey: string): LastPlan | undefined {
    this.load();
    return this.plans.get(classKey);
  }

  remember(classKey: string, plan: LastPlan): void {
    this.load();
    const known = this.plans.get(classKey);
    this.put(classKey, plan);
    if (
      known !== undefined &&
      known.maxMs === plan.maxMs &&
      known.stallMs === plan.stallMs &&
      known.extensionByMs === plan.extensionByMs
    )
      return;
    this.dirty = true;
    if (this.now() - this.lastWrite >= this.writeEveryMs) this.flush();
  }

  /** Writes the file now if anything changed, merged with what other processes wrote meanwhile. */
  flush(): void {
    if (this.path === undefined || !this.dirty) return;
    this.lastWrite = this.now();
    this.dirty = false;
    const merged = new Map(readFile(this.path));
    for (const [key, own] of this.plans) {
      const other = merged.get(key);
      merged.delete(key);
      merged.set(key, other !== undefined && other.at > own.at ? other : own);
    }
    this.plans.clear();
    for (const [key, plan] of merged) this.put(key, plan);
    const plans = [...this.plans].map(([key, p]) =>
      p.extensionByMs === undefined
        ? [key, p.maxMs, p.stallMs, p.at]
        : [key, p.maxMs, p.stallMs, p.at, p.extensionByMs],
    );
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temp, JSON.stringify({ version: FILE_VERSION, plans }));
      renameSync(temp, this.path);
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Nothing was written where nothing can be.
      }
    }
  }

  private put(classKey: string, plan: LastPlan): void {
    // Re-inserting moves a key to the newest end, so the Map's order is the eviction order.
    this.plans.delete(classKey);
    this.plans.set(classKey, {
      maxMs: plan.maxMs,
      stallMs: plan.stallMs,
      at: plan.at,
      ...(plan.extensionByMs === undefined ? {} : { extensionByMs: plan.extensionByMs }),
    });
    while (this.plans.size > this.size) this.plans.delete(this.plans.keys().next().value!);
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (this.path === undefined) return;
    for (const [key, plan] of readFile(this.path)) this.put(key, plan);
  }
}

function readFile(path: string): [string, LastPlan][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) return [];
  return parsed.data.plans.map(([key, maxMs, stallMs, at, extensionByMs]) => [
    key,
    { maxMs, stallMs, at, ...(extensionByMs === undefined ? {} : { extensionByMs }) },
  ]);
}
