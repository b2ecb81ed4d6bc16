import WebSocket from 'ws';
import {
  PONG_FRAME,
  type RequestId,
  readNotification,
  requestFrame,
  responseSchema,
} from '../../protocol/messages.js';

/** A JSON-RPC error answered by the server. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionInfo {
  sessionId: string | null;
  version: string | null;
}

export interface ConnectOptions {
  token?: string;
  connectTimeoutMs: number;
  /** Frames larger than this are refused by the socket. */
  maxPayload?: number;
}

type NotificationHandler = (method: string, params: Record<string, unknown>) => void;
/** A binary frame: output, for a session whose execute asked for `binary_output`. */
type BinaryHandler = (frame: Buffer) => void;
type CloseHandler = (code: number, reason: string) => void;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * One client session with an executor server: a socket, request/response matching, and the keep-alive
 * answer to the server's `ping` (the existing service drops clients that never send `pong`).
 */
export class RemoteSession {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private notificationHandler: NotificationHandler = () => {};
  private binaryHandler: BinaryHandler | undefined;
  private closeHandler: CloseHandler = () => {};
  private closed = false;
  /** The first frame that was not valid JSON-RPC, kept as evidence for a crash message. */
  malformed: string | undefined;

  private constructor(
    readonly url: string,
    private readonly socket: WebSocket,
    readonly info: SessionInfo,
  ) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.receiveBinary(data);
      else this.receive(data.toString());
    });
    socket.on('close', (code, reason) => this.onSocketClosed(code, reason.toString()));
    // Errors are always followed by 'close', which is where they are handled.
    socket.on('error', () => {});
  }

  /**
   * Connects and waits for the server's `connected` notification. Rejects with a one-line reason when the
   * server is unreachable, refuses the upgrade, refuses the session (e.g. the session limit) or is too slow.
   */
  static open(url: string, options: ConnectOptions): Promise<RemoteSession> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
      const socket = new WebSocket(url, {
        headers,
        handshakeTimeout: options.connectTimeoutMs,
        maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
        perMessageDeflate: false,
      });
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        reject(new Error(why));
      };
      const timer = setTimeout(
        () => fail(`no "connected" frame within ${options.connectTimeoutMs} ms`),
        options.connectTimeoutMs,
      );
      socket.on('unexpected-response', (_request, response) => {
        fail(
          `the server refused the connection: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
        );
      });
      socket.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
      socket.on('close', (code, reason) => {
        const text = reason.toString();
        fail(
          `the server closed the connection before the session started (code ${code}${text ? `: ${text}` : ''})`,
        );
      });
      socket.on('message', (data, isBinary) => {
        if (settled || isBinary) return;
        const frame = parseJson(data.toString());
        const response = responseSchema.safeParse(frame);
        if (response.success && 'error' in response.data && response.data.error !== undefined) {
          fail(`the server refused the session: ${response.data.error.message}`);
          return;
        }
        const note = readNotification(frame);
        if (note === undefined) return;
        if (note.method === 'ping') {
          socket.send(PONG_FRAME);
          return;
        }
        if (note.method !== 'connected') return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        const params = note.params;
        const info: SessionInfo = {
          sessionId: typeof params.session_id === 'string' ? params.session_id : null,
          version: typeof params.version === 'string' ? params.version : null,
        };
        resolve(new RemoteSession(url, socket, info));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onNotification(handler: NotificationHandler): void {
    this.notificationHandler = handler;
  }

  onBinary(handler: BinaryHandler): void {
    this.binaryHandler = handler;
  }

  onClose(handler: CloseHandler): void {
    this.closeHandler = handler;
  }

  /** Sends a request and resolves with its result; rejects with RpcError, or an Error when the socket closes. */
  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(requestFrame(id, method, params), (error) => {
        if (error === undefined || error === null) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  pauseReading(): void {
    if (!this.closed) this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.socket.resume();
  }

  /** Drops the connection without a close handshake (after flushing what was already sent, when possible). */
  terminate(): void {
    if (this.closed) return;
    this.socket.terminate();
  }

  /** Closes with a normal close code; pending requests are rejected. */
  close(): void {
    if (this.closed) return;
    this.socket.close(1000, 'done');
    // A peer that never answers the close handshake must not keep the socket open.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  private receiveBinary(data: WebSocket.RawData): void {
    const frame = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    if (this.binaryHandler === undefined) this.malformed ??= '(a binary frame)';
    else this.binaryHandler(frame);
  }

  private receive(text: string): void {
    const frame = parseJson(text);
    if (frame === undefined) {
      this.malformed ??= text.slice(0, 200);
      return;
    }
    // Notifications are nearly every frame (output above all): they are read by hand, once; only the rare
    // responses go through the response schema.
    if (!isResponse(frame)) {
      const note = readNotification(frame);
      if (note === undefined) {
        this.malformed ??= text.slice(0, 200);
        return;
      }
      if (note.method === 'ping') {
        if (this.socket.readyState === WebSocket.OPEN) this.socket.send(PONG_FRAME);
        return;
      }
      this.notificationHandler(note.method, note.params);
      return;
    }
    const response = responseSchema.safeParse(frame);
    if (!response.success) {
      this.malformed ??= text.slice(0, 200);
      return;
    }
    const pending = this.pending.get(response.data.id);
    if (pending === undefined) return;
    this.pending.delete(response.data.id);
    if ('error' in response.data && response.data.error !== undefined) {
      pending.reject(new RpcError(response.data.error.code, response.data.error.message));
    } else {
      pending.resolve(response.data.result);
    }
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const error = new Error(`the connection closed (code ${code}${reason ? `: ${reason}` : ''})`);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.closeHandler(code, reason);
  }
}

/** A response carries an id (null for errors about unreadable requests) and a result or an error. */
function isResponse(frame: unknown): boolean {
  return (
    typeof frame === 'object' && frame !== null && 'id' in frame && ('result' in frame || 'error' in frame)
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
