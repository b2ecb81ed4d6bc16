import type { ClassSummary, HistoryStore, RunRecord } from '../../src/history/types.js';

/** How the store's reads behave: answer, fail at once, or never answer. */
export type ReadFailure = 'ok' | 'error' | 'timeout';

/**
 * A real store whose reads can be made to fail or hang while `state` says so; writes always go through to
 * it, as in a partial outage. The tests and the timeout benchmark's failing-store replays use it.
 */
export class OutageStore implements HistoryStore {
  readonly kind: string;
  state: ReadFailure = 'ok';
  constructor(private readonly inner: HistoryStore) {
    this.kind = `outage over ${inner.kind}`;
  }
  record(classKeys: string[], record: RunRecord): Promise<void> {
    return this.inner.record(classKeys, record);
  }
  recent(classKey: string, limit?: number): Promise<RunRecord[]> {
    if (this.state === 'error') return Promise.reject(new Error('connection refused'));
    if (this.state === 'timeout') return new Promise<RunRecord[]>(() => {});
    return this.inner.recent(classKey, limit);
  }
  classes(limit?: number): Promise<ClassSummary[]> {
    return this.inner.classes(limit);
  }
  prune(olderThan: number): Promise<number> {
    return this.inner.prune(olderThan);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
