import type { ServerResponse } from 'node:http';

/** Server-sent events, the streaming transport of all three model APIs. */

export function openEventStream(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  // Send the headers now: a dead stream is "headers and one event, then nothing".
  res.flushHeaders();
}

/** Writes one event; `event` is omitted for APIs that send data-only events. Returns false once the client is gone. */
export function sendEvent(res: ServerResponse, data: unknown, event?: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  const head = event === undefined ? '' : `event: ${event}\n`;
  res.write(`${head}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  return true;
}

/** Cuts the connection without ending the HTTP response: the client sees a stream that stops mid-way. */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

/** Holds a stream open and silent until the client goes away (or the server closes). */
export function holdOpen(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.once('close', () => resolve());
  });
}
