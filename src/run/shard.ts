import type { HistoryStore } from '../history/types.js';
import type { TaskSpec } from '../suite/types.js';

export interface ShardSpec {
  index: number;
  total: number;
}

/**
 * The tasks of shard `index` of `total`. Every shard computes the same split from the same suite, so the
 * shards cover the suite exactly once: tasks are dealt round-robin in suite order.
 */
export async function selectShard(
  tasks: TaskSpec[],
  shard: ShardSpec,
  _history: HistoryStore | undefined,
): Promise<TaskSpec[]> {
  return tasks.filter((_, i) => i % shard.total === shard.index - 1);
}
