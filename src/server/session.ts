import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { RunningTask } from '../exec/types.js';
import {
  CAPABILITIES,
  type ClientFrame,
  type ControlType,
  clientFrameSchema,
  controlParamsSchema,
  ErrorCode,
  errorFrame,
  executeParamsSchema,
  notification,
  type RequestId,
  resultFrame,
} from '../protocol/messages.js';
import { type ExecutionDeps, type ProcessIds, runExecution } from './execution.js';
import { type SenderLimits, SessionSender } from './session-sender.js';

export type { ServedRun } from './served-run.js';

export interface SessionStats {
  id: string;
  busy: boolean;
  /** Bytes queued for the client and not yet written to the network. */
  bufferedBytes: number;
  droppedOutputBytes: number;
}

export interface SessionDeps extends ExecutionDeps {
  version: string;
  pingIntervalMs: number;
  limits: SenderLimits;
  /** A failure that is the server's fault, for the operator's log. */
  onError?: (message: string) => void;
  /** Output dropped because the client read too slowly, in bytes, as it happens. */
  onDroppedOutput?: (bytes: number) => void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'starting'; abort: AbortController }
  | {
      kind: 'running';
      abort: AbortController;
      task: RunningTask;
      pid: number;
      pgid: number;
      paused: boolean;
    };

/**
 * One WebSocket connection: at most one process at a time, run through the same executor as local tasks
 * (process group, limits, pause, kill hygiene), every `execute` answered by exactly one `process.completed`.
 */
