import { z } from 'zod';

/**
 * The executor WebSocket protocol (JSON-RPC 2.0 over text frames), shared by our client and our server.
 * Schemas of frames we receive from other implementations are lenient (extra keys ignored, optional fields
 * nullable) because the existing service and its clients are the reference, not this file.
 */

export const CAPABILITIES = ['execute', 'control', 'stream'] as const;
/** Lines longer than this are sent as several `process.output` chunks. */
export const MAX_OUTPUT_CHUNK = 65_536;

export const ErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  commandNotAllowed: -32001,
  processNotFound: -32002,
  sessionLimit: -32003,
} as const;

const requestId = z.union([z.string(), z.number(), z.null()]);
export type RequestId = z.infer<typeof requestId>;

/** Any frame a client may send; `id` absent means a notification (no response). */
export const clientFrameSchema = z.object({
  jsonrpc: z.literal('2.0').optional(),
  id: requestId.optional(),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** 0 means "no limit given" to some existing clients: the server then plans the limit itself. */
const seconds = z.number().nonnegative().finite();

export const executeParamsSchema = z.object({
  command: z.string().min(1, 'must not be empty'),
  /** Max (wall-clock) limit in seconds. */
  timeout: seconds.nullish(),
  /** Stall (no output) limit in seconds. */
  stall_timeout: seconds.nullish(),
  cwd: z.string().min(1).nullish(),
  env: z.record(z.string(), z.string()).nullish(),
  /** A label that groups runs in history. */
  task: z.string().min(1).max(200).nullish(),
  category: z.string().min(1).max(200).nullish(),
  complexity: z.string().min(1).max(200).nullish(),
  shell: z.boolean().nullish(),
  /** false: the client records this run in its own history (a cc-stress runner), so the server does not. */
  record: z.boolean().nullish(),
  /** true: the client wants `process.progress` for signs of life it cannot see (CPU, I/O). */
  progress: z.boolean().nullish(),
  /**
   * true: the client takes several whole lines of one stream in one `process.output` (a cc-stress runner);
   * without it every line is its own frame, as clients of the existing service expect.
   */
  batch_output: z.boolean().nullish(),
  /**
   * true: the output comes as binary frames of the bytes exactly as the process wrote them (see
   * binaryOutputFrame), for a client that reads bytes (a cc-stress runner). Takes precedence over
   * `batch_output`.
   */
  binary_output: z.boolean().nullish(),
  /**
   * false: the client has no use for `error.rate_limit_exceeded` and `error.token_limit_exceeded` (a
   * cc-stress runner reads limits from the agent's own events), so the server does not search the output
   * for them: under a flood of output that search is a good part of the server's work.
   */
  limit_signals: z.boolean().nullish(),
});
export type ExecuteParams = z.infer<typeof executeParamsSchema>;

export const controlTypes = ['PAUSE', 'RESUME', 'CANCEL'] as const;
export type ControlType = (typeof controlTypes)[number];
export const controlParamsSchema = z.object({ type: z.enum(controlTypes) });

export type CompletionReason = 'exit' | 'timeout' | 'stall' | 'canceled' | 'error';

export interface LimitReport {
  seconds: number;
  origin: string;
  detail: string;
}

export interface AppliedTimeouts {
  max: LimitReport;
  stall: LimitReport;
  /** How many times the max limit was extended because the process was still making progress. */
  extensions: number;
}

/** Every notification our server sends, by method. */
export interface ServerNotifications {
  connected: { session_id: string; version: string; capabilities: string[] };
  'process.started': { status: 'started'; pid: number; pgid: number; exit_code: null; error: null };
  'process.output': {
    type: 'stdout' | 'stderr';
    /** One line with its newline, a chunk of a long line or, with `batch_output`, several whole lines. */
    data: string;
    truncated: boolean;
    chunk_index: number | null;
    total_chunks: number | null;
  };
  'process.completed': {
    status: 'completed' | 'failed';
    pid: number;
    pgid: number;
    exit_code: number;
    error: string | null;
    execution_time: number;
    reason: CompletionReason;
    timeouts: AppliedTimeouts;
  };
  'process.paused': { status: 'paused'; pid: number; pgid: number };
  'process.resumed': { status: 'resumed'; pid: number; pgid: number };
  'process.canceled': { status: 'canceled'; pid: number; pgid: number };
  'process.error': { error: string };
  /**
   * Our extension, sent only to clients that asked (`progress: true`): the process showed life without
   * output (CPU use, disk or network I/O), `since_progress_ms` ago.
   */
  'process.progress': { kind: 'cpu' | 'io'; since_progress_ms: number };
  'error.rate_limit_exceeded': {
    error_type: 'usage_limit' | 'rate_limit_429';
    message: string;
    recoverable: boolean;
    retry_after?: number;
    reset_timestamp?: number;
  };
  'error.token_limit_exceeded': { limit: number | null; message: string; recoverable: boolean };
  ping: { timestamp: number };
}
export type ServerMethod = keyof ServerNotifications;

export function notification<M extends ServerMethod>(method: M, params: ServerNotifications[M]): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

export function resultFrame(id: RequestId, result: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function errorFrame(id: RequestId, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
}

export function requestFrame(id: number, method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** The answer to a server `ping`; the existing service drops clients that never send it. */
export const PONG_FRAME = JSON.stringify({ jsonrpc: '2.0', method: 'pong', params: {} });

// ---- what a client receives (from our server or the existing service) ----

const rpcError = z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() });

export const responseSchema = z.union([
  z.object({ id: requestId, result: z.unknown(), error: z.undefined().optional() }),
  z.object({ id: requestId, error: rpcError }),
]);

export interface ServerNotification {
  method: string;
  params: Record<string, unknown>;
}

/**
 * A notification from the server (`method`, and `params` an object, null or absent), or undefined. Checked
 * by hand rather than with zod: it runs for every output frame, where a schema walk costs more than all the
 * rest of reading the frame.
 */
export function readNotification(frame: unknown): ServerNotification | undefined {
  if (!isPlainObject(frame)) return undefined;
  const { method, params } = frame;
  if (typeof method !== 'string' || method === '') return undefined;
  if (params === undefined || params === null) return { method, params: {} };
  return isPlainObject(params) ? { method, params } : undefined;
}

/** The fields of `process.output` that a client acts on; the chunk numbers only mark where a line ends. */
export interface OutputParams {
  type: 'stdout' | 'stderr';
  data: string;
}

/** `process.output` params, or undefined without text; an unknown stream counts as stdout. */
export function readOutputParams(params: Record<string, unknown>): OutputParams | undefined {
  const { type, data } = params;
  if (typeof data !== 'string') return undefined;
  return { type: type === 'stderr' ? 'stderr' : 'stdout', data };
}

/**
 * Output as a binary frame, for clients that asked for `binary_output`: one byte naming the stream (1 stdout,
 * 2 stderr), then the bytes as read from the process (any length, not cut at lines). Text frames
 * (`process.output` included, e.g. a marker) may come between them; the order of all frames is the order
 * of output and events.
 */
export function binaryOutputFrame(stream: 'stdout' | 'stderr', bytes: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(bytes.length + 1);
  frame[0] = stream === 'stderr' ? BINARY_STDERR : BINARY_STDOUT;
  frame.set(bytes, 1);
  return frame;
}

const BINARY_STDOUT = 1;
const BINARY_STDERR = 2;

export interface BinaryOutput {
  type: 'stdout' | 'stderr';
  /** A view into the frame. */
  bytes: Buffer;
}

/** A binary output frame read back, or undefined when its first byte names no stream. */
export function readBinaryOutput(frame: Buffer): BinaryOutput | undefined {
  const code = frame[0];
  if (code !== BINARY_STDOUT && code !== BINARY_STDERR) return undefined;
  return { type: code === BINARY_STDERR ? 'stderr' : 'stdout', bytes: frame.subarray(1) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const nullableInt = z.number().int().nullish();

/** `process.started`: the ids name processes on the executor's machine; only their shape is checked. */
export const startedParamsSchema = z.object({
  pid: nullableInt,
  pgid: nullableInt,
});

export const completedParamsSchema = z.object({
  status: z.string().nullish(),
  exit_code: z.number().int().nullish(),
  error: z.string().nullish(),
  execution_time: z.number().nullish(),
  reason: z.string().nullish(),
  timeouts: z.unknown().optional(),
});
export type CompletedParams = z.infer<typeof completedParamsSchema>;

export const progressParamsSchema = z.object({
  kind: z.enum(['cpu', 'io']),
  since_progress_ms: z.number().nonnegative().finite(),
});

export const processErrorParamsSchema = z.object({ error: z.unknown().optional() });
