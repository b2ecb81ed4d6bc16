import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { describeStoreContract, run } from './store-contract.js';

describeStoreContract('MemoryHistoryStore', async (options) => new MemoryHistoryStore(options));

describe('MemoryHistoryStore', () => {
  it('hands out copies, so a caller cannot change what is stored', async () => {
    const store = new MemoryHistoryStore({ maxRunsPerClass: 8 });
    await store.record(['k'], run('r1', 1));
    const [first] = await store.recent('k');
    first!.durationMs = -1;
    expect((await store.recent('k'))[0]!.durationMs).toBe(run('r1', 1).durationMs);
  });
});
