export { LocalExecutor, type LocalExecutorOptions } from './local/local-executor.js';
export {
  type OutputOutcome,
  OutputSink,
  type OutputSinkOptions,
  type OutputStream,
} from './output/output-sink.js';
export type {
  AgentEvent,
  ExecHooks,
  ExecRequest,
  ExecResult,
  Executor,
  LiveStatus,
  RunningTask,
  Termination,
} from './types.js';
export { type ProgressKind, Watchdog, type WatchdogVerdict } from './watchdog/watchdog.js';
