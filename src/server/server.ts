import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { LocalExecutor } from '../exec/local/local-executor.js';
import type { Executor } from '../exec/types.js';
import type { ProgressRules } from '../exec/watchdog/progress-rules.js';
import { ErrorCode, errorFrame } from '../protocol/messages.js';
import type { TimeoutPlanner } from '../timeouts/types.js';
import { packageVersion } from '../version.js';
import { AllowList, DEFAULT_ALLOWED_ENV, EnvPolicy } from './allow-list.js';
import { isLoopbackHost, tokenMatches, tokenOf } from './auth.js';
import { type ServedRun, Session, type SessionStats } from './session.js';

export const DEFAULT_PORT = 8003;
const WS_PATHS = new Set(['/ws/mcp', '/ws']);

export interface ServerOptions {
  /** Default 127.0.0.1. Any other address needs a token. */
  host?: string;
  /** Default 8003; 0 picks a free port. */
  port?: number;
  token?: string;
  /** Programs that may run (names looked up in PATH, or paths); absent = any program. */
  allow?: string[];
  /** Shells, interpreters, git…: refused in `allow` unless named here too, since they run anything. */
  allowCodeRunners?: string[];
  /** Variables clients may set (names or NAME_* prefixes) besides DEFAULT_ALLOWED_ENV; only with `allow`. */
  allowEnv?: string[];
  /** A requested cwd must lie inside this folder. Default: `cwd` when `allow` is set, else anywhere. */
  root?: string;
  /** Client limits are clamped to this. Default 4 h. */
  capSeconds?: number;
  /** Accept the token as `?token=` too (it ends up in proxy and access logs). Default false. */
  queryToken?: boolean;
  /** Default 16. */
  maxSessions?: number;
  planner: TimeoutPlanner;
  /** Called after every completed process, e.g. to record history. */
  onRecord?: (run: ServedRun) => void;
  /** Problems that are the server's fault, one line each. */
  onError?: (message: string) => void;
  /** Between SIGTERM and SIGKILL of a process group. Default 5000. */
  graceMs?: number;
  headBytes?: number;
  tailBytes?: number;
  /** What counts as progress for the processes it runs. */
  progress?: ProgressRules;
  /** Keep each process's full output here; absent = a temporary folder, each log deleted when done. */
  logDir?: string;
  /** Where commands run when the request names no cwd. Default the server's cwd. */
  cwd?: string;
  /** Seconds between `ping` notifications. Default 30. */
  pingIntervalSeconds?: number;
  /** Unsent bytes per session beyond which output is dropped (with a marker line). Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Largest frame a client may send. Default 1 MiB. */
  maxPayload?: number;
  /** Runs the commands; default the local process-group executor. */
  executor?: Executor;
}

export interface HealthReport {
  status: 'ok' | 'shutting_down';
  active_sessions: number;
  max_sessions: number;
  uptime_seconds: number;
  version: string;
  /** Output dropped since the start because clients read more slowly than their processes wrote. */
  dropped_output_bytes: number;
}

export interface RunningServer {
  /** The primary endpoint, e.g. ws://127.0.0.1:8003/ws/mcp. */
  url: string;
  host: string;
  port: number;
  health(): HealthReport;
  /** Per open session: what is queued for the client and how much output was dropped. */
  sessionStats(): SessionStats[];
  /** Stops accepting, cancels running processes (each still gets its `process.completed`), closes sockets. */
  close(): Promise<void>;
}

