import type { ExecResult } from '../../src/exec/types.js';

/** An executor's result for a task that passed in 4 s, with the fields a test cares about overridden. */
export function execResult(overrides: Partial<ExecResult> = {}): ExecResult {
  return {
    termination: 'exit',
    exitCode: 0,
    signal: null,
    startedAt: 1_000,
    endedAt: 5_000,
    durationMs: 4_000,
    longestSilenceMs: 1_500,
    stdoutBytes: 10,
    stderrBytes: 0,
    outputHead: '',
    outputTail: '',
    logPath: '/tmp/x.log',
    failures: [],
    retryLater: false,
    extensions: 0,
    ...overrides,
  };
}