export class Session {
  readonly id = randomUUID();
  private state: State = { kind: 'idle' };
  private current: Promise<void> | undefined;
  private executions = 0;
  /** Control requests that arrived while a process was starting, handled once it has started (or not). */
  private deferred: Array<() => void> = [];
  private closed = false;
  private readonly pingTimer: NodeJS.Timeout;
  readonly sender: SessionSender;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: SessionDeps,
  ) {
    this.sender = new SessionSender(socket, deps.limits, () => this.dropPeer(), deps.onDroppedOutput);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => {});
    this.pingTimer = setInterval(() => {
      this.sender.send(notification('ping', { timestamp: Date.now() / 1000 }));
    }, deps.pingIntervalMs);
    this.pingTimer.unref();
    this.sender.send(
      notification('connected', {
        session_id: this.id,
        version: deps.version,
        capabilities: [...CAPABILITIES],
      }),
    );
  }

  stats(): SessionStats {
    return {
      id: this.id,
      busy: this.busy,
      bufferedBytes: this.socket.bufferedAmount,
      droppedOutputBytes: this.sender.totalDroppedBytes,
    };
  }

  get busy(): boolean {
    return this.state.kind !== 'idle';
  }

  /** Cancels a running process, waits for its `process.completed` to be sent, then closes the socket (1001). */
  async shutdown(): Promise<void> {
    if (this.state.kind !== 'idle') this.state.abort.abort('the server is shutting down');
    await this.current;
    clearInterval(this.pingTimer);
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1001, 'server shutting down');
  }

  /** Resolves once this session's process (if any) is gone. */
  async settled(): Promise<void> {
    await this.current;
  }

  private onClosed(): void {
    this.closed = true;
    clearInterval(this.pingTimer);
    this.sender.stopTimers();
    // Nobody is left to read the output: the process group goes too.
    if (this.state.kind !== 'idle') this.state.abort.abort('the client disconnected');
  }

  /**
   * A peer that sends but never reads would make the server buffer without end. A close frame would queue
   * behind everything it does not read, so the connection is dropped at once.
   */
  private dropPeer(): void {
    this.deps.onError?.(`session ${this.id}: the client stopped reading its messages; connection dropped`);
    this.socket.terminate();
  }

  private reply(id: RequestId | undefined, result: Record<string, unknown>): void {
    if (id !== undefined) this.sender.send(resultFrame(id, result));
  }

  private fail(id: RequestId | undefined, code: number, message: string): void {
    this.sender.send(errorFrame(id ?? null, code, message));
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.fail(null, ErrorCode.invalidRequest, 'Invalid Request: binary frames are not supported');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      this.fail(null, ErrorCode.parseError, 'Parse error: the frame is not valid JSON');
      return;
    }
    if (Array.isArray(raw)) {
      this.fail(null, ErrorCode.invalidRequest, 'Invalid Request: batch requests are not supported');
      return;
    }
    const frame = clientFrameSchema.safeParse(raw);
    if (!frame.success) {
      this.fail(idOf(raw), ErrorCode.invalidRequest, 'Invalid Request: expected a JSON-RPC 2.0 request');
      return;
    }
    this.dispatch(frame.data);
  }

  private dispatch(frame: ClientFrame): void {
    switch (frame.method) {
      case 'execute':
        this.execute(frame.id, frame.params);
        return;
      case 'control':
        this.control(frame.id, frame.params);
        return;
      case 'pong':
        return;
      default:
        this.fail(frame.id, ErrorCode.methodNotFound, `Unknown method: ${frame.method}`);
        return;
    }
  }

  private execute(id: RequestId | undefined, rawParams: unknown): void {
    if (this.state.kind !== 'idle') {
      this.fail(id, ErrorCode.invalidParams, 'A process is already running');
      return;
    }
    const params = executeParamsSchema.safeParse(rawParams ?? {});
    if (!params.success) {
      const issue = params.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? 'params' : issue.path.join('.');
      this.fail(id, ErrorCode.invalidParams, `Invalid params: ${where}: ${issue?.message ?? 'invalid'}`);
      return;
    }
    const abort = new AbortController();
    this.state = { kind: 'starting', abort };
    this.executions += 1;
    this.current = runExecution(
      {
        sessionId: this.id,
        sequence: this.executions,
        sender: this.sender,
        deps: this.deps,
        fail: (code, message) => this.fail(id, code, message),
        refuseStart: (why) => this.refuseStart(id, why),
        started: (task, ids) => this.started(id, abort, task, ids),
      },
      params.data,
      abort,
    )
      .catch((error: unknown) => {
        const message = `Internal error: ${(error as Error).message}`;
        this.deps.onError?.(message);
        this.fail(id, ErrorCode.internalError, message);
      })
      .finally(() => {
        this.state = { kind: 'idle' };
        this.runDeferred();
      });
  }

  /** The process of the current execute is running: answer, announce, and let control requests in. */
  private started(
    id: RequestId | undefined,
    abort: AbortController,
    task: RunningTask,
    ids: ProcessIds,
  ): void {
    this.state = { kind: 'running', abort, task, ...ids, paused: false };
    this.reply(id, { status: 'started', ...ids });
    this.sender.send(
      notification('process.started', { status: 'started', ...ids, exit_code: null, error: null }),
    );
    this.runDeferred();
  }

  /** An execute that never got a process still gets its answer, if anyone is listening. */
  private refuseStart(id: RequestId | undefined, why: string): void {
    if (!this.closed) this.fail(id, ErrorCode.internalError, `Failed to start the process: ${why}`);
  }

  private runDeferred(): void {
    const deferred = this.deferred;
    this.deferred = [];
    for (const handle of deferred) handle();
  }

  private control(id: RequestId | undefined, rawParams: unknown): void {
    const params = controlParamsSchema.safeParse(rawParams ?? {});
    if (!params.success) {
      this.fail(id, ErrorCode.invalidParams, 'Invalid params: type must be "PAUSE", "RESUME" or "CANCEL"');
      return;
    }
    const state = this.state;
    if (state.kind === 'starting') {
      this.deferred.push(() => this.control(id, rawParams));
      return;
    }
    if (state.kind !== 'running') {
      this.fail(id, ErrorCode.processNotFound, 'No process is running');
      return;
    }
    const ids = { pid: state.pid, pgid: state.pgid };
    const type: ControlType = params.data.type;
    switch (type) {
      case 'PAUSE':
        if (state.abort.signal.aborted) {
          this.fail(id, ErrorCode.invalidParams, 'The process is being canceled');
          return;
        }
        if (state.paused || !state.task.pause()) {
          this.fail(id, ErrorCode.invalidParams, 'The process is already paused');
          return;
        }
        state.paused = true;
        this.reply(id, { status: 'paused' });
        this.sender.send(notification('process.paused', { status: 'paused', ...ids }));
        return;
      case 'RESUME':
        if (!state.paused || !state.task.resume()) {
          this.fail(id, ErrorCode.invalidParams, 'The process is not paused');
          return;
        }
        state.paused = false;
        this.reply(id, { status: 'resumed' });
        this.sender.send(notification('process.resumed', { status: 'resumed', ...ids }));
        return;
      case 'CANCEL': {
        const first = !state.abort.signal.aborted;
        state.abort.abort('the client sent CANCEL');
        this.reply(id, { status: 'canceled' });
        if (first) this.sender.send(notification('process.canceled', { status: 'canceled', ...ids }));
        return;
      }
    }
  }
}

function idOf(raw: unknown): RequestId {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
