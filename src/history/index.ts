export type { BreakerState } from './circuit-breaker.js';
export { HistoryError } from './errors.js';
export type {
  FallbackOptions,
  FallbackStatus,
  LocalHistoryStore,
  RemoteHistoryStore,
} from './fallback-store.js';
export { FallbackHistoryStore } from './fallback-store.js';
export { DEFAULT_MAX_CLASSES } from './limits.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { MemoryHistoryStore } from './memory-store.js';
export type { OpenHistoryOptions } from './open-store.js';
export { openHistoryStore } from './open-store.js';
export type { PendingRemote } from './pending-remote.js';
export { runOutcomes } from './records.js';
export { classHash } from './redis-keys.js';
export type { RedisStoreOptions } from './redis-store.js';
export { RedisHistoryStore } from './redis-store.js';
export { type EndedExecution, provenanceOf, runOutcomeOf, runRecordOf } from './run-record.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { SqliteHistoryStore } from './sqlite-store.js';
export type { HistoryLine } from './transfer.js';
export { exportHistory, exportLines, importHistory, parseHistoryLine } from './transfer.js';
export type { ClassSummary, HistoryStore, RunOutcome, RunRecord } from './types.js';
