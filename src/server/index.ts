export { AllowList } from './allow-list.js';
export {
  historyRecorder,
  type ServeDeps,
  type ServeOptions,
  type StopRequests,
  serve,
  stopRequests,
  untilStopped,
} from './serve.js';
export {
  DEFAULT_PORT,
  type HealthReport,
  type RunningServer,
  type ServerOptions,
  ServerStartError,
  startServer,
} from './server.js';
export type { ServedRun, SessionStats } from './session.js';
