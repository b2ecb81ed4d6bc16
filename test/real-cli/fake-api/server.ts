import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted model API on 127.0.0.1 for the real agent CLIs. The server knows no wire format: each API
 * (anthropic.ts, openai.ts, gemini.ts…) is a FakeApi that claims the requests it understands. Every request
 * is logged; one no API claims is logged as unknown and answered 404 in a generic JSON shape, so a CLI that
 * probes an endpoint we did not script fails fast instead of hanging, and the test can see what it asked.
 */

export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
  /** The body as text (bounded). */
  text: string;
}

export interface LoggedRequest {
  api: string;
  method: string;
  path: string;
  /** Milliseconds since the server started. */
  at: number;
  /** The scenario the API chose for it, or "unknown" when no API claimed it. */
  scenario: string;
  /** What the API did with it, in a few words (e.g. "529 (3 of ∞)"). */
  note?: string;
}

export interface ApiContext {
  /** Scripted durations are multiplied by this (1 = the real-world timing; 0.1 = ten times faster). */
  timeScale: number;
  /** Resolves after `ms` scaled milliseconds, or early when the client went away. */
  pause(ms: number, res: ServerResponse): Promise<void>;
  /** Records what was done with this request. */
  log(scenario: string, note?: string): void;
}

export interface FakeApi {
  name: string;
  /** Handles the request and returns true, or returns false to let another API (or the 404) have it. */
  handle(req: FakeRequest, res: ServerResponse, ctx: ApiContext): boolean | Promise<boolean>;
}

export interface FakeApiServer {
  port: number;
  url: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_LOGGED = 10_000;

export interface FakeApiOptions {
  apis: FakeApi[];
  timeScale?: number;
  /** Called for every logged request, e.g. to append it to a file. */
  onRequest?: (entry: LoggedRequest) => void;
}

export async function startFakeApiServer(options: FakeApiOptions): Promise<FakeApiServer> {
  const startedAt = Date.now();
  const requests: LoggedRequest[] = [];
  const timeScale = options.timeScale ?? 1;
  const open = new Set<ServerResponse>();

  const record = (entry: LoggedRequest): void => {
    if (requests.length < MAX_LOGGED) requests.push(entry);
    options.onRequest?.(entry);
  };

  const server: Server = createServer((incoming, res) => {
    open.add(res);
    res.once('close', () => open.delete(res));
    readBody(incoming)
      .then(async (text) => {
        const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
        const req: FakeRequest = {
          method: incoming.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: incoming.headers,
          text,
          json: parseJson(text),
        };
        for (const api of options.apis) {
          let logged = false;
          const ctx: ApiContext = {
            timeScale,
            pause: (ms, response) => pause(ms * timeScale, response),
            log: (scenario, note) => {
              logged = true;
              record({
                api: api.name,
                method: req.method,
                path: req.path,
                at: Date.now() - startedAt,
                scenario,
                note,
              });
            },
          };
          if (await api.handle(req, res, ctx)) {
            if (!logged) ctx.log('unnamed');
            return;
          }
        }
        record({
          api: '-',
          method: req.method,
          path: req.path,
          at: Date.now() - startedAt,
          scenario: 'unknown',
        });
        sendJson(res, 404, {
          error: { type: 'not_found_error', message: `no fake for ${req.method} ${req.path}` },
        });
      })
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { type: 'api_error', message: String(error) } });
        else res.destroy();
      });
  });
  // Streams are held open on purpose (dead-stream scenarios): never let Node time them out.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function pause(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    res.once('close', done);
  });
}
