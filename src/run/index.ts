export { displayCommand } from './display-command.js';
export { logFileName, logPathFor } from './log-path.js';
export { endReasonOf, historyOutcomeOf, runRecordOf } from './outcome.js';
export { runSuite, type SchedulerOptions } from './scheduler.js';
export { computeTotals, successRate, verdictOf } from './totals.js';
export * from './types.js';
