export { displayCommand } from './display-command.js';
export { endReasonOf, messagesOf } from './end-reason.js';
export { logFileName, logPathFor } from './log-path.js';
export { runSuite, type SchedulerOptions } from './scheduler.js';
export { computeTotals, successRate, verdictOf } from './totals.js';
export * from './types.js';
