import type { ClassSummary, HistoryStore, RunRecord } from '../../src/history/types.js';

/** How the store's reads behave: answer, fail at once, or never answer. */
export type ReadFailure = 'ok' | 'error' | 'timeout';

/** A real store whose reads can be made to fail or hang, while writes still go through to it. */
export class OutageStore implements HistoryStore {
  readonly kind = 'outage';
  state: ReadFailure = 'ok';
  constructor(private readonly inner: HistoryStore) {}
  record(classKeys: string[], record: RunRecord): Promise<void> {
    return this.inner.record(classKeys, record);
  }
  recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    if (this.state === 'error') return Promise.reject(new Error('connection refused'));
    if (this.state === 'timeout') return new Promise<RunRecord[]>(() => {});
    return this.inner.recent(classKey, limit);
  }
  classes(): Promise<ClassSummary[]> {
    return this.inner.classes();
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
