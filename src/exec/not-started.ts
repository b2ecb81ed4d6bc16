import type { ExecRequest, ExecResult, Termination } from './types.js';

/** The result of a task that never ran (spawn failure, cancelled first, no executor): `detail` says why. */
export function notStarted(
  request: ExecRequest,
  startedAt: number,
  termination: Termination,
  detail: string,
): ExecResult {
  const endedAt = Date.now();
  return {
    termination,
    exitCode: null,
    signal: null,
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    longestSilenceMs: 0,
    stdoutBytes: 0,
    stderrBytes: 0,
    outputHead: '',
    outputTail: '',
    logPath: request.logPath,
    failures: [],
    retryLater: false,
    extensions: 0,
    detail,
  };
}
