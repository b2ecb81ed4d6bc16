import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { detectAgent } from '../command/model.js';
import type { ExecHooks, Executor, RunningTask } from '../exec/types.js';
import { type ExecuteParams, notification } from '../protocol/messages.js';
import { defaultExpectations } from '../suite/expect.js';
import type { AgentKind, Expectations } from '../suite/types.js';
import type { TimeoutPlanner } from '../timeouts/types.js';
import { ChunkLimitScanner } from './chunk-limit-scanner.js';
import { completedParams } from './completion.js';
import { detectLimitSignal } from './limit-signals.js';
import { LineChunker } from './line-chunker.js';
import { planForRequest } from './plan-request.js';
import { type CommandPolicy, type PreparedCommand, prepareCommand } from './prepare-command.js';
import type { ServedRun } from './served-run.js';
import type { SessionSender } from './session-sender.js';

export interface ProcessIds {
  pid: number;
  pgid: number;
}

export interface ExecutionDeps {
  executor: Executor;
  planner: TimeoutPlanner;
  policy: CommandPolicy;
  /** Limits a client asks for are clamped to this (the predictor's cap). */
  capMs: number;
  logDir: string;
  /** False: each log is deleted once its process completed (the client got the output over the socket). */
  keepLogs: boolean;
  onRecord?: (run: ServedRun) => void;
}

/** What one execute needs from its session. */
export interface ExecutionHost {
  sessionId: string;
  /** 1 for the session's first execute, then 2, ... */
  sequence: number;
  sender: SessionSender;
  deps: ExecutionDeps;
  /** Answers the execute request with an error. */
  fail(code: number, message: string): void;
  /** Answers the execute request with "could not start" (when the client is still there). */
  refuseStart(why: string): void;
  /** The process runs: answer the request and announce it. */
  started(task: RunningTask, ids: ProcessIds): void;
}

/** The server only reports exit codes; judging output is the client's business. */
const NO_EXPECTATIONS: Expectations = defaultExpectations();

/** Long lines are only searched this far for provider limit messages. */
const SIGNAL_SEARCH_CHARS = 4096;
/**
 * How long the reading of a process's output waits for a client that is behind before it goes on (and the
 * sender drops what does not fit): long enough for any client that reads at all to catch up.
 */
const OUTPUT_WAIT_MS = 2000;

/** Agent CLIs are recognised through any wrappers, so their events feed the watchdog as they do locally. */
function agentOf(command: PreparedCommand): AgentKind {
  return detectAgent(command.argv, command.shell);
}

/**
 * One `execute` from request to `process.completed`: checks and splits the command, plans its limits,
 * runs it through the executor and streams its output as protocol frames.
 */
export async function runExecution(
  host: ExecutionHost,
  params: ExecuteParams,
  abort: AbortController,
): Promise<void> {
  const { deps, sender } = host;
  const prepared = await prepareCommand(params, deps.policy);
  if (!prepared.ok) {
    host.fail(prepared.code, prepared.message);
    return;
  }
  const command = prepared.command;
  const agent = agentOf(command);
  const plan = await planForRequest(deps.planner, params, command, agent, deps.capMs);
  if (abort.signal.aborted) {
    host.refuseStart(String(abort.signal.reason));
    return;
  }

  const logPath = join(deps.logDir, `${host.sessionId}.${host.sequence}.log`);
  let ids: ProcessIds | undefined;
  const signalsSent = new Set<string>();
  /** Server active time of the last silent progress reported, so each sign of life is sent once. */
  let reportedProgressAt = -1;
  const binary = params.binary_output === true;
  sender.batchOutput(!binary && params.batch_output === true);
  const chunkers = {
    stdout: new LineChunker((data, index, total) => sender.output('stdout', data, index, total)),
    stderr: new LineChunker((data, index, total) => sender.output('stderr', data, index, total)),
  };
  const wantsSignals = params.limit_signals !== false;
  const signalIn = (line: string): void => {
    const signal = detectLimitSignal(line.slice(0, SIGNAL_SEARCH_CHARS));
    if (signal === undefined || signalsSent.has(signal.method)) return;
    signalsSent.add(signal.method);
    sender.send(notification(signal.method, signal.params));
  };
  const scanners = {
    stdout: new ChunkLimitScanner(signalIn),
    stderr: new ChunkLimitScanner(signalIn),
  };
  // Raw bytes in binary frames, or lines in text frames; either way the output is read no faster than the
  // client takes it.
  const output: ExecHooks = {
    ...(binary
      ? {
          onChunk: (stream, bytes) => {
            sender.chunk(stream, bytes);
            if (wantsSignals) scanners[stream].push(bytes);
          },
        }
      : {
          onOutput: (stream, line, terminated) => {
            chunkers[stream].piece(line, terminated ?? true);
            if (wantsSignals) signalIn(line);
          },
        }),
    outputFlow: { full: () => sender.full(), drained: () => sender.drained(OUTPUT_WAIT_MS) },
  };

  const result = await deps.executor.run(
    {
      taskId: params.task ?? `session-${host.sessionId}`,
      attempt: host.sequence,
      argv: command.argv,
      shell: command.shell,
      cwd: command.cwd,
      env: command.env,
      agent,
      expect: NO_EXPECTATIONS,
      plan,
      logPath,
      signal: abort.signal,
    },
    {
      onStart: (task) => {
        ids = { pid: task.pid ?? 0, pgid: task.pgid ?? task.pid ?? 0 };
        host.started(task, ids);
      },
      ...output,
      onStatus: (status) => {
        if (params.progress !== true) return;
        const kind = status.lastProgress;
        if (kind !== 'cpu' && kind !== 'io') return;
        const at = status.elapsedMs - status.sinceProgressMs;
        if (at <= reportedProgressAt) return;
        reportedProgressAt = at;
        sender.send(
          notification('process.progress', { kind, since_progress_ms: Math.round(status.sinceProgressMs) }),
        );
      },
    },
  );

  if (!deps.keepLogs) await unlink(logPath).catch(() => {});
  if (ids === undefined) {
    host.refuseStart(abort.signal.aborted ? String(abort.signal.reason) : (result.detail ?? 'unknown error'));
    return;
  }
  chunkers.stdout.flush();
  chunkers.stderr.flush();
  scanners.stdout.end();
  scanners.stderr.end();
  sender.finishOutput();
  sender.send(notification('process.completed', completedParams(ids, plan, result)));
  if (params.record === false) return;
  deps.onRecord?.({
    sessionId: host.sessionId,
    runId: `${host.sessionId}.${host.sequence}`,
    ...(params.task ? { task: params.task } : {}),
    command,
    plan,
    result,
  });
}