export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token === '' ? undefined : options.token;
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ServerStartError(
      `refusing to listen on ${host} without a token: anyone who can reach it could run commands; ` +
        'pass --token (or bind 127.0.0.1)',
    );
  }
  const maxSessions = options.maxSessions ?? 16;
  const pingIntervalSeconds = options.pingIntervalSeconds ?? 30;
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new ServerStartError(`the session limit must be a whole number of at least 1 (got ${maxSessions})`);
  }
  if (!(pingIntervalSeconds > 0)) {
    throw new ServerStartError(`the ping interval must be more than 0 seconds (got ${pingIntervalSeconds})`);
  }
  const allowList =
    options.allow === undefined
      ? undefined
      : await AllowList.create(options.allow, process.env.PATH ?? '', options.allowCodeRunners ?? []);
  const envPolicy = new EnvPolicy([...DEFAULT_ALLOWED_ENV, ...(options.allowEnv ?? [])]);
  const defaultCwd = options.cwd ?? process.cwd();
  const root = options.root ?? (allowList !== undefined ? defaultCwd : undefined);
  const capSeconds = options.capSeconds ?? 4 * 3600;
  const ownLogDir =
    options.logDir === undefined ? await mkdtemp(join(tmpdir(), 'cc-stress-serve-')) : undefined;
  const logDir = options.logDir ?? ownLogDir!;
  const graceMs = options.graceMs ?? 5000;
  const executor =
    options.executor ??
    new LocalExecutor({
      graceMs,
      headBytes: options.headBytes ?? 8 * 1024,
      tailBytes: options.tailBytes ?? 32 * 1024,
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
    });
  const version = packageVersion();
  const startedAt = Date.now();
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;

  const sessions = new Set<Session>();
  /** Sessions whose socket is gone but whose process is still being stopped. */
  const draining = new Set<Session>();
  let closing: Promise<void> | undefined;
  let droppedOutputBytes = 0;

  const health = (): HealthReport => ({
    status: closing === undefined ? 'ok' : 'shutting_down',
    active_sessions: sessions.size,
    max_sessions: maxSessions,
    uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
    version,
    dropped_output_bytes: droppedOutputBytes,
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    perMessageDeflate: false,
  });

  const http = createServer((request, response) => answerHttp(request, response, health));
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const refusal = upgradeRefusal(request, token, options.queryToken === true, closing !== undefined);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (sessions.size >= maxSessions) {
        ws.send(errorFrame(null, ErrorCode.sessionLimit, `Session limit reached (${maxSessions} sessions)`));
        ws.close(1008, 'session limit reached');
        return;
      }
      const session = new Session(ws, {
        executor,
        planner: options.planner,
        policy: {
          ...(allowList !== undefined ? { allowList } : {}),
          envPolicy,
          defaultCwd,
          ...(root !== undefined ? { root } : {}),
        },
        capMs: capSeconds * 1000,
        version,
        pingIntervalMs: pingIntervalSeconds * 1000,
        limits: { maxBufferedBytes, hardLimitBytes: maxBufferedBytes + 4 * 1024 * 1024 },
        logDir,
        keepLogs: ownLogDir === undefined,
        onRecord: options.onRecord,
        onError: options.onError,
        onDroppedOutput: (bytes) => {
          droppedOutputBytes += bytes;
        },
      });
      sessions.add(session);
      ws.on('close', () => {
        sessions.delete(session);
        if (!session.busy) return;
        draining.add(session);
        void session.settled().finally(() => draining.delete(session));
      });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new ServerStartError(
            error.code === 'EADDRINUSE'
              ? `port ${options.port ?? DEFAULT_PORT} on ${host} is already in use; pick another with --port`
              : `cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${error.message}`,
          ),
        );
      });
      http.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
    });
  } catch (error) {
    if (ownLogDir !== undefined) await rm(ownLogDir, { recursive: true, force: true });
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const shutdown = async (): Promise<void> => {
    const listening = new Promise<void>((resolve) => http.close(() => resolve()));
    await Promise.all([...sessions].map((session) => session.shutdown()));
    await Promise.all([...draining].map((session) => session.settled()));
    // Give each client a moment to answer the close handshake so its last frames are not cut off.
    await Promise.all([...wss.clients].map((client) => closedWithin(client, 2000)));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await listening;
    // An executor handed in by the caller is the caller's to close.
    if (options.executor === undefined) await executor.close?.();
    if (ownLogDir !== undefined) await rm(ownLogDir, { recursive: true, force: true });
  };

  return {
    url: `ws://${urlHost}:${port}/ws/mcp`,
    host,
    port,
    health,
    sessionStats: () => [...sessions].map((session) => session.stats()),
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}

function answerHttp(request: IncomingMessage, response: ServerResponse, health: () => HealthReport): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const send = (status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(405, { error: 'method not allowed' });
    return;
  }
  if (path === '/health') {
    send(200, health());
    return;
  }
  if (path === '/healthz') {
    send(200, { status: 'ok' });
    return;
  }
  if (WS_PATHS.has(path)) {
    send(426, { error: 'this endpoint speaks WebSocket only' });
    return;
  }
  send(404, { error: 'not found; try /ws/mcp (WebSocket), /health or /healthz' });
}

function closedWithin(socket: WebSocket, ms: number): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The HTTP status line that refuses a WebSocket upgrade, or undefined to accept it. */
function upgradeRefusal(
  request: IncomingMessage,
  token: string | undefined,
  queryToken: boolean,
  closing: boolean,
): string | undefined {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (!WS_PATHS.has(path)) return '404 Not Found';
  if (closing) return '503 Service Unavailable';
  if (token !== undefined && !tokenMatches(tokenOf(request, queryToken), token)) return '401 Unauthorized';
  // Only browsers send Origin: without a token, any web page the user opens could otherwise reach a
  // loopback server and run commands (cross-site WebSocket hijacking).
  if (token === undefined && request.headers.origin !== undefined) return '403 Forbidden';
  return undefined;
}
